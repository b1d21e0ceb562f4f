// SPDX-License-Identifier: MIT
/* `xlb run`: the daemon.  Validates the file before touching the kernel,
 * loads or adopts the pinned data plane, attaches it, publishes the
 * services, then runs one epoll loop: health checks, signals (SIGHUP
 * reload, SIGTERM/SIGINT exit, SIGUSR1 admin change), DNS re-resolution.
 * Exiting leaves the data plane attached and pinned, so traffic and
 * established connections go on until the next `xlb run` adopts them.
 * Under systemd (Type=notify) it says READY=1 only once it serves, and
 * frames each reload (daemon/notify.c).  With global: metrics:, a thread
 * of its own serves Prometheus metrics (daemon/metrics.h). */
#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/statfs.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "config/config.h"
#include "daemon/daemon.h"
#include "daemon/notify.h"
#include "dp/dataplane.h"
#include "health/health.h"
#include "lib/log.h"
#include "dp/netns.h"
#include "dp/pin.h"
#include "daemon/runtime.h"
#include "daemon/first_contact.h"
#include "daemon/announce_l2.h"
#include "daemon/metrics.h"
#include "dp/sockhook.h"
#include "daemon/sorry_local.h"
#include "daemon/sweeper.h"
#include "daemon/tables.h"

struct daemon {
	struct daemon_opts opts;
	int epfd, sigfd, resolve_fd, lock_fd;
	struct xlb_dp dp;
	bool dp_loaded;
	bool fresh;   /* no data plane was pinned before this run */
	bool serving; /* the services are published: startup is over */
	struct runtime *rt;
	bool sock_hooks;          /* socket hooks attached at cgroup */
	struct sorry_local *sorry; /* the sorry page for local clients (with the hooks) */
	char cgroup[PATH_MAX];
	uint32_t half_open_entries; /* the size the half-open table was loaded with */
	struct sweeper *sweeper;    /* expires connections, counts them, watches the full flag */
	struct metrics *metrics;    /* the Prometheus endpoint (listening or not) */
};

/* epoll cookies */
enum { EV_SIGNAL = 1, EV_HEALTH, EV_RESOLVE, EV_SORRY, EV_ANNOUNCE, EV_SWEEP };

/* The file's errors through the logger, so that under the journal each
 * line is an error ('journalctl -p err' shows why a reload was refused). */
static void log_diag(const struct cfg_diag *diag)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f) {
		cfg_diag_print(diag, stderr);
		return;
	}
	cfg_diag_print(diag, f);
	if (fclose(f) == 0 && len)
		log_err("%s", text);
	free(text);
}

/* At start and at every reload.  The load reads regular files only, so a
 * reload cannot wait on a FIFO or a device: the loop goes on at once. */
static int load_config(const char *path, struct xlb_config **cfg)
{
	struct cfg_diag diag;
	int err;

	if (strcmp(path, CFG_STDIN_PATH) == 0) {
		log_err("the daemon cannot read its configuration from standard input: a "
			"reload (SIGHUP) reads the file again; give the path of the "
			"configuration file (./- for a file named '-')");
		return -EINVAL;
	}
	cfg_diag_init(&diag);
	err = config_load_file(path, cfg, &diag);
	if (err) {
		log_diag(&diag);
		if (diag.total)
			log_err("%zu error%s in %s", diag.total, diag.total == 1 ? "" : "s", path);
		else
			log_errno(err, "cannot load %s", path);
	}
	cfg_diag_free(&diag);
	return err;
}

/* The interfaces to attach to: the command line's, else the file's.  Every
 * one must exist before anything is loaded. */
static int collect_interfaces(const struct daemon_opts *o, const struct xlb_config *cfg,
			      bool local_only_ok, const char **names, size_t *n)
{
	*n = 0;
	if (o->n_ifaces) {
		for (size_t i = 0; i < o->n_ifaces; i++)
			names[(*n)++] = o->ifaces[i];
	} else {
		for (size_t i = 0; i < cfg->global.n_interfaces; i++)
			names[(*n)++] = cfg->global.interfaces[i];
	}
	if (*n == 0 && local_only_ok) {
		log_info("no interface to attach to: only clients on this host are balanced "
			 "(socket hooks); name interfaces with -i IFACE or 'global: interfaces:' "
			 "to serve remote clients too");
		return 0;
	}
	if (*n == 0) {
		log_err("no interface to attach to: name one with -i IFACE or list them "
			"under 'global: interfaces:' in %s",
			o->config);
		return -EINVAL;
	}
	for (size_t i = 0; i < *n; i++) {
		if (!if_nametoindex(names[i])) {
			log_err("interface '%s' does not exist ('ip link show' lists the "
				"interfaces of this network namespace)",
				names[i]);
			return -ENODEV;
		}
	}
	return 0;
}

static int setup_signals(struct daemon *d)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	d->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (d->sigfd < 0)
		return -errno;
	/* A write to a health check socket the member closed must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int epoll_watch(int epfd, int fd, uint64_t cookie)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = cookie };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int arm_resolve_timer(struct daemon *d)
{
	uint32_t ms = runtime_config(d->rt)->global.resolve_interval_ms;
	struct itimerspec its = {
		.it_value = { ms / 1000, (ms % 1000) * 1000000L },
		.it_interval = { ms / 1000, (ms % 1000) * 1000000L },
	};

	return timerfd_settime(d->resolve_fd, 0, &its, NULL) ? -errno : 0;
}

/* The hooks are loaded with the netns cookie and attached at start: a
 * change of socket_lb waits for the next start. */
static void socket_lb_reload_note(const struct xlb_config *old, const struct xlb_config *cfg)
{
	const struct cfg_socket_lb_opts *a = &old->global.socket_lb, *b = &cfg->global.socket_lb;

	if (cfg_socket_lb_on(old) != cfg_socket_lb_on(cfg) ||
	    a->all_namespaces != b->all_namespaces || strcmp(a->cgroup, b->cgroup))
		log_warn("socket_lb changed: the socket hooks keep their settings until the "
			 "daemon is restarted");
}

/* Returns runtime_apply's result, or -errno when nothing changed. */
static int reload(struct daemon *d)
{
	struct xlb_config *cfg = NULL;
	int err;

	log_info("reloading %s", d->opts.config);
	if (load_config(d->opts.config, &cfg)) {
		log_err("reload refused: %s is invalid; the running configuration stays "
			"in force",
			d->opts.config);
		metrics_reloaded(d->metrics, false);
		return -EINVAL;
	}
	socket_lb_reload_note(runtime_config(d->rt), cfg);
	tables_reload_note(runtime_config(d->rt), cfg, d->half_open_entries);
	err = runtime_apply(d->rt, cfg, true);
	if (err < 0) {
		log_err("reload failed (%s); the running configuration stays in force",
			strerror(-err));
		config_free(cfg);
		metrics_reloaded(d->metrics, false);
		return err;
	}
	arm_resolve_timer(d);
	/* A listener that cannot move is logged and left off: the services
	 * of the new file are in force already. */
	metrics_listen(d->metrics, &runtime_config(d->rt)->global.metrics);
	metrics_reloaded(d->metrics, err == 0);
	if (d->sorry)
		sorry_local_sync(d->sorry);
	if (err > 0)
		log_warn("reloaded %s with %d error%s (above)", d->opts.config, err,
			 err == 1 ? "" : "s");
	else
		log_info("reloaded %s", d->opts.config);
	return err;
}

/* Returns 1 to stop the loop. */
static int handle_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			notify_reloading(d->opts.config);
			notify_reloaded(d->rt, d->opts.config, reload(d));
			break;
		case SIGUSR1:
			runtime_sync_admin(d->rt);
			break;
		case SIGTERM:
		case SIGINT:
			log_info("%s: exiting; the data plane stays attached and pinned at %s "
				 "(connections keep flowing; 'xlb stop' removes it)",
				 strsignal((int)si.ssi_signo), d->opts.pin_dir);
			notify_stopping();
			return 1;
		}
	}
	return 0;
}

static int run_loop(struct daemon *d)
{
	struct epoll_event evs[16];

	for (;;) {
		int n = epoll_wait(d->epfd, evs, 16, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_errno(-errno, "epoll_wait");
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			switch (evs[i].data.u64) {
			case EV_SIGNAL:
				if (handle_signals(d))
					return 0;
				break;
			case EV_HEALTH:
				health_dispatch(runtime_health(d->rt));
				break;
			case EV_SORRY:
				sorry_local_dispatch(d->sorry);
				break;
			case EV_ANNOUNCE:
				runtime_announce_tick(d->rt);
				break;
			case EV_SWEEP:
				sweeper_dispatch(d->sweeper, d->rt);
				break;
			case EV_RESOLVE: {
				uint64_t ticks;

				if (read(d->resolve_fd, &ticks, sizeof(ticks)) > 0)
					runtime_resolve(d->rt);
				break;
			}
			}
		}
		notify_status(d->rt); /* when a member came or went */
	}
}

static int attach_iface(struct daemon *d, const char *iface)
{
	int ifindex = (int)if_nametoindex(iface), err;

	if (d->opts.mode == DAEMON_MODE_TC)
		err = xlb_dp_attach_tc(&d->dp, ifindex, d->opts.pin_dir);
	else
		err = xlb_dp_attach_xdp(&d->dp, ifindex, d->opts.pin_dir, d->opts.mode == DAEMON_MODE_XDP_GENERIC);
	if (err) {
		log_errno(err, "cannot attach to %s", iface);
		return err;
	}
	if (d->opts.mode == DAEMON_MODE_TC)
		log_info("%s: tc (clsact ingress and egress)", iface);
	else
		log_info("%s: %s XDP", iface, xlb_dp_xdp_mode(ifindex));
	return 0;
}

/* Where the socket hooks attach and whose sockets they balance, checked
 * before anything is loaded. */
static int socket_lb_plan(struct daemon *d, const struct xlb_config *cfg, __u64 *cookie)
{
	const struct cfg_socket_lb_opts *o = &cfg->global.socket_lb;
	struct statfs sfs;
	int err;

	*cookie = 0;
	if (o->cgroup[0]) {
		snprintf(d->cgroup, sizeof(d->cgroup), "%s", o->cgroup);
	} else if ((err = sockhook_cgroup2_mount(d->cgroup, sizeof(d->cgroup)))) {
		log_err("socket hooks: no cgroup v2 hierarchy is mounted (none in /proc/mounts); "
			"mount one ('mount -t cgroup2 none DIR'), or set 'socket_lb: false' "
			"under 'global:' in %s",
			d->opts.config);
		return err;
	}
	if (statfs(d->cgroup, &sfs)) {
		err = -errno;
		log_errno(err, "socket hooks: cgroup %s", d->cgroup);
		return err;
	}
	if ((unsigned long)sfs.f_type != CGROUP2_SUPER_MAGIC) {
		log_err("socket hooks: %s is not a cgroup v2 directory (the cgroup v2 mount is "
			"listed as 'cgroup2' in /proc/mounts)",
			d->cgroup);
		return -EMEDIUMTYPE;
	}
	if (o->all_namespaces)
		return 0;
	err = netns_cookie(cookie);
	if (err) {
		log_err("socket hooks: cannot read this network namespace's cookie "
			"(SO_NETNS_COOKIE needs Linux 5.14): %s; set 'all_namespaces: true' "
			"under 'socket_lb:' to balance the sockets of every namespace",
			strerror(-err));
		return err;
	}
	return 0;
}

/* Attaches the hooks, or takes away those of an earlier run that had them. */
static int socket_lb_attach(struct daemon *d, const struct xlb_config *cfg)
{
	int err, removed;

	if (!d->sock_hooks) {
		err = sockhook_detach(d->opts.pin_dir, &removed);
		if (removed)
			log_info("socket hooks: detached (socket_lb is off)");
		return err;
	}
	err = sockhook_attach(&d->dp, d->cgroup, d->opts.pin_dir);
	if (err)
		return err;
	log_info("socket hooks: attached at %s (connect, sendmsg, recvmsg, getpeername; "
		 "sockets of %s)",
		 d->cgroup,
		 cfg->global.socket_lb.all_namespaces ? "every network namespace"
						      : "this network namespace only");
	return 0;
}

/* How each VIP is served: by XDP for remote clients, by the socket hooks
 * for local ones. */
static void log_service_paths(const struct daemon *d, const struct xlb_config *cfg, size_t n_ifaces)
{
	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *s = &cfg->services[i];
		char vip[XLB_ADDR_PORT_STRLEN];
		bool local = cfg_vip_is_local(s);

		addr_format_port(&s->vip, s->port, vip, sizeof(vip));
		if (local && d->sock_hooks)
			log_info("service %s %s/%s: local clients only, through the socket hooks",
				 s->name, vip, xlb_proto_str(s->protocol));
		else if (local)
			log_warn("service %s %s/%s: a loopback VIP that no client can reach: "
				 "socket_lb is off",
				 s->name, vip, xlb_proto_str(s->protocol));
		else
			log_info("service %s %s/%s: remote clients %s, local clients %s",
				 s->name, vip, xlb_proto_str(s->protocol),
				 n_ifaces ? "through XDP" : "not served (no interface attached)",
				 d->sock_hooks ? "through the socket hooks" : "not balanced (socket_lb off)");
	}
}

/* The sweeps run on a thread of their own (signals stay blocked there, as
 * here); the loop hears of each one. */
static int sweeper_begin(struct daemon *d)
{
	int err = sweeper_start(xlb_dp_sweep_prog_fd(&d->dp), &d->dp.maps, &d->sweeper);

	if (err)
		return log_errno(err, "cannot start the sweeper");
	return epoll_watch(d->epfd, sweeper_fd(d->sweeper), EV_SWEEP);
}

static int run_daemon(struct daemon *d, struct xlb_config *cfg)
{
	const char *ifaces[XLB_MAX_INTERFACES];
	struct l2_iface l2_ifaces[XLB_MAX_INTERFACES];
	struct xlb_dp_opts dpo;
	size_t n_ifaces;
	__u64 sock_cookie = 0;
	pid_t holder;
	int err;

	d->sock_hooks = cfg_socket_lb_on(cfg);
	err = collect_interfaces(&d->opts, cfg, d->sock_hooks, ifaces, &n_ifaces);
	if (!err && d->sock_hooks)
		err = socket_lb_plan(d, cfg, &sock_cookie);
	if (!err)
		err = runtime_preflight(cfg);
	if (err)
		return err;
	err = pin_dir_prepare(d->opts.pin_dir);
	if (err)
		return err;
	err = pin_dir_lock(d->opts.pin_dir, &d->lock_fd, &holder);
	if (err == -EWOULDBLOCK) {
		log_err("another xlb daemon (PID %d) is running on %s; stop it first "
			"('xlb stop --pin-dir %s') or use another --pin-dir",
			(int)holder, d->opts.pin_dir, d->opts.pin_dir);
		return err;
	}
	if (err) {
		log_errno(err, "cannot lock %s", d->opts.pin_dir);
		return err;
	}
	d->fresh = !pin_dir_has_pins(d->opts.pin_dir);
	tables_run_opts(cfg, d->opts.pin_dir, &dpo);
	d->half_open_entries = dpo.half_open_entries;
	dpo.sock_hooks = d->sock_hooks;
	dpo.sock_netns_cookie = sock_cookie;
	dpo.tc = d->opts.mode == DAEMON_MODE_TC;
	err = xlb_dp_load(&d->dp, &dpo);
	if (err)
		return err;
	d->dp_loaded = true;
	for (size_t i = 0; i < n_ifaces; i++) {
		err = attach_iface(d, ifaces[i]);
		if (err)
			return err;
	}
	err = socket_lb_attach(d, cfg);
	if (err)
		return err;
	log_service_paths(d, cfg, n_ifaces);
	first_contact_warn(cfg, ifaces, n_ifaces, d->opts.mode != DAEMON_MODE_TC);
	err = setup_signals(d);
	if (err)
		return err;
	err = runtime_new(&d->dp.maps, &d->rt);
	if (!err)
		err = runtime_l2_interfaces(d->rt, l2_ifaces,
					    announce_l2_ifaces_read(ifaces, n_ifaces, l2_ifaces));
	if (err)
		return err;
	/* Past the point of no return a failure is logged and counted, and
	 * the daemon serves what it could publish. */
	err = runtime_apply(d->rt, cfg, false);
	if (err < 0)
		return err;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->resolve_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->epfd < 0 || d->resolve_fd < 0)
		return -errno;
	err = epoll_watch(d->epfd, d->sigfd, EV_SIGNAL);
	if (!err)
		err = epoll_watch(d->epfd, health_fd(runtime_health(d->rt)), EV_HEALTH);
	if (!err)
		err = epoll_watch(d->epfd, d->resolve_fd, EV_RESOLVE);
	if (!err)
		err = epoll_watch(d->epfd, runtime_announce_fd(d->rt), EV_ANNOUNCE);
	if (!err)
		err = arm_resolve_timer(d);
	/* Local clients get the built-in sorry page from the daemon: their
	 * connections never pass the data path that builds it. */
	if (!err && d->sock_hooks) {
		err = sorry_local_new(&d->dp.maps, &d->sorry);
		if (!err)
			err = epoll_watch(d->epfd, sorry_local_fd(d->sorry), EV_SORRY);
		if (!err)
			sorry_local_sync(d->sorry);
	}
	if (!err)
		err = sweeper_begin(d);
	if (!err)
		err = metrics_new(&d->dp.maps, &d->metrics);
	if (!err)
		err = metrics_listen(d->metrics, &cfg->global.metrics);
	if (err)
		return err;
	d->serving = true;
	log_info("running: %zu service%s, %zu member%s, pinned at %s", cfg->n_services,
		 cfg->n_services == 1 ? "" : "s", cfg->n_members, cfg->n_members == 1 ? "" : "s",
		 d->opts.pin_dir);
	notify_ready(d->rt);
	return run_loop(d);
}

int daemon_run(const struct daemon_opts *o)
{
	struct daemon d = { .opts = *o, .epfd = -1, .sigfd = -1, .resolve_fd = -1, .lock_fd = -1 };
	struct xlb_config *cfg = NULL;
	int err;

	err = load_config(d.opts.config, &cfg);
	if (err)
		return err;
	err = run_daemon(&d, cfg);
	metrics_free(d.metrics);
	sweeper_free(d.sweeper);
	sorry_local_free(d.sorry);
	/* Once runtime_apply succeeded the runtime owns cfg. */
	if (!runtime_config(d.rt))
		config_free(cfg);
	runtime_free(d.rt);
	if (d.dp_loaded)
		xlb_dp_close(&d.dp);
	/* A first run that failed before serving takes back what it pinned,
	 * so a mistake leaves nothing behind; an adopted data plane stays. */
	if (err && d.fresh && !d.serving && d.lock_fd >= 0)
		pin_dir_remove(d.opts.pin_dir, NULL);
	if (d.resolve_fd >= 0)
		close(d.resolve_fd);
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.sigfd >= 0)
		close(d.sigfd);
	if (d.lock_fd >= 0)
		close(d.lock_fd);
	return err;
}

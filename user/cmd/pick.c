// SPDX-License-Identifier: MIT
/* `xlb pick FILE`: the seed script's one-shot job, done right.  Checks every
 * member of every service once (all in parallel, every address of a
 * hostname member), prints a health table, and prints the member the VIP
 * gives next, round-robin over the members that are up.  The position is
 * kept per service as the *name* of the member picked last, written
 * atomically: a removed member, an empty or a damaged state file only mean
 * starting from the first member again, never a crash. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/opts.h"
#include "lib/json.h"
#include "config/config.h"
#include "health/health.h"
#include "lib/log.h"
#include "daemon/backend.h"
#include "xlb/info.h"

#define PICK_STATE_ROOT  "/var/lib/xlb/pick.state"
#define PICK_STATE_MAX   (1u << 20) /* bytes read from a state file */
#define PICK_ADDRS_MAX   64         /* addresses of one hostname member */

struct backend {
	const struct cfg_service *svc;
	const struct cfg_member *cm;
	char name[XLB_INFO_NAME_MAX];
	struct xlb_addr addr;
	struct health_member *hm;
	bool done, up;
	struct health_result result;
};

struct last_pick {
	char service[XLB_NAME_MAX];
	char member[XLB_INFO_NAME_MAX];
};

struct pick {
	struct backend *b;
	size_t n, pending;
	struct last_pick *last;
	size_t n_last;
};

/* ---- the state file --------------------------------------------------------- */

static void default_state_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (geteuid() == 0)
		snprintf(buf, len, "%s", PICK_STATE_ROOT);
	else if (xdg && *xdg)
		snprintf(buf, len, "%s/xlb/pick.state", xdg);
	else
		snprintf(buf, len, "%s/.local/state/xlb/pick.state", home ? home : ".");
}

/* Lines "SERVICE<TAB>MEMBER".  Whatever else is there is reported and
 * ignored. */
static int state_read(const char *path, struct pick *p)
{
	char line[XLB_NAME_MAX + XLB_INFO_NAME_MAX + 4];
	size_t lineno = 0, bytes = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f) && bytes < PICK_STATE_MAX) {
		char *tab = strchr(line, '\t'), *nl = strchr(line, '\n');
		struct last_pick *grown;

		lineno++;
		bytes += strlen(line);
		if (!tab || !nl || tab == line || nl == tab + 1 ||
		    (size_t)(tab - line) >= XLB_NAME_MAX ||
		    (size_t)(nl - tab - 1) >= XLB_INFO_NAME_MAX) {
			log_warn("%s:%zu: not a 'service<TAB>member' line; ignored", path, lineno);
			if (!nl) /* skip the rest of an overlong line */
				while (fgets(line, sizeof(line), f) && !strchr(line, '\n'))
					;
			continue;
		}
		grown = realloc(p->last, (p->n_last + 1) * sizeof(*grown));
		if (!grown) {
			fclose(f);
			return -ENOMEM;
		}
		p->last = grown;
		*tab = *nl = '\0';
		snprintf(p->last[p->n_last].service, XLB_NAME_MAX, "%s", line);
		snprintf(p->last[p->n_last].member, XLB_INFO_NAME_MAX, "%s", tab + 1);
		p->n_last++;
	}
	fclose(f);
	return 0;
}

static struct last_pick *last_for(struct pick *p, const char *service)
{
	for (size_t i = 0; i < p->n_last; i++)
		if (strcmp(p->last[i].service, service) == 0)
			return &p->last[i];
	return NULL;
}

static int mkdir_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *q = dir + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*q = '/';
	}
	return mkdir(dir, 0755) && errno != EEXIST ? -errno : 0;
}

/* Written to a temporary file and renamed over the old one: a crash leaves
 * the old state or the new, never half of one. */
static int state_write(const char *path, const struct pick *p)
{
	char tmp[PATH_MAX];
	FILE *f;
	int err;

	err = mkdir_parent(path);
	if (err)
		return err;
	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	for (size_t i = 0; i < p->n_last; i++)
		fprintf(f, "%s\t%s\n", p->last[i].service, p->last[i].member);
	err = fflush(f) || fsync(fileno(f)) ? -errno : 0;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* ---- checking --------------------------------------------------------------- */

static void on_result(struct health_member *m, const struct health_result *r, void *ctx)
{
	struct pick *p = ctx;
	struct backend *b = health_member_user(m);

	if (b->done)
		return;
	b->done = true;
	b->up = r->reason == HEALTH_R_OK;
	b->result = *r;
	p->pending--;
}

static int add_backends(struct pick *p, const struct xlb_config *cfg, const char *only)
{
	struct xlb_addr addrs[PICK_ADDRS_MAX];

	for (size_t s = 0; s < cfg->n_services; s++) {
		const struct cfg_service *svc = &cfg->services[s];

		if (only && strcmp(svc->name, only))
			continue;
		for (size_t i = 0; i < svc->n_members; i++) {
			const struct cfg_member *cm = &svc->members[i];
			struct backend *grown;
			size_t n;

			/* A name that does not resolve is a member that is down. */
			if (resolve_member(svc, cm, addrs, PICK_ADDRS_MAX, &n)) {
				n = 1;
				memset(&addrs[0], 0, sizeof(addrs[0]));
			}
			grown = realloc(p->b, (p->n + n) * sizeof(*grown));
			if (!grown)
				return -ENOMEM;
			p->b = grown;
			for (size_t j = 0; j < n; j++) {
				struct backend *b = &p->b[p->n++];

				memset(b, 0, sizeof(*b));
				b->svc = svc;
				b->cm = cm;
				b->addr = addrs[j];
				if (addrs[j].family)
					backend_name(cm, &addrs[j], b->name, sizeof(b->name));
				else
					snprintf(b->name, sizeof(b->name), "%s", cm->name);
			}
		}
	}
	return 0;
}

/* Every backend checked once, all at the same time; returns when every
 * result is in, or after the longest timeout and a second. */
static int check_all(struct pick *p)
{
	struct health_opts opts = { .on_result = on_result, .ctx = p };
	uint32_t longest = 0;
	struct health *h;
	struct timespec start, now;
	int err;

	err = health_new(&opts, &h);
	if (err)
		return err;
	for (size_t i = 0; i < p->n; i++) {
		struct backend *b = &p->b[i];
		const struct cfg_health *c = &b->cm->health;
		struct health_member_spec spec = { .service = b->svc->name, .name = b->name,
						   .user = b };
		struct sockaddr_storage ss;
		char host[XLB_HOSTNAME_MAX];

		if (!b->addr.family) {
			b->done = true;
			b->result.reason = HEALTH_R_HOSTUNREACH;
			continue;
		}
		if (c->type == XLB_CHECK_NONE) {
			b->done = b->up = true;
			b->result.reason = HEALTH_R_OK;
			continue;
		}
		spec.addrlen = addr_to_sockaddr(&b->addr, b->cm->port, &ss);
		spec.addr = (struct sockaddr *)&ss;
		backend_host(b->cm, &b->addr, host, sizeof(host));
		backend_health_params(c, host, &spec.params);
		/* One check, now: the scheduled ones never come in this run. */
		spec.params.interval_ms = 3600 * 1000;
		spec.params.rise = spec.params.fall = 1;
		err = health_add(h, &spec, &b->hm);
		if (err)
			goto out;
		p->pending++;
		health_check_now(b->hm);
		longest = c->timeout_ms > longest ? c->timeout_ms : longest;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (p->pending) {
		long waited_ms;

		err = health_run_once(h, 100);
		if (err)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (waited_ms > (long)longest + 1000)
			break;
	}
out:
	health_free(h);
	return err;
}

/* ---- the answer --------------------------------------------------------------- */

/* The CHECK column: how the one check went. */
static const char *check_text(const struct backend *b, char *buf, size_t len)
{
	if (b->cm->health.type == XLB_CHECK_NONE)
		snprintf(buf, len, "not checked (healthcheck: none)");
	else if (!b->done)
		snprintf(buf, len, "no answer in time");
	else if (b->up)
		snprintf(buf, len, "%s in %.1f ms",
			 b->cm->health.type == XLB_CHECK_HTTP ? "HTTP OK" : "connected",
			 b->result.latency_us / 1000.0);
	else
		health_result_str(&b->result, buf, len);
	return buf;
}

static void print_table(const struct pick *p, const struct cfg_service *svc)
{
	char vip[XLB_ADDR_PORT_STRLEN], addr[XLB_HOSTNAME_MAX + 16], why[96];
	int w = 6;

	for (size_t i = 0; i < p->n; i++)
		if (p->b[i].svc == svc && (int)strlen(p->b[i].name) > w)
			w = (int)strlen(p->b[i].name);
	printf("%s (%s %s)\n", svc->name, xlb_proto_str(svc->protocol),
	       addr_format_port(&svc->vip, svc->port, vip, sizeof(vip)));
	printf("  %-*s  %-24s %-5s %s\n", w, "MEMBER", "ADDRESS", "STATE", "CHECK");
	for (size_t i = 0; i < p->n; i++) {
		const struct backend *b = &p->b[i];

		if (b->svc != svc)
			continue;
		if (b->addr.family)
			addr_format_port(&b->addr, b->cm->port, addr, sizeof(addr));
		else
			snprintf(addr, sizeof(addr), "%s (unresolved)", b->cm->host);
		printf("  %-*s  %-24s %-5s %s\n", w, b->name, addr,
		       xlb_health_str(b->up ? XLB_HEALTH_UP : XLB_HEALTH_DOWN),
		       check_text(b, why, sizeof(why)));
	}
}

static void print_text(const struct pick *p, const struct cfg_service *svc,
		       const struct backend *next)
{
	print_table(p, svc);
	if (next)
		printf("Your VIP returned member: %s:%u\n\n", next->name, next->cm->port);
	else
		printf("No member of %s is available: clients would get "
		       "\"503 Service Unavailable\".\n\n",
		       svc->name);
}

/* A member's address, null when its hostname did not resolve. */
static void json_address(struct json_writer *w, const struct backend *b)
{
	char addr[INET6_ADDRSTRLEN];

	json_key(w, "address");
	if (b->addr.family)
		json_string(w, addr_format(&b->addr, addr, sizeof(addr)));
	else
		json_null(w);
}

static void json_member(struct json_writer *w, const struct backend *b)
{
	char why[96];

	json_object_begin(w);
	json_kv_string(w, "name", b->name);
	json_address(w, b);
	json_key(w, "hostname");
	if (b->cm->is_hostname)
		json_string(w, b->cm->host);
	else
		json_null(w);
	json_kv_uint(w, "port", b->cm->port);
	json_kv_string(w, "state", xlb_health_str(b->up ? XLB_HEALTH_UP : XLB_HEALTH_DOWN));
	json_kv_string(w, "check", check_text(b, why, sizeof(why)));
	json_key(w, "latency_us");
	if (b->up && b->done && b->cm->health.type != XLB_CHECK_NONE)
		json_uint(w, b->result.latency_us);
	else
		json_null(w);
	json_object_end(w);
}

/* {"name", "vip", "port", "protocol", "members": [...], "next": {"name",
 * "address", "port"} or null when no member is up} */
static void print_json(struct json_writer *w, const struct pick *p, const struct cfg_service *svc,
		       const struct backend *next)
{
	char vip[INET6_ADDRSTRLEN];

	json_object_begin(w);
	json_kv_string(w, "name", svc->name);
	json_kv_string(w, "vip", addr_format(&svc->vip, vip, sizeof(vip)));
	json_kv_uint(w, "port", svc->port);
	json_kv_string(w, "protocol", xlb_proto_str(svc->protocol));
	json_key(w, "members");
	json_array_begin(w);
	for (size_t i = 0; i < p->n; i++)
		if (p->b[i].svc == svc)
			json_member(w, &p->b[i]);
	json_array_end(w);
	json_key(w, "next");
	if (next) {
		json_object_begin(w);
		json_kv_string(w, "name", next->name);
		json_address(w, next);
		json_kv_uint(w, "port", next->cm->port);
		json_object_end(w);
	} else {
		json_null(w);
	}
	json_object_end(w);
}

/* The member after the one picked last that is up, in pool order. */
static const struct backend *choose(struct pick *p, const struct cfg_service *svc)
{
	struct last_pick *last = last_for(p, svc->name);
	size_t first = 0, n = 0, idx[PICK_ADDRS_MAX * 64];

	for (size_t i = 0; i < p->n && n < sizeof(idx) / sizeof(idx[0]); i++)
		if (p->b[i].svc == svc)
			idx[n++] = i;
	for (size_t k = 0; last && k < n; k++)
		if (strcmp(p->b[idx[k]].name, last->member) == 0)
			first = k + 1;
	for (size_t k = 0; k < n; k++) {
		const struct backend *b = &p->b[idx[(first + k) % n]];

		if (b->up)
			return b;
	}
	return NULL;
}

static int remember(struct pick *p, const char *service, const char *member)
{
	struct last_pick *last = last_for(p, service);

	if (!last) {
		struct last_pick *grown = realloc(p->last, (p->n_last + 1) * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		p->last = grown;
		last = &p->last[p->n_last++];
		snprintf(last->service, sizeof(last->service), "%s", service);
	}
	snprintf(last->member, sizeof(last->member), "%s", member);
	return 0;
}

static int pick_run(const struct cli_args *a)
{
	const char *file = a->args[0], *only = a->service;
	char state[PATH_MAX];
	struct xlb_config *cfg = NULL;
	struct cfg_diag diag;
	struct pick p = { 0 };
	struct json_writer w;
	bool json = false;
	int err, rc = XLB_EXIT_OK;

	if (a->state)
		snprintf(state, sizeof(state), "%s", a->state);
	else
		default_state_path(state, sizeof(state));

	cfg_diag_init(&diag);
	err = config_load_file(file, &cfg, &diag);
	if (err) {
		cfg_diag_print(&diag, stderr);
		cfg_diag_free(&diag);
		return XLB_EXIT_FAIL;
	}
	cfg_diag_free(&diag);
	err = add_backends(&p, cfg, only);
	if (!err && only && !p.n) {
		log_err("%s has no service named '%s'", file, only);
		err = -ENOENT;
	}
	if (!err)
		err = state_read(state, &p);
	if (err == -EACCES || err == -EPERM)
		log_err("cannot read the pick state %s: %s (--state FILE picks another)", state,
			strerror(-err));
	if (!err)
		err = check_all(&p);
	if (!err && a->json) {
		json = true;
		json_init(&w, stdout, true);
		json_object_begin(&w);
		json_kv_string(&w, "file", file);
		json_key(&w, "services");
		json_array_begin(&w);
	}
	for (size_t s = 0; !err && s < cfg->n_services; s++) {
		const struct cfg_service *svc = &cfg->services[s];
		const struct backend *b;

		if (only && strcmp(svc->name, only))
			continue;
		b = choose(&p, svc);
		if (json)
			print_json(&w, &p, svc, b);
		else
			print_text(&p, svc, b);
		if (b)
			err = remember(&p, svc->name, b->name);
		else
			rc = XLB_EXIT_FAIL;
	}
	if (json) {
		json_array_end(&w);
		json_object_end(&w);
		json_finish(&w);
	}
	if (!err) {
		err = state_write(state, &p);
		if (err)
			log_err("cannot save the round-robin position in %s: %s (--state FILE "
				"picks another)",
				state, strerror(-err));
	}
	free(p.b);
	free(p.last);
	config_free(cfg);
	return err ? XLB_EXIT_FAIL : rc;
}

const struct command cmd_pick = {
	.name = "pick",
	.summary = "check every member once and print the one the VIP gives next",
	.usage = "usage: xlb pick FILE [--service NAME] [--state FILE] [--json]\n"
		 "\n"
		 "The one-shot job of the script xlb grew from: checks every member of\n"
		 "every service in FILE once (in parallel; every address of a hostname\n"
		 "member), prints who is up with the check's result, and prints the member\n"
		 "the VIP gives next, round-robin over the members that are up.  The\n"
		 "position is saved per service as the name of the member picked last; a\n"
		 "removed member or a damaged state file restarts from the first member.\n"
		 "Needs no root and touches no BPF.  Exits 1 when a service has no member up.\n"
		 "\n"
		 "options:\n"
		 "  -s, --service NAME  only this service\n"
		 "      --state FILE    where the position is kept (default " PICK_STATE_ROOT "\n"
		 "                      for root, else $XDG_STATE_HOME/xlb/pick.state)\n"
		 "  -j, --json          the table and the member picked as JSON on stdout\n"
		 "  -h, --help          show this help\n",
	.options = CLI_O(CLI_OPT_SERVICE) | CLI_O(CLI_OPT_STATE) | CLI_O(CLI_OPT_JSON),
	.args = "FILE",
	.run = pick_run,
};

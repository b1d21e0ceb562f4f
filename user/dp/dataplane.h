/* SPDX-License-Identifier: MIT */
/* The data plane's life cycle: open the skeleton, set the load-time values
 * (table sizes, timeouts, NAT port range, RST rate), check the tables fit
 * in memory, load, write the ABI version, attach to interfaces with
 * bpf_links, pin.  Functions return 0 or -errno. */
#ifndef XLB_DATAPLANE_H
#define XLB_DATAPLANE_H

#include <linux/types.h>
#include <stdbool.h>

#include "dp/maps.h"
#include "xlb/limits.h"

struct xlb;

struct xlb_dp_opts {
	/* xlb_flows, the connection table: XLB_FLOWS_MIN..XLB_FLOWS_MAX
	 * entries (a nat connection takes two, dnat and dsr one). */
	__u32 flow_entries;
	/* xlb_halfopen: XLB_HALFOPEN_MIN..XLB_HALFOPEN_MAX entries; 0: the
	 * default, flow_entries / XLB_HALFOPEN_DIVISOR (at least the
	 * minimum).  It bounds the NAT ports half-open connections hold (a
	 * nat half-open connection takes two entries and one port): the
	 * control plane keeps it at most the NAT ports of its smallest nat
	 * member's pool (snat addresses x xlb_dp_nat_ports()), so a flood
	 * that fills it, whichever member it aims at, leaves half of that
	 * member's ports to established connections. */
	__u32 half_open_entries;
	/* Idle timeouts, 1 ms..XLB_TIMEOUT_MAX s each (XLB_TIMEOUT_*). */
	__u32 timeout_tcp_half_open_ms; /* SYN_SENT: a handshake in xlb_halfopen */
	__u32 timeout_tcp_est_ms;
	__u32 timeout_tcp_fin_ms;       /* closing; and CLOSED when the member closed first */
	__u32 timeout_tcp_rst_ms;
	__u32 timeout_tcp_time_wait_ms; /* CLOSED when the client closed first */
	__u32 timeout_udp_ms;
	/* NAT source ports: nat_port_min..nat_port_max (1..65535) without
	 * nat_hole_min..nat_hole_max, the kernel's ephemeral range
	 * (xlb_dp_opts_default reads it; 0-0: no hole).  At least one port
	 * must remain. */
	__u16 nat_port_min;
	__u16 nat_port_max;
	__u16 nat_hole_min;
	__u16 nat_hole_max;
	__u32 rst_rate;          /* answers built in the data path per CPU per second; 0 sends none */
	/* Pin (and on a restart reuse) the maps and the sweeper here, e.g.
	 * /sys/fs/bpf/xlb; NULL: nothing pinned. */
	const char *pin_dir;
	/* Load the socket hooks for host-local clients (user/sockhook.c); they
	 * balance the sockets of the network namespace with this cookie, or of
	 * every namespace when it is 0. */
	bool sock_hooks;
	__u64 sock_netns_cookie;
	/* Load the tc programs (xlb_dp_attach_tc) instead of the XDP one. */
	bool tc;
};

struct xlb_dp {
	struct xlb *skel;
	struct xlb_maps maps; /* fds owned by skel */
	int link_fds[XLB_MAX_INTERFACES]; /* bpf_link fds */
	int link_ifindex[XLB_MAX_INTERFACES];
	int n_links;
	int tc_ifindex[XLB_MAX_INTERFACES]; /* tc filters attached by this process */
	int n_tc;
	bool tc_pinned; /* recorded in a pin dir: they stay after close */
};

/* The defaults of include/xlb/limits.h, and the NAT port hole from this
 * network namespace's net.ipv4.ip_local_port_range. */
void xlb_dp_opts_default(struct xlb_dp_opts *o);
/* 0 when o is within the limits above; -EINVAL with a message naming the
 * value and its range otherwise.  xlb_dp_load checks it first. */
int xlb_dp_opts_check(const struct xlb_dp_opts *o);
/* net.ipv4.ip_local_port_range of the caller's network namespace:
 * -errno (and XLB_EPHEMERAL_*_DEFAULT in *lo, *hi) when it cannot be read. */
int xlb_dp_ephemeral_range(__u16 *lo, __u16 *hi);
/* The size xlb_halfopen gets with o (o->half_open_entries or the default). */
__u32 xlb_dp_half_open_entries(const struct xlb_dp_opts *o);
/* NAT source ports per snat address and member with o: the range less
 * the hole (36,280 with the defaults). */
__u32 xlb_dp_nat_ports(const struct xlb_dp_opts *o);
/* Kernel memory the two connection tables of o take (preallocated at
 * load): entries x XLB_FLOW_ENTRY_BYTES. */
__u64 xlb_dp_table_bytes(const struct xlb_dp_opts *o);
/* 0 when the tables of o fit in the memory the kernel says is available
 * (MemAvailable in /proc/meminfo, less a quarter kept for everything
 * else); -ENOMEM with a message that names the bytes per entry, the
 * total and the settings to lower.  xlb_dp_load calls it unless it reuses
 * pinned tables. */
int xlb_dp_memory_check(const struct xlb_dp_opts *o);
/* The same against a given MemAvailable (bytes; 0: unknown, never refused). */
int xlb_dp_memory_check_avail(const struct xlb_dp_opts *o, __u64 mem_available);
/* Opens and loads the data plane; on error dp is left closed.  With
 * pin_dir, the maps and the sweeper are pinned there (XLB_PROG_SWEEP). */
int xlb_dp_load(struct xlb_dp *dp, const struct xlb_dp_opts *o);
/* The sweeper program (run it with xlb_sweep_run, user/dp/sweep.h). */
int xlb_dp_sweep_prog_fd(const struct xlb_dp *dp);
/* The XDP program, or -1 when loaded with opts.tc. */
int xlb_dp_prog_fd(const struct xlb_dp *dp);
/* The same data path as tc programs, for clsact ingress and egress; -1
 * unless loaded with opts.tc. */
int xlb_dp_tc_prog_fd(const struct xlb_dp *dp, bool egress);
/* Attaches the XDP program to ifindex through a bpf_link: native mode, or
 * generic where the driver has none (with a warning) or when asked.  With
 * pin_dir the link is pinned as <pin_dir>/link_<ifindex> and stays attached
 * after the process exits; a link pinned there by an earlier run is reused
 * and gets this program, atomically.  tc filters recorded there for the same
 * interface are removed once the link is in (a switch of mode). */
int xlb_dp_attach_xdp(struct xlb_dp *dp, int ifindex, const char *pin_dir, bool generic);
/* Attaches the tc programs to ifindex's clsact ingress and egress (user/tc.c),
 * replacing xlb's filters if there are any.  With pin_dir the attachment is
 * recorded in pin_dir (tc.h) and stays after the process exits;
 * without, xlb_dp_close removes it.  An XDP link pinned there for the same
 * interface is removed once the filters are in (a switch of mode). */
int xlb_dp_attach_tc(struct xlb_dp *dp, int ifindex, const char *pin_dir);
/* "native", "generic", ... as the kernel reports the interface now. */
const char *xlb_dp_xdp_mode(int ifindex);

/* Detaches what this process attached and frees everything; pins stay. */
void xlb_dp_close(struct xlb_dp *dp);

#endif

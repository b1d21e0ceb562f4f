/* SPDX-License-Identifier: MIT */
/* The data plane's life cycle: open the skeleton, set the load-time values
 * (flow table size, timeouts, NAT port range, RST rate), load, write the ABI
 * version, attach to interfaces with bpf_links, pin.  Functions return 0 or
 * -errno. */
#ifndef XLB_DATAPLANE_H
#define XLB_DATAPLANE_H

#include <linux/types.h>
#include <stdbool.h>

#include "dp/maps.h"
#include "xlb/limits.h"

struct xlb;

struct xlb_dp_opts {
	__u32 flow_entries;      /* XLB_FLOWS_MIN..XLB_FLOWS_MAX */
	__u32 timeout_tcp_syn_ms; /* idle timeouts, 1 ms..XLB_TIMEOUT_MAX s each */
	__u32 timeout_tcp_est_ms;
	__u32 timeout_tcp_fin_ms;
	__u32 timeout_tcp_rst_ms;
	__u32 timeout_udp_ms;
	__u16 nat_port_min;      /* 1..nat_port_max */
	__u16 nat_port_max;
	__u32 rst_rate;          /* RSTs per CPU per second; 0 sends none */
	/* Pin (and on a restart reuse) the maps here, e.g. /sys/fs/bpf/xlb;
	 * NULL: nothing pinned. */
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

/* The defaults of include/xlb/limits.h. */
void xlb_dp_opts_default(struct xlb_dp_opts *o);
/* Opens and loads the data plane; on error dp is left closed. */
int xlb_dp_load(struct xlb_dp *dp, const struct xlb_dp_opts *o);
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

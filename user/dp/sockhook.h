/* SPDX-License-Identifier: MIT */
/* The socket hooks for host-local clients (bpf/sock.h): where they attach
 * (the cgroup v2 hierarchy), whose sockets they balance (a network
 * namespace cookie), and their pinned cgroup links, adopted by a restarted
 * daemon like the XDP links.  Functions return 0 or -errno and log why. */
#ifndef XLB_SOCKHOOK_H
#define XLB_SOCKHOOK_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

struct xlb;
struct xlb_dp;

/* Pins of the cgroup links: link_cg_connect4, link_cg_sendmsg6, ... */
#define SOCKHOOK_PIN_PREFIX "link_cg_"
/* connect, sendmsg, recvmsg and getpeername, each for IPv4 and IPv6. */
#define SOCKHOOK_N_HOOKS 8

/* The mount point of the cgroup v2 hierarchy, read from /proc/mounts;
 * -ENOENT when none is mounted. */
int sockhook_cgroup2_mount(char *buf, size_t len);

/* Between open and load: whether the hooks are loaded at all, and whose
 * sockets they balance (netns_cookie 0: every namespace's). */
void sockhook_prepare(struct xlb *skel, bool enabled, __u64 netns_cookie);

/* Attaches every hook to the cgroup at path through a bpf_link pinned in
 * pin_dir.  A link pinned there by an earlier run on the same cgroup gets the
 * new program atomically; one on another cgroup is replaced. */
int sockhook_attach(const struct xlb_dp *dp, const char *cgroup, const char *pin_dir);

/* Unpins (and so detaches) the cgroup links in pin_dir; *removed (optional)
 * counts them. */
int sockhook_detach(const char *pin_dir, int *removed);

/* For `xlb status`: the hooks pinned in pin_dir and the cgroup they are
 * attached to (its path below the cgroup v2 mount, or "cgroup id N" when it
 * is gone or not found).  *n is 0 when none are pinned. */
void sockhook_pinned(const char *pin_dir, int *n, char *cgroup, size_t len);

#endif

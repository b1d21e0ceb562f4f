/* SPDX-License-Identifier: MIT */
/* The tc attachment of the data path: xlb's two programs as direct-action
 * cls_bpf filters on an interface's clsact qdisc, ingress and egress, under
 * one handle and priority of their own.  A filter is not a bpf_link: it
 * stays after the process exits without a pin, and a restarted daemon
 * replaces it in place (atomically, like bpf_link_update for XDP).
 * Functions return 0 or -errno. */
#ifndef XLB_TC_H
#define XLB_TC_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

/* Creates the clsact qdisc if missing and attaches (or replaces) both
 * filters. */
int tc_attach(int ifindex, int ingress_fd, int egress_fd);
/* Removes xlb's filters; the qdisc stays (other filters may use it).
 * Missing filters or interfaces are not an error. */
int tc_detach(int ifindex);
/* The id of the program in xlb's ingress filter, or 0. */
__u32 tc_attached_prog(int ifindex);

/* A filter cannot be pinned; the daemon records each attachment in its pin
 * dir as the ingress program pinned under "tc_<ifindex>_<netns inode>".
 * The namespace matters: an ifindex means another interface, or none, in
 * another namespace, and netlink reaches only the caller's. */
int tc_record_name(char *buf, size_t size, int ifindex);
/* Whether name is such a record; *here: made in the caller's namespace;
 * *gone: made in a namespace that no longer exists (its interfaces, and
 * the filters on them, went with it). */
bool tc_record_parse(const char *name, int *ifindex, bool *here, bool *gone);
/* The ifindex of a record in dir made in another namespace that still
 * exists, or 0. */
int tc_record_elsewhere(const char *dir);

#endif

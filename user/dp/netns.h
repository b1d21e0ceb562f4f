/* SPDX-License-Identifier: MIT */
/* Which network namespace this process is in: the socket hooks balance only
 * its sockets, and tc filters (netlink objects of that namespace) can only
 * be found and removed from inside it. */
#ifndef XLB_NETNS_H
#define XLB_NETNS_H

#include <linux/types.h>
#include <stdbool.h>

/* The cookie of the calling thread's network namespace (SO_NETNS_COOKIE,
 * Linux 5.14 and later): 0 or -errno. */
int netns_cookie(__u64 *cookie);
/* The inode of the calling thread's network namespace: 0 or -errno. */
int netns_inode(__u64 *ino);
/* Whether a namespace with this inode still exists: one a process is in or
 * one named under /run/netns. */
bool netns_inode_alive(__u64 ino);

#endif

/* SPDX-License-Identifier: MIT */
/* The ABI between the data plane (bpf/) and the control plane (user/).
 * Types only: fixed width, explicit byte order and padding. */
#ifndef XLB_ABI_H
#define XLB_ABI_H

#include <linux/types.h>

/* Bumped whenever a map's key or value layout changes: a daemon refuses pins
 * of another version instead of misreading them. */
#define XLB_ABI_VERSION 1

#define XLB_MAP_META "xlb_meta"

struct xlb_meta {
	__u32 abi_version;
	__u32 _pad;
};

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* Internet checksum arithmetic (RFC 1071, RFC 1624).  A rewrite collects the
 * one's-complement difference of every word it changes in an accumulator and
 * applies it to each checksum that covers those words.  The sum does not
 * depend on byte order, so values are used as they sit in the packet. */
#ifndef XLB_BPF_CSUM_H
#define XLB_BPF_CSUM_H

#include <linux/types.h>

static __always_inline __u64 csum_diff32(__be32 from, __be32 to)
{
	return (__u64)(__u32)~from + (__u32)to;
}

static __always_inline __u64 csum_diff16(__u16 from, __u16 to)
{
	return (__u64)(__u16)~from + to;
}

static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* The checksum field after the words summed in acc changed. */
static __always_inline __u16 csum_apply(__u16 check, __u64 acc)
{
	return (__u16)~csum_fold((__u16)~check + acc);
}

/* A UDP checksum of zero means "none" (IPv4): it stays zero, and a computed
 * zero is sent as 0xffff. */
static __always_inline __u16 csum_apply_udp(__u16 check, __u64 acc)
{
	__u16 c;

	if (check == 0)
		return 0;
	c = csum_apply(check, acc);
	return c ? c : 0xffff;
}

static __always_inline __u64 csum_diff_addr(const __be32 *from, const __be32 *to, int words)
{
	__u64 acc = 0;

	for (int i = 0; i < words; i++)
		acc += csum_diff32(from[i], to[i]);
	return acc;
}

#endif

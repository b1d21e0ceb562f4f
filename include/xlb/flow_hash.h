/* SPDX-License-Identifier: MIT */
/* The hash of a connection's 5-tuple that picks its entry in a Maglev
 * table.  Part of the ABI, not only a helper: every xlb node behind the
 * same ECMP router must compute the same value for a flow, and user space
 * (tests, `xlb flows`) must be able to repeat the data plane's choice.
 * Plain integer arithmetic, so it compiles for BPF and for user space;
 * always inlined, since a BPF subprogram call would add its stack to the
 * caller's (6.1 refuses more than 512 bytes in all). */
#ifndef XLB_FLOW_HASH_H
#define XLB_FLOW_HASH_H

#include <linux/types.h>

#include "xlb/abi.h"

static inline __attribute__((always_inline)) __u32 xlb_hash_mix(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51U;
	k = (k << 15) | (k >> 17);
	k *= 0x1b873593U;
	h ^= k;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64U;
}

/* murmur3-32 over the addresses, the ports and the protocol, as the packet
 * carries them (network order): the same bytes give the same hash on any
 * host. */
static inline __attribute__((always_inline)) __u32 xlb_flow_hash(const struct xlb_flow_key *k)
{
	__u32 h = 0x786c6221U; /* "xlb!" */

	for (int i = 0; i < 4; i++)
		h = xlb_hash_mix(h, k->src.v6[i]);
	for (int i = 0; i < 4; i++)
		h = xlb_hash_mix(h, k->dst.v6[i]);
	h = xlb_hash_mix(h, (__u32)k->sport | ((__u32)k->dport << 16));
	h = xlb_hash_mix(h, k->proto);
	h ^= 37;
	h ^= h >> 16;
	h *= 0x85ebca6bU;
	h ^= h >> 13;
	h *= 0xc2b2ae35U;
	h ^= h >> 16;
	return h;
}

/* The counter of xlb_nat_held (bpf/nat_held.h) for reply tuple k: a block
 * picked by everything but the NAT port, and within it the port (dport
 * with its bytes swapped: host order on a little-endian machine). */
static inline __attribute__((always_inline)) __u32 xlb_nat_held_index(const struct xlb_flow_key *k)
{
	__u32 h = xlb_hash_mix(k->proto, k->sport);

	for (int i = 0; i < 4; i++) {
		h = xlb_hash_mix(h, k->src.v6[i]);
		h = xlb_hash_mix(h, k->dst.v6[i]);
	}
	return (h & (XLB_NAT_HELD_BLOCKS - 1)) << 16 | (__u32)(__u8)k->dport << 8 | (__u32)(k->dport >> 8);
}

#endif

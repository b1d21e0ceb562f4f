/* SPDX-License-Identifier: MIT */
/* Slot tables: the order in which a service hands out its members.  The data
 * plane walks a table with one shared counter, so the table alone decides
 * the spread: round-robin lists each serving member once, weighted lists
 * each member as often as its weight, interleaved. */
#ifndef XLB_SLOTS_H
#define XLB_SLOTS_H

#include <stddef.h>
#include <stdint.h>

struct slot_member {
	uint32_t id;     /* member id in the data plane */
	uint32_t weight; /* 0: takes no slot */
};

/* Round-robin: each member with a non-zero weight once, in order.
 * Returns the number of slots written, or -ENOSPC past cap. */
int slots_round_robin(const struct slot_member *m, size_t n, uint32_t *out, size_t cap);

/* Smooth weighted round-robin: member i appears weight_i / g times (g the
 * gcd of the weights), spread as evenly as the counts allow, also across
 * the wrap from the last slot to the first: weights 1, 1, 2 give A C B C.
 * Returns the number of slots written, or -ENOSPC past cap. */
int slots_weighted(const struct slot_member *m, size_t n, uint32_t *out, size_t cap);

#endif

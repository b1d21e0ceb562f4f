/* SPDX-License-Identifier: MIT */
/* Maglev consistent hashing (Eisenbud et al., NSDI 2016): a lookup table of
 * a prime size in which every member owns a share of the entries in
 * proportion to its weight.  A flow's hash picks an entry; a member that
 * leaves gives its entries to the others and nearly every other entry
 * stays where it was.
 *
 * The table depends only on the members' identities (their keys) and
 * weights: not on the order they are given in, not on their ids and not on
 * the history of health changes, so every balancer with the same
 * configuration builds the same table and picks the same member for a flow. */
#ifndef XLB_MAGLEV_H
#define XLB_MAGLEV_H

#include <stddef.h>
#include <stdint.h>

#define MAGLEV_EMPTY 0xffffffffU

struct maglev_member {
	const char *key; /* identity, unique in the service: "name|address|port" */
	uint32_t id;     /* what the table holds for this member */
	uint32_t weight; /* 0: not in the table */
};

/* Fills table[0..size) with member ids; size must be prime (> 2).  With no
 * member of weight > 0 every entry is MAGLEV_EMPTY.  0, -EINVAL (size not
 * prime, duplicate keys) or -ENOMEM. */
int maglev_build(const struct maglev_member *m, size_t n, uint32_t *table, uint32_t size);

/* The identity key of a backend, as the daemon forms it. */
void maglev_key(char *buf, size_t len, const char *name, const char *addr, uint16_t port);

#endif

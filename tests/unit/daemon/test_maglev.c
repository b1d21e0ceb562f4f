// SPDX-License-Identifier: MIT
/* The Maglev table: what a member change moves, and that the table depends
 * only on the members' identities and weights. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "daemon/maglev.h"
#include "test.h"
#include "xlb/flow_hash.h"
#include "xlb/limits.h"

#define SIZE XLB_MAGLEV_SIZE
#define FLOWS 1000000

static char keys[16][64];

/* n members m0..m(n-1) on 198.18.1.(11+i):80, ids 100+i, weight 1. */
static void members(struct maglev_member *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "198.18.1.%zu", 11 + i);
		maglev_key(keys[i], sizeof(keys[i]), (char[8]){ 'm', (char)('0' + i), 0 }, addr, 80);
		m[i] = (struct maglev_member){ .key = keys[i], .id = 100 + (uint32_t)i, .weight = 1 };
	}
}

/* A flow sample: the data plane's own hash of distinct 5-tuples. */
static uint32_t flow_entry(uint32_t i)
{
	struct xlb_flow_key k = { 0 };

	k.src.v4 = 0x0a000000U + i / 40000;
	k.dst.v4 = 0x010212c6U;
	k.sport = (__be16)(1024 + i % 40000);
	k.dport = 0x5000;
	k.proto = 6;
	k.family = 4;
	return xlb_flow_hash(&k) % SIZE;
}

static uint32_t *build(const struct maglev_member *m, size_t n)
{
	uint32_t *t = malloc(SIZE * sizeof(*t));

	if (t && maglev_build(m, n, t, SIZE)) {
		free(t);
		return NULL;
	}
	return t;
}

/* Removing one of n members moves the flows it had and at most 1% more. */
static void removal_moves_only_its_share(size_t n)
{
	struct maglev_member m[16];
	uint32_t *before, *after;
	size_t moved = 0, victim = n / 2;

	members(m, n);
	before = build(m, n);
	m[victim].weight = 0; /* down: out of the table */
	after = build(m, n);
	ASSERT_TRUE(before && after);
	for (uint32_t i = 0; i < FLOWS; i++) {
		uint32_t e = flow_entry(i);

		ASSERT_NE(m[victim].id, after[e]);
		moved += before[e] != after[e];
	}
	printf("  %zu members, one removed: %zu of %d flows moved (%.2f%%, its share %.2f%%)\n",
	       n, moved, FLOWS, 100.0 * moved / FLOWS, 100.0 / n);
	ASSERT_TRUE(moved <= FLOWS / n + FLOWS / 100);
	free(before);
	free(after);
}

TEST(removing_one_of_3_moves_at_most_its_share_plus_1_percent)
{
	removal_moves_only_its_share(3);
}

TEST(removing_one_of_10_moves_at_most_its_share_plus_1_percent)
{
	removal_moves_only_its_share(10);
}

TEST(every_member_gets_its_share_of_entries)
{
	struct maglev_member m[5];
	uint32_t *t, count[5] = { 0 };

	members(m, 5);
	t = build(m, 5);
	ASSERT_TRUE(t);
	for (uint32_t i = 0; i < SIZE; i++) {
		ASSERT_TRUE(t[i] >= 100 && t[i] < 105);
		count[t[i] - 100]++;
	}
	/* Maglev balances entries to within one per member. */
	for (int i = 0; i < 5; i++)
		ASSERT_TRUE(count[i] == SIZE / 5 || count[i] == SIZE / 5 + 1);
	free(t);
}

TEST(weights_give_entries_in_proportion)
{
	struct maglev_member m[3];
	uint32_t *t, count[3] = { 0 };

	members(m, 3);
	m[0].weight = 1;
	m[1].weight = 2;
	m[2].weight = 3;
	t = build(m, 3);
	ASSERT_TRUE(t);
	for (uint32_t i = 0; i < SIZE; i++)
		count[t[i] - 100]++;
	ASSERT_TRUE(count[0] >= SIZE / 6 - 2 && count[0] <= SIZE / 6 + 2);
	ASSERT_TRUE(count[1] >= SIZE / 3 - 2 && count[1] <= SIZE / 3 + 2);
	free(t);
}

TEST(two_builds_of_the_same_members_are_byte_identical)
{
	struct maglev_member m[8];
	uint32_t *a, *b;

	members(m, 8);
	a = build(m, 8);
	b = build(m, 8);
	ASSERT_TRUE(a && b);
	ASSERT_EQ(0, memcmp(a, b, SIZE * sizeof(*a)));
	free(a);
	free(b);
}

/* Another balancer numbers the same members differently and lists them in
 * another order (its health changes came in another order): entry by
 * entry, the same identity. */
TEST(table_depends_on_identities_not_on_ids_or_order)
{
	struct maglev_member m[6], r[6];
	uint32_t *a, *b;

	members(m, 6);
	for (int i = 0; i < 6; i++) {
		r[i] = m[5 - i];
		r[i].id = 7000 + (uint32_t)i;
	}
	a = build(m, 6);
	b = build(r, 6);
	ASSERT_TRUE(a && b);
	for (uint32_t i = 0; i < SIZE; i++) {
		const char *ka = keys[a[i] - 100], *kb = r[b[i] - 7000].key;

		if (strcmp(ka, kb)) {
			xt_fail(__FILE__, __LINE__, "entry %u: %s vs %s", i, ka, kb);
			break;
		}
	}
	free(a);
	free(b);
}

TEST(no_member_leaves_every_entry_empty)
{
	struct maglev_member m[2];
	uint32_t *t;

	members(m, 2);
	m[0].weight = m[1].weight = 0;
	t = build(m, 2);
	ASSERT_TRUE(t);
	for (uint32_t i = 0; i < SIZE; i += 997)
		ASSERT_EQ(MAGLEV_EMPTY, t[i]);
	free(t);
}

TEST(rejects_a_size_that_is_not_prime_and_duplicate_keys)
{
	struct maglev_member m[2];
	uint32_t t[65];

	members(m, 2);
	ASSERT_EQ(-EINVAL, maglev_build(m, 2, t, 65));
	m[1].key = m[0].key;
	ASSERT_EQ(-EINVAL, maglev_build(m, 2, t, 61));
}

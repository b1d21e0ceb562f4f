// SPDX-License-Identifier: MIT
#include "daemon/slots.h"

#include <errno.h>
#include <stdlib.h>

int slots_round_robin(const struct slot_member *m, size_t n, uint32_t *out, size_t cap)
{
	size_t used = 0;

	for (size_t i = 0; i < n; i++) {
		if (!m[i].weight)
			continue;
		if (used == cap)
			return -ENOSPC;
		out[used++] = m[i].id;
	}
	return (int)used;
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* nginx's smooth weighted round-robin, with the choice made before the
 * weights are added rather than after: each step takes the member with the
 * highest credit (the first on a tie), charges it the total, then credits
 * every member its weight.  After `total` steps every credit is back at
 * zero, so the table repeats seamlessly, and the order starts with the
 * first member: 1, 1, 2 gives A C B C (the other order, C A B C, puts the
 * two Cs side by side when the table wraps). */
int slots_weighted(const struct slot_member *m, size_t n, uint32_t *out, size_t cap)
{
	uint32_t g = 0;
	int64_t total = 0, *credit;

	for (size_t i = 0; i < n; i++)
		g = gcd(g, m[i].weight);
	if (!g)
		return 0;
	for (size_t i = 0; i < n; i++)
		total += m[i].weight / g;
	if ((uint64_t)total > cap)
		return -ENOSPC;
	credit = calloc(n, sizeof(*credit));
	if (!credit)
		return -ENOMEM;
	for (int64_t step = 0; step < total; step++) {
		size_t best = n;

		for (size_t i = 0; i < n; i++) {
			if (!m[i].weight)
				continue;
			if (best == n || credit[i] > credit[best])
				best = i;
		}
		out[step] = m[best].id;
		credit[best] -= total;
		for (size_t i = 0; i < n; i++)
			credit[i] += m[i].weight / g;
	}
	free(credit);
	return (int)total;
}

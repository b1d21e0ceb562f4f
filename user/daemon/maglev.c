// SPDX-License-Identifier: MIT
#include "daemon/maglev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two hashes of the identity: FNV-1a over the bytes, then the splitmix64
 * finaliser so that keys differing in one character spread over the whole
 * range. */
static uint64_t key_hash(const char *key, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static int is_prime(uint32_t n)
{
	if (n < 3 || n % 2 == 0)
		return 0;
	for (uint32_t d = 3; (uint64_t)d * d <= n; d += 2)
		if (n % d == 0)
			return 0;
	return 1;
}

struct perm {
	const struct maglev_member *m;
	uint32_t offset, skip, next;
};

static int perm_cmp(const void *a, const void *b)
{
	return strcmp(((const struct perm *)a)->m->key, ((const struct perm *)b)->m->key);
}

/* The next entry of p's permutation that is still free. */
static uint32_t perm_claim(struct perm *p, const uint32_t *table, uint32_t size)
{
	uint32_t c;

	do {
		c = (uint32_t)(((uint64_t)p->offset + (uint64_t)p->next * p->skip) % size);
		p->next++;
	} while (table[c] != MAGLEV_EMPTY);
	return c;
}

int maglev_build(const struct maglev_member *m, size_t n, uint32_t *table, uint32_t size)
{
	struct perm *p;
	uint32_t wmax = 0, filled = 0;
	size_t np = 0;

	if (!is_prime(size))
		return -EINVAL;
	for (uint32_t i = 0; i < size; i++)
		table[i] = MAGLEV_EMPTY;
	p = calloc(n ? n : 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!m[i].weight)
			continue;
		p[np].m = &m[i];
		p[np].offset = (uint32_t)(key_hash(m[i].key, 0) % size);
		p[np].skip = (uint32_t)(key_hash(m[i].key, 0x9e3779b97f4a7c15ULL) % (size - 1)) + 1;
		if (m[i].weight > wmax)
			wmax = m[i].weight;
		np++;
	}
	/* The identities' order, not the caller's, decides who goes first. */
	qsort(p, np, sizeof(*p), perm_cmp);
	for (size_t i = 1; i < np; i++) {
		if (strcmp(p[i - 1].m->key, p[i].m->key) == 0) {
			free(p);
			return -EINVAL;
		}
	}
	/* Rounds of turns: in round r a member of weight w takes
	 * floor((r+1)w/wmax) - floor(rw/wmax) entries (0 or 1), so the heaviest
	 * members take one each round and the others in proportion.  Every
	 * round with a member fills at least one entry: the loop ends. */
	for (uint64_t r = 0; np && filled < size; r++) {
		for (size_t i = 0; i < np && filled < size; i++) {
			uint64_t w = p[i].m->weight;

			if ((r + 1) * w / wmax == r * w / wmax)
				continue;
			table[perm_claim(&p[i], table, size)] = p[i].m->id;
			filled++;
		}
	}
	free(p);
	return 0;
}

void maglev_key(char *buf, size_t len, const char *name, const char *addr, uint16_t port)
{
	snprintf(buf, len, "%s|%s|%u", name, addr, port);
}

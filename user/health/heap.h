/* SPDX-License-Identifier: MIT */
/* A binary min-heap of timers, keyed by a deadline in microseconds.  Nodes
 * are embedded in their owners and know their position, so that moving or
 * removing one is O(log n) and the earliest is found in O(1): no scan over
 * all members per event. */
#ifndef XLB_HEALTH_HEAP_H
#define XLB_HEALTH_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HEAP_NOT_IN ((size_t)-1)

struct heap_node {
	uint64_t key;
	size_t pos; /* index in the heap, HEAP_NOT_IN when not queued */
};

struct heap {
	struct heap_node **v;
	size_t n, cap;
};

static inline void heap_node_init(struct heap_node *node)
{
	node->key = 0;
	node->pos = HEAP_NOT_IN;
}

static inline bool heap_node_queued(const struct heap_node *node)
{
	return node->pos != HEAP_NOT_IN;
}

static inline struct heap_node *heap_top(const struct heap *hp)
{
	return hp->n ? hp->v[0] : NULL;
}

/* Inserts the node with this key, or moves it there if already queued.
 * 0 or -ENOMEM (the node is then left out). */
int heap_set(struct heap *hp, struct heap_node *node, uint64_t key);
void heap_remove(struct heap *hp, struct heap_node *node);
void heap_free(struct heap *hp);

#endif

// SPDX-License-Identifier: MIT
#include "health/heap.h"

#include <errno.h>
#include <stdlib.h>

static void heap_place(struct heap *hp, size_t i, struct heap_node *node)
{
	hp->v[i] = node;
	node->pos = i;
}

static void heap_sift_up(struct heap *hp, size_t i)
{
	struct heap_node *node = hp->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (hp->v[parent]->key <= node->key)
			break;
		heap_place(hp, i, hp->v[parent]);
		i = parent;
	}
	heap_place(hp, i, node);
}

static void heap_sift_down(struct heap *hp, size_t i)
{
	struct heap_node *node = hp->v[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= hp->n)
			break;
		if (child + 1 < hp->n && hp->v[child + 1]->key < hp->v[child]->key)
			child++;
		if (node->key <= hp->v[child]->key)
			break;
		heap_place(hp, i, hp->v[child]);
		i = child;
	}
	heap_place(hp, i, node);
}

int heap_set(struct heap *hp, struct heap_node *node, uint64_t key)
{
	if (heap_node_queued(node)) {
		uint64_t old = node->key;

		node->key = key;
		if (key < old)
			heap_sift_up(hp, node->pos);
		else
			heap_sift_down(hp, node->pos);
		return 0;
	}
	if (hp->n == hp->cap) {
		size_t cap = hp->cap ? hp->cap * 2 : 64;
		struct heap_node **v = realloc(hp->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		hp->v = v;
		hp->cap = cap;
	}
	node->key = key;
	hp->v[hp->n] = node;
	node->pos = hp->n++;
	heap_sift_up(hp, node->pos);
	return 0;
}

void heap_remove(struct heap *hp, struct heap_node *node)
{
	size_t i = node->pos;
	struct heap_node *last;

	if (!heap_node_queued(node))
		return;
	node->pos = HEAP_NOT_IN;
	last = hp->v[--hp->n];
	if (i == hp->n)
		return;
	/* The last node takes the hole; it may belong above or below it. */
	hp->v[i] = last;
	last->pos = i;
	if (i > 0 && hp->v[(i - 1) / 2]->key > last->key)
		heap_sift_up(hp, i);
	else
		heap_sift_down(hp, i);
}

void heap_free(struct heap *hp)
{
	free(hp->v);
	hp->v = NULL;
	hp->n = hp->cap = 0;
}

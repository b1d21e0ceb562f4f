// SPDX-License-Identifier: MIT
/* The timer heap (health/heap.c) that orders the checks. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "health/health.h"
#include "lib/abi_text.h"
#include "health/heap.h"
#include "health/http.h"
#include "health/sm.h"
#include "test.h"
TEST(heap_pops_in_key_order_through_moves_and_removals)
{
	enum { N = 1000 };
	struct heap hp = {0};
	struct heap_node *nodes = calloc(N, sizeof(*nodes));
	uint64_t last = 0;
	size_t popped = 0;

	ASSERT_TRUE(nodes != NULL);
	srand(7);
	for (int i = 0; i < N; i++) {
		heap_node_init(&nodes[i]);
		ASSERT_EQ(0, heap_set(&hp, &nodes[i], (uint64_t)rand() % 5000));
	}
	/* Move every third node, remove every fifth. */
	for (int i = 0; i < N; i += 3)
		ASSERT_EQ(0, heap_set(&hp, &nodes[i], (uint64_t)rand() % 5000));
	for (int i = 0; i < N; i += 5)
		heap_remove(&hp, &nodes[i]);
	for (int i = 0; i < N; i += 5)
		ASSERT_TRUE(!heap_node_queued(&nodes[i]));
	while (heap_top(&hp)) {
		struct heap_node *top = heap_top(&hp);

		if (top->key < last) {
			free(nodes);
			heap_free(&hp);
			ASSERT_TRUE(!"keys out of order");
		}
		last = top->key;
		heap_remove(&hp, top);
		popped++;
	}
	heap_free(&hp);
	free(nodes);
	ASSERT_EQ(N - N / 5, popped);
}

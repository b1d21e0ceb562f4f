/* SPDX-License-Identifier: MIT */
/* The data plane's maps in memory, behind the xlb_map_io seam of
 * user/dp/maps.h: the control plane's map writes are tested without root
 * and without a kernel.  Each map takes its type, key and value sizes and
 * capacity from the real object (opened, never loaded), so the fake cannot
 * drift from bpf/map_defs.h.  Writes can be made to fail on purpose. */
#ifndef XLB_FAKE_MAPS_H
#define XLB_FAKE_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp/maps.h"

struct fake_maps;

/* Fills m with the fake's fds and io; 0 or -errno. */
int fake_maps_new(struct xlb_maps *m, struct fake_maps **out);
void fake_maps_free(struct fake_maps *f);

/* From now on, updates and deletes of map `name` (NULL: of any map) fail
 * with err once `after` more of them have succeeded; err 0 lifts it. */
void fake_maps_fail(struct fake_maps *f, const char *name, unsigned after, int err);
/* Updates and deletes done so far (successful ones). */
unsigned fake_maps_writes(const struct fake_maps *f);
/* Entries in a hash map (or non-zero entries of an array). */
size_t fake_maps_count(const struct fake_maps *f, const char *name);

/* What the data plane writes, written as it would: */
/* a sweep's census (copy census_gen + 1, then the flip).  mbr
 * (XLB_MAX_MEMBERS) and svc (XLB_MAX_SERVICES) may be NULL: nothing
 * counted.  c->gen is set to the new generation, which is returned (or
 * -errno). */
long long fake_maps_census(const struct xlb_maps *m, struct xlb_census *c,
			   const struct xlb_census_count *mbr, const struct xlb_census_count *svc);
/* A per-CPU element: words (n_words __u64) on CPU `cpu`, zero on the
 * others; 0 or -errno. */
int fake_maps_percpu_set(const struct xlb_maps *m, int fd, __u32 key, const __u64 *words,
			 size_t n_words, int cpu);

#endif

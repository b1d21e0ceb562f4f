// SPDX-License-Identifier: MIT
#include "fake_maps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "xlb.skel.h"

#define FAKE_MAX_MAPS 32

struct fake_map {
	const char *name;
	bool array;
	size_t key_size, val_size;
	uint32_t max;
	unsigned char *keys; /* hash maps: max keys */
	unsigned char *vals; /* max values */
	bool *used;          /* hash maps */
};

struct fake_maps {
	struct xlb_map_io io; /* first: the ops get it back as the fake */
	struct fake_map map[FAKE_MAX_MAPS];
	size_t n;
	struct bpf_object *obj;
	const char *fail_name;
	unsigned fail_after;
	int fail_err;
	unsigned writes;
};

static struct fake_map *map_of(const struct xlb_map_io *io, int fd)
{
	struct fake_maps *f = (struct fake_maps *)io;

	return fd >= 0 && (size_t)fd < f->n ? &f->map[fd] : NULL;
}

/* Where key is: its slot, or -1. */
static long slot_of(const struct fake_map *m, const void *key)
{
	if (m->array) {
		uint32_t i;

		memcpy(&i, key, sizeof(i));
		return i < m->max ? (long)i : -1;
	}
	for (uint32_t i = 0; i < m->max; i++)
		if (m->used[i] && memcmp(m->keys + i * m->key_size, key, m->key_size) == 0)
			return (long)i;
	return -1;
}

static int write_allowed(struct fake_maps *f, const struct fake_map *m)
{
	if (!f->fail_err || (f->fail_name && strcmp(f->fail_name, m->name)))
		return 0;
	if (f->fail_after) {
		f->fail_after--;
		return 0;
	}
	return f->fail_err;
}

static int fake_lookup(const struct xlb_map_io *io, int fd, const void *key, void *val)
{
	struct fake_map *m = map_of(io, fd);
	long i;

	if (!m)
		return -EBADF;
	i = slot_of(m, key);
	if (i < 0)
		return -ENOENT;
	memcpy(val, m->vals + (size_t)i * m->val_size, m->val_size);
	return 0;
}

static int fake_update(const struct xlb_map_io *io, int fd, const void *key, const void *val)
{
	struct fake_maps *f = (struct fake_maps *)io;
	struct fake_map *m = map_of(io, fd);
	long i;
	int err;

	if (!m)
		return -EBADF;
	i = slot_of(m, key);
	if (i < 0 && m->array)
		return -E2BIG;
	if (i < 0) {
		for (uint32_t j = 0; j < m->max && i < 0; j++)
			if (!m->used[j])
				i = (long)j;
		if (i < 0)
			return -E2BIG;
	}
	err = write_allowed(f, m);
	if (err)
		return err;
	if (!m->array) {
		memcpy(m->keys + (size_t)i * m->key_size, key, m->key_size);
		m->used[i] = true;
	}
	memcpy(m->vals + (size_t)i * m->val_size, val, m->val_size);
	f->writes++;
	return 0;
}

static int fake_delete(const struct xlb_map_io *io, int fd, const void *key)
{
	struct fake_maps *f = (struct fake_maps *)io;
	struct fake_map *m = map_of(io, fd);
	long i;
	int err;

	if (!m)
		return -EBADF;
	if (m->array)
		return -EINVAL;
	i = slot_of(m, key);
	if (i < 0)
		return -ENOENT;
	err = write_allowed(f, m);
	if (err)
		return err;
	m->used[i] = false;
	f->writes++;
	return 0;
}

/* The kernel's order is unspecified; this one is slot order, and an
 * unknown key starts over, as the kernel's hash maps do. */
static int fake_next_key(const struct xlb_map_io *io, int fd, const void *key, void *next)
{
	struct fake_map *m = map_of(io, fd);
	long from;

	if (!m)
		return -EBADF;
	from = key ? slot_of(m, key) + 1 : 0;
	for (uint32_t i = (uint32_t)from; i < m->max; i++) {
		if (m->array) {
			memcpy(next, &i, sizeof(i));
			return 0;
		}
		if (m->used[i]) {
			memcpy(next, m->keys + i * m->key_size, m->key_size);
			return 0;
		}
	}
	return -ENOENT;
}

static int take_map(const char *name, int *fd, void *ctx)
{
	struct fake_maps *f = ctx;
	const struct bpf_map *bm = bpf_object__find_map_by_name(f->obj, name);
	struct fake_map *m;
	enum bpf_map_type type;
	int ncpu = libbpf_num_possible_cpus();

	if (!bm || f->n == FAKE_MAX_MAPS || ncpu < 1)
		return -ENOENT;
	m = &f->map[f->n];
	type = bpf_map__type(bm);
	m->name = name;
	m->array = type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
	m->key_size = bpf_map__key_size(bm);
	m->val_size = bpf_map__value_size(bm);
	if (type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	    type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
		m->val_size = ((m->val_size + 7) & ~(size_t)7) * (size_t)ncpu;
	m->max = bpf_map__max_entries(bm);
	/* The flow tables are large and these tests do not fill them. */
	if (!m->array && m->max > 4096)
		m->max = 4096;
	m->vals = calloc(m->max, m->val_size);
	if (!m->array) {
		m->keys = calloc(m->max, m->key_size);
		m->used = calloc(m->max, sizeof(*m->used));
	}
	if (!m->vals || (!m->array && (!m->keys || !m->used)))
		return -ENOMEM;
	*fd = (int)f->n++;
	return 0;
}

int fake_maps_new(struct xlb_maps *maps, struct fake_maps **out)
{
	struct fake_maps *f = calloc(1, sizeof(*f));
	struct xlb_meta meta = { .abi_version = XLB_ABI_VERSION };
	__u32 zero = 0;
	const void *elf;
	size_t elf_size;
	int err;

	if (!f)
		return -ENOMEM;
	f->io.lookup = fake_lookup;
	f->io.update = fake_update;
	f->io.delete = fake_delete;
	f->io.next_key = fake_next_key;
	elf = xlb__elf_bytes(&elf_size);
	f->obj = bpf_object__open_mem(elf, elf_size, NULL);
	err = f->obj ? 0 : -errno;
	xlb_maps_init(maps);
	if (!err)
		err = xlb_maps_each(maps, take_map, f);
	if (err) {
		fake_maps_free(f);
		xlb_maps_init(maps);
		return err;
	}
	maps->io = &f->io;
	err = fake_update(&f->io, maps->meta, &zero, &meta);
	f->writes = 0;
	*out = f;
	return err;
}

void fake_maps_free(struct fake_maps *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->map[i].keys);
		free(f->map[i].vals);
		free(f->map[i].used);
	}
	bpf_object__close(f->obj);
	free(f);
}

void fake_maps_fail(struct fake_maps *f, const char *name, unsigned after, int err)
{
	f->fail_name = name;
	f->fail_after = after;
	f->fail_err = err;
}

unsigned fake_maps_writes(const struct fake_maps *f)
{
	return f->writes;
}

size_t fake_maps_count(const struct fake_maps *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct fake_map *m = &f->map[i];
		size_t n = 0;

		if (strcmp(m->name, name))
			continue;
		for (uint32_t j = 0; j < m->max; j++) {
			if (m->array) {
				const unsigned char *v = m->vals + (size_t)j * m->val_size;

				for (size_t b = 0; b < m->val_size; b++)
					if (v[b]) {
						n++;
						break;
					}
			} else {
				n += m->used[j];
			}
		}
		return n;
	}
	return 0;
}

/* The counts of one census map's copy: only the ids with something, the
 * others keep a stale gen and so count nothing (as the sweeper leaves them). */
static int census_ids_write(const struct xlb_maps *m, int fd, __u32 copy, __u32 n, __u32 gen,
			    const struct xlb_census_count *counts)
{
	for (__u32 id = 0; counts && id < n; id++) {
		struct xlb_census_count c = counts[id];
		__u32 key = copy * n + id;
		int err;

		if (!c.established && !c.closing && !c.half_open && !c.udp && !c.nat_ports)
			continue;
		c.gen = gen;
		err = m->io->update(m->io, fd, &key, &c);
		if (err)
			return err;
	}
	return 0;
}

long long fake_maps_census(const struct xlb_maps *m, struct xlb_census *c,
			   const struct xlb_census_count *mbr, const struct xlb_census_count *svc)
{
	struct xlb_dp_state st = { 0 };
	__u32 zero = 0, copy;
	int err;

	err = m->io->lookup(m->io, m->dp_state, &zero, &st);
	if (err)
		return err;
	c->gen = st.census_gen + 1;
	c->total.gen = (__u32)c->gen;
	copy = (__u32)(c->gen & 1);
	err = m->io->update(m->io, m->census, &copy, c);
	if (!err)
		err = census_ids_write(m, m->census_mbr, copy, XLB_MAX_MEMBERS, (__u32)c->gen, mbr);
	if (!err)
		err = census_ids_write(m, m->census_svc, copy, XLB_MAX_SERVICES, (__u32)c->gen, svc);
	if (err)
		return err;
	st.census_gen = c->gen;
	err = m->io->update(m->io, m->dp_state, &zero, &st);
	return err ? err : (long long)c->gen;
}

int fake_maps_percpu_set(const struct xlb_maps *m, int fd, __u32 key, const __u64 *words,
			 size_t n_words, int cpu)
{
	int ncpu = libbpf_num_possible_cpus(), err;
	__u64 *vals;

	if (ncpu < 1 || cpu < 0 || cpu >= ncpu)
		return -EINVAL;
	vals = calloc((size_t)ncpu, n_words * sizeof(__u64));
	if (!vals)
		return -ENOMEM;
	memcpy(vals + (size_t)cpu * n_words, words, n_words * sizeof(__u64));
	err = m->io->update(m->io, fd, &key, vals);
	free(vals);
	return err;
}

// SPDX-License-Identifier: MIT
#include "dp/maps.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp/maps_io.h"
#include "lib/caps.h"
#include "lib/log.h"

/* Layouts are shared with the BPF side: a change here is an ABI change. */
_Static_assert(sizeof(union xlb_ip) == 16, "xlb_ip");
_Static_assert(sizeof(struct xlb_meta) == 16, "xlb_meta");
_Static_assert(sizeof(struct xlb_svc_key) == 20, "xlb_svc_key");
_Static_assert(sizeof(struct xlb_service) == 24, "xlb_service");
_Static_assert(sizeof(struct xlb_maglev_table) == 4 * XLB_MAGLEV_SIZE, "xlb_maglev_table");
_Static_assert(sizeof(struct xlb_sorry_page) == 8 + XLB_SORRY_LEN, "xlb_sorry_page");
_Static_assert(sizeof(struct xlb_member) == 48, "xlb_member");
_Static_assert(sizeof(struct xlb_slot_table) == 8 + 4 * XLB_MAX_SLOTS, "xlb_slot_table");
_Static_assert(sizeof(struct xlb_flow_key) == 40, "xlb_flow_key");
_Static_assert(sizeof(struct xlb_flow) == 96, "xlb_flow");
_Static_assert(sizeof(struct xlb_traffic_stats) == 48, "xlb_traffic_stats");
_Static_assert(sizeof(struct xlb_svc_info) == XLB_NAME_MAX + 56, "xlb_svc_info");
_Static_assert(sizeof(struct xlb_mbr_info) == XLB_INFO_NAME_MAX + 64 + 72, "xlb_mbr_info");
_Static_assert(sizeof(struct xlb_reason_stats) == 8 * XLB_R_MAX, "xlb_reason_stats");
_Static_assert(sizeof(struct xlb_event_stats) == 8 * XLB_EV_MAX, "xlb_event_stats");
_Static_assert(sizeof(struct xlb_dnat_rev_key) == 20, "xlb_dnat_rev_key");
_Static_assert(sizeof(struct xlb_dnat_rev) == 32, "xlb_dnat_rev");
_Static_assert(sizeof(struct xlb_snat_set) == 8 + 20 * XLB_MAX_SNAT_ADDRS, "xlb_snat_set");
_Static_assert(sizeof(struct xlb_dp_state) == 32, "xlb_dp_state");
_Static_assert(sizeof(struct xlb_census_count) == 24, "xlb_census_count");
_Static_assert(sizeof(struct xlb_census) == 48 + sizeof(struct xlb_census_count), "xlb_census");

static const struct {
	const char *name;
	size_t off;
} map_fields[] = {
	{ XLB_MAP_META, offsetof(struct xlb_maps, meta) },
	{ XLB_MAP_SERVICES, offsetof(struct xlb_maps, services) },
	{ XLB_MAP_MEMBERS, offsetof(struct xlb_maps, members) },
	{ XLB_MAP_SLOTS, offsetof(struct xlb_maps, slots) },
	{ XLB_MAP_MAGLEV, offsetof(struct xlb_maps, maglev) },
	{ XLB_MAP_SORRY, offsetof(struct xlb_maps, sorry) },
	{ XLB_MAP_SORRY_PORT, offsetof(struct xlb_maps, sorry_port) },
	{ XLB_MAP_RR, offsetof(struct xlb_maps, rr) },
	{ XLB_MAP_SNAT, offsetof(struct xlb_maps, snat) },
	{ XLB_MAP_SVC_PORTS, offsetof(struct xlb_maps, svc_ports) },
	{ XLB_MAP_FLOWS, offsetof(struct xlb_maps, flows) },
	{ XLB_MAP_HALFOPEN, offsetof(struct xlb_maps, halfopen) },
	{ XLB_MAP_DNAT_REV, offsetof(struct xlb_maps, dnat_rev) },
	{ XLB_MAP_NAT_PORT, offsetof(struct xlb_maps, nat_port) },
	{ XLB_MAP_RST_RATE, offsetof(struct xlb_maps, rst_rate) },
	{ XLB_MAP_STATS, offsetof(struct xlb_maps, stats) },
	{ XLB_MAP_SVC_STATS, offsetof(struct xlb_maps, svc_stats) },
	{ XLB_MAP_MBR_STATS, offsetof(struct xlb_maps, mbr_stats) },
	{ XLB_MAP_SVC_INFO, offsetof(struct xlb_maps, svc_info) },
	{ XLB_MAP_MBR_INFO, offsetof(struct xlb_maps, mbr_info) },
	{ XLB_MAP_MBR_ADMIN, offsetof(struct xlb_maps, mbr_admin) },
	{ XLB_MAP_EVENTS, offsetof(struct xlb_maps, events) },
	{ XLB_MAP_DP_STATE, offsetof(struct xlb_maps, dp_state) },
	{ XLB_MAP_CENSUS, offsetof(struct xlb_maps, census) },
	{ XLB_MAP_CENSUS_MBR, offsetof(struct xlb_maps, census_mbr) },
	{ XLB_MAP_CENSUS_SVC, offsetof(struct xlb_maps, census_svc) },
	{ XLB_MAP_L2_VIPS, offsetof(struct xlb_maps, l2_vips) },
	{ XLB_MAP_L2_IFACES, offsetof(struct xlb_maps, l2_ifaces) },
};

#define N_MAPS (sizeof(map_fields) / sizeof(map_fields[0]))
/* Only padding between the last fd and io. */
_Static_assert(offsetof(struct xlb_maps, io) - N_MAPS * sizeof(int) < sizeof(void *),
	       "every map has a name");

/* The four of dp/maps_io.h: the syscalls, or m->io's. */
int map_lookup(const struct xlb_maps *m, int fd, const void *key, void *val)
{
	if (m->io)
		return m->io->lookup(m->io, fd, key, val);
	return bpf_map_lookup_elem(fd, key, val) ? -errno : 0;
}

int map_update(const struct xlb_maps *m, int fd, const void *key, const void *val)
{
	if (m->io)
		return m->io->update(m->io, fd, key, val);
	return bpf_map_update_elem(fd, key, val, BPF_ANY) ? -errno : 0;
}

int map_delete(const struct xlb_maps *m, int fd, const void *key)
{
	if (m->io)
		return m->io->delete(m->io, fd, key);
	return bpf_map_delete_elem(fd, key) ? -errno : 0;
}

int map_next_key(const struct xlb_maps *m, int fd, const void *key, void *next)
{
	if (m->io)
		return m->io->next_key(m->io, fd, key, next);
	return bpf_map_get_next_key(fd, key, next) ? -errno : 0;
}

static int *map_fd(struct xlb_maps *m, size_t i)
{
	return (int *)((char *)m + map_fields[i].off);
}

void xlb_maps_init(struct xlb_maps *m)
{
	for (size_t i = 0; i < N_MAPS; i++)
		*map_fd(m, i) = -1;
	m->io = NULL;
}

int xlb_maps_each(struct xlb_maps *m, int (*fn)(const char *name, int *fd, void *ctx), void *ctx)
{
	int err = 0;

	for (size_t i = 0; i < N_MAPS && !err; i++)
		err = fn(map_fields[i].name, map_fd(m, i), ctx);
	return err;
}

void xlb_maps_close(struct xlb_maps *m)
{
	for (size_t i = 0; i < N_MAPS; i++) {
		if (*map_fd(m, i) >= 0)
			close(*map_fd(m, i));
		*map_fd(m, i) = -1;
	}
}

int xlb_maps_from_object(struct xlb_maps *m, const struct bpf_object *obj)
{
	const struct bpf_map *map;

	xlb_maps_init(m);
	for (size_t i = 0; i < N_MAPS; i++) {
		map = bpf_object__find_map_by_name(obj, map_fields[i].name);
		if (!map || bpf_map__fd(map) < 0) {
			log_err("the data-plane object has no map %s", map_fields[i].name);
			xlb_maps_init(m);
			return -ENOENT;
		}
		*map_fd(m, i) = bpf_map__fd(map);
	}
	return 0;
}

int xlb_maps_open_pinned(struct xlb_maps *m, const char *dir)
{
	char path[PATH_MAX];
	int err;

	xlb_maps_init(m);
	for (size_t i = 0; i < N_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, map_fields[i].name);
		*map_fd(m, i) = bpf_obj_get(path);
		if (*map_fd(m, i) < 0) {
			err = -errno;
			log_debug("cannot open pinned map %s: %s", path, strerror(-err));
			goto fail;
		}
	}
	err = xlb_maps_check_abi(m);
	if (err)
		goto fail;
	return 0;
fail:
	xlb_maps_close(m);
	return err;
}

/* Refused: a capability missing (named), or the pins' file modes. */
static void explain_denied(const char *dir, int err)
{
	char why[PATH_MAX + 32];

	snprintf(why, sizeof(why), "to read the pins at %s", dir);
	if (!caps_require("xlb", CAPS_MAPS, why))
		log_err("cannot read the pins at %s: %s; they belong to the user that ran "
			"'xlb run' (mode 0600)",
			dir, strerror(-err));
}

int xlb_maps_open_for_reading(struct xlb_maps *m, const char *dir)
{
	int err = xlb_maps_open_pinned(m, dir);

	if (err == -ENOENT)
		log_err("nothing is pinned at %s: xlb is not running there (start it with "
			"'xlb run -c FILE', or name another --pin-dir)",
			dir);
	else if (err == -EACCES || err == -EPERM)
		explain_denied(dir, err);
	else if (err && err != -EPROTO)
		log_err("cannot open the pins at %s: %s", dir, strerror(-err));
	return err;
}

int xlb_maps_check_abi(const struct xlb_maps *m)
{
	struct xlb_meta meta;
	__u32 zero = 0;
	int err;

	err = map_lookup(m, m->meta, &zero, &meta);
	if (err)
		return err;
	if (meta.abi_version != XLB_ABI_VERSION) {
		log_err("data-plane maps have ABI version %u, this xlb speaks %u: "
			"run 'xlb stop' to remove the old data plane first",
			meta.abi_version, XLB_ABI_VERSION);
		return -EPROTO;
	}
	return 0;
}

int xlb_maps_meta(const struct xlb_maps *m, struct xlb_meta *meta)
{
	__u32 zero = 0;

	return map_lookup(m, m->meta, &zero, meta);
}

int xlb_maps_service_get(const struct xlb_maps *m, const struct xlb_svc_key *key,
			 struct xlb_service *svc)
{
	return map_lookup(m, m->services, key, svc);
}

static int slots_validate(const struct xlb_maps *m, const struct xlb_svc_key *key, const __u32 *slots,
			  __u32 n_slots)
{
	struct xlb_member mbr;

	for (__u32 i = 0; i < n_slots; i++) {
		if (slots[i] >= XLB_MAX_MEMBERS)
			return -EINVAL;
		int err = map_lookup(m, m->members, &slots[i], &mbr);

		if (err)
			return err;
		if (mbr.family != key->family) {
			log_err("slot %u: member %u has family %u, service has %u", i, slots[i],
				mbr.family, key->family);
			return -EINVAL;
		}
	}
	return 0;
}

static __u8 svc_port_flag(const struct xlb_svc_key *key)
{
	return key->proto == IPPROTO_TCP ? XLB_PORT_TCP : XLB_PORT_UDP;
}

/* Marks the service's port before the service exists, so the data plane
 * never finds a service behind an unmarked port. */
static int svc_port_mark(const struct xlb_maps *m, const struct xlb_svc_key *key)
{
	__u32 port = ntohs(key->port);
	__u8 flags;
	int err;

	err = map_lookup(m, m->svc_ports, &port, &flags);
	if (err)
		return err;
	flags |= svc_port_flag(key);
	return map_update(m, m->svc_ports, &port, &flags);
}

/* After a delete: clears the marks no remaining service needs. */
static int svc_ports_rebuild(const struct xlb_maps *m)
{
	__u8 *want = calloc(65536, 1), have;
	struct xlb_svc_key key, next;
	int err = 0, rc;

	if (!want)
		return -ENOMEM;
	for (rc = map_next_key(m, m->services, NULL, &next); rc == 0;
	     rc = map_next_key(m, m->services, &key, &next)) {
		want[ntohs(next.port)] |= svc_port_flag(&next);
		key = next;
	}
	for (__u32 port = 0; port < 65536 && !err; port++) {
		err = map_lookup(m, m->svc_ports, &port, &have);
		if (err)
			break;
		/* Reply marks stay: they only cost a flow lookup. */
		want[port] |= have & (XLB_PORT_TCP_REPLY | XLB_PORT_UDP_REPLY);
		if (have != want[port])
			err = map_update(m, m->svc_ports, &port, &want[port]);
	}
	free(want);
	return err;
}

int xlb_maps_service_publish(const struct xlb_maps *m, const struct xlb_svc_key *key,
			     const struct xlb_service *svc, const __u32 *slots, __u32 n_slots,
			     const __u32 *maglev_table)
{
	struct xlb_slot_table *table = NULL;
	struct xlb_service cur, next = *svc;
	__u32 index;
	int err;

	if (svc->id >= XLB_MAX_SERVICES || n_slots > XLB_MAX_SLOTS ||
	    (key->family != XLB_FAMILY_IPV4 && key->family != XLB_FAMILY_IPV6))
		return -EINVAL;
	/* Every table of the generation about to go live is written with it:
	 * a Maglev service cannot flip to a copy nobody wrote. */
	if ((svc->scheduler == XLB_SCHED_MAGLEV) != (maglev_table != NULL) ||
	    (maglev_table && svc->maglev >= XLB_MAX_MAGLEV_SERVICES))
		return -EINVAL;
	err = slots_validate(m, key, slots, n_slots);
	if (err)
		return err;

	/* A live service flips to the other copy; a new one starts at 0. */
	if (map_lookup(m, m->services, key, &cur) == 0) {
		if (cur.id != svc->id)
			return -EEXIST;
		next.generation = cur.generation + 1;
	} else {
		next.generation = 0;
	}

	err = svc_port_mark(m, key);
	if (err)
		return err;
	if (maglev_table) {
		index = svc->maglev * 2 + (next.generation & 1);
		err = map_update(m, m->maglev, &index, maglev_table);
		if (err)
			return err;
	}
	table = calloc(1, sizeof(*table));
	if (!table)
		return -ENOMEM;
	table->count = n_slots;
	if (n_slots)
		memcpy(table->member, slots, n_slots * sizeof(slots[0]));
	index = svc->id * 2 + (next.generation & 1);
	err = map_update(m, m->slots, &index, table);
	if (!err)
		err = map_update(m, m->services, key, &next);
	free(table);
	return err;
}

int xlb_maps_reply_port_mark(const struct xlb_maps *m, __u16 port, __u8 proto)
{
	__u32 key = port;
	__u8 flags;
	int err;

	err = map_lookup(m, m->svc_ports, &key, &flags);
	if (err)
		return err;
	flags |= proto == IPPROTO_TCP ? XLB_PORT_TCP_REPLY : XLB_PORT_UDP_REPLY;
	return map_update(m, m->svc_ports, &key, &flags);
}

int xlb_maps_sorry_set(const struct xlb_maps *m, __u32 svc_id, const struct xlb_sorry_page *page)
{
	if (svc_id >= XLB_MAX_SERVICES)
		return -EINVAL;
	return map_update(m, m->sorry, &svc_id, page);
}

int xlb_maps_sorry_port_set(const struct xlb_maps *m, __u32 svc_id, __u16 port)
{
	__be16 v = htons(port);

	if (svc_id >= XLB_MAX_SERVICES)
		return -EINVAL;
	return map_update(m, m->sorry_port, &svc_id, &v);
}

int xlb_maps_service_delete(const struct xlb_maps *m, const struct xlb_svc_key *key)
{
	int err = map_delete(m, m->services, key);

	if (err)
		return err;
	return svc_ports_rebuild(m);
}

int xlb_maps_snat_add(const struct xlb_maps *m, const union xlb_ip *addr, __u8 family)
{
	struct xlb_snat_set set;
	__u32 zero = 0;
	int err;

	err = map_lookup(m, m->snat, &zero, &set);
	if (err)
		return err;
	for (__u32 i = 0; i < set.count && i < XLB_MAX_SNAT_ADDRS; i++)
		if (set.addr[i].family == family && memcmp(&set.addr[i].addr, addr, sizeof(*addr)) == 0)
			return 0;
	if (set.count >= XLB_MAX_SNAT_ADDRS)
		return -ENOSPC;
	/* Write the new address before the count that exposes it. */
	set.addr[set.count].addr = *addr;
	set.addr[set.count].family = family;
	err = map_update(m, m->snat, &zero, &set);
	if (err)
		return err;
	set.count++;
	return map_update(m, m->snat, &zero, &set);
}

int xlb_maps_snat_pool_add(const struct xlb_maps *m, const union xlb_ip *addrs, __u32 n, __u8 family,
			   __u16 *first)
{
	struct xlb_snat_set set;
	__u32 zero = 0, at;
	int err;

	if (n == 0 || n > XLB_MAX_SNAT_ADDRS)
		return -EINVAL;
	err = map_lookup(m, m->snat, &zero, &set);
	if (err)
		return err;
	if (set.count > XLB_MAX_SNAT_ADDRS)
		return -EINVAL;
	for (at = 0; at + n <= set.count; at++) {
		__u32 i = 0;

		while (i < n && set.addr[at + i].family == family &&
		       memcmp(&set.addr[at + i].addr, &addrs[i], sizeof(addrs[i])) == 0)
			i++;
		if (i == n) {
			*first = (__u16)at;
			return 0;
		}
	}
	at = set.count;
	if (at + n > XLB_MAX_SNAT_ADDRS)
		return -ENOSPC;
	/* Write the new addresses before the count that exposes them. */
	for (__u32 i = 0; i < n; i++) {
		set.addr[at + i].addr = addrs[i];
		set.addr[at + i].family = family;
	}
	err = map_update(m, m->snat, &zero, &set);
	if (err)
		return err;
	set.count += n;
	err = map_update(m, m->snat, &zero, &set);
	if (!err)
		*first = (__u16)at;
	return err;
}

int xlb_maps_dnat_rev_set(const struct xlb_maps *m, const struct xlb_dnat_rev_key *key,
			  const struct xlb_dnat_rev *rev)
{
	int err = xlb_maps_reply_port_mark(m, ntohs(key->port), key->proto);

	return err ? err : map_update(m, m->dnat_rev, key, rev);
}

int xlb_maps_dnat_rev_delete(const struct xlb_maps *m, const struct xlb_dnat_rev_key *key)
{
	return map_delete(m, m->dnat_rev, key);
}

int xlb_maps_member_set(const struct xlb_maps *m, __u32 id, const struct xlb_member *mbr)
{
	int err;

	if (id >= XLB_MAX_MEMBERS ||
	    (mbr->family != XLB_FAMILY_IPV4 && mbr->family != XLB_FAMILY_IPV6))
		return -EINVAL;
	err = xlb_maps_snat_add(m, &mbr->snat, mbr->family);
	if (err)
		return err;
	return map_update(m, m->members, &id, mbr);
}

int xlb_maps_member_clear(const struct xlb_maps *m, __u32 id)
{
	struct xlb_member empty;

	memset(&empty, 0, sizeof(empty));
	if (id >= XLB_MAX_MEMBERS)
		return -EINVAL;
	return map_update(m, m->members, &id, &empty);
}

static int array_set(const struct xlb_maps *m, int fd, __u32 id, __u32 max, const void *val)
{
	if (id >= max)
		return -EINVAL;
	return map_update(m, fd, &id, val);
}

static int array_get(const struct xlb_maps *m, int fd, __u32 id, __u32 max, void *val)
{
	if (id >= max)
		return -EINVAL;
	return map_lookup(m, fd, &id, val);
}

int xlb_maps_member_get(const struct xlb_maps *m, __u32 id, struct xlb_member *mbr)
{
	return array_get(m, m->members, id, XLB_MAX_MEMBERS, mbr);
}

int xlb_maps_svc_info_set(const struct xlb_maps *m, __u32 id, const struct xlb_svc_info *info)
{
	return array_set(m, m->svc_info, id, XLB_MAX_SERVICES, info);
}

int xlb_maps_svc_info_get(const struct xlb_maps *m, __u32 id, struct xlb_svc_info *info)
{
	return array_get(m, m->svc_info, id, XLB_MAX_SERVICES, info);
}

int xlb_maps_mbr_info_set(const struct xlb_maps *m, __u32 id, const struct xlb_mbr_info *info)
{
	return array_set(m, m->mbr_info, id, XLB_MAX_MEMBERS, info);
}

int xlb_maps_mbr_info_get(const struct xlb_maps *m, __u32 id, struct xlb_mbr_info *info)
{
	return array_get(m, m->mbr_info, id, XLB_MAX_MEMBERS, info);
}

int xlb_maps_mbr_admin_set(const struct xlb_maps *m, __u32 id, __u8 admin)
{
	struct xlb_mbr_admin a = { .admin = admin };

	return array_set(m, m->mbr_admin, id, XLB_MAX_MEMBERS, &a);
}

__u8 xlb_maps_mbr_admin_get(const struct xlb_maps *m, __u32 id)
{
	struct xlb_mbr_admin a = { 0 };

	array_get(m, m->mbr_admin, id, XLB_MAX_MEMBERS, &a);
	return a.admin;
}

/* Reads one element of a per-CPU map and sums it as n_words u64 counters. */
static int percpu_sum(const struct xlb_maps *m, int fd, __u32 key, __u64 *out, size_t n_words)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	__u64 *vals;

	if (ncpu < 0)
		return ncpu;
	vals = calloc((size_t)ncpu, n_words * sizeof(__u64));
	if (!vals)
		return -ENOMEM;
	err = map_lookup(m, fd, &key, vals);
	if (err)
		goto out;
	memset(out, 0, n_words * sizeof(__u64));
	for (int c = 0; c < ncpu; c++)
		for (size_t w = 0; w < n_words; w++)
			out[w] += vals[(size_t)c * n_words + w];
out:
	free(vals);
	return err;
}

int xlb_maps_reason_stats(const struct xlb_maps *m, __u64 count[XLB_R_MAX])
{
	return percpu_sum(m, m->stats, 0, count, XLB_R_MAX);
}

int xlb_maps_service_stats(const struct xlb_maps *m, __u32 svc_id, struct xlb_traffic_stats *out)
{
	return percpu_sum(m, m->svc_stats, svc_id, (__u64 *)out, sizeof(*out) / sizeof(__u64));
}

int xlb_maps_member_stats(const struct xlb_maps *m, __u32 member_id, struct xlb_traffic_stats *out)
{
	return percpu_sum(m, m->mbr_stats, member_id, (__u64 *)out, sizeof(*out) / sizeof(__u64));
}

int xlb_maps_event_stats(const struct xlb_maps *m, __u64 count[XLB_EV_MAX])
{
	return percpu_sum(m, m->events, 0, count, XLB_EV_MAX);
}

int xlb_maps_dp_state(const struct xlb_maps *m, struct xlb_dp_state *st)
{
	__u32 zero = 0;

	return map_lookup(m, m->dp_state, &zero, st);
}

/* Counts of the ids of one census map, copy c of sweep gen; an element
 * another sweep wrote counts nothing. */
static int census_ids(const struct xlb_maps *m, int fd, __u32 c, __u32 n, __u64 gen,
		      struct xlb_census_count *out)
{
	for (__u32 id = 0; id < n; id++) {
		__u32 key = c * n + id;
		int err = map_lookup(m, fd, &key, &out[id]);

		if (err)
			return err;
		if (out[id].gen != (__u32)gen)
			memset(&out[id], 0, sizeof(out[id]));
	}
	return 0;
}

int xlb_maps_census_read(const struct xlb_maps *m, struct xlb_census *total, struct xlb_census_count *mbr,
			 struct xlb_census_count *svc)
{
	struct xlb_dp_state st;
	int err;

	for (int tries = 0; tries < 8; tries++) {
		__u64 gen;
		__u32 c;

		err = xlb_maps_dp_state(m, &st);
		if (err)
			return err;
		gen = st.census_gen;
		if (gen == 0)
			return -ENODATA;
		c = (__u32)(gen & 1);
		err = map_lookup(m, m->census, &c, total);
		if (!err && mbr)
			err = census_ids(m, m->census_mbr, c, XLB_MAX_MEMBERS, gen, mbr);
		if (!err && svc)
			err = census_ids(m, m->census_svc, c, XLB_MAX_SERVICES, gen, svc);
		if (!err)
			err = xlb_maps_dp_state(m, &st);
		if (err)
			return err;
		/* The sweep that wrote it is the last one: nothing moved. */
		if (st.census_gen == gen && total->gen == gen)
			return 0;
	}
	return -EAGAIN;
}

__u64 xlb_census_half_open_evicted(const struct xlb_census *c, const __u64 ev[XLB_EV_MAX])
{
	__u64 gone = ev[XLB_EV_PROMOTED] + ev[XLB_EV_HALF_OPEN_EXPIRED] + c->total.half_open;

	return ev[XLB_EV_HALF_OPEN_NEW] > gone ? ev[XLB_EV_HALF_OPEN_NEW] - gone : 0;
}

__u64 xlb_census_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

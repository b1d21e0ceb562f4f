/* SPDX-License-Identifier: MIT */
/* The runtime's state, shared by the files of daemon/runtime/ and by
 * nothing else: the daemon sees only daemon/runtime.h.
 *
 *   runtime.c    life cycle, health callbacks, drain sync, re-resolution
 *   reconcile.c  a configuration made the running state (prepare, commit)
 *   to_maps.c    the running state written to the maps
 *   dnat.c       the dnat reply map: written, retired, deleted
 *   adopt.c      taking over the pins of an earlier run
 *   ids.c        member and service ids
 *   route.c      how this host reaches a member
 *   announcing.c the running state told to the announce policy
 *   summary.c    the state in three numbers (the daemon's STATUS=) */
#ifndef XLB_RUNTIME_STATE_H
#define XLB_RUNTIME_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "xlb/abi.h"
#include "xlb/info.h"
#include "lib/addr.h"
#include "config/config.h"
#include "health/health.h"
#include "daemon/runtime.h"

_Static_assert(XLB_NAME_MAX + INET6_ADDRSTRLEN <= XLB_INFO_NAME_MAX,
	       "a hostname member's backend name fits the info map");

/* One backend: a member of the file, or one address of a hostname member
 * ("newrelic.com#142.251.33.110"). */
struct rt_member {
	struct rt_service *svc;
	char name[XLB_INFO_NAME_MAX]; /* XLB_NAME_MAX + "#" + an IPv6 address */
	const struct cfg_member *cfg; /* in the running config */
	struct xlb_addr addr;
	struct xlb_addr snat;
	uint16_t port;
	uint16_t weight;
	uint32_t id;
	uint32_t order; /* position in the service's pool */
	struct health_member *hm;
	bool admin_drain;
	/* Found in the pins of an earlier run: keep its id and start in the
	 * health state it had there. */
	bool adopted;
	enum xlb_health_state initial;
	/* Prepared by a reload: the running member this one continues, and
	 * its place in the old pool (taken from there on commit). */
	struct rt_member *carries;
	size_t carries_at;
};

struct rt_service {
	const struct cfg_service *cfg; /* in the running config */
	uint32_t id;
	/* nat with an snat pool: where it is in xlb_snat (set on commit) and
	 * how many addresses; snat_n 0: the members' snat alone. */
	uint16_t snat_first;
	uint16_t snat_n;
	uint32_t maglev; /* maglev services: its table pair in xlb_maglev */
	/* on_empty sorry with a sorry_address: a member of its own, never in
	 * the slot table and not health-checked (UINT32_MAX: none). */
	uint32_t sorry_id;
	struct xlb_addr sorry_snat;
	struct rt_member **members;
	size_t n_members;
};

/* A dnat reply entry this runtime wrote (dnat.c). */
struct rt_dnat {
	struct xlb_dnat_rev_key key;
	uint32_t member_id;
	uint32_t service_id;
	uint64_t apply;       /* the apply that published it last (runtime.apply_seq) */
	bool retired;         /* no member publishes it; deleted when its connections end */
	uint64_t retired_gen; /* the census generation when it was retired */
};

struct runtime {
	bool resolve_failing; /* the last re-resolution failed (said once) */
	const struct xlb_maps *maps;
	struct health *health;
	struct xlb_config *cfg;
	struct rt_service *services[XLB_MAX_SERVICES]; /* by id */
	/* Free member ids, oldest first: an id is reused as late as possible,
	 * so counters of a removed member are not mixed with a new one's. */
	uint32_t free_ids[XLB_MAX_MEMBERS];
	size_t free_head, n_free;
	bool member_used[XLB_MAX_MEMBERS];
	/* What the pins said at start, until the first apply has taken what
	 * it continues (NULL afterwards). */
	struct xlb_svc_info *adopt_svc;
	struct xlb_mbr_info *adopt_mbr;
	uint32_t sorry_secret; /* keys the built-in responder's SYN-ACK cookies */
	/* Failures after the point of no return (rt_error), since start and
	 * in the apply under way. */
	struct runtime_stats stats;
	unsigned apply_errors;
	struct announce *announce; /* global: announce: (daemon/announce.h) */
	uint64_t apply_seq; /* applies begun */
	struct rt_dnat *dnat;
	size_t n_dnat, cap_dnat;
	struct announce_l2 *l2;    /* its link (daemon/announce_l2.h) */
};


/* An error after the point of no return: logged with the reason of -err,
 * counted, and the apply under way ends with a summary.  Returns err. */
int rt_error(struct runtime *rt, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ids.c */
int rt_member_id_alloc(struct runtime *rt, uint32_t *id);
void rt_member_id_free(struct runtime *rt, uint32_t id);
int rt_service_id_alloc(struct runtime *rt, struct rt_service *const *taken, uint32_t *id);
void rt_member_ids_rebuild(struct runtime *rt);

/* adopt.c */
int rt_adopt_read(struct runtime *rt);
/* A service of the earlier run's pins with c's name and VIP: its id, or -1. */
int rt_adopted_service_id(const struct runtime *rt, const struct cfg_service *c,
			  struct rt_service *const *taken);
void rt_adopt_member(struct runtime *rt, struct rt_member *m);
void rt_adopt_release(struct runtime *rt);
bool rt_key_in_use(struct rt_service *const *services, const struct xlb_svc_key *key);

/* route.c */
int rt_route_source(const struct xlb_addr *dst, uint16_t port, struct xlb_addr *src);
int rt_member_route(const struct cfg_service *c, const struct cfg_member *cm,
		    const struct xlb_addr *addr, struct xlb_addr *src);
void rt_dsr_warn(const struct cfg_service *c, const struct rt_member *m);

/* publish.c */
void rt_svc_key(const struct cfg_service *s, struct xlb_svc_key *k);
int rt_service_publish(struct runtime *rt, struct rt_service *s);
int rt_member_publish(struct runtime *rt, const struct rt_member *m);
int rt_snat_pool_publish(struct runtime *rt, struct rt_service *s);
int rt_sorry_publish(struct runtime *rt, const struct rt_service *s);
/* The member's line in `xlb status`; changed: its state just changed. */
void rt_member_info_publish(struct runtime *rt, const struct rt_member *m, bool changed);

/* announcing.c: the table at every apply (before services are
 * published), each service's serving count as it is published (and its
 * announce fields of info filled), services that go, and the routes
 * written after each of those. */
struct announce_io;
int rt_announce_init(struct runtime *rt, const struct announce_io *io);
void rt_announce_config(struct runtime *rt, const struct xlb_config *cfg);
void rt_announce_service(struct runtime *rt, const struct rt_service *s,
			 struct xlb_svc_info *info, uint32_t serving);
void rt_announce_gone(struct runtime *rt, uint32_t id);
void rt_announce_commit(struct runtime *rt);
/* dnat.c */
void rt_dnat_key(const struct xlb_addr *addr, uint16_t port, uint8_t proto,
		 struct xlb_dnat_rev_key *k);
/* Writes the entry of member_id at addr:port of dnat service s. */
int rt_dnat_publish(struct runtime *rt, const struct rt_service *s, uint32_t member_id,
		    const struct xlb_addr *addr, uint16_t port);
/* k is the entry of a running member. */
bool rt_dnat_published(struct runtime *rt, const struct xlb_dnat_rev_key *k);
/* The entry of k stays until member_id's connections have ended. */
void rt_dnat_retire(struct runtime *rt, const struct xlb_dnat_rev_key *k, uint32_t member_id);
/* After an apply's commit: what it did not publish is retired. */
void rt_dnat_settle(struct runtime *rt);
/* Before a commit: -EADDRINUSE (logged) when two dnat services of next
 * claim one reply source. */
int rt_dnat_check(struct rt_service *const *next);

/* reconcile.c */
void rt_service_free(struct runtime *rt, struct rt_service *s, bool release);

#endif

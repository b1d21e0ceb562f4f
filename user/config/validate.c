// SPDX-License-Identifier: MIT
/* Checks that need more than one value: address families against the
 * forwarding mode, settings that only make sense together, duplicates and
 * the data plane's slot-table limit. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/internal.h"

bool cfg_health_equal(const struct cfg_health *a, const struct cfg_health *b)
{
	return a->type == b->type && a->port == b->port && a->expect == b->expect &&
	       a->interval_ms == b->interval_ms && a->timeout_ms == b->timeout_ms &&
	       a->rise == b->rise && a->fall == b->fall && strcmp(a->path, b->path) == 0;
}

/* ---- duplicates: sort, then compare neighbours ---------------------------- */

struct dup_item {
	const void *item;
	struct cfg_pos pos;
};

typedef int (*dup_cmp_fn)(const void *a, const void *b);

static int dup_item_cmp(const void *pa, const void *pb, void *arg)
{
	const struct dup_item *a = pa, *b = pb;
	int r = ((dup_cmp_fn)arg)(a->item, b->item);

	/* Ties by position: the first in the file is the original. */
	if (r)
		return r;
	if (a->pos.line != b->pos.line)
		return a->pos.line < b->pos.line ? -1 : 1;
	return a->pos.col < b->pos.col ? -1 : a->pos.col > b->pos.col;
}

/* Calls report(later, first) for every item equal to an earlier one. */
static void find_duplicates(struct cfg_diag *d, struct dup_item *items, size_t n,
			    dup_cmp_fn cmp,
			    void (*report)(struct cfg_diag *d, const void *dup, const void *first))
{
	size_t first = 0;

	qsort_r(items, n, sizeof(*items), dup_item_cmp, (void *)cmp);
	for (size_t i = 1; i < n; i++) {
		if (cmp(items[first].item, items[i].item) != 0)
			first = i;
		else
			report(d, items[i].item, items[first].item);
	}
}

static int member_name_cmp(const void *pa, const void *pb)
{
	const struct cfg_member *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

static int member_target_cmp(const void *pa, const void *pb)
{
	const struct cfg_member *a = pa, *b = pb;

	if (a->is_hostname != b->is_hostname)
		return a->is_hostname ? 1 : -1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	/* DNS names are case-insensitive. */
	return a->is_hostname ? strcasecmp(a->host, b->host) : addr_cmp(&a->addr, &b->addr);
}

static void report_member_name(struct cfg_diag *d, const void *dup, const void *first)
{
	const struct cfg_member *m = dup, *f = first;

	cfg_error_at(d, m->pos, "duplicate member '%s' (first at line %u); member names "
		     "must be unique in a service", m->name, f->pos.line);
}

static void report_member_target(struct cfg_diag *d, const void *dup, const void *first)
{
	const struct cfg_member *m = dup, *f = first;
	char text[XLB_HOSTNAME_MAX + 8];

	if (m->is_hostname)
		snprintf(text, sizeof(text), "%s:%u", m->host, m->port);
	else
		addr_format_port(&m->addr, m->port, text, sizeof(text));
	cfg_error_at(d, m->addr_pos, "member '%s' has the same address and port (%s) as "
		     "member '%s' at line %u; list each backend once (use weight to give it "
		     "more traffic)", m->name, text, f->name, f->pos.line);
}

static int service_name_cmp(const void *pa, const void *pb)
{
	const struct cfg_service *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

static int service_listener_cmp(const void *pa, const void *pb)
{
	const struct cfg_service *a = pa, *b = pb;

	if (a->protocol != b->protocol)
		return a->protocol < b->protocol ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	return addr_cmp(&a->vip, &b->vip);
}

static void report_service_name(struct cfg_diag *d, const void *dup, const void *first)
{
	const struct cfg_service *s = dup, *f = first;

	cfg_error_at(d, s->pos, "duplicate service name '%s' (first at line %u); service "
		     "names must be unique", s->name, f->pos.line);
}

static void report_service_listener(struct cfg_diag *d, const void *dup, const void *first)
{
	const struct cfg_service *s = dup, *f = first;
	char vip[XLB_ADDR_PORT_STRLEN];

	cfg_error_at(d, s->vip_pos, "service '%s' listens on %s/%s like service '%s' at line "
		     "%u; a VIP, port and protocol can belong to one service only", s->name,
		     addr_format_port(&s->vip, s->port, vip, sizeof(vip)),
		     xlb_proto_str(s->protocol), f->name, f->pos.line);
}

/* ---- one service ---------------------------------------------------------- */

static void check_family(struct cfg_diag *d, const struct cfg_service *svc,
			 const struct xlb_addr *a, struct cfg_pos pos, const char *what,
			 const char *fix)
{
	char vip[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN];

	if (a->family == svc->vip.family || !a->family || !svc->vip.family)
		return;
	cfg_error_at(d, pos, "%s: %s is %s but the VIP %s is %s; xlb does not translate "
		     "between address families (forwarding: %s): %s", what,
		     addr_format(a, text, sizeof(text)), addr_family_name(a->family),
		     addr_format(&svc->vip, vip, sizeof(vip)), addr_family_name(svc->vip.family),
		     xlb_fwd_str(svc->fwd), fix);
}

static void check_members(struct cfg_diag *d, const struct cfg_service *svc)
{
	uint32_t weights = 0;
	char what[XLB_NAME_MAX + 16], fix[XLB_NAME_MAX + 64];

	for (size_t i = 0; i < svc->n_members; i++) {
		const struct cfg_member *m = &svc->members[i];

		snprintf(what, sizeof(what), "member '%s'", m->name);
		snprintf(fix, sizeof(fix), "give '%s' an %s address or use an %s VIP", m->name,
			 addr_family_name(svc->vip.family), addr_family_name(m->addr.family));
		if (!m->is_hostname)
			check_family(d, svc, &m->addr, m->addr_pos, what, fix);
		if (svc->fwd == XLB_FWD_DSR && m->port && svc->port && m->port != svc->port)
			cfg_error_at(d, m->addr_pos, "member '%s': forwarding 'dsr' does not "
				     "rewrite ports, so its port %u must equal the VIP port %u",
				     m->name, m->port, svc->port);
		if (svc->sched == XLB_SCHED_RR && m->weight > 1)
			cfg_error_at(d, m->pos, "member '%s': weight %u has no effect with "
				     "scheduler 'round-robin'; use 'scheduler: weighted' (or "
				     "'maglev'), or weight 0 to drain", m->name, m->weight);
		weights += m->weight;
	}
	if (svc->sched == XLB_SCHED_WRR && weights > XLB_MAX_SLOTS)
		cfg_error_at(d, svc->members_pos, "members: the weights add up to %u but a "
			     "weighted service has %d slots; lower the weights", weights,
			     XLB_MAX_SLOTS);
}

static struct dup_item *dup_items_alloc(struct cfg_diag *d, size_t n)
{
	struct dup_item *items = calloc(n ? n : 1, sizeof(*items));

	if (!items)
		cfg_error_at(d, (struct cfg_pos){0}, "out of memory while checking duplicates");
	return items;
}

/* Members whose name or address did not parse are left out: their error is
 * already reported and they would all look alike. */
static void check_member_duplicates(struct cfg_diag *d, const struct cfg_service *svc)
{
	struct dup_item *items = dup_items_alloc(d, svc->n_members);
	size_t n = 0;

	if (!items)
		return;
	for (size_t i = 0; i < svc->n_members; i++)
		if (svc->members[i].name[0])
			items[n++] = (struct dup_item){&svc->members[i], svc->members[i].pos};
	find_duplicates(d, items, n, member_name_cmp, report_member_name);
	n = 0;
	for (size_t i = 0; i < svc->n_members; i++) {
		const struct cfg_member *m = &svc->members[i];

		if ((m->is_hostname || m->addr.family) && m->port)
			items[n++] = (struct dup_item){m, m->addr_pos};
	}
	find_duplicates(d, items, n, member_target_cmp, report_member_target);
	free(items);
}

void cfg_check_service(struct cfg_diag *d, const struct cfg_service *svc)
{
	check_members(d, svc);
	check_member_duplicates(d, svc);

	if (svc->has_sorry && svc->on_empty != XLB_ON_EMPTY_SORRY)
		cfg_error_at(d, svc->sorry_pos, "sorry_address is only used with 'on_empty: "
			     "sorry' (this service has on_empty: %s)",
			     xlb_on_empty_str(svc->on_empty));
	if (svc->has_sorry)
		check_family(d, svc, &svc->sorry_addr, svc->sorry_pos, "sorry_address",
			     "use a sorry_address of the VIP's family");
	if (svc->on_empty == XLB_ON_EMPTY_SORRY && !svc->has_sorry &&
	    svc->protocol == IPPROTO_UDP)
		cfg_error_at(d, svc->pos, "service '%s': the built-in sorry responder answers "
			     "HTTP over TCP; give a UDP service a sorry_address", svc->name);
	if (svc->has_snat && svc->fwd != XLB_FWD_NAT)
		cfg_error_at(d, svc->snat_pos, "snat is only used with 'forwarding: nat' (this "
			     "service forwards with %s, which keeps the client's address)",
			     xlb_fwd_str(svc->fwd));
	else
		for (size_t i = 0; i < svc->n_snat; i++)
			check_family(d, svc, &svc->snat[i], svc->snat_addr_pos[i], "snat",
				     "use an snat address of the VIP's family");
}

/* ---- the whole file -------------------------------------------------------- */

/* The data plane holds one small table of the balancer's own source
 * addresses (xlb_snat): a single address takes an entry unless another
 * service's already did, a pool a run of entries unless the same pool (the
 * same addresses in the same order) has one.  Counted as if every single
 * address came before the pools, the most they can take. */
static bool same_pool(const struct cfg_service *a, const struct cfg_service *b)
{
	if (a->n_snat != b->n_snat)
		return false;
	for (size_t i = 0; i < a->n_snat; i++)
		if (!addr_equal(&a->snat[i], &b->snat[i]))
			return false;
	return true;
}

static void check_snat_count(struct cfg_diag *d, const struct xlb_config *cfg)
{
	struct xlb_addr seen[XLB_MAX_SNAT_ADDRS];
	size_t n = 0, used;

	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *s = &cfg->services[i];
		size_t j;

		if (s->n_snat != 1)
			continue;
		for (j = 0; j < n && !addr_equal(&seen[j], &s->snat[0]); j++)
			;
		if (j < n)
			continue;
		if (n == XLB_MAX_SNAT_ADDRS) {
			cfg_error_at(d, s->snat_pos, "snat: more than %d different snat addresses "
				     "over all services (the data plane's limit); let services "
				     "share them", XLB_MAX_SNAT_ADDRS);
			return;
		}
		seen[n++] = s->snat[0];
	}
	used = n;
	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *s = &cfg->services[i];
		size_t j;

		if (s->n_snat < 2)
			continue;
		for (j = 0; j < i && !(cfg->services[j].n_snat >= 2 && same_pool(&cfg->services[j], s)); j++)
			;
		if (j < i)
			continue;
		if (used + s->n_snat > XLB_MAX_SNAT_ADDRS) {
			cfg_error_at(d, s->snat_pos, "snat: this pool of %zu addresses does not fit "
				     "the data plane's %d snat entries, %zu of which the snat "
				     "addresses and pools before it take; let services share pools "
				     "(the same addresses in the same order are stored once)",
				     s->n_snat, XLB_MAX_SNAT_ADDRS, used);
			return;
		}
		used += s->n_snat;
	}
}

/* Each maglev service holds two tables of XLB_MAGLEV_SIZE entries in the
 * data plane, which has room for XLB_MAX_MAGLEV_SERVICES of them. */
static void check_maglev_count(struct cfg_diag *d, const struct xlb_config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *s = &cfg->services[i];

		if (s->sched != XLB_SCHED_MAGLEV || ++n <= XLB_MAX_MAGLEV_SERVICES)
			continue;
		cfg_error_at(d, s->pos, "service '%s': more than %d services use scheduler "
			     "'maglev' (the data plane holds two %d-entry tables for each); "
			     "use 'weighted' or 'round-robin' for the others", s->name,
			     XLB_MAX_MAGLEV_SERVICES, XLB_MAGLEV_SIZE);
		return;
	}
}

/* dnat translates a member's replies by their source (address, port,
 * protocol) alone, on any node and without per-connection state
 * (xlb_dnat_rev): each source leads back to one service's VIP.  The
 * sources are the members of dnat services and their sorry_address. */
struct dnat_src {
	const struct cfg_service *svc;
	const struct cfg_member *m; /* NULL: the service's sorry_address */
	struct cfg_pos pos;
};

static const struct xlb_addr *dnat_src_addr(const struct dnat_src *s)
{
	return s->m ? &s->m->addr : &s->svc->sorry_addr;
}

static uint16_t dnat_src_port(const struct dnat_src *s)
{
	return s->m ? s->m->port : s->svc->sorry_port;
}

static int dnat_src_cmp(const void *pa, const void *pb)
{
	const struct dnat_src *a = pa, *b = pb;
	bool ha = a->m && a->m->is_hostname, hb = b->m && b->m->is_hostname;

	if (a->svc->protocol != b->svc->protocol)
		return a->svc->protocol < b->svc->protocol ? -1 : 1;
	if (dnat_src_port(a) != dnat_src_port(b))
		return dnat_src_port(a) < dnat_src_port(b) ? -1 : 1;
	if (ha != hb)
		return ha ? 1 : -1;
	return ha ? strcasecmp(a->m->host, b->m->host) : addr_cmp(dnat_src_addr(a), dnat_src_addr(b));
}

static const char *dnat_src_text(const struct dnat_src *s, char *buf, size_t len)
{
	char at[XLB_HOSTNAME_MAX + 8];

	if (s->m && s->m->is_hostname)
		snprintf(at, sizeof(at), "%s:%u", s->m->host, s->m->port);
	else
		addr_format_port(dnat_src_addr(s), dnat_src_port(s), at, sizeof(at));
	if (s->m)
		snprintf(buf, len, "member '%s' (%s/%s)", s->m->name, at, xlb_proto_str(s->svc->protocol));
	else
		snprintf(buf, len, "sorry_address %s/%s", at, xlb_proto_str(s->svc->protocol));
	return buf;
}

/* A source listed twice in one service is reported with its members. */
static void report_dnat_src(struct cfg_diag *d, const void *dup, const void *first)
{
	const struct dnat_src *s = dup, *f = first;
	char what[XLB_NAME_MAX + XLB_HOSTNAME_MAX + 32], other[XLB_NAME_MAX + XLB_HOSTNAME_MAX + 32];

	if (s->svc == f->svc)
		return;
	cfg_error_at(d, s->pos, "%s of dnat service '%s' is also %s of dnat service '%s' at line "
		     "%u: dnat translates a member's replies by their source address, port and "
		     "protocol alone (on any node, without per-connection state), so each can "
		     "lead back to one service only; give it another port, or use 'forwarding: "
		     "nat' for one of the services",
		     dnat_src_text(s, what, sizeof(what)), s->svc->name,
		     dnat_src_text(f, other, sizeof(other)), f->svc->name, f->pos.line);
}

static void check_dnat_sources(struct cfg_diag *d, const struct xlb_config *cfg)
{
	struct dnat_src *src = calloc(cfg->n_members + cfg->n_services + 1, sizeof(*src));
	struct dup_item *items = dup_items_alloc(d, cfg->n_members + cfg->n_services);
	size_t n = 0;

	if (!src || !items) {
		free(src);
		free(items);
		return;
	}
	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *s = &cfg->services[i];

		if (s->fwd != XLB_FWD_DNAT)
			continue;
		for (size_t j = 0; j < s->n_members; j++) {
			const struct cfg_member *m = &s->members[j];

			if ((m->is_hostname || m->addr.family) && m->port)
				src[n++] = (struct dnat_src){ s, m, m->addr_pos };
		}
		if (s->has_sorry && s->on_empty == XLB_ON_EMPTY_SORRY && s->sorry_addr.family &&
		    s->sorry_port)
			src[n++] = (struct dnat_src){ s, NULL, s->sorry_pos };
	}
	for (size_t i = 0; i < n; i++)
		items[i] = (struct dup_item){ &src[i], src[i].pos };
	find_duplicates(d, items, n, dnat_src_cmp, report_dnat_src);
	free(items);
	free(src);
}

void cfg_check_config(struct cfg_diag *d, const struct xlb_config *cfg)
{
	struct dup_item *items = dup_items_alloc(d, cfg->n_services);
	size_t n = 0;

	if (!items)
		return;
	for (size_t i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].name[0])
			items[n++] = (struct dup_item){&cfg->services[i], cfg->services[i].pos};
	find_duplicates(d, items, n, service_name_cmp, report_service_name);
	n = 0;
	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *s = &cfg->services[i];

		if (s->vip.family && s->port)
			items[n++] = (struct dup_item){s, s->vip_pos};
	}
	find_duplicates(d, items, n, service_listener_cmp, report_service_listener);
	free(items);
	check_snat_count(d, cfg);
	check_maglev_count(d, cfg);
	cfg_check_announce(d, cfg);
	check_dnat_sources(d, cfg);
}

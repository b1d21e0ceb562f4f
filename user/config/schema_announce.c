// SPDX-License-Identifier: MIT
/* The schema of `announce:`, globally (where the VIPs are announced) and
 * per service (when), and the checks that join the two. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "config/internal.h"

enum { GA_TABLE, GA_L2, GA__N };
static const char *const global_announce_keys[GA__N] = {
	[GA_TABLE] = "table", [GA_L2] = "l2",
};

enum { SA_MIN_MEMBERS, SA_UP_DELAY, SA__N };
static const char *const service_announce_keys[SA__N] = {
	[SA_MIN_MEMBERS] = "min_members", [SA_UP_DELAY] = "up_delay",
};

static const char *const bool_words[] = { "false", "true" };

/* The kernel's own tables, by number and by the names `ip route` gives
 * them: routes there would be used for forwarding on this host. */
static const struct {
	uint32_t id;
	const char *name;
} reserved_tables[] = {
	{ RT_TABLE_UNSPEC, "unspec" },
	{ RT_TABLE_DEFAULT, "default" },
	{ RT_TABLE_MAIN, "main" },
	{ RT_TABLE_LOCAL, "local" },
};

static void parse_table(struct cfg_diag *d, const struct ynode *v, uint32_t *out)
{
	const char *s;
	uint32_t n;

	if (cfg_want_string(d, v, "table", &s))
		return;
	for (size_t i = 0; i < sizeof(reserved_tables) / sizeof(reserved_tables[0]); i++) {
		char num[16];

		snprintf(num, sizeof(num), "%u", reserved_tables[i].id);
		if (strcmp(s, reserved_tables[i].name) && strcmp(s, num))
			continue;
		cfg_error_at(d, v->pos, "table: %s is the kernel's '%s' table (%u), which it "
			     "forwards with; give xlb a table of its own that no other program "
			     "writes, e.g. 100 (1-252 or 256-4294967295; a routing daemon learns "
			     "the VIPs from it)", s, reserved_tables[i].name, reserved_tables[i].id);
		return;
	}
	if (!cfg_want_uint(d, v, "table", 1, UINT32_MAX, &n))
		*out = n;
}

void cfg_parse_announce_global(struct cfg_diag *d, const struct ynode *key,
			       const struct ynode *v, struct cfg_announce_global *g)
{
	const struct ynode *k[GA__N], *val[GA__N];
	unsigned u, typos;

	g->pos = key->pos;
	if (cfg_want_kind(d, v, "announce", YN_MAP))
		return;
	typos = cfg_map_fields(d, v, "in announce", global_announce_keys, GA__N, k, val);
	if (val[GA_TABLE])
		parse_table(d, val[GA_TABLE], &g->table);
	if (val[GA_L2] && !cfg_want_enum(d, val[GA_L2], "l2", bool_words, 2, &u))
		g->l2 = u;
	if (!val[GA_TABLE] && !val[GA_L2] && !typos)
		cfg_error_at(d, v->pos, "announce: give 'table: N', the kernel routing table "
			     "where xlb keeps a route for each served VIP, or 'l2: true' to answer "
			     "ARP and neighbour solicitation for them (or leave 'announce:' out)");
}

/* 0 with or without a unit: no delay; else a duration of at most an hour. */
static void parse_up_delay(struct cfg_diag *d, const struct ynode *v, uint32_t *out)
{
	const char *s;

	size_t zeros;

	if (cfg_want_string(d, v, "up_delay", &s))
		return;
	zeros = strspn(s, "0");
	if (zeros && (!s[zeros] || !strcmp(s + zeros, "ms") || !strcmp(s + zeros, "s") ||
		      !strcmp(s + zeros, "m") || !strcmp(s + zeros, "h"))) {
		*out = 0;
		return;
	}
	cfg_want_duration(d, v, "up_delay", 1, CFG_ANNOUNCE_UP_DELAY_MAX_MS, out);
}

/* `announce: false`, `announce: true`, or a mapping of min_members and
 * up_delay; v NULL (no key) leaves the defaults. */
void cfg_parse_announce_service(struct cfg_diag *d, const struct ynode *key,
				const struct ynode *v, struct cfg_announce *a)
{
	const struct ynode *k[SA__N], *val[SA__N];
	unsigned u;

	*a = (struct cfg_announce){ .enabled = true, .min_members = CFG_ANNOUNCE_MIN_MEMBERS };
	if (!v)
		return;
	a->pos = key->pos;
	if (v->kind == YN_SCALAR && !ynode_is_null(v)) {
		if (!cfg_want_enum(d, v, "announce", bool_words, 2, &u))
			a->enabled = u;
		return;
	}
	if (cfg_want_kind(d, v, "announce", YN_MAP))
		return;
	cfg_map_fields(d, v, "in announce", service_announce_keys, SA__N, k, val);
	if (val[SA_MIN_MEMBERS])
		cfg_want_uint(d, val[SA_MIN_MEMBERS], "min_members", 1,
			      XLB_MAX_MEMBERS_PER_SERVICE, &a->min_members);
	if (val[SA_UP_DELAY])
		parse_up_delay(d, val[SA_UP_DELAY], &a->up_delay_ms);
}

void cfg_check_announce(struct cfg_diag *d, const struct xlb_config *cfg)
{
	const struct cfg_announce_global *g = &cfg->global.announce;

	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *s = &cfg->services[i];
		bool hostnames = false;

		if (!s->announce.pos.line)
			continue;
		if (!g->table && !g->l2) {
			cfg_error_at(d, s->announce.pos, "service '%s': announce has no effect: no "
				     "VIP is announced without 'announce: {table: N}' or 'announce: "
				     "{l2: true}' under 'global:'", s->name);
			continue;
		}
		for (size_t j = 0; j < s->n_members; j++)
			hostnames |= s->members[j].is_hostname;
		/* A hostname member may stand for many backends. */
		if (s->announce.enabled && !hostnames && s->n_members &&
		    s->announce.min_members > s->n_members)
			cfg_error_at(d, s->announce.pos, "service '%s': min_members %u but the "
				     "service has %zu member%s: its VIP would never be announced",
				     s->name, s->announce.min_members, s->n_members,
				     s->n_members == 1 ? "" : "s");
	}
}

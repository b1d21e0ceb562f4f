// SPDX-License-Identifier: MIT
/* The data plane's other schedulers, forwarding modes and no-member
 * answers, packet in, exact packet out: Maglev picks the member the
 * table built in user space names for the flow's hash. */
#include <arpa/inet.h>

#include "dp_env.h"
#include "maglev.h"
#include "xlb/flow_hash.h"

static uint32_t maglev_table[XLB_MAGLEV_SIZE];

/* Re-publishes service svc_id (members 3*svc_id..+2) with another
 * scheduler or forwarding mode, staging a Maglev table for it. */
static int republish(struct env *e, uint32_t svc_id, const char *vip, uint16_t port, uint8_t proto,
		     uint8_t sched, uint8_t fwd)
{
	struct xlb_service svc = { .id = svc_id, .scheduler = sched, .forwarding = fwd,
				   .sorry_member = XLB_SORRY_BUILTIN };
	struct maglev_member mm[3] = {
		{ "m0|a|1", svc_id * 3, 1 }, { "m1|b|1", svc_id * 3 + 1, 1 }, { "m2|c|1", svc_id * 3 + 2, 1 },
	};
	uint32_t ids[3] = { svc_id * 3, svc_id * 3 + 1, svc_id * 3 + 2 };
	struct xlb_svc_key key;
	int err;

	env_svc_key(&key, vip, port, proto);
	if (sched == XLB_SCHED_MAGLEV) {
		err = maglev_build(mm, 3, maglev_table, XLB_MAGLEV_SIZE);
		if (!err)
			err = xlb_maps_maglev_stage(&e->dp.maps, &key, 0, maglev_table);
		if (err)
			return err;
	}
	return xlb_maps_service_publish(&e->dp.maps, &key, &svc, ids, 3);
}

/* The member index (0..2) the Maglev table gives the client's flow. */
static int maglev_pick(const struct pkt_desc *d, uint32_t svc_id)
{
	struct xlb_flow_key k;

	memset(&k, 0, sizeof(k));
	memcpy(k.src.bytes, d->src, d->family == 4 ? 4 : 16);
	memcpy(k.dst.bytes, d->dst, d->family == 4 ? 4 : 16);
	k.sport = htons(d->sport);
	k.dport = htons(d->dport);
	k.proto = d->proto;
	k.family = d->family == 4 ? XLB_FAMILY_IPV4 : XLB_FAMILY_IPV6;
	return (int)(maglev_table[xlb_flow_hash(&k) % XLB_MAGLEV_SIZE] - svc_id * 3);
}

TEST(maglev_sends_each_new_flow_to_the_member_of_its_hash)
{
	uint16_t next_port[3] = { NAT_PORT0, NAT_PORT0, NAT_PORT0 };
	int seen[3] = { 0 };
	struct pkt_desc syn, want;
	struct env e;

	ENV_OPEN(&e, NULL);
	CHECK(republish(&e, SVC_TCP4, "198.18.0.100", 80, IPPROTO_TCP, XLB_SCHED_MAGLEV,
			XLB_FWD_NAT) == 0);
	for (uint16_t sport = 40000; sport < 40024; sport++) {
		int i;

		syn = from_client(4, IPPROTO_TCP, sport, TCPF_SYN);
		i = maglev_pick(&syn, SVC_TCP4);
		CHECK(i >= 0 && i < 3);
		want = to_member(&syn, i, next_port[i]++);
		EXPECT(&e, e.if_client, &syn, XDP_REDIRECT, &want, "SYN");
		seen[i]++;
	}
	/* 24 flows over three equal shares: each member gets some. */
	CHECK(seen[0] && seen[1] && seen[2]);
	CHECK(env_reason(&e, XLB_R_TX_NEW_FLOW) == 24);
out:
	env_close(&e);
}

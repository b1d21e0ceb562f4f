// SPDX-License-Identifier: MIT
/* Randomized packets through the XDP program: structured random packets
 * (random fields from small sets, so they hit services, flows and replies),
 * the same with random bytes flipped or cut, and plain random frames.
 * Invariants: never XDP_ABORTED; XDP_PASS leaves the packet unchanged; a
 * packet not addressed to a VIP or the balancer itself is passed
 * unchanged; a rewritten packet has valid checksums (when the input had)
 * and belongs to a flow in the table (or is an RST/ICMP xlb built). */
#include "dp_env.h"
#include "dp/sweep.h"

#define N_PACKETS 120000

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible from XLB_SEED. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static const char *pick(const char *const *v, size_t n)
{
	return v[rnd() % n];
}

#define PICK(v) pick(v, sizeof(v) / sizeof(v[0]))

static const char *const addrs4[] = { "198.18.0.100", "198.18.0.101", "198.18.0.102", "198.18.0.10",
				      "198.18.0.11", "198.18.1.1", "198.18.1.11", "198.18.1.12",
				      "198.18.5.5" };
static const char *const addrs6[] = { "fd00::100", "fd00::10", "fd00::11", "fd00:1::1", "fd00:1::11",
				      "fd00:1::12", "fd00:5::5" };
static const uint16_t ports[] = { 80, 53, 8080, 5353, 22, 1024, 1025, 1026, 40000, 40001, 40002 };

/* Client -> VIP of a test service, or member -> balancer on a NAT port. */
static void steer(struct pkt_desc *d)
{
	static const char *const clients4[] = { "198.18.0.10", "198.18.0.11" };
	static const char *const clients6[] = { "fd00::10", "fd00::11" };
	static const char *const members4[] = { "198.18.1.11", "198.18.1.12", "198.18.1.13" };
	static const char *const members6[] = { "fd00:1::11", "fd00:1::12", "fd00:1::13" };
	int v4 = d->family == 4, udp = d->proto == IPPROTO_UDP;

	if (d->proto != IPPROTO_TCP && !udp)
		d->proto = IPPROTO_TCP;
	if (rnd() & 1) {
		pkt_addr(v4 ? PICK(clients4) : PICK(clients6), d->src);
		pkt_addr(v4 ? "198.18.0.100" : "fd00::100", d->dst);
		d->sport = (uint16_t)(40000 + rnd() % 4);
		d->dport = udp ? 53 : 80;
	} else {
		pkt_addr(v4 ? PICK(members4) : PICK(members6), d->src);
		pkt_addr(v4 ? "198.18.1.1" : "fd00:1::1", d->dst);
		d->sport = udp ? UDP_MEMBER_PORT : TCP_MEMBER_PORT;
		d->dport = (uint16_t)(NAT_PORT0 + rnd() % 8);
	}
}

static void swap_ends(struct pkt_desc *d)
{
	uint8_t a[16];
	uint16_t p = d->sport;

	memcpy(a, d->src, 16);
	memcpy(d->src, d->dst, 16);
	memcpy(d->dst, a, 16);
	d->sport = d->dport;
	d->dport = p;
}

static void random_desc(struct pkt_desc *d, uint8_t *payload, uint8_t *quoted)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	static const uint8_t flags[] = { TCPF_SYN, TCPF_SYN, TCPF_ACK, TCPF_ACK | TCPF_PSH,
					 TCPF_SYN | TCPF_ACK, TCPF_FIN | TCPF_ACK, TCPF_RST, 0xff };
	static const uint8_t opts[8] = { 1, 1, 1, 1, 1, 1, 1, 0 };
	int v4 = rnd() % 3 != 0;

	memset(d, 0, sizeof(*d));
	d->family = v4 ? 4 : 6;
	pkt_mac(rnd() & 1 ? MAC_CLIENT : env_member_mac[rnd() % 3], d->smac);
	pkt_mac(rnd() & 1 ? MAC_BAL_C : MAC_BAL_M, d->dmac);
	pkt_addr(v4 ? PICK(addrs4) : PICK(addrs6), d->src);
	pkt_addr(v4 ? PICK(addrs4) : PICK(addrs6), d->dst);
	d->proto = protos[rnd() % sizeof(protos)];
	if (!v4 && d->proto == IPPROTO_ICMP)
		d->proto = IPPROTO_ICMPV6;
	d->sport = ports[rnd() % (sizeof(ports) / sizeof(ports[0]))];
	d->dport = ports[rnd() % (sizeof(ports) / sizeof(ports[0]))];
	d->tcp_flags = flags[rnd() % sizeof(flags)];
	d->seq = rnd();
	d->ack = rnd();
	d->ttl = (uint8_t)(rnd() % 8 == 0 ? rnd() % 3 : 64);
	d->vlan = rnd() % 8 == 0 ? 7 : 0;
	d->udp_no_csum = rnd() % 4 == 0;
	if (v4 && rnd() % 8 == 0) {
		d->ip_opts = opts;
		d->ip_opts_len = sizeof(opts);
	}
	if (v4 && rnd() % 16 == 0)
		d->frag = (uint16_t)(rnd() & 0x3fff);
	/* Half of them look like traffic of the test services. */
	if (rnd() & 1)
		steer(d);
	d->payload_len = rnd() % 64;
	for (size_t i = 0; i < d->payload_len; i++)
		payload[i] = (uint8_t)rnd();
	d->payload = payload;
	if ((d->proto == IPPROTO_ICMP || d->proto == IPPROTO_ICMPV6) && quoted) {
		struct pkt_desc q;
		uint8_t frame[PKT_MAX], qp[PKT_MAX];

		/* An error quoting another random TCP/UDP packet. */
		d->icmp_type = v4 ? (rnd() & 1 ? 3 : 8) : (uint8_t)(1 + rnd() % 3);
		d->icmp_code = (uint8_t)(rnd() % 5);
		random_desc(&q, qp, NULL);
		q.family = d->family;
		q.proto = rnd() & 1 ? IPPROTO_TCP : IPPROTO_UDP;
		q.payload_len = 0;
		q.vlan = 0;
		q.frag = 0;
		q.ip_opts_len = 0;
		steer(&q);
		/* Quote the packet xlb would have sent: the other way round. */
		swap_ends(&q);
		if (rnd() & 1) {
			memcpy(d->dst, q.src, 16);
		}
		size_t n = pkt_build(&q, frame, sizeof(frame)) - 14;

		n = rnd() & 1 ? n : (v4 ? 28 : 48);
		memcpy(quoted, frame + 14, n);
		d->payload = quoted;
		d->payload_len = n;
	}
}

/* The destination address of a frame if it has one, for the "not for us"
 * invariant. */
static bool frame_dst(const uint8_t *f, size_t len, int *family, uint8_t dst[16])
{
	size_t l3 = 14;
	uint16_t type;

	if (len < 14)
		return false;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == 0x8100 || type == 0x88a8) {
		if (len < 18)
			return false;
		type = (uint16_t)(f[16] << 8 | f[17]);
		l3 = 18;
	}
	memset(dst, 0, 16);
	if (type == 0x0800 && len >= l3 + 20) {
		*family = 4;
		memcpy(dst, f + l3 + 16, 4);
		return true;
	}
	if (type == 0x86dd && len >= l3 + 40) {
		*family = 6;
		memcpy(dst, f + l3 + 24, 16);
		return true;
	}
	return false;
}

static bool addressed_to_us(const uint8_t *f, size_t len)
{
	static const char *const ours[] = { "198.18.0.100", "198.18.0.101", "198.18.0.102",
					    "198.18.1.1", "fd00::100", "fd00:1::1" };
	uint8_t dst[16], a[16];
	int family;

	if (!frame_dst(f, len, &family, dst))
		return false;
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		pkt_addr(ours[i], a);
		if ((family == 4) == (strchr(ours[i], ':') == NULL) && memcmp(a, dst, 16) == 0)
			return true;
	}
	return false;
}

/* A rewritten TCP/UDP packet belongs to a flow: its reverse tuple is an
 * entry of either table (the reply entry for a forward rewrite and the
 * other way round). */
static bool has_flow(struct env *e, const struct pkt_tuple *t)
{
	struct xlb_flow_key k;
	struct xlb_flow f;

	memset(&k, 0, sizeof(k));
	memcpy(k.src.bytes, t->dst, 16);
	memcpy(k.dst.bytes, t->src, 16);
	k.sport = htons(t->dport);
	k.dport = htons(t->sport);
	k.proto = t->proto;
	k.family = t->family == 4 ? XLB_FAMILY_IPV4 : XLB_FAMILY_IPV6;
	return bpf_map_lookup_elem(e->dp.maps.flows, &k, &f) == 0 ||
	       bpf_map_lookup_elem(e->dp.maps.halfopen, &k, &f) == 0;
}

TEST(random_and_mutated_packets_keep_the_invariants)
{
	uint8_t in[PKT_MAX], out[PKT_MAX], payload[PKT_MAX], quoted[PKT_MAX];
	unsigned long counts[8] = { 0 }, refused = 0;
	uint32_t replies = 0;
	const char *seed_env = getenv("XLB_SEED");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x5eed;
	struct pkt_desc d;
	struct env e;

	ENV_OPEN(&e, NULL);
	rng_state = seed ? seed : 1;
	printf("  seed %#llx (XLB_SEED=... to replay)\n", (unsigned long long)seed);
	for (int n = 0; n < N_PACKETS; n++) {
		uint32_t kind = rnd() % 10;
		size_t len, olen = 0;
		bool in_valid;
		const char *why;
		struct pkt_tuple t;
		int ret;

		if (kind < 8) {
			random_desc(&d, payload, quoted);
			len = pkt_build(&d, in, sizeof(in));
			if (kind >= 5) {
				/* Flip up to 4 bytes, sometimes cut. */
				for (uint32_t f = rnd() % 4 + 1; f > 0; f--)
					in[rnd() % len] ^= (uint8_t)(1 + rnd() % 255);
				if (rnd() % 4 == 0)
					len = 14 + rnd() % (len - 13);
			}
		} else {
			len = 14 + rnd() % 120;
			for (size_t i = 0; i < len; i++)
				in[i] = (uint8_t)rnd();
			if (rnd() & 1) {
				in[12] = rnd() & 1 ? 0x08 : 0x86;
				in[13] = in[12] == 0x08 ? 0x00 : 0xdd;
			}
		}
		in_valid = pkt_csums_ok(in, len, &why);
		ret = env_run(&e, rnd() & 1 ? e.if_client : e.if_member, in, len, out, &olen);
		/* The skb test run refuses a frame whose network header is
		 * cut short (the XDP run takes it). */
		if (env_tc() && ret == -EINVAL) {
			refused++;
			continue;
		}
		if (ret < 0 || ret == XDP_ABORTED || ret > XDP_REDIRECT) {
			xt_fail(__FILE__, __LINE__, "packet %d: verdict %d", n, ret);
			xt_hexdump_diff(in, in, len);
			goto out;
		}
		counts[ret]++;
		if ((ret == XDP_PASS || !addressed_to_us(in, len)) &&
		    (ret != XDP_PASS || olen != len || memcmp(in, out, len) != 0)) {
			xt_fail(__FILE__, __LINE__, "packet %d: verdict %d, expected XDP_PASS unchanged", n, ret);
			xt_hexdump_diff(in, out, len < olen ? len : olen);
			goto out;
		}
		if (ret != XDP_TX && ret != XDP_REDIRECT)
			continue;
		if (in_valid && !pkt_csums_ok(out, olen, &why)) {
			xt_fail(__FILE__, __LINE__, "packet %d: %s wrong after the rewrite", n, why);
			xt_hexdump_diff(in, out, len < olen ? len : olen);
			goto out;
		}
		/* RSTs xlb built are answers, not flows; ICMP is checked above.
		 * (tc cannot tell an answer's redirect from a forward's.) */
		if (pkt_tuple(out, olen, &t) && !(t.proto == IPPROTO_TCP && (t.tcp_flags & TCPF_RST) &&
						  (ret == XDP_TX || env_tc())) && !has_flow(&e, &t)) {
			xt_fail(__FILE__, __LINE__, "packet %d: rewritten packet has no flow", n);
			xt_hexdump_diff(in, out, len < olen ? len : olen);
			goto out;
		}
	}
	printf("  %d packets: %lu pass, %lu drop, %lu tx, %lu redirect, %lu refused by the skb test run\n",
	       N_PACKETS, counts[XDP_PASS], counts[XDP_DROP], counts[XDP_TX], counts[XDP_REDIRECT], refused);
	for (unsigned int r = 0; r < XLB_R_MAX; r++)
		if (env_reason(&e, r))
			printf("  %-20s %llu\n", xlb_reason_name(r), (unsigned long long)env_reason(&e, r));
	CHECK(counts[XDP_REDIRECT] > 1000 && counts[XDP_TX] > 100);
	CHECK(env_reason(&e, XLB_R_TX_ICMP_REPLY) > 0 && env_reason(&e, XLB_R_TX_ICMP_FORWARD) > 0);
	/* The NAT ports held, counted exactly, before and after a sweep. */
	CHECK(held_exact(&e, &replies));
	printf("  %u reply entries in xlb_flows, each counted in xlb_nat_held\n", replies);
	CHECK(replies > 0);
	CHECK_EQ(0, xlb_sweep_run(xlb_dp_sweep_prog_fd(&e.dp)));
	CHECK(held_exact(&e, &replies));
out:
	env_close(&e);
}

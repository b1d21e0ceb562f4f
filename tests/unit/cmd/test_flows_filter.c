// SPDX-License-Identifier: MIT
/* `xlb flows` filters without root: --member ADDR[:PORT] and --client
 * ADDR[/PREFIX] as read from the command line (every accepted form, every
 * refused one), and which forward entries they let through, alone and
 * combined with --service. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "cmd/flows_filter.h"
#include "test.h"

static int filter(const char *service, const char *member, const char *client, struct flows_filter *f,
		  char *err)
{
	struct cli_args a = { .service = service, .member = member, .client = client };

	err[0] = '\0';
	return flows_filter_from_args(&a, f, err, 200);
}

/* A forward entry: client -> VIP rewritten toward member:mport. */
static void flow(struct xlb_flow_key *k, struct xlb_flow *v, int af, const char *client,
		 const char *member, __u16 mport)
{
	memset(k, 0, sizeof(*k));
	memset(v, 0, sizeof(*v));
	k->family = v->family = af == AF_INET ? XLB_FAMILY_IPV4 : XLB_FAMILY_IPV6;
	inet_pton(af, client, k->src.bytes);
	inet_pton(af, member, v->nat_dst.bytes);
	k->sport = htons(40000);
	k->proto = IPPROTO_TCP;
	v->nat_dport = htons(mport);
	v->dir = XLB_DIR_FORWARD;
}

TEST(member_forms_give_address_and_port)
{
	struct flows_filter f;
	char err[200], text[64];

	ASSERT_EQ(0, filter(NULL, "198.18.1.2", NULL, &f, err));
	ASSERT_TRUE(f.member);
	ASSERT_EQ(XLB_FAMILY_IPV4, f.member_family);
	ASSERT_EQ(0, f.member_port);
	ASSERT_STR_EQ("198.18.1.2", inet_ntop(AF_INET, f.member_addr.bytes, text, sizeof(text)));
	ASSERT_EQ(0, filter(NULL, "198.18.1.2:8080", NULL, &f, err));
	ASSERT_EQ(8080, f.member_port);
	ASSERT_EQ(0, filter(NULL, "fd00::2", NULL, &f, err));
	ASSERT_EQ(XLB_FAMILY_IPV6, f.member_family);
	ASSERT_EQ(0, f.member_port);
	ASSERT_STR_EQ("fd00::2", inet_ntop(AF_INET6, f.member_addr.bytes, text, sizeof(text)));
	ASSERT_EQ(0, filter(NULL, "[fd00::2]", NULL, &f, err));
	ASSERT_EQ(0, f.member_port);
	ASSERT_EQ(0, filter(NULL, "[fd00::2]:443", NULL, &f, err));
	ASSERT_EQ(443, f.member_port);
	ASSERT_STR_EQ("fd00::2", inet_ntop(AF_INET6, f.member_addr.bytes, text, sizeof(text)));
	ASSERT_EQ(0, filter(NULL, NULL, NULL, &f, err));
	ASSERT_TRUE(!f.member && !f.client && !f.service);
}

TEST(member_refuses_names_bad_ports_and_unbracketed_v6_ports)
{
	static const char *const bad[] = { "m1", "198.18.1.2:", "198.18.1.2:0", "198.18.1.2:65536",
					   "198.18.1.2:80x", "[198.18.1.2]:80", "[fd00::2", "[fd00::2]80",
					   "[fd00::2]:", "198.18.1.256", "", ":80", "198.18.1.2:+80" };
	struct flows_filter f;
	char err[200], want[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "--member '%s': an IP address with an optional port "
					     "(198.18.1.2, 198.18.1.2:80, fd00::2, [fd00::2]:80)", bad[i]);
		if (filter(NULL, bad[i], NULL, &f, err) != -EINVAL)
			printf("  --member '%s' was taken\n", bad[i]);
		ASSERT_STR_EQ(want, err);
	}
}

TEST(client_forms_give_a_prefix_with_host_bits_cleared)
{
	struct flows_filter f;
	char err[200], text[64];

	ASSERT_EQ(0, filter(NULL, NULL, "198.18.0.77", &f, err));
	ASSERT_EQ(32, f.client_prefix);
	ASSERT_EQ(0, filter(NULL, NULL, "198.18.0.77/20", &f, err));
	ASSERT_EQ(20, f.client_prefix);
	ASSERT_STR_EQ("198.18.0.0", inet_ntop(AF_INET, f.client_addr.bytes, text, sizeof(text)));
	ASSERT_EQ(0, filter(NULL, NULL, "0.0.0.0/0", &f, err));
	ASSERT_EQ(0, f.client_prefix);
	ASSERT_EQ(0, filter(NULL, NULL, "fd00:1:2:3::9/63", &f, err));
	ASSERT_EQ(XLB_FAMILY_IPV6, f.client_family);
	ASSERT_EQ(63, f.client_prefix);
	ASSERT_STR_EQ("fd00:1:2:2::", inet_ntop(AF_INET6, f.client_addr.bytes, text, sizeof(text)));
	ASSERT_EQ(0, filter(NULL, NULL, "fd00::1", &f, err));
	ASSERT_EQ(128, f.client_prefix);
}

TEST(client_refuses_bad_prefixes)
{
	static const char *const bad[] = { "198.18.0.0/33", "198.18.0.0/", "198.18.0.0/-1", "fd00::/129",
					   "198.18.0.0/2x", "web", "198.18.0.0:80" };
	struct flows_filter f;
	char err[200], want[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "--client '%s': an IP address or a prefix "
					     "(198.18.0.2, 198.18.0.0/24, fd00::/64)", bad[i]);
		if (filter(NULL, NULL, bad[i], &f, err) != -EINVAL)
			printf("  --client '%s' was taken\n", bad[i]);
		ASSERT_STR_EQ(want, err);
	}
}

TEST(member_matches_the_rewritten_destination_and_its_port_when_given)
{
	struct flows_filter f;
	struct xlb_flow_key k;
	struct xlb_flow v;
	char err[200];

	flow(&k, &v, AF_INET, "198.18.0.2", "198.18.1.2", 80);
	ASSERT_EQ(0, filter(NULL, "198.18.1.2", NULL, &f, err));
	ASSERT_TRUE(flows_filter_match(&f, &k, &v, "web"));
	ASSERT_EQ(0, filter(NULL, "198.18.1.2:80", NULL, &f, err));
	ASSERT_TRUE(flows_filter_match(&f, &k, &v, "web"));
	ASSERT_EQ(0, filter(NULL, "198.18.1.2:81", NULL, &f, err));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "web"));
	ASSERT_EQ(0, filter(NULL, "198.18.1.3", NULL, &f, err));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "web"));
	/* The client's address is not the member's. */
	ASSERT_EQ(0, filter(NULL, "198.18.0.2", NULL, &f, err));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "web"));
	/* Another family never matches, whatever its bytes. */
	ASSERT_EQ(0, filter(NULL, "c612:102::", NULL, &f, err));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "web"));
	flow(&k, &v, AF_INET6, "fd00::10", "fd00:1::2", 443);
	ASSERT_EQ(0, filter(NULL, "[fd00:1::2]:443", NULL, &f, err));
	ASSERT_TRUE(flows_filter_match(&f, &k, &v, "web6"));
	ASSERT_EQ(0, filter(NULL, "fd00:1::3", NULL, &f, err));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "web6"));
}

TEST(client_matches_by_prefix)
{
	struct flows_filter f;
	struct xlb_flow_key k;
	struct xlb_flow v;
	char err[200];

	flow(&k, &v, AF_INET, "198.18.0.130", "198.18.1.2", 80);
	ASSERT_EQ(0, filter(NULL, NULL, "198.18.0.130", &f, err));
	ASSERT_TRUE(flows_filter_match(&f, &k, &v, "web"));
	ASSERT_EQ(0, filter(NULL, NULL, "198.18.0.131", &f, err));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "web"));
	ASSERT_EQ(0, filter(NULL, NULL, "198.18.0.128/25", &f, err));
	ASSERT_TRUE(flows_filter_match(&f, &k, &v, "web"));
	ASSERT_EQ(0, filter(NULL, NULL, "198.18.0.0/25", &f, err));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "web"));
	ASSERT_EQ(0, filter(NULL, NULL, "0.0.0.0/0", &f, err));
	ASSERT_TRUE(flows_filter_match(&f, &k, &v, "web"));
	ASSERT_EQ(0, filter(NULL, NULL, "::/0", &f, err));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "web"));
	flow(&k, &v, AF_INET6, "fd00:0:0:1::10", "fd00:1::2", 443);
	ASSERT_EQ(0, filter(NULL, NULL, "fd00:0:0:0::/63", &f, err));
	ASSERT_TRUE(flows_filter_match(&f, &k, &v, "web6"));
	ASSERT_EQ(0, filter(NULL, NULL, "fd00:0:0:0::/64", &f, err));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "web6"));
}

TEST(filters_combine_with_the_service_all_must_match)
{
	struct flows_filter f;
	struct xlb_flow_key k;
	struct xlb_flow v;
	char err[200];

	flow(&k, &v, AF_INET, "198.18.0.2", "198.18.1.2", 80);
	ASSERT_EQ(0, filter("web", "198.18.1.2:80", "198.18.0.0/24", &f, err));
	ASSERT_TRUE(flows_filter_match(&f, &k, &v, "web"));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "api"));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, ""));
	ASSERT_EQ(0, filter("web", "198.18.1.2:80", "198.18.9.0/24", &f, err));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "web"));
	ASSERT_EQ(0, filter("web", "198.18.1.9", "198.18.0.0/24", &f, err));
	ASSERT_TRUE(!flows_filter_match(&f, &k, &v, "web"));
	ASSERT_EQ(0, filter(NULL, NULL, NULL, &f, err));
	ASSERT_TRUE(flows_filter_match(&f, &k, &v, ""));
}

int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}

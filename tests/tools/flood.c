// SPDX-License-Identifier: MIT
/* flood: a bounded, paced flood of spoofed TCP SYNs (or UDP datagrams) for
 * the e2e suites and `make bench`.  Frames leave through an AF_PACKET socket
 * on one interface of the network namespace it runs in, every checksum
 * computed in full (tests/lib/pkt.c), from random sources in a prefix and
 * random ports, to one VIP:port, at a rate, for a time and a count: the
 * first bound reached ends it.  The packets a real attacker would send, and
 * those the data plane must refuse (bad sources, a bad IPv4 header
 * checksum).
 *
 * Safety: it only runs inside a network namespace of `ip netns`, and
 * it only sends to, and spoofs from, the test ranges 198.18.0.0/15 and
 * fd00::/8 (a named bad source is the only exception: those are the point
 * of a test, and they still go to a test address).  Rate, time and count
 * are all required and capped. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <math.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkt.h"

#define RATE_MAX 5000000L
#define SECONDS_MAX 600.0
#define COUNT_MAX 1000000000L
#define BATCH_MAX 1024
#define FRAME_CAP 128
#define UDP_PAYLOAD 16
/* A schedule that fell this far behind (the CPU was elsewhere) restarts
 * from now instead of catching up in one burst the interface would drop. */
#define CATCHUP_MAX_NS 20000000LL
#define NETNS_RUN_DIR "/run/netns"
/* The pause before sending again into a full interface queue. */
#define FULL_WAIT_NS 20000

struct prefix {
	int family; /* 4 or 6 */
	uint8_t addr[16];
	unsigned int len;
};

struct opts {
	const char *iface;
	uint8_t gw_mac[6];
	bool have_gw_mac;
	int family;
	uint8_t dst[16];
	uint16_t port;
	struct prefix src;
	const char *bad_src; /* NULL, or the name of a fixed bad source */
	bool udp;
	bool bad_ip_csum;
	double rate, seconds;
	long count;
	int batch;
	uint64_t seed;
};

static const char usage_text[] =
	"usage: flood --iface IF --gw-mac MAC --dst ADDR --port PORT\n"
	"             (--src PREFIX | --bad-src NAME) --rate PPS --seconds S --count N\n"
	"             [--udp] [--bad-ip-csum] [--batch N] [--seed N]\n"
	"\n"
	"Sends spoofed TCP SYNs (--udp: UDP datagrams of 16 bytes) to ADDR:PORT out of\n"
	"interface IF to the next hop MAC, from random addresses of PREFIX and random\n"
	"ports 1024-65535, paced at PPS packets/s; ends after S seconds or N packets,\n"
	"whichever comes first.  Runs only inside a network namespace; ADDR and PREFIX\n"
	"must lie in 198.18.0.0/15 or fd00::/8.\n"
	"\n"
	"  --bad-src NAME   every packet from one address that cannot be a client:\n"
	"                   zero (0.0.0.0 / ::), broadcast (255.255.255.255),\n"
	"                   loopback (127.0.0.1 / ::1), multicast (224.0.0.1 / ff02::1),\n"
	"                   reserved (240.0.0.1), vip (ADDR itself)\n"
	"  --bad-ip-csum    IPv4 header checksum off by one\n"
	"  --batch N        packets per sendmmsg (1-1024, default 32)\n"
	"\n"
	"Prints one line: packets sent, seconds, the rate reached, how often the\n"
	"interface pushed back (a full queue: it waits, it does not drop) and its tx\n"
	"drops during the run.  Exit 0 when the flood ran to its bound,\n"
	"1 on a runtime failure, 2 on a usage error.\n";

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "flood: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n(flood --help for usage)\n");
	va_end(ap);
	return -EINVAL;
}

/* Family (4 or 6) of a literal, its 16 bytes in OUT (IPv4 in the first 4). */
static int parse_addr(const char *text, uint8_t out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, text, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, out) == 1)
		return 6;
	return -EINVAL;
}

static bool prefix_contains(const struct prefix *p, const uint8_t *addr)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (memcmp(p->addr, addr, full))
		return false;
	return !rest || !((p->addr[full] ^ addr[full]) & (0xff00 >> rest));
}

static int parse_prefix(const char *text, struct prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 5], *slash, *end;
	unsigned long len;
	int family;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	family = parse_addr(buf, p->addr);
	if (family < 0)
		return family;
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || *end || end == slash + 1 || len > (family == 4 ? 32UL : 128UL))
		return -EINVAL;
	p->family = family;
	p->len = (unsigned int)len;
	/* Host bits cleared: random host parts are OR-ed in. */
	for (unsigned int bit = p->len; bit < 128; bit++)
		p->addr[bit / 8] &= (uint8_t)~(0x80 >> (bit % 8));
	return 0;
}

/* The only ranges this tool sends to or spoofs from. */
static bool in_test_range(int family, const uint8_t *addr)
{
	static const struct prefix v4 = { 4, { 198, 18 }, 15 }, v6 = { 6, { 0xfd }, 8 };

	return prefix_contains(family == 4 ? &v4 : &v6, addr);
}

/* Runs only in a network namespace of `ip netns` (bound under /run/netns,
 * as every testbed's are): the flood is for namespaces a test built, never
 * for the host's own interfaces. */
static int check_namespace(void)
{
	struct stat self, ns;
	struct dirent *e;
	char path[PATH_MAX];
	DIR *dir;
	int found = 0;

	if (stat("/proc/self/ns/net", &self)) {
		int err = -errno;

		fprintf(stderr, "flood: /proc/self/ns/net: %s\n", strerror(-err));
		return err;
	}
	dir = opendir(NETNS_RUN_DIR);
	while (dir && !found && (e = readdir(dir))) {
		if (e->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, e->d_name) >= (int)sizeof(path))
			continue;
		found = !stat(path, &ns) && ns.st_ino == self.st_ino && ns.st_dev == self.st_dev;
	}
	if (dir)
		closedir(dir);
	if (!found) {
		fprintf(stderr, "flood: refusing to run outside a network namespace of "
				"'ip netns' (" NETNS_RUN_DIR "): start it with "
				"'nsenter --net=" NETNS_RUN_DIR "/NS' or 'ip netns exec NS'\n");
		return -EPERM;
	}
	return 0;
}

static int parse_number(const char *name, const char *text, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(text, &end);
	if (errno || *end || end == text || !(*out >= min && *out <= max)) {
		fprintf(stderr, "flood: %s must be a number from %g to %g, not '%s'\n", name, min,
			max, text);
		return -EINVAL;
	}
	return 0;
}

/* parse_number for a whole number. */
static int parse_integer(const char *name, const char *text, double min, double max, double *out)
{
	int err = parse_number(name, text, min, max, out);

	if (!err && *out != floor(*out)) {
		fprintf(stderr, "flood: %s must be a whole number, not '%s'\n", name, text);
		err = -EINVAL;
	}
	return err;
}

/* The fixed address of --bad-src NAME in the family of --dst. */
static int bad_source(const char *name, const struct opts *o, uint8_t out[16])
{
	static const struct {
		const char *name, *v4, *v6;
	} table[] = {
		{ "zero", "0.0.0.0", "::" },
		{ "broadcast", "255.255.255.255", NULL },
		{ "loopback", "127.0.0.1", "::1" },
		{ "multicast", "224.0.0.1", "ff02::1" },
		{ "reserved", "240.0.0.1", NULL },
	};

	if (!strcmp(name, "vip")) {
		memcpy(out, o->dst, 16);
		return 0;
	}
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const char *text = o->family == 4 ? table[i].v4 : table[i].v6;

		if (strcmp(name, table[i].name))
			continue;
		if (!text)
			return usage_error("--bad-src %s has no IPv6 form", name);
		parse_addr(text, out);
		return 0;
	}
	return usage_error("--bad-src must be zero, broadcast, loopback, multicast, reserved or "
			   "vip, not '%s'", name);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "gw-mac", required_argument, NULL, 'm' },
		{ "dst", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "src", required_argument, NULL, 's' },
		{ "bad-src", required_argument, NULL, 'B' },
		{ "rate", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },
		{ "udp", no_argument, NULL, 'u' },
		{ "bad-ip-csum", no_argument, NULL, 'c' },
		{ "batch", required_argument, NULL, 'b' },
		{ "seed", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dst = NULL, *src = NULL;
	double v;
	unsigned int mac[6];
	int c, err;

	memset(o, 0, sizeof(*o));
	o->batch = 32;
	o->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->iface = optarg;
			break;
		case 'm':
			if (sscanf(optarg, "%2x:%2x:%2x:%2x:%2x:%2x", &mac[0], &mac[1], &mac[2],
				   &mac[3], &mac[4], &mac[5]) != 6)
				return usage_error("--gw-mac must be a MAC such as 02:00:00:00:00:01, "
						   "not '%s'", optarg);
			for (int k = 0; k < 6; k++)
				o->gw_mac[k] = (uint8_t)mac[k];
			o->have_gw_mac = true;
			break;
		case 'd':
			dst = optarg;
			break;
		case 'p':
			if ((err = parse_integer("--port", optarg, 1, 65535, &v)))
				return err;
			o->port = (uint16_t)v;
			break;
		case 's':
			src = optarg;
			break;
		case 'B':
			o->bad_src = optarg;
			break;
		case 'r':
			if ((err = parse_number("--rate", optarg, 1, RATE_MAX, &o->rate)))
				return err;
			break;
		case 't':
			if ((err = parse_number("--seconds", optarg, 0.001, SECONDS_MAX, &o->seconds)))
				return err;
			break;
		case 'n':
			if ((err = parse_integer("--count", optarg, 1, COUNT_MAX, &v)))
				return err;
			o->count = (long)v;
			break;
		case 'u':
			o->udp = true;
			break;
		case 'c':
			o->bad_ip_csum = true;
			break;
		case 'b':
			if ((err = parse_integer("--batch", optarg, 1, BATCH_MAX, &v)))
				return err;
			o->batch = (int)v;
			break;
		case 'S':
			if ((err = parse_integer("--seed", optarg, 0, 1e18, &v)))
				return err;
			o->seed = (uint64_t)v;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			return usage_error("unknown option");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->iface || !o->have_gw_mac || !dst || !o->port)
		return usage_error("--iface, --gw-mac, --dst and --port are required");
	if (!o->rate || !o->seconds || !o->count)
		return usage_error("--rate, --seconds and --count are all required: "
					 "a flood is bounded in time and in count");
	if (!src == !o->bad_src)
		return usage_error("give one of --src PREFIX or --bad-src NAME");
	o->family = parse_addr(dst, o->dst);
	if (o->family < 0)
		return usage_error("--dst must be an IPv4 or IPv6 address, not '%s'", dst);
	if (!in_test_range(o->family, o->dst))
		return usage_error("--dst %s is outside 198.18.0.0/15 and fd00::/8", dst);
	if (src) {
		if (parse_prefix(src, &o->src))
			return usage_error("--src must be a prefix such as 198.19.0.0/16, not '%s'",
					   src);
		if (o->src.family != o->family)
			return usage_error("--src %s is not of --dst's address family", src);
		if (o->src.len < (o->family == 4 ? 15U : 8U) ||
		    !in_test_range(o->family, o->src.addr))
			return usage_error("--src %s is not inside 198.18.0.0/15 or fd00::/8", src);
	} else {
		o->src.family = o->family;
		o->src.len = o->family == 4 ? 32 : 128;
		if ((err = bad_source(o->bad_src, o, o->src.addr)))
			return err;
	}
	if (o->bad_ip_csum && o->family != 4)
		return usage_error("--bad-ip-csum is for IPv4 (IPv6 has no header checksum)");
	return 0;
}

/* xorshift64*: fast, and good enough to spread sources and ports. */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void random_source(const struct prefix *p, uint64_t *rng, uint8_t out[16])
{
	uint64_t r = 0;
	unsigned int alen = p->family == 4 ? 4 : 16;

	memcpy(out, p->addr, 16);
	for (unsigned int bit = p->len; bit < alen * 8; bit++) {
		if ((bit - p->len) % 64 == 0)
			r = next_random(rng);
		if (r & 1)
			out[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
		r >>= 1;
	}
}

/* One frame of the flood into BUF; returns its length. */
static size_t build_frame(const struct opts *o, const uint8_t smac[6], uint64_t *rng,
			  uint8_t *buf)
{
	static const uint8_t payload[UDP_PAYLOAD] = "xlb flood test\n";
	struct pkt_desc d = {
		.family = o->family,
		.proto = o->udp ? IPPROTO_UDP : IPPROTO_TCP,
		.dport = o->port,
		.tcp_flags = TCPF_SYN,
	};
	uint64_t r = next_random(rng);
	size_t len;

	memcpy(d.smac, smac, 6);
	memcpy(d.dmac, o->gw_mac, 6);
	memcpy(d.dst, o->dst, 16);
	random_source(&o->src, rng, d.src);
	d.sport = (uint16_t)(1024 + r % 64512);
	d.seq = (uint32_t)(r >> 32);
	d.ip_id = (uint16_t)(r >> 16);
	if (o->udp) {
		d.payload = payload;
		d.payload_len = sizeof(payload);
	}
	len = pkt_build(&d, buf, FRAME_CAP);
	if (o->bad_ip_csum)
		buf[14 + 11] ^= 1; /* the low byte of the IPv4 header checksum */
	return len;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* tx_dropped of IFACE in this namespace (sysfs may show another one). */
static int64_t tx_dropped(const char *iface)
{
	struct ifaddrs *list, *i;
	int64_t drops = -1;

	if (getifaddrs(&list))
		return -1;
	for (i = list; i; i = i->ifa_next) {
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET && i->ifa_data &&
		    !strcmp(i->ifa_name, iface)) {
			drops = ((struct rtnl_link_stats *)i->ifa_data)->tx_dropped;
			break;
		}
	}
	freeifaddrs(list);
	return drops;
}

/* An AF_PACKET socket that sends on IFACE and receives nothing; its MAC. */
static int open_sender(const char *iface, struct sockaddr_ll *to, int family, uint8_t smac[6])
{
	struct ifreq ifr = { 0 };
	int fd, one = 1, sndbuf = 4 << 20, err;

	if (strlen(iface) >= IFNAMSIZ) {
		fprintf(stderr, "flood: interface name '%s' is too long\n", iface);
		return -EINVAL;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "flood: AF_PACKET socket: %s (needs CAP_NET_RAW: run as root)\n",
			strerror(errno));
		return err;
	}
	strcpy(ifr.ifr_name, iface);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		err = -errno;
		fprintf(stderr, "flood: interface %s: %s (is it in this namespace?)\n", iface,
			strerror(errno));
		goto fail;
	}
	memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
	memset(to, 0, sizeof(*to));
	to->sll_family = AF_PACKET;
	to->sll_ifindex = (int)if_nametoindex(iface);
	to->sll_protocol = htons(family == 4 ? ETH_P_IP : ETH_P_IPV6);
	to->sll_halen = 6;
	/* veth has no qdisc; skipping it costs nothing elsewhere either. */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	return fd;
fail:
	close(fd);
	return err;
}

struct result {
	long sent;
	long full_waits; /* times the interface's queue was full: backpressure */
	int64_t elapsed_ns;
};

/* Sends the N frames of MSGS, waiting while the interface pushes back
 * (veth with an XDP peer says so when the peer's ring is full) rather than
 * losing them, until END. */
static int send_batch(int fd, struct mmsghdr *msgs, int n, int64_t end, struct result *res)
{
	static const struct timespec pause = { 0, FULL_WAIT_NS };
	int off = 0, done;

	while (off < n) {
		done = sendmmsg(fd, msgs + off, (unsigned int)(n - off), 0);
		if (done > 0) {
			off += done;
			res->sent += done;
			continue;
		}
		if (errno != ENOBUFS && errno != EAGAIN && errno != EBUSY && errno != EINTR)
			return -errno;
		res->full_waits++;
		if (now_ns() >= end)
			break;
		nanosleep(&pause, NULL);
	}
	return 0;
}

/* Sends the flood: batches due at start + scheduled / rate, until the
 * count or the time is used up. */
static int run(const struct opts *o, int fd, const struct sockaddr_ll *to, const uint8_t smac[6],
	       struct result *res)
{
	static uint8_t frames[BATCH_MAX][FRAME_CAP];
	static struct iovec iov[BATCH_MAX];
	static struct mmsghdr msgs[BATCH_MAX];
	uint64_t rng = o->seed ? o->seed : 1;
	int64_t start = now_ns(), end = start + (int64_t)(o->seconds * 1e9), base = start;
	long scheduled = 0; /* packets the schedule counts from base on */
	int err = 0;

	for (int k = 0; k < o->batch; k++) {
		iov[k].iov_base = frames[k];
		msgs[k].msg_hdr = (struct msghdr){ .msg_name = (void *)to,
						   .msg_namelen = sizeof(*to),
						   .msg_iov = &iov[k],
						   .msg_iovlen = 1 };
	}
	memset(res, 0, sizeof(*res));
	while (res->sent < o->count) {
		int64_t due = base + (int64_t)(scheduled * 1e9 / o->rate), now = now_ns();
		int n = (int)(o->count - res->sent < o->batch ? o->count - res->sent : o->batch);
		double left;

		if (due >= end)
			break;
		/* The last batch stops at the time bound: rate x seconds in all. */
		left = (double)(end - due) * o->rate / 1e9;
		if (left < n)
			n = left > 1 ? (int)ceil(left - 1e-6) : 1;
		if (now - due > CATCHUP_MAX_NS) {
			base = now;
			scheduled = 0;
		} else if (due > now) {
			struct timespec ts = { due / 1000000000LL, due % 1000000000LL };

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
		}
		for (int k = 0; k < n; k++)
			iov[k].iov_len = build_frame(o, smac, &rng, frames[k]);
		err = send_batch(fd, msgs, n, end, res);
		if (err) {
			fprintf(stderr, "flood: sendmmsg on %s: %s\n", o->iface, strerror(-err));
			break;
		}
		scheduled += n;
	}
	res->elapsed_ns = now_ns() - start;
	return err;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll to;
	struct result res;
	struct opts o;
	uint8_t smac[6];
	char dst[INET6_ADDRSTRLEN], src[INET6_ADDRSTRLEN];
	int64_t drops0, drops1;
	double secs;
	int fd, err;

	if (parse_opts(argc, argv, &o))
		return 2;
	if (check_namespace())
		return 1;
	fd = open_sender(o.iface, &to, o.family, smac);
	if (fd < 0)
		return 1;
	memcpy(to.sll_addr, o.gw_mac, 6);
	drops0 = tx_dropped(o.iface);
	err = run(&o, fd, &to, smac, &res);
	drops1 = tx_dropped(o.iface);
	close(fd);

	inet_ntop(o.family == 4 ? AF_INET : AF_INET6, o.dst, dst, sizeof(dst));
	inet_ntop(o.family == 4 ? AF_INET : AF_INET6, o.src.addr, src, sizeof(src));
	secs = (double)res.elapsed_ns / 1e9;
	printf("flood: sent %ld %s%s to %s port %u from %s/%u in %.3f s: %.0f/s (asked %.0f/s); "
	       "%ld waits on a full queue, %s tx_dropped %+" PRId64 "\n",
	       res.sent, o.udp ? "udp" : "syn", o.bad_ip_csum ? " (bad ip csum)" : "", dst, o.port,
	       src, o.src.len, secs, secs > 0 ? (double)res.sent / secs : 0.0, o.rate,
	       res.full_waits, o.iface, drops0 >= 0 && drops1 >= 0 ? drops1 - drops0 : -1);
	return err ? 1 : 0;
}

/* SPDX-License-Identifier: MIT */
/* The ABI between the data plane (bpf/) and the control plane (user/).
 * Types only: fixed width, explicit byte order and padding.  Every struct
 * below is a map key or value; user/maps.c asserts their sizes. */
#ifndef XLB_ABI_H
#define XLB_ABI_H

#include <linux/types.h>

#include "xlb/limits.h"

/* Bumped whenever a map's key or value layout changes: a daemon refuses pins
 * of another version instead of misreading them. */
#define XLB_ABI_VERSION 11

/* Map names, at most 15 characters: the pin names under /sys/fs/bpf/xlb/. */
#define XLB_MAP_META      "xlb_meta"
#define XLB_MAP_SERVICES  "xlb_services"
#define XLB_MAP_MEMBERS   "xlb_members"
#define XLB_MAP_SLOTS     "xlb_slots"
#define XLB_MAP_MAGLEV    "xlb_maglev"
#define XLB_MAP_SORRY     "xlb_sorry"
#define XLB_MAP_SORRY_PORT "xlb_sorry_port"
#define XLB_MAP_RR        "xlb_rr"
#define XLB_MAP_SNAT      "xlb_snat"
#define XLB_MAP_SVC_PORTS "xlb_svc_ports"
#define XLB_MAP_FLOWS     "xlb_flows"
#define XLB_MAP_HALFOPEN  "xlb_halfopen"
#define XLB_MAP_DNAT_REV  "xlb_dnat_rev"
#define XLB_MAP_NAT_PORT  "xlb_nat_port"
#define XLB_MAP_RST_RATE  "xlb_rst_rate"
#define XLB_MAP_STATS     "xlb_stats"
#define XLB_MAP_SVC_STATS "xlb_svc_stats"
#define XLB_MAP_MBR_STATS "xlb_mbr_stats"
#define XLB_MAP_SOCK_FWD  "xlb_sock_fwd"
#define XLB_MAP_SOCK_REV  "xlb_sock_rev"
#define XLB_MAP_EVENTS    "xlb_events"
#define XLB_MAP_DP_STATE  "xlb_dp_state"
#define XLB_MAP_CENSUS    "xlb_census"
#define XLB_MAP_CENSUS_MBR "xlb_census_mbr"
#define XLB_MAP_CENSUS_SVC "xlb_census_svc"

/* The sweeper program (bpf/sweep.h), pinned under this name next to the
 * maps so that a command can run it from the pins (user/dp/sweep.h). */
#define XLB_PROG_SWEEP    "xlb_sweep"
#define XLB_MAP_L2_VIPS   "xlb_l2_vips"
#define XLB_MAP_L2_IFACES "xlb_l2_ifaces"

/* Address families as the data plane stores them (not AF_*: the values are
 * part of the ABI and must not depend on a libc). */
enum xlb_family {
	XLB_FAMILY_NONE = 0,
	XLB_FAMILY_IPV4 = 4,
	XLB_FAMILY_IPV6 = 6,
};

/* An address in the data plane (user space has its own struct xlb_addr with
 * the family inside).  An IPv4 address sits in v4 (the first 4 bytes), the
 * other 12 bytes zero. */
union xlb_ip {
	__be32 v4;
	__be32 v6[4];
	__u8 bytes[16];
};

/* xlb_meta: one element, written at load: what a reader of the pins needs
 * to know of the load-time values. */
struct xlb_meta {
	__u32 abi_version;
	__u32 nat_ports;    /* NAT source ports per snat address and member */
	__u16 nat_port_min; /* the range they come from, host order ... */
	__u16 nat_port_max;
	__u16 nat_hole_min; /* ... without this one (the ephemeral ports; 0-0: none) */
	__u16 nat_hole_max;
};

/* xlb_services: hash (VIP, port, protocol) -> service. */
struct xlb_svc_key {
	union xlb_ip vip;
	__be16 port;
	__u8 proto;   /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;  /* enum xlb_family */
};

/* The vocabularies.  Each enum below is defined once, here, with the word
 * that stands for each value everywhere a person reads or writes one: the
 * configuration file, `xlb check`, `xlb status`, JSON and the logs.
 * X(enum suffix, word); the values count from 0 in the order listed and are
 * part of the ABI (appended to, never reordered).  lib/abi_text.c makes the
 * tables of words from them; FOO_N counts the values (a macro, not an
 * enumerator, so that a switch over the enum names only real values). */
#define XLB_COUNT_ONE(id, word) +1
#define XLB_SCHEDULERS(X)                                                    \
	X(RR, "round-robin")   /* round-robin over the slot table */          \
	X(WRR, "weighted")     /* the same walk over a weight-expanded table */ \
	X(MAGLEV, "maglev")    /* 5-tuple hash into the service's xlb_maglev table */

#define XLB_FORWARDINGS(X)                                                   \
	X(NAT, "nat")   /* full NAT: source and destination rewritten */       \
	X(DNAT, "dnat") /* destination only: members see the client */         \
	X(DSR, "dsr")   /* destination MAC only: members answer clients */

#define XLB_ON_EMPTY_POLICIES(X)                                             \
	X(REJECT, "reject") /* TCP SYN: RST; UDP: ICMP port unreachable */     \
	X(DROP, "drop")                                                      \
	X(SORRY, "sorry")   /* to sorry_member, or the 503 page built in XDP */

#define XLB_SCHED_ENUM(id, word) XLB_SCHED_##id,
enum xlb_sched { XLB_SCHEDULERS(XLB_SCHED_ENUM) };
#define XLB_SCHED_N (0 XLB_SCHEDULERS(XLB_COUNT_ONE))
#undef XLB_SCHED_ENUM

#define XLB_FWD_ENUM(id, word) XLB_FWD_##id,
enum xlb_fwd { XLB_FORWARDINGS(XLB_FWD_ENUM) };
#define XLB_FWD_N (0 XLB_FORWARDINGS(XLB_COUNT_ONE))
#undef XLB_FWD_ENUM

#define XLB_ON_EMPTY_ENUM(id, word) XLB_ON_EMPTY_##id,
enum xlb_on_empty { XLB_ON_EMPTY_POLICIES(XLB_ON_EMPTY_ENUM) };
#define XLB_ON_EMPTY_N (0 XLB_ON_EMPTY_POLICIES(XLB_COUNT_ONE))
#undef XLB_ON_EMPTY_ENUM

struct xlb_service {
	__u32 id;         /* index into xlb_slots/xlb_rr/xlb_svc_stats, < XLB_MAX_SERVICES */
	__u32 generation; /* live slot-table copy is xlb_slots[id * 2 + (generation & 1)] */
	__u8 scheduler;   /* enum xlb_sched */
	__u8 forwarding;  /* enum xlb_fwd */
	__u8 on_empty;    /* enum xlb_on_empty */
	__u8 flags;
	/* Maglev services: live table is xlb_maglev[maglev * 2 + (generation & 1)]. */
	__u32 maglev;
	/* on_empty sorry: the member id of sorry_address, or XLB_SORRY_BUILTIN
	 * for the 503 page answered from XDP (its page: xlb_sorry[id]). */
	__u32 sorry_member;
	__u32 _pad;
};

#define XLB_SORRY_BUILTIN 0xffffffffU

/* tc mode: skb->mark of a packet xlb redirected (when it had no mark), so
 * the xlb program of the interface it passes next lets it go untouched and
 * clears it (bpf/hook_tc.h). */
#define XLB_TC_MARK 0x786c6200U /* "xlb\0" */

/* xlb_maglev: array of XLB_MAX_MAGLEV_SERVICES * 2 tables of member ids,
 * two copies per maglev service, flipped with the service's generation
 * like its slot table (which stays the source of "has members"). */
struct xlb_maglev_table {
	__u32 member[XLB_MAGLEV_SIZE];
};

/* xlb_sorry: array by service id: the whole HTTP answer of the built-in
 * sorry responder (headers and page, padded with spaces to exactly
 * XLB_SORRY_LEN bytes) and the one's-complement sum of those bytes, so XDP
 * copies it into a segment without summing it again.  The answer is built
 * in the frame of the request, grown at its head: its size stays within
 * the 216 bytes every XDP frame has in front (256 of headroom less the
 * kernel's struct xdp_frame) plus the smallest request (one byte). */
#define XLB_SORRY_LEN 208
struct xlb_sorry_page {
	__u32 csum;   /* 32-bit sum of the bytes as 16-bit words, not folded */
	__u32 secret; /* keys the SYN-ACK cookies; random per daemon start, never 0 */
	__u8 text[XLB_SORRY_LEN];
};

/* xlb_members: array indexed by member id (< XLB_MAX_MEMBERS). */
enum xlb_member_flags {
	XLB_MEMBER_F_DRAINING = 1 << 0, /* informational: not in any slot table */
	XLB_MEMBER_F_RESET = 1 << 1,    /* reserved: reset its existing flows */
};

struct xlb_member {
	union xlb_ip addr;
	/* The balancer's own address toward this member: the service's
	 * (first) snat address, or the source of the route to the member. */
	union xlb_ip snat;
	__be16 port;
	__u8 family; /* enum xlb_family; XLB_FAMILY_NONE = unused slot */
	__u8 flags;  /* enum xlb_member_flags */
	__u32 service_id;
	/* nat: the pool of source addresses toward this member (`snat:` as a
	 * list, IPVS's local address pool): xlb_snat.addr[snat_first] ..
	 * [snat_first + snat_n - 1], snat being the first of them.  snat_n 0
	 * or 1: snat alone.  The member's NAT port space is snat_n (at least
	 * 1) times the usable ports, walked by one cursor (bpf/nat.h). */
	__u16 snat_first;
	__u16 snat_n;
	__u32 _pad;
};

/* xlb_slots: array of XLB_MAX_SERVICES * 2 tables, two copies per service.
 * User space writes the copy that is not live, then flips the service's
 * generation. */
struct xlb_slot_table {
	__u32 count;
	__u32 _pad;
	__u32 member[XLB_MAX_SLOTS];
};

/* xlb_rr: array indexed by service id; the next slot to hand out, taken
 * with an atomic add so the order is exact across CPUs. */
struct xlb_rr_state {
	__u64 next;
};

/* xlb_svc_ports: array indexed by port (host order): which protocols have a
 * service on that port.  The first check of every packet, so that traffic
 * to other ports leaves without a hash lookup. */
enum xlb_port_flags {
	XLB_PORT_TCP = 1 << 0,
	XLB_PORT_UDP = 1 << 1,
	/* A member of a dnat service listens on this port: a packet from it
	 * may be a reply to a client (whose address dnat keeps, so it is not
	 * sent to one of the balancer's own addresses). */
	XLB_PORT_TCP_REPLY = 1 << 2,
	XLB_PORT_UDP_REPLY = 1 << 3,
};

/* xlb_snat: one element, the balancer's own (SNAT) addresses: a packet to one
 * of them is a reply candidate, and a packet from one of them is no client.
 * A member's snat pool is a run of consecutive entries (xlb_member's
 * snat_first, snat_n); runs of different pools may repeat an address. */
struct xlb_snat_set {
	__u32 count;
	__u32 _pad;
	struct {
		union xlb_ip addr;
		__u32 family;
	} addr[XLB_MAX_SNAT_ADDRS];
};

/* The connection tables (docs/design.md, "Flow table"): one rule, an entry
 * earns a place in xlb_flows only when the client has proven it is there.
 *
 * xlb_halfopen: LRU hash.  A TCP SYN, a UDP flow's first datagram, a
 * Maglev re-derivation create their entries here only (forward, and for
 * nat the reply entry that holds the NAT port).  A flood churns this
 * table: entries evict each other, never an established connection.
 * xlb_flows: preallocated hash (never evicts): the connection table.  The
 * client's ACK without SYN (TCP) or its second datagram (UDP) finds the
 * half-open entry and copies the entries here (promotion; nat: forward and
 * reply, dnat and dsr: forward only).  The half-open copies stay as
 * duplicates marked XLB_FLOW_F_PROMOTED, which lookups never reach first
 * and the sweeper or the LRU removes.  A full xlb_flows refuses the new
 * connection (RST, ICMP port unreachable) and raises xlb_dp_state.full.
 * Entries of both expire by the sweeper (a hash never evicts); between
 * sweeps a stale entry is recognised by its idle time (flow_live()).
 *
 * Both map a packet's own 5-tuple as it arrives to the rewrite for it,
 * one entry per direction of a connection. */
struct xlb_flow_key {
	union xlb_ip src;
	union xlb_ip dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u8 _pad[2];
};

/* A flow entry's state (0 is never stored). */
#define XLB_FLOW_STATES(X)                                                   \
	X(NONE, "none")                                                      \
	X(SYN_SENT, "syn-sent")       /* TCP: SYN seen, nothing else yet */   \
	X(ESTABLISHED, "established") /* TCP: traffic after the SYN */        \
	X(FIN, "closing")             /* TCP: a FIN seen in either direction */ \
	X(RST, "reset")               /* TCP: a RST seen in either direction */ \
	X(UDP, "udp")                                                        \
	/* TCP: both FINs and the last ACK seen.  Timeout tcp_time_wait when  \
	 * the client closed first, else tcp_closing (the member holds       \
	 * TIME_WAIT for the tuple: its NAT port is not reused early). */    \
	X(CLOSED, "closed")

#define XLB_FLOW_ENUM(id, word) XLB_FLOW_##id,
enum xlb_flow_state { XLB_FLOW_STATES(XLB_FLOW_ENUM) };
#define XLB_FLOW_N (0 XLB_FLOW_STATES(XLB_COUNT_ONE))
#undef XLB_FLOW_ENUM

/* xlb_flow.flags: how a TCP connection closes, kept in both entries of
 * nat (a dnat or dsr connection has the forward entry only). */
enum xlb_flow_flags {
	XLB_FLOW_F_FIN_CLIENT = 1 << 0,   /* a FIN from the client seen */
	XLB_FLOW_F_FIN_MEMBER = 1 << 1,   /* a FIN from the member seen */
	XLB_FLOW_F_MEMBER_FIRST = 1 << 2, /* the member's FIN came first */
	/* xlb_halfopen only: the connection is in xlb_flows; this entry is a
	 * stale duplicate (for lookups: absent). */
	XLB_FLOW_F_PROMOTED = 1 << 3,
};

/* What a nat reply entry knows of the client's FIN (tw_rcv_nxt,
 * tw_ts_recent), for the member's TIME_WAIT. */
enum xlb_flow_tw {
	XLB_TW_NONE = 0,
	XLB_TW_SEQ = 1, /* tw_rcv_nxt */
	XLB_TW_TS = 2,  /* tw_rcv_nxt and tw_ts_recent */
};

enum xlb_flow_dir {
	XLB_DIR_FORWARD = 1, /* client -> VIP, rewritten to snat -> member */
	XLB_DIR_REPLY = 2,   /* member -> snat, rewritten to VIP -> client */
};
/* dnat: the forward entry rewrites client -> VIP to client -> member;
 * replies (member -> client) need no entry: xlb_dnat_rev turns them back
 * into VIP -> client on any node.  dsr: a forward entry only, whose nat_dst
 * (the member) is where the frame goes; the packet itself is not changed. */

/* The rewrite for packets matching the key, and where they leave.  The peer
 * entry is found from the value alone: the reply key of a forward entry is
 * (nat_dst:nat_dport -> nat_src:nat_sport), the forward key of a reply entry
 * is (nat_dst:nat_dport -> nat_src:nat_sport) as well. */
struct xlb_flow {
	union xlb_ip nat_src;
	union xlb_ip nat_dst;
	__be16 nat_sport;
	__be16 nat_dport;
	__u32 service_id;
	__u32 member_id;
	__u8 state;  /* enum xlb_flow_state */
	__u8 dir;    /* enum xlb_flow_dir */
	__u8 family;
	/* 1: tx_* are fixed (a reply goes back to the client's previous hop);
	 * 0: tx_* come from bpf_fib_lookup and are refreshed every second. */
	__u8 nh_fixed;
	__u32 tx_ifindex;
	__u8 tx_dmac[6];
	__u8 tx_smac[6];
	__u64 created_ns;   /* bpf_ktime_get_coarse_ns() */
	__u64 last_seen_ns; /* updated at most every XLB_TOUCH_NS */
	union {
		/* Entries whose tx_* come from the FIB: when they did. */
		__u64 nh_checked_ns;
		/* A nat reply entry (nh_fixed): what a member that closed
		 * first holds in TIME_WAIT from the client's FIN (tw says
		 * which), to tell whether it takes a new SYN on the tuple. */
		struct {
			__u32 tw_rcv_nxt;   /* the FIN's sequence number + 1, host order */
			__u32 tw_ts_recent; /* the FIN's TSval, host order */
		};
	};
	__u8 fwd;   /* enum xlb_fwd of the service: dsr entries rewrite only MACs */
	__u8 flags; /* enum xlb_flow_flags */
	__u8 tw;    /* enum xlb_flow_tw */
	__u8 _pad2[5];
};

/* xlb_dnat_rev: hash (a dnat member's address, port, protocol) -> the
 * service it backs, so a reply from it is translated without per-flow
 * state: source member:port becomes VIP:port, the destination (the
 * client) stays, and the next hop toward the client comes from
 * bpf_fib_lookup.  A member address, port and protocol backs at most one
 * dnat service (the config validator refuses more). */
struct xlb_dnat_rev_key {
	union xlb_ip addr;
	__be16 port;
	__u8 proto;  /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family; /* enum xlb_family */
};

struct xlb_dnat_rev {
	union xlb_ip vip;
	__be16 vip_port;
	__u8 family;
	__u8 _pad;
	__u32 service_id;
	__u32 member_id; /* for the member's counters */
	__u32 _pad2;
};

/* xlb_nat_port: per-CPU array of XLB_MAX_MEMBERS cursors into the NAT
 * port space (the member's snat pool times the usable ports), one per
 * backend: indexed by a hash of (first snat address, member address,
 * port, protocol), the tuple whose ports the reply entries make unique.
 * Per backend, so that each backend's port space is walked in order (a
 * shared cursor would alias with the round-robin order and reuse ports
 * early), and one for a backend that several services share (two cursors
 * would walk the same ports and collide).  Two backends that hash alike
 * share a cursor, which costs nothing: the reply entry's insert decides.
 * next is the CPU's position in the backend's walk, from a block of
 * XLB_NAT_BLOCK positions the CPU took from the walk shared by all CPUs
 * (xlb_nat_block, the data plane's own); a multiple of XLB_NAT_BLOCK: the
 * block is used up.  The port is the position modulo the port space. */
struct xlb_nat_port_state {
	__u64 next;
};

/* xlb_rst_rate: per-CPU token bucket for the answers built in XDP (TCP
 * RST, ICMP port unreachable), the refusals of a full table included. */
struct xlb_rst_bucket {
	__u64 tokens;
	__u64 last_ns;
};

/* Why a packet left the way it did: exactly one reason per packet.
 * X(enum suffix, name printed by `xlb status`). */
#define XLB_REASONS(X)                                                       \
	X(PASS_NOT_IP, "pass_not_ip")                                        \
	X(PASS_MALFORMED, "pass_malformed")                                  \
	X(PASS_OTHER_PROTO, "pass_other_proto")                              \
	X(PASS_NOT_VIP, "pass_not_vip")                                      \
	X(PASS_FRAGMENT, "pass_fragment")                                    \
	X(PASS_IPV6_EXTHDR, "pass_ipv6_exthdr")                              \
	X(PASS_TTL_EXPIRED, "pass_ttl_expired")                              \
	X(PASS_LOCAL, "pass_local")                                          \
	X(PASS_ICMP, "pass_icmp")                                            \
	X(PASS_ICMP_NO_FLOW, "pass_icmp_no_flow")                            \
	X(TX_NEW_FLOW, "tx_new_flow")                                        \
	X(TX_REDERIVED, "tx_rederived")                                      \
	X(TX_FORWARD, "tx_forward")                                          \
	X(TX_REPLY, "tx_reply")                                              \
	X(TX_ICMP_FORWARD, "tx_icmp_forward")                                \
	X(TX_ICMP_REPLY, "tx_icmp_reply")                                    \
	X(TX_RST_NO_FLOW, "tx_rst_no_flow")                                  \
	X(TX_RST_NO_MEMBER, "tx_rst_no_member")                              \
	X(TX_UNREACH_NO_MEMBER, "tx_unreach_no_member")                      \
	X(TX_SORRY, "tx_sorry")                                              \
	X(DROP_NO_FLOW, "drop_no_flow")                                      \
	X(DROP_NO_MEMBER, "drop_no_member")                                  \
	X(DROP_SORRY_ACK, "drop_sorry_ack")                                  \
	X(DROP_ANSWER_RATELIMIT, "drop_answer_ratelimit")                    \
	X(DROP_TTL_REPLY, "drop_ttl_reply")                                  \
	X(DROP_FIB, "drop_fib")                                              \
	X(DROP_NAT_PORTS, "drop_nat_ports")                                  \
	X(DROP_FLOW_INSERT, "drop_flow_insert")                              \
	X(DROP_BAD_MEMBER, "drop_bad_member")                                \
	X(DROP_ADJUST, "drop_adjust")                                        \
	X(DROP_INTERNAL, "drop_internal")                                    \
	/* A source that cannot be a client (0/8, 127/8, 224/4, 240/4, ::,   \
	 * ::1, ff00::/8, the VIP itself, the balancer's own snat address):  \
	 * dropped before anything takes state or answers. */               \
	X(DROP_BAD_SOURCE, "drop_bad_source")                                \
	X(DROP_BAD_IP_CSUM, "drop_bad_ip_csum") /* on the same path */       \
	/* An 802.1Q/802.1ad tagged frame: untouched, to the kernel (xlb      \
	 * balances a VLAN where it runs on that VLAN's own interface). */  \
	X(PASS_VLAN, "pass_vlan")                                            \
	/* xlb_flows is full: the new connection is refused at once (its     \
	 * promotion failed, or a SYN/first datagram came while the full     \
	 * flag was up); drop_table_full when no answer may be sent          \
	 * (rate limit, IPv4 options, a RST). */                            \
	X(TX_RST_TABLE_FULL, "tx_rst_table_full")                            \
	X(TX_UNREACH_TABLE_FULL, "tx_unreach_table_full")                    \
	X(DROP_TABLE_FULL, "drop_table_full")                                \
	/* A dnat reply whose next hop toward the client has no neighbour    \
	 * entry: rewritten and handed to the kernel, which forwards it and  \
	 * resolves the neighbour for the next ones. */                      \
	X(PASS_REPLY_NO_NEIGH, "pass_reply_no_neigh")                        \
	X(PASS_ARP, "pass_arp")             /* ARP not answered (bpf/neigh.h) */ \
	X(PASS_ND, "pass_nd")               /* neighbour solicitation, same */ \
	X(TX_ARP_REPLY, "tx_arp_reply")     /* ARP request for a served VIP */ \
	X(TX_ND_ADVERT, "tx_nd_advert")     /* solicitation for a served VIP */

#define XLB_REASON_ENUM(id, name) XLB_R_##id,
enum xlb_reason {
	XLB_REASONS(XLB_REASON_ENUM)
	XLB_R_MAX
};
#undef XLB_REASON_ENUM

/* xlb_stats: per-CPU, one element: a counter per reason. */
struct xlb_reason_stats {
	__u64 count[XLB_R_MAX];
};

/* xlb_svc_stats (by service id) and xlb_mbr_stats (by member id), per-CPU.
 * Forward counts client->member packets, reply member->client. */
struct xlb_traffic_stats {
	__u64 fwd_packets;
	__u64 fwd_bytes;
	__u64 reply_packets;
	__u64 reply_bytes;
	__u64 new_flows;
	__u64 _pad;
};

/* Events of the connection tables, not of one packet: per-CPU counters
 * (xlb_events, one element) summed by user space.  Half-open evictions
 * are computed from them and the census (user/dp/maps.h):
 *   evicted = half_open_new - promoted - half_open_expired - census half_open */
#define XLB_EVENTS(X)                                                        \
	X(HALF_OPEN_NEW, "half_open_new")         /* connections entered in xlb_halfopen */ \
	X(PROMOTED, "promoted")                   /* half-open connections moved to xlb_flows */ \
	/* half-open connections past their timeout: deleted by the sweeper  \
	 * or replaced by a new connection on their tuple */                 \
	X(HALF_OPEN_EXPIRED, "half_open_expired")                            \
	X(FLOWS_EXPIRED, "flows_expired")         /* connections the sweeper deleted from xlb_flows */ \
	X(TABLE_FULL, "table_full")               /* promotions xlb_flows refused (-E2BIG) */ \
	X(FULL_EPISODES, "full_episodes")         /* times the full flag went up */ \
	X(NAT_PORT_REUSED, "nat_port_reused")     /* NAT ports taken over from a closed or orphaned entry */ \
	X(SWEEPS, "sweeps")                       /* sweeps completed */

#define XLB_EVENT_ENUM(id, name) XLB_EV_##id,
enum xlb_event {
	XLB_EVENTS(XLB_EVENT_ENUM)
	XLB_EV_MAX
};
#undef XLB_EVENT_ENUM

/* xlb_events: per-CPU, one element. */
struct xlb_event_stats {
	__u64 count[XLB_EV_MAX];
};

/* xlb_dp_state: one element, written by the data plane and the sweeper. */
struct xlb_dp_state {
	/* Sweeps completed; the live census copy is census_gen & 1 (0: no
	 * sweep yet).  The sweeper writes the other copy, then flips this. */
	__u64 census_gen;
	/* 1 from the moment an insert into xlb_flows fails (-E2BIG) until a
	 * sweep finds it at most XLB_FULL_CLEAR_PERCENT full: while it is up,
	 * a SYN or a first datagram is refused at once. */
	__u32 full;
	__u32 sweeping;      /* 1 while a sweep runs: a second one returns at once */
	__u64 full_since_ns; /* bpf_ktime_get_coarse_ns() when it last went up */
	__u64 _pad;
};

/* The census: what the connection tables hold, counted by the sweeper (the
 * truth for `xlb status`: user space never iterates xlb_flows for counts).
 * Double-buffered like the slot tables: xlb_census[c], xlb_census_mbr[c *
 * XLB_MAX_MEMBERS + member id], xlb_census_svc[c * XLB_MAX_SERVICES +
 * service id] for copy c = census_gen & 1.  A reader reads census_gen,
 * the copy, then census_gen again, and retries if it moved. */
struct xlb_census_count {
	/* The sweep (low 32 bits of its gen) that wrote these counts: an
	 * element with another value counts nothing (the sweeper does not
	 * clear 2 x 16384 elements first). */
	__u32 gen;
	__u32 established; /* TCP connections open: live ESTABLISHED forward entries of xlb_flows */
	__u32 closing;     /* TCP connections closing or closed, still held: FIN, CLOSED, RST */
	/* Connections in xlb_halfopen, not promoted and not expired: TCP
	 * handshakes, UDP flows of one datagram, Maglev re-derivations. */
	__u32 half_open;
	__u32 udp;         /* UDP flows in xlb_flows */
	__u32 nat_ports;   /* NAT ports held: reply entries of live connections, both tables */
};

struct xlb_census {
	__u64 gen;         /* the sweep that wrote it: 1, 2, ... */
	__u64 swept_ns;    /* bpf_ktime_get_ns() at its end (CLOCK_MONOTONIC) */
	__u64 duration_ns; /* how long the sweep took */
	__u32 flows_entries;    /* entries of xlb_flows left after it */
	__u32 flows_max;
	__u32 halfopen_entries; /* entries of xlb_halfopen left after it */
	__u32 halfopen_max;
	__u32 flows_expired;    /* entries it deleted from xlb_flows */
	__u32 halfopen_expired; /* entries it deleted from xlb_halfopen (expired, orphaned, promoted duplicates) */
	struct xlb_census_count total; /* all connections */
};

/* The socket hooks (bpf/sock.h) balance host-local clients in connect() and
 * sendmsg() instead of rewriting packets.  Both maps are LRU hashes keyed by
 * a socket cookie and an address: cookies are never reused, so an entry of a
 * closed socket is dead weight that the LRU evicts, never a wrong answer.
 *
 * xlb_sock_fwd: (socket, VIP:port) -> the member that socket's datagrams to
 * the VIP go to: an unconnected UDP socket keeps its member while it sends
 * at least every udp_idle_timeout, as a UDP flow through XDP does.
 * xlb_sock_rev: (socket, member:port) -> the VIP:port the socket asked for:
 * what getpeername() and recvmsg() show instead of the member.  Each holds
 * XLB_SOCK_ENTRIES: sockets balanced at once, at most. */
#define XLB_SOCK_ENTRIES 65536

struct xlb_sock_key {
	__u64 cookie;
	union xlb_ip addr;
	__be16 port;
	__u8 family; /* enum xlb_family */
	__u8 _pad[5];
};

struct xlb_sock_fwd {
	__u32 service_id;
	__u32 member_id;
	__u64 last_seen_ns; /* bpf_ktime_get_coarse_ns() */
};

struct xlb_sock_rev {
	union xlb_ip vip;
	__be16 port;
	__u8 family;
	__u8 _pad[5];
};

/* Answers on the link (global: announce: {l2: true}, bpf/neigh.h).
 * xlb_l2_vips: hash, the VIPs served now -> 1: an ARP request or IPv6
 * neighbour solicitation for one of them is answered from the data path.
 * The daemon keeps it to the VIPs it announces (daemon/announce.c).
 * xlb_l2_ifaces: hash, ifindex of each interface xlb runs on -> its MAC,
 * which the answers carry; an interface without an entry answers nothing. */
struct xlb_l2_key {
	union xlb_ip addr;
	__u8 family; /* enum xlb_family */
	__u8 _pad[3];
};

struct xlb_l2_iface {
	__u8 mac[6];
	__u8 _pad[2];
};

#endif

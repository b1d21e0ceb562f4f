/* SPDX-License-Identifier: MIT */
/* Sizes of the data plane's maps, shared by the BPF programs (map sizes),
 * the config validator (what a file may ask for) and the daemon. */
#ifndef XLB_LIMITS_H
#define XLB_LIMITS_H

#define XLB_MAX_SERVICES            256   /* services (VIP, port, protocol) */
#define XLB_MAX_MEMBERS             16384 /* members over all services */
#define XLB_MAX_MEMBERS_PER_SERVICE 4096
#define XLB_MAX_SLOTS               4096  /* entries in one service's slot table */
#define XLB_WEIGHT_MAX              256   /* member weight 0..256; 0 drains */
#define XLB_WEIGHT_DEFAULT          1
#define XLB_MAX_INTERFACES          32

/* Maglev: a prime table size, so every member's permutation (offset, skip)
 * visits every entry.  A table of member ids is 256 KiB and each maglev
 * service holds two (the atomic flip), so their number is limited instead
 * of sizing the map for every service (256 * 512 KiB would be 128 MiB). */
#define XLB_MAGLEV_SIZE             65537
#define XLB_MAX_MAGLEV_SERVICES     16

/* The connection table xlb_flows (preallocated hash, one entry per
 * direction of a nat connection, one per dnat or dsr connection).  Every
 * entry costs XLB_FLOW_ENTRY_BYTES of kernel memory from the start.  The
 * default holds 1 M nat or 2 M dnat/dsr connections in about 400 MiB
 * (docs/design.md, "Sizing"). */
#define XLB_FLOWS_MIN               1024
#define XLB_FLOWS_DEFAULT           2097152
#define XLB_FLOWS_MAX               16777216

/* Half-open table xlb_halfopen (LRU hash, same entries): by default
 * flow entries / XLB_HALFOPEN_DIVISOR, at least XLB_HALFOPEN_MIN. */
#define XLB_HALFOPEN_MIN            1024
#define XLB_HALFOPEN_DIVISOR        8
#define XLB_HALFOPEN_MAX            XLB_FLOWS_MAX

/* Kernel memory per entry of either table: the hash element (header, 40
 * byte key, 96 byte value) and its bucket, as the kernel reports it
 * (memlock in /proc/PID/fdinfo of the map, Linux 6.18: 200 bytes). */
#define XLB_FLOW_ENTRY_BYTES        200

/* The full flag comes down when a sweep finds xlb_flows at most this full
 * (hysteresis: it went up at 100%). */
#define XLB_FULL_CLEAR_PERCENT      95

/* The NAT ports held in xlb_flows, counted (bpf/nat_held.h): this many
 * blocks of 65,536 counters, one per port, 16 MiB in all. */
#define XLB_NAT_HELD_BLOCKS         64

/* The balancer's own source addresses toward members (all services' snat
 * pools together). */
#define XLB_MAX_SNAT_ADDRS          64

/* Flow timeouts in seconds (idle time after which an entry is stale: a SYN
 * on its tuple schedules anew, a mid-connection packet is reset, and the
 * sweeper deletes it). */
#define XLB_TIMEOUT_TCP_HALF_OPEN_DEFAULT 10 /* SYN_SENT, in xlb_halfopen */
#define XLB_TIMEOUT_TCP_EST_DEFAULT 900
#define XLB_TIMEOUT_TCP_FIN_DEFAULT 30 /* closing; CLOSED after a member-first close */
#define XLB_TIMEOUT_TCP_RST_DEFAULT 10
#define XLB_TIMEOUT_TCP_TIME_WAIT_DEFAULT 2 /* CLOSED after a client-first close */
#define XLB_TIMEOUT_UDP_DEFAULT     60
#define XLB_TIMEOUT_MAX             86400

/* NAT source ports: the whole range but the kernel's ephemeral ports
 * (net.ipv4.ip_local_port_range, read at start; these when unreadable),
 * which the balancer's own connections (health checks, local clients)
 * take from the same addresses toward the same members: 1024-32767 and
 * 61000-65535 by default, 36,280 ports per snat address and member. */
#define XLB_NAT_PORT_MIN_DEFAULT    1024
#define XLB_NAT_PORT_MAX_DEFAULT    65535
#define XLB_EPHEMERAL_MIN_DEFAULT   32768
#define XLB_EPHEMERAL_MAX_DEFAULT   60999

/* RSTs built in XDP for packets without a flow, per CPU per second. */
#define XLB_RST_RATE_DEFAULT        1000

#define XLB_NAME_MAX                64    /* service and member names, bytes incl. NUL */

#endif

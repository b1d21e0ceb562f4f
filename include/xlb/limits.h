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

/* Flow table (LRU hash, one entry per direction of a connection). */
#define XLB_FLOWS_MIN               1024
#define XLB_FLOWS_DEFAULT           262144
#define XLB_FLOWS_MAX               16777216

/* The balancer's own source addresses toward members (all services). */
#define XLB_MAX_SNAT_ADDRS          16

/* Flow timeouts in seconds (idle time after which an entry is stale: a SYN
 * on its tuple schedules anew, a mid-connection packet is reset). */
#define XLB_TIMEOUT_TCP_SYN_DEFAULT 30
#define XLB_TIMEOUT_TCP_EST_DEFAULT 900
#define XLB_TIMEOUT_TCP_FIN_DEFAULT 30
#define XLB_TIMEOUT_TCP_RST_DEFAULT 10
#define XLB_TIMEOUT_UDP_DEFAULT     60
#define XLB_TIMEOUT_MAX             86400

/* NAT source ports, kept below the kernel's ephemeral range (32768-60999)
 * so the balancer's own connections (health checks) never collide. */
#define XLB_NAT_PORT_MIN_DEFAULT    1024
#define XLB_NAT_PORT_MAX_DEFAULT    32767

/* RSTs built in XDP for packets without a flow, per CPU per second. */
#define XLB_RST_RATE_DEFAULT        1000

#define XLB_NAME_MAX                64    /* service and member names, bytes incl. NUL */

#endif

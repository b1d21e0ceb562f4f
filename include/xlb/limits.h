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

/* Flow table (LRU hash, one entry per direction of a connection). */
#define XLB_FLOWS_MIN               1024
#define XLB_FLOWS_DEFAULT           262144
#define XLB_FLOWS_MAX               16777216

#define XLB_NAME_MAX                64    /* service and member names, bytes incl. NUL */

#endif

/* SPDX-License-Identifier: MIT */
/* The data plane's values in words: the vocabularies of include/xlb for
 * the configuration and every output, addresses, sizes and ages. */
#ifndef XLB_ABI_TEXT_H
#define XLB_ABI_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "xlb/abi.h"
#include "xlb/info.h"

/* "198.18.0.1" / "fd00::1"; buf of at least 46 bytes. */
const char *xlb_ip_str(const union xlb_ip *a, __u8 family, char *buf, size_t len);
/* "198.18.0.1:80" / "[fd00::1]:80" from a port in network order. */
const char *xlb_ip_port_str(const union xlb_ip *a, __u8 family, __be16 port, char *buf,
			    size_t len);
/* The words of each vocabulary of include/xlb, indexed by value: what the
 * configuration file accepts and every output prints. */
extern const char *const xlb_sched_words[XLB_SCHED_N];
extern const char *const xlb_fwd_words[XLB_FWD_N];
extern const char *const xlb_on_empty_words[XLB_ON_EMPTY_N];
extern const char *const xlb_flow_state_words[XLB_FLOW_N];
extern const char *const xlb_health_words[XLB_HEALTH_N];
extern const char *const xlb_check_type_words[XLB_CHECK_N];
extern const char *const xlb_admin_words[XLB_ADMIN_N];
extern const char *const xlb_reason_words[XLB_R_MAX];
extern const char *const xlb_event_words[XLB_EV_MAX];

/* One word each ("round-robin", "nat", "reject", "established", "UP",
 * "http", "drain", "tx_new_flow"); "?" for a value out of range. */
const char *xlb_sched_str(unsigned v);
const char *xlb_fwd_str(unsigned v);
const char *xlb_on_empty_str(unsigned v);
const char *xlb_flow_state_str(unsigned v);
const char *xlb_health_str(unsigned v);
const char *xlb_check_type_str(unsigned v);
const char *xlb_admin_str(unsigned v);
const char *xlb_reason_name(unsigned v);
/* "half_open_new", "promoted", ... (enum xlb_event) */
const char *xlb_event_name(unsigned v);
/* "tcp", "udp" for IPPROTO_TCP, IPPROTO_UDP */
const char *xlb_proto_str(unsigned ipproto);
/* "512 B", "1.5 KiB", "3.2 GiB" */
const char *xlb_bytes_str(uint64_t bytes, char *buf, size_t len);
/* "45s", "12m", "3h", "2d" */
const char *xlb_age_str(uint64_t seconds, char *buf, size_t len);

#endif

/* SPDX-License-Identifier: MIT */
/* The data plane's values in words, for the commands that read the pins
 * (`xlb status`, `xlb flows`). */
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
const char *xlb_sched_str(__u8 sched);       /* "round-robin", ... */
const char *xlb_fwd_str(__u8 fwd);           /* "nat", ... */
const char *xlb_on_empty_str(__u8 on_empty); /* "reject", ... */
const char *xlb_proto_str(__u8 proto);       /* "tcp", "udp" */
const char *xlb_health_str(__u8 state);      /* "UP", "DOWN", "PENDING" */
const char *xlb_flow_state_str(__u8 state);  /* "established", ... */
/* "512 B", "1.5 KiB", "3.2 GiB" */
const char *xlb_bytes_str(uint64_t bytes, char *buf, size_t len);
/* "45s", "12m", "3h", "2d" */
const char *xlb_age_str(uint64_t seconds, char *buf, size_t len);

#endif

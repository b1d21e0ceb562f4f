/* SPDX-License-Identifier: MIT */
/* What the kernel says of memory, for sizing the connection tables. */
#ifndef XLB_LIB_MEMINFO_H
#define XLB_LIB_MEMINFO_H

#include <stdint.h>

/* MemAvailable of /proc/meminfo in bytes; 0 when unknown. */
uint64_t mem_available(void);

#endif

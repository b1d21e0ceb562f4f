/* SPDX-License-Identifier: MIT */
/* The answer of the built-in sorry responder (bpf/sorry.h): a complete HTTP
 * 503 response naming the service, padded to the fixed segment size the
 * data plane sends, with its checksum sum precomputed. */
#ifndef XLB_SORRY_H
#define XLB_SORRY_H

#include <stdint.h>

#include "xlb/abi.h"

/* 0, or -ENAMETOOLONG when the page does not fit XLB_SORRY_LEN. */
int sorry_page_build(const char *service, uint32_t secret, struct xlb_sorry_page *page);

#endif

/* SPDX-License-Identifier: MIT */
/* Which connections `xlb flows` lists or counts: --service NAME, --member
 * ADDR[:PORT] (where the connection was sent: the forward entry's
 * destination after the rewrite), --client ADDR[/PREFIX] (the client's
 * address as it arrived).  All given must match.  Pure functions: the
 * parsing and the matching are tested without root. */
#ifndef XLB_FLOWS_FILTER_H
#define XLB_FLOWS_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "cmd/opts.h"
#include "xlb/abi.h"

struct flows_filter {
	const char *service; /* NULL: any */
	bool member;         /* --member given */
	__u8 member_family;  /* enum xlb_family */
	union xlb_ip member_addr;
	__u16 member_port;   /* host order; 0: any */
	bool client;         /* --client given */
	__u8 client_family;
	union xlb_ip client_addr; /* bits past the prefix cleared */
	unsigned client_prefix;
};

/* f from a's --service, --member and --client; 0, or -EINVAL with what is
 * wrong in err (one line, for cli_usage_error). */
int flows_filter_from_args(const struct cli_args *a, struct flows_filter *f, char *err, size_t len);

/* Whether the connection of forward entry (k, v), of the service named
 * service ("" when it is gone), passes f. */
bool flows_filter_match(const struct flows_filter *f, const struct xlb_flow_key *k,
			const struct xlb_flow *v, const char *service);

#endif

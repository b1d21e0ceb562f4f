// SPDX-License-Identifier: MIT
/* Everything the health engine says in words: check results and the one
 * line the daemon logs per state change. */
#include "health/health.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "lib/abi_text.h"

const char *health_result_str(const struct health_result *r, char *buf, size_t len)
{
	switch (r->reason) {
	case HEALTH_R_NONE:
		snprintf(buf, len, "not checked yet");
		break;
	case HEALTH_R_OK:
		if (r->http_status)
			snprintf(buf, len, "HTTP status %d", r->http_status);
		else
			snprintf(buf, len, "connected");
		break;
	case HEALTH_R_REFUSED:
		snprintf(buf, len, "connection refused");
		break;
	case HEALTH_R_TIMEOUT:
		snprintf(buf, len, "timed out after %u ms", r->timeout_ms);
		break;
	case HEALTH_R_HOSTUNREACH:
		snprintf(buf, len, "no route to host");
		break;
	case HEALTH_R_NETUNREACH:
		snprintf(buf, len, "network unreachable");
		break;
	case HEALTH_R_RESET:
		snprintf(buf, len, "connection reset");
		break;
	case HEALTH_R_CLOSED:
		snprintf(buf, len, "connection closed before an HTTP response");
		break;
	case HEALTH_R_HTTP_STATUS:
		if (r->http_expected)
			snprintf(buf, len, "HTTP status %d (expected %d)", r->http_status,
				 r->http_expected);
		else
			snprintf(buf, len, "HTTP status %d (expected 2xx or 3xx)",
				 r->http_status);
		break;
	case HEALTH_R_HTTP_BAD:
		snprintf(buf, len, "bad HTTP response");
		break;
	case HEALTH_R_ERRNO:
		snprintf(buf, len, "%s", strerror(r->err));
		break;
	default:
		snprintf(buf, len, "unknown result %d", (int)r->reason);
		break;
	}
	return buf;
}

/* "0.4 ms" below 10 ms, "12 ms" above: as precise as a reader wants. */
static void latency_str(uint32_t us, char *buf, size_t len)
{
	if (us < 9950) {
		uint32_t tenths = (us + 50) / 100;

		snprintf(buf, len, "%u.%u ms", tenths / 10, tenths % 10);
	} else {
		snprintf(buf, len, "%u ms", (us + 500) / 1000);
	}
}

int health_format_change(char *buf, size_t len, const struct health_member *m,
			 const struct health_change *c)
{
	const char *service = health_member_service(m), *name = health_member_name(m);
	char addr[INET6_ADDRSTRLEN + 8], why[128], lat[32];

	health_addr_str(health_member_addr(m), addr, sizeof(addr));
	if (c->to == XLB_HEALTH_UP) {
		latency_str(c->result.latency_us, lat, sizeof(lat));
		if (c->from == XLB_HEALTH_PENDING)
			snprintf(why, sizeof(why), "first check passed, %s", lat);
		else
			snprintf(why, sizeof(why), "%u/%u checks passed, %s", c->run, c->need,
				 lat);
	} else {
		char res[96];

		health_result_str(&c->result, res, sizeof(res));
		snprintf(why, sizeof(why), "%s, %u/%u checks failed", res, c->run, c->need);
	}
	return snprintf(buf, len, "%s%smember %s%s%s %s (%s)", service, *service ? ": " : "",
			name ? name : "", name ? " " : "", addr, xlb_health_str(c->to), why);
}

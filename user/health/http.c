// SPDX-License-Identifier: MIT
#include "health/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool http_token_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s == '\r' || *s == '\n' || *s == ' ' || *s == '\t')
			return false;
	return true;
}

int health_http_request(const char *path, const char *host, char **out, size_t *len)
{
	char *req = NULL;
	int n;

	if (!http_token_ok(path) || !http_token_ok(host))
		return -EINVAL;
	/* HTTP/1.1 for virtual hosts that insist on Host; Connection: close so
	 * the member does not wait for a second request. */
	n = asprintf(&req,
		     "GET %s HTTP/1.1\r\n"
		     "Host: %s\r\n"
		     "User-Agent: xlb-health-check\r\n"
		     "Accept: */*\r\n"
		     "Connection: close\r\n"
		     "\r\n",
		     path, host);
	if (n < 0)
		return -ENOMEM;
	*out = req;
	*len = (size_t)n;
	return 0;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

enum health_http_parse health_http_status_line(const char *buf, size_t len, bool eof,
					       int *status)
{
	static const char proto[] = "HTTP/";
	size_t plen = sizeof(proto) - 1;
	size_t want = plen + 3 + 1 + 3; /* "HTTP/" "1.1" " " "200" */

	/* Decide as early as the bytes allow: garbage is bad at its first
	 * wrong byte, not after a timeout. */
	for (size_t i = 0; i < len && i < want; i++) {
		char c = buf[i];
		bool good;

		if (i < plen)
			good = c == proto[i];
		else if (i == plen || i == plen + 2)
			good = is_digit(c);
		else if (i == plen + 1)
			good = c == '.';
		else if (i == plen + 3)
			good = c == ' ';
		else
			good = is_digit(c);
		if (!good)
			return HEALTH_HTTP_BAD;
	}
	if (len < want)
		return eof ? HEALTH_HTTP_BAD : HEALTH_HTTP_MORE;
	/* After the code: a space (reason phrase) or the end of the line. */
	if (len == want)
		return eof ? HEALTH_HTTP_BAD : HEALTH_HTTP_MORE;
	if (buf[want] != ' ' && buf[want] != '\r' && buf[want] != '\n')
		return HEALTH_HTTP_BAD;
	*status = (buf[plen + 4] - '0') * 100 + (buf[plen + 5] - '0') * 10 +
		  (buf[plen + 6] - '0');
	if (*status < 100)
		return HEALTH_HTTP_BAD;
	return HEALTH_HTTP_STATUS;
}

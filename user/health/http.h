/* SPDX-License-Identifier: MIT */
/* The HTTP side of a check: the request it sends and the reading of the
 * status line it waits for.  Nothing here touches a socket. */
#ifndef XLB_HEALTH_HTTP_H
#define XLB_HEALTH_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of an answer read at most: the status line must fit in them. */
#define HEALTH_HTTP_READ_MAX 512

enum health_http_parse {
	HEALTH_HTTP_MORE,   /* no complete status line yet */
	HEALTH_HTTP_STATUS, /* *status holds the code */
	HEALTH_HTTP_BAD,    /* not "HTTP/d.d ddd ..." */
};

/* "GET path HTTP/1.1\r\nHost: host\r\nConnection: close\r\n...\r\n\r\n",
 * malloc'ed.  Path and host must not hold CR, LF or spaces (-EINVAL). */
int health_http_request(const char *path, const char *host, char **out, size_t *len);
/* Reads the status line from the first len bytes of an answer; eof says no
 * more bytes will come (a line cut short is then bad). */
enum health_http_parse health_http_status_line(const char *buf, size_t len, bool eof,
					       int *status);

#endif

/* SPDX-License-Identifier: MIT */
/* What the daemon tells its service manager (sd_notify(3), through
 * lib/sdnotify): READY=1 once the data plane is attached and the services
 * are published; RELOADING=1 and READY=1 again around a reload; a one-line
 * STATUS= whenever its numbers change ("2 services, 6 members, 5
 * serving"); STOPPING=1 on the way out.  Without $NOTIFY_SOCKET each call
 * costs a getenv(). */
#ifndef XLB_DAEMON_NOTIFY_H
#define XLB_DAEMON_NOTIFY_H

#include "daemon/runtime.h"

void notify_ready(const struct runtime *rt);
void notify_reloading(const char *config);
/* RESULT as runtime_apply's, or -errno when the file was refused: a
 * refused reload stays in STATUS= until the next good one. */
void notify_reloaded(const struct runtime *rt, const char *config, int result);
/* STATUS= when the summary changed since it was last sent. */
void notify_status(const struct runtime *rt);
void notify_stopping(void);

/* The STATUS= text for S, EXTRA appended after "; " unless empty. */
void notify_status_text(const struct runtime_summary *s, const char *extra, char *buf,
			size_t len);

#endif

/* SPDX-License-Identifier: MIT */
/* The service manager's notification protocol (sd_notify(3)), written
 * here: one datagram of "KEY=VALUE" lines to the unix socket named by
 * $NOTIFY_SOCKET, a path ("/run/systemd/notify") or an abstract name
 * ("@..."). Ten lines of socket code do not justify libsystemd as a
 * dependency of a daemon that runs without systemd just as well. */
#ifndef XLB_SDNOTIFY_H
#define XLB_SDNOTIFY_H

#include <stdbool.h>

/* Whether $NOTIFY_SOCKET names a socket: something listens. */
bool sdnotify_wanted(void);

/* Sends the formatted message.  0 when it was sent or nobody asked for it
 * (no $NOTIFY_SOCKET); -EAFNOSUPPORT for a socket kind this code does not
 * speak (vsock), -ENAMETOOLONG, -EMSGSIZE, or the -errno of the send. */
int sdnotify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

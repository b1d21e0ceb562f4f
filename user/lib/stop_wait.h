/* SPDX-License-Identifier: MIT */
/* The wait of a daemon thread (the sweeper, the metrics endpoint): for its
 * work fd to become readable, or for the eventfd the daemon writes to stop
 * it. */
#ifndef XLB_STOP_WAIT_H
#define XLB_STOP_WAIT_H

#include <stdbool.h>

/* Blocks until fd or stop_fd is readable (EINTR retried); true when fd is
 * and stop_fd is not, false when the thread is to stop (or poll failed). */
bool stop_wait(int fd, int stop_fd);

#endif

// SPDX-License-Identifier: MIT
#include "lib/stop_wait.h"

#include <errno.h>
#include <poll.h>

bool stop_wait(int fd, int stop_fd)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = stop_fd, .events = POLLIN } };

	for (;;) {
		if (poll(p, 2, -1) >= 0)
			return !p[1].revents;
		if (errno != EINTR)
			return false;
	}
}

// SPDX-License-Identifier: MIT
#include "daemon/notify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "lib/sdnotify.h"

#define NOTE_MAX 256
#define STATUS_MAX (NOTE_MAX + 96) /* three numbers and the note */

static char last_status[STATUS_MAX];
static char note[NOTE_MAX]; /* what the numbers do not say: a refused reload */
static bool warned;

/* A lost READY=1 makes systemd kill the daemon after TimeoutStartSec: say
 * the first failure aloud, the rest with -v. */
static void sent(int err, const char *what)
{
	if (!err)
		return;
	log_msg(warned ? LOG_LVL_DEBUG : LOG_LVL_WARN,
		"cannot tell the service manager %s (NOTIFY_SOCKET): %s", what, strerror(-err));
	warned = true;
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

void notify_status_text(const struct runtime_summary *s, const char *extra, char *buf,
			size_t len)
{
	snprintf(buf, len, "%zu service%s, %zu member%s, %zu serving%s%s", s->services,
		 plural(s->services), s->members, plural(s->members), s->serving,
		 extra[0] ? "; " : "", extra);
}

static const char *status_now(const struct runtime *rt)
{
	struct runtime_summary s;

	runtime_summarize(rt, &s);
	notify_status_text(&s, note, last_status, sizeof(last_status));
	return last_status;
}

void notify_ready(const struct runtime *rt)
{
	if (sdnotify_wanted())
		sent(sdnotify("READY=1\nSTATUS=%s", status_now(rt)), "that it is ready");
}

/* systemd 253 and later take a reload as begun only with a timestamp
 * taken after the signal; 252 (Debian 12) ignores the field. */
void notify_reloading(const char *config)
{
	struct timespec ts;

	if (!sdnotify_wanted())
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sent(sdnotify("RELOADING=1\nSTATUS=reloading %s\nMONOTONIC_USEC=%llu", config,
		      (unsigned long long)ts.tv_sec * 1000000ULL +
			      (unsigned long long)ts.tv_nsec / 1000ULL),
	     "that it reloads");
}

void notify_reloaded(const struct runtime *rt, const char *config, int result)
{
	if (result < 0)
		snprintf(note, sizeof(note), "the reload of %s was refused (see the log)", config);
	else if (result > 0)
		snprintf(note, sizeof(note), "%s reloaded with %d error%s (see the log)", config,
			 result, result == 1 ? "" : "s");
	else
		note[0] = '\0';
	notify_ready(rt);
}

void notify_status(const struct runtime *rt)
{
	char before[STATUS_MAX];

	if (!sdnotify_wanted())
		return;
	memcpy(before, last_status, sizeof(before));
	if (strcmp(before, status_now(rt)))
		sent(sdnotify("STATUS=%s", last_status), "its status");
}

void notify_stopping(void)
{
	if (sdnotify_wanted())
		sent(sdnotify("STOPPING=1\nSTATUS=stopping; the data plane stays attached and "
			      "pinned"),
		     "that it stops");
}

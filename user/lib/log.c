// SPDX-License-Identifier: MIT
#include "lib/log.h"

#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level max_level = LOG_LVL_INFO;
static int timestamps;

void log_set_level(enum log_level level)
{
	max_level = level;
}

enum log_level log_get_level(void)
{
	return max_level;
}

void log_set_timestamps(int on)
{
	timestamps = on;
}

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error: ",
	[LOG_LVL_WARN] = "warning: ",
	[LOG_LVL_INFO] = "",
	[LOG_LVL_DEBUG] = "debug: ",
	[LOG_LVL_LIBBPF] = "libbpf: ",
};

__attribute__((format(printf, 2, 0))) static void log_vmsg(enum log_level level,
						       const char *fmt, va_list ap)
{
	char line[2048];
	size_t len;

	if (level > max_level)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	len = strlen(line);
	while (len && line[len - 1] == '\n')
		line[--len] = '\0';
	if (timestamps) {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld xlb: %s%s\n", when, ts.tv_nsec / 1000000,
			level_names[level], line);
	} else {
		fprintf(stderr, "xlb: %s%s\n", level_names[level], line);
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

int log_errno_at(enum log_level level, int err, const char *fmt, ...)
{
	char what[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_msg(level, "%s: %s", what, strerror(err < 0 ? -err : err));
	return err;
}

__attribute__((format(printf, 2, 0))) static int
libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's warnings matter to an operator (verifier logs come at
	 * LIBBPF_WARN); its info and debug chatter only with -vv. */
	log_vmsg(level == LIBBPF_WARN && max_level >= LOG_LVL_DEBUG ? LOG_LVL_DEBUG
								     : LOG_LVL_LIBBPF,
		 fmt, ap);
	return 0;
}

void log_hook_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

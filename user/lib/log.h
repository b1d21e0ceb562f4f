/* SPDX-License-Identifier: MIT */
/* One logger for the whole control plane: levels, stderr, and libbpf's own
 * messages routed through it (shown with -vv).
 *
 * Three ways a line looks, chosen once at start:
 *   text      "2026-12-06T10:00:00.123 xlb: warning: ..." (the daemon; the
 *             one-shot commands leave the time out)
 *   journal   "<4>warning: ..." when stderr is the journal (JOURNAL_STREAM
 *             names stderr's device and inode): the journal reads the
 *             priority from the prefix and keeps its own time
 *   json      one object per message: {"time":..., "level":..., "message":
 *             ..., and fields where the caller gave some}; still behind the
 *             priority prefix when stderr is the journal
 * Every message leaves in one write(2), so lines of concurrent writers do
 * not interleave. */
#ifndef XLB_LOG_H
#define XLB_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
	LOG_LVL_LIBBPF, /* -vv: libbpf's debug output too */
};

enum log_format {
	LOG_FORMAT_TEXT, /* plain lines, or the journal's prefixed lines */
	LOG_FORMAT_JSON,
};

/* Looks at JOURNAL_STREAM and stderr: call once at start, before the first
 * message, and again after stderr was replaced. */
void log_init(void);
/* Whether log_init() found stderr to be the journal. */
bool log_to_journal(void);

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_set_format(enum log_format format);
/* "text" or "json"; -EINVAL for anything else. */
int log_format_parse(const char *word, enum log_format *format);
/* Prefix every text line with a timestamp (the daemon) or not (one-shot
 * commands).  Never under the journal, which has its own. */
void log_set_timestamps(int on);
/* Route libbpf's messages through this logger. */
void log_hook_libbpf(void);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A message with fields that a JSON line carries as members of its own
 * ("service": "web"); text lines show the message only, so it must say
 * everything itself. */
struct log_field {
	const char *key;
	const char *value;
};
void log_fields(enum log_level level, const struct log_field *fields, size_t n_fields,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The message with the reason of err (-errno or errno) appended
 * ("...: Permission denied"); returns err, so that
 * `return log_errno(err, ...)` reports and passes it on.  The one way the
 * control plane says why a system call failed. */
int log_errno_at(enum log_level level, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...)   log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_errno(err, ...)       log_errno_at(LOG_LVL_ERROR, err, __VA_ARGS__)
#define log_warn_errno(err, ...)  log_errno_at(LOG_LVL_WARN, err, __VA_ARGS__)
#define log_debug_errno(err, ...) log_errno_at(LOG_LVL_DEBUG, err, __VA_ARGS__)

#endif

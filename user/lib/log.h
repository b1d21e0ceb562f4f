/* SPDX-License-Identifier: MIT */
/* One logger for the whole control plane: levels, stderr, and libbpf's own
 * messages routed through it (shown with -vv). */
#ifndef XLB_LOG_H
#define XLB_LOG_H

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
	LOG_LVL_LIBBPF, /* -vv: libbpf's debug output too */
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Prefix every line with a timestamp (the daemon) or not (one-shot commands). */
void log_set_timestamps(int on);
/* Route libbpf's messages through this logger. */
void log_hook_libbpf(void);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

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

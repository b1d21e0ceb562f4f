// SPDX-License-Identifier: MIT
#include "lib/log.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/json.h"

static enum log_level max_level = LOG_LVL_INFO;
static enum log_format format = LOG_FORMAT_TEXT;
static bool timestamps, journal;

/* systemd sets JOURNAL_STREAM to "DEV:INO" of the stream it connected to
 * stdout and stderr; a stderr redirected elsewhere no longer matches. */
void log_init(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	journal = env && sscanf(env, "%llu:%llu%c", &dev, &ino, &end) == 2 &&
		  fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

bool log_to_journal(void)
{
	return journal;
}

void log_set_level(enum log_level level)
{
	max_level = level;
}

enum log_level log_get_level(void)
{
	return max_level;
}

void log_set_format(enum log_format f)
{
	format = f;
}

int log_format_parse(const char *word, enum log_format *f)
{
	if (strcmp(word, "text") == 0)
		*f = LOG_FORMAT_TEXT;
	else if (strcmp(word, "json") == 0)
		*f = LOG_FORMAT_JSON;
	else
		return -EINVAL;
	return 0;
}

void log_set_timestamps(int on)
{
	timestamps = on;
}

static const struct {
	const char *word;   /* before a text line's message */
	const char *name;   /* a JSON line's "level" */
	char priority;      /* sd-daemon(3): the journal's "<N>" */
} levels[] = {
	[LOG_LVL_ERROR] = { "error: ", "error", '3' },
	[LOG_LVL_WARN] = { "warning: ", "warning", '4' },
	[LOG_LVL_INFO] = { "", "info", '6' },
	[LOG_LVL_DEBUG] = { "debug: ", "debug", '7' },
	[LOG_LVL_LIBBPF] = { "", "debug", '7' }, /* libbpf says "libbpf: " itself */
};

static void format_time(char *buf, size_t len, bool utc)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (utc)
		gmtime_r(&ts.tv_sec, &tm);
	else
		localtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ld%s", ts.tv_nsec / 1000000, utc ? "Z" : "");
}

/* Each line of the message behind the same prefix: a libbpf message can
 * hold a whole verifier log, and the journal gives a line without a
 * prefix the default priority. */
static void write_text(FILE *out, enum log_level level, const char *msg)
{
	char when[40] = "";

	if (timestamps && !journal)
		format_time(when, sizeof(when), false);
	do {
		size_t n = strcspn(msg, "\n");

		if (journal)
			fprintf(out, "<%c>", levels[level].priority);
		else
			fprintf(out, "%s%sxlb: ", when, when[0] ? " " : "");
		fprintf(out, "%s%.*s\n", levels[level].word, (int)n, msg);
		msg += n + (msg[n] == '\n');
	} while (*msg);
}

static void write_json(FILE *out, enum log_level level, const struct log_field *fields,
		       size_t n_fields, const char *msg)
{
	struct json_writer w;
	char when[40];

	format_time(when, sizeof(when), true);
	if (journal)
		fprintf(out, "<%c>", levels[level].priority);
	json_init(&w, out, false);
	json_object_begin(&w);
	json_kv_string(&w, "time", when);
	json_kv_string(&w, "level", levels[level].name);
	json_kv_string(&w, "message", msg);
	for (size_t i = 0; i < n_fields; i++)
		json_kv_string(&w, fields[i].key, fields[i].value);
	json_object_end(&w);
	json_finish(&w);
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* nowhere else to say it */
		buf += n;
		len -= (size_t)n;
	}
}

static void emit(enum log_level level, const struct log_field *fields, size_t n_fields,
		 char *msg)
{
	size_t len = strlen(msg), out_len = 0;
	char *out_buf = NULL;
	FILE *out;

	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	out = open_memstream(&out_buf, &out_len);
	if (!out) {
		write_all(STDERR_FILENO, msg, len);
		write_all(STDERR_FILENO, "\n", 1);
		return;
	}
	if (format == LOG_FORMAT_JSON)
		write_json(out, level, fields, n_fields, msg);
	else
		write_text(out, level, msg);
	if (fclose(out) == 0)
		write_all(STDERR_FILENO, out_buf, out_len);
	free(out_buf);
}

__attribute__((format(printf, 4, 0))) static void
log_vfields(enum log_level level, const struct log_field *fields, size_t n_fields,
	    const char *fmt, va_list ap)
{
	char *msg;

	if (level > max_level)
		return;
	if (vasprintf(&msg, fmt, ap) < 0) {
		write_all(STDERR_FILENO, "xlb: out of memory for a log message\n", 37);
		return;
	}
	emit(level, fields, n_fields, msg);
	free(msg);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vfields(level, NULL, 0, fmt, ap);
	va_end(ap);
}

void log_fields(enum log_level level, const struct log_field *fields, size_t n_fields,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vfields(level, fields, n_fields, fmt, ap);
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
	log_vfields(level == LIBBPF_WARN && max_level >= LOG_LVL_DEBUG ? LOG_LVL_DEBUG
								        : LOG_LVL_LIBBPF,
		    NULL, 0, fmt, ap);
	return 0;
}

void log_hook_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

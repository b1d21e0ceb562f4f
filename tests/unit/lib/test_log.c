// SPDX-License-Identifier: MIT
/* The logger's three line shapes (lib/log.c): the journal's priority
 * prefixes when JOURNAL_STREAM names stderr (a temporary file stands in
 * for the journal's socket: only device and inode are compared), plain
 * lines otherwise, and --log-format json with every string escaped. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "test.h"

/* stderr goes to a temporary file until capture_end(), which returns what
 * was written (to free) and puts the logger back as it was. */
struct capture {
	FILE *f;
	int saved;
};

enum journal_env { NO_JOURNAL, JOURNAL_IS_STDERR, JOURNAL_ELSEWHERE, JOURNAL_MALFORMED };

static void capture_begin(struct capture *c, enum journal_env env, const char *malformed)
{
	struct stat st;
	char val[64];

	fflush(stderr);
	c->f = tmpfile();
	c->saved = dup(STDERR_FILENO);
	dup2(fileno(c->f), STDERR_FILENO);
	fstat(STDERR_FILENO, &st);
	snprintf(val, sizeof(val), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + (env == JOURNAL_ELSEWHERE));
	if (env == NO_JOURNAL)
		unsetenv("JOURNAL_STREAM");
	else
		setenv("JOURNAL_STREAM", env == JOURNAL_MALFORMED ? malformed : val, 1);
	log_init();
}

static char *capture_end(struct capture *c)
{
	long n;
	char *s;

	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	unsetenv("JOURNAL_STREAM");
	log_init();
	log_set_format(LOG_FORMAT_TEXT);
	log_set_timestamps(0);
	log_set_level(LOG_LVL_INFO);
	n = ftell(c->f);
	s = calloc(1, (size_t)(n > 0 ? n : 0) + 1);
	rewind(c->f);
	if (s && n > 0 && fread(s, 1, (size_t)n, c->f) != (size_t)n)
		s[0] = '\0';
	fclose(c->f);
	return s;
}

static void log_every_level(void)
{
	log_set_level(LOG_LVL_DEBUG);
	log_err("e %d", 1);
	log_warn("member m1 is DOWN");
	log_info("i");
	log_debug("d");
}

TEST(journal_stream_naming_stderr_gives_priority_prefixes_and_no_time)
{
	struct capture c;
	char *out;

	capture_begin(&c, JOURNAL_IS_STDERR, NULL);
	log_set_timestamps(1); /* the daemon asks; the journal has its own */
	log_every_level();
	ASSERT_TRUE(log_to_journal());
	out = capture_end(&c);
	ASSERT_STR_EQ("<3>error: e 1\n<4>warning: member m1 is DOWN\n<6>i\n<7>debug: d\n", out);
	free(out);
}

TEST(journal_stream_of_another_file_gives_plain_lines)
{
	struct capture c;
	char *out;

	capture_begin(&c, JOURNAL_ELSEWHERE, NULL);
	log_every_level();
	ASSERT_TRUE(!log_to_journal());
	out = capture_end(&c);
	ASSERT_STR_EQ("xlb: error: e 1\nxlb: warning: member m1 is DOWN\nxlb: i\nxlb: debug: d\n",
		      out);
	free(out);
}

TEST(malformed_journal_stream_gives_plain_lines)
{
	static const char *const bad[] = { "", "12", "12:", ":34", "12:34x", "a:b", "12:34:56" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct capture c;
		char *out;

		capture_begin(&c, JOURNAL_MALFORMED, bad[i]);
		log_warn("w");
		out = capture_end(&c);
		if (strcmp(out, "xlb: warning: w\n")) {
			xt_fail(__FILE__, __LINE__, "JOURNAL_STREAM=\"%s\": expected a plain line, got \"%s\"",
				bad[i], out);
			free(out);
			return;
		}
		free(out);
	}
}

TEST(no_journal_stream_and_timestamps_give_local_time_then_the_line)
{
	struct capture c;
	regex_t re;
	char *out;
	int match;

	capture_begin(&c, NO_JOURNAL, NULL);
	log_set_timestamps(1);
	log_warn("w");
	out = capture_end(&c);
	ASSERT_EQ(0, regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} "
				  "xlb: warning: w\n$",
			     REG_EXTENDED));
	match = regexec(&re, out, 0, NULL, 0);
	regfree(&re);
	if (match)
		xt_fail(__FILE__, __LINE__, "expected \"TIME xlb: warning: w\", got \"%s\"", out);
	free(out);
}

TEST(every_line_of_a_multi_line_message_carries_the_prefix)
{
	struct capture c;
	char *out;

	capture_begin(&c, JOURNAL_IS_STDERR, NULL);
	log_set_level(LOG_LVL_LIBBPF);
	log_msg(LOG_LVL_LIBBPF, "libbpf: log:\n0: r0 = 1\n1: exit\n\n");
	log_warn("two\nlines");
	out = capture_end(&c);
	ASSERT_STR_EQ("<7>libbpf: log:\n<7>0: r0 = 1\n<7>1: exit\n<4>warning: two\n<4>warning: lines\n",
		      out);
	free(out);
}

TEST(levels_above_the_chosen_one_are_left_out)
{
	struct capture c;
	char *out;

	capture_begin(&c, NO_JOURNAL, NULL);
	log_set_level(LOG_LVL_WARN);
	log_info("not this");
	log_debug("nor this");
	log_warn("this");
	out = capture_end(&c);
	ASSERT_STR_EQ("xlb: warning: this\n", out);
	free(out);
}

TEST(a_message_longer_than_any_buffer_arrives_whole)
{
	static char big[20000];
	struct capture c;
	char *out;

	memset(big, 'x', sizeof(big) - 1);
	capture_begin(&c, NO_JOURNAL, NULL);
	log_info("%s", big);
	out = capture_end(&c);
	ASSERT_EQ(strlen("xlb: ") + sizeof(big) - 1 + 1, strlen(out));
	ASSERT_EQ('\n', out[strlen(out) - 1]);
	free(out);
}

/* A JSON line with its leading "time" member cut out ("{" and the rest),
 * or the line itself when that member is not there as UTC to the
 * millisecond: {"time":"2026-12-06T10:00:00.123Z", ... */
static const char *without_time(const char *line)
{
	static char buf[1024];
	const size_t len = strlen("{\"time\":\"2026-12-06T10:00:00.123Z\",");
	regex_t re;
	bool ok;

	if (regcomp(&re, "^\\{\"time\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
			 "\\.[0-9]{3}Z\",",
		    REG_EXTENDED))
		return line;
	ok = regexec(&re, line, 0, NULL, 0) == 0;
	regfree(&re);
	if (!ok)
		return line;
	snprintf(buf, sizeof(buf), "{%s", line + len);
	return buf;
}

TEST(json_line_escapes_quotes_backslashes_controls_and_bad_utf8)
{
	const struct log_field f[] = {
		{ "service", "we\"b" },
		{ "member", "m\\1\n" },
	};
	struct capture c;
	char *out;

	capture_begin(&c, NO_JOURNAL, NULL);
	log_set_format(LOG_FORMAT_JSON);
	log_set_timestamps(1);
	log_fields(LOG_LVL_WARN, f, 2,
		   "say \"%s\"\tback\\slash \x01\x1f\x7f bad \xff\xc0\x80 ok \xc3\xa9 \xe2\x82\xac", "hi");
	out = capture_end(&c);
	ASSERT_STR_EQ("{\"level\":\"warning\",\"message\":\"say \\\"hi\\\"\\tback\\\\slash \\u0001"
		      "\\u001f\\u007f bad \\ufffd\\ufffd\\ufffd ok \xc3\xa9 \xe2\x82\xac\","
		      "\"service\":\"we\\\"b\",\"member\":\"m\\\\1\\n\"}\n",
		      without_time(out));
	free(out);
}

TEST(json_line_keeps_a_multi_line_message_in_one_object)
{
	struct capture c;
	char *out;

	capture_begin(&c, NO_JOURNAL, NULL);
	log_set_format(LOG_FORMAT_JSON);
	log_err("a\nb\n");
	out = capture_end(&c);
	ASSERT_STR_EQ("{\"level\":\"error\",\"message\":\"a\\nb\"}\n", without_time(out));
	free(out);
}

TEST(json_line_under_the_journal_keeps_the_priority_prefix)
{
	struct capture c;
	char *out;

	capture_begin(&c, JOURNAL_IS_STDERR, NULL);
	log_set_format(LOG_FORMAT_JSON);
	log_warn("w");
	log_info("i");
	out = capture_end(&c);
	ASSERT_EQ(0, strncmp(out, "<4>{\"time\":\"", 12));
	ASSERT_STR_CONTAINS("\"level\":\"warning\",\"message\":\"w\"}\n<6>{\"time\":\"", out);
	ASSERT_STR_CONTAINS("\"level\":\"info\",\"message\":\"i\"}\n", out);
	free(out);
}

TEST(log_format_words_are_text_and_json_only)
{
	enum log_format f = LOG_FORMAT_JSON;

	ASSERT_EQ(0, log_format_parse("text", &f));
	ASSERT_EQ(LOG_FORMAT_TEXT, f);
	ASSERT_EQ(0, log_format_parse("json", &f));
	ASSERT_EQ(LOG_FORMAT_JSON, f);
	ASSERT_EQ(-EINVAL, log_format_parse("JSON", &f));
	ASSERT_EQ(-EINVAL, log_format_parse("", &f));
	ASSERT_EQ(-EINVAL, log_format_parse("journal", &f));
}

TEST(log_errno_appends_the_reason_and_returns_the_error)
{
	struct capture c;
	char *out;
	int rc;

	capture_begin(&c, JOURNAL_IS_STDERR, NULL);
	rc = log_errno(-EACCES, "cannot open %s", "x");
	out = capture_end(&c);
	ASSERT_EQ(-EACCES, rc);
	ASSERT_STR_EQ("<3>error: cannot open x: Permission denied\n", out);
	free(out);
}

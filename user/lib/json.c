// SPDX-License-Identifier: MIT
#include "lib/json.h"

#include <inttypes.h>
#include <math.h>

void json_init(struct json_writer *w, FILE *out, bool pretty)
{
	*w = (struct json_writer){.out = out, .pretty = pretty};
}

void json_finish(struct json_writer *w)
{
	fputc('\n', w->out);
}

/* Nesting deeper than the writer tracks is a caller bug; the output stays
 * well-formed and only the comma state of the deepest levels is shared. */
static bool *has_items(struct json_writer *w)
{
	return &w->has_items[w->depth < JSON_MAX_DEPTH ? w->depth : JSON_MAX_DEPTH];
}

static void newline_indent(struct json_writer *w)
{
	if (!w->pretty)
		return;
	fputc('\n', w->out);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->out);
}

/* Everything that starts a value or a key goes through here: it writes the
 * separator the position needs. */
static void item_begin(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (*has_items(w))
			fputc(',', w->out);
		newline_indent(w);
	}
	*has_items(w) = true;
}

static void container_begin(struct json_writer *w, char open)
{
	item_begin(w);
	fputc(open, w->out);
	w->depth++;
	*has_items(w) = false;
}

static void container_end(struct json_writer *w, char close)
{
	bool had_items = *has_items(w);

	if (w->depth > 0)
		w->depth--;
	if (had_items)
		newline_indent(w);
	fputc(close, w->out);
}

void json_object_begin(struct json_writer *w)
{
	container_begin(w, '{');
}

void json_object_end(struct json_writer *w)
{
	container_end(w, '}');
}

void json_array_begin(struct json_writer *w)
{
	container_begin(w, '[');
}

void json_array_end(struct json_writer *w)
{
	container_end(w, ']');
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static int utf8_seq_len(const unsigned char *s)
{
	uint32_t cp;
	int n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static void write_escaped(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		int n = utf8_seq_len(s);

		if (n == 0) {
			fputs("\\ufffd", out); /* keep the document valid UTF-8 */
			s++;
		} else if (*s == '"' || *s == '\\') {
			fprintf(out, "\\%c", *s++);
		} else if (*s == '\n') {
			fputs("\\n", out), s++;
		} else if (*s == '\t') {
			fputs("\\t", out), s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\u%04x", *s++);
		} else {
			fwrite(s, 1, n, out);
			s += n;
		}
	}
	fputc('"', out);
}

void json_key(struct json_writer *w, const char *key)
{
	item_begin(w);
	write_escaped(w->out, key);
	fputs(w->pretty ? ": " : ":", w->out);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	item_begin(w);
	write_escaped(w->out, s ? s : "");
}

void json_uint(struct json_writer *w, uint64_t v)
{
	item_begin(w);
	fprintf(w->out, "%" PRIu64, v);
}

void json_int(struct json_writer *w, int64_t v)
{
	item_begin(w);
	fprintf(w->out, "%" PRId64, v);
}

void json_fixed3(struct json_writer *w, double v)
{
	if (!isfinite(v)) {
		json_null(w);
		return;
	}
	item_begin(w);
	fprintf(w->out, "%.3f", v);
}

void json_bool(struct json_writer *w, bool v)
{
	item_begin(w);
	fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
	item_begin(w);
	fputs("null", w->out);
}

void json_kv_string(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void json_kv_uint(struct json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_uint(w, v);
}

void json_kv_bool(struct json_writer *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}

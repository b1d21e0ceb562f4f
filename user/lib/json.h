/* SPDX-License-Identifier: MIT */
/* A small streaming JSON writer for the read commands' --json output
 * (`xlb check`, `xlb status`): it tracks commas and nesting itself and
 * escapes every string, so output is well-formed whatever the data. */
#ifndef XLB_JSON_H
#define XLB_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *out;
	bool pretty;
	int depth;
	bool after_key;                  /* a key was written: next value follows ':' */
	bool has_items[JSON_MAX_DEPTH + 1]; /* a comma goes before the next item */
};

void json_init(struct json_writer *w, FILE *out, bool pretty);
/* Ends the document with a newline. */
void json_finish(struct json_writer *w);

void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);

void json_string(struct json_writer *w, const char *s);
void json_uint(struct json_writer *w, uint64_t v);
void json_int(struct json_writer *w, int64_t v);
/* A number with three decimals ("125.000"): rates; null when not finite. */
void json_fixed3(struct json_writer *w, double v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* key + value in one call, for the common object member. */
void json_kv_string(struct json_writer *w, const char *key, const char *s);
void json_kv_uint(struct json_writer *w, const char *key, uint64_t v);
void json_kv_bool(struct json_writer *w, const char *key, bool v);

#endif

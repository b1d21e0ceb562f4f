/* SPDX-License-Identifier: MIT */
/* Shared by the config_*.c files only: how they report errors and read
 * YAML nodes.  The daemon uses config.h. */
#ifndef XLB_CONFIG_INT_H
#define XLB_CONFIG_INT_H

#include "config/config.h"
#include "config/ytree.h"

/* Records one error at pos (a copy of the message is kept). */
void cfg_error_at(struct cfg_diag *d, struct cfg_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sorts the errors by position, file-level errors first. */
void cfg_diag_sort(struct cfg_diag *d);

/* Reads one mapping against a fixed set of keys.  names[i] NULL means the
 * key is not allowed here.  Unknown keys, duplicate keys and non-scalar keys
 * are reported; found keys land in keys[i]/vals[i] (NULL when absent).
 * Returns the bit set (1 << i) of the keys that an unknown key was taken to
 * be a typo of, so that the caller does not also call them missing. */
unsigned cfg_map_fields(struct cfg_diag *d, const struct ynode *map, const char *where,
		    const char *const names[], size_t n,
		    const struct ynode *keys[], const struct ynode *vals[]);
/* The closest of names[] to word, or NULL when none is a near miss. */
const char *cfg_suggest(const char *word, const char *const names[], size_t n);
/* "a, b, c" into buf, skipping NULL names. */
const char *cfg_join(const char *const names[], size_t n, char *buf, size_t len);

/* Value readers: each reports a problem at the value's position, naming
 * key, and returns 0 or -EINVAL. */
int cfg_want_kind(struct cfg_diag *d, const struct ynode *v, const char *key,
		  enum ynode_kind kind);
int cfg_want_string(struct cfg_diag *d, const struct ynode *v, const char *key,
		    const char **out);
int cfg_want_uint(struct cfg_diag *d, const struct ynode *v, const char *key,
		  uint32_t min, uint32_t max, uint32_t *out);
int cfg_want_port(struct cfg_diag *d, const struct ynode *v, const char *key, uint16_t *out);
int cfg_want_duration(struct cfg_diag *d, const struct ynode *v, const char *key,
		      uint32_t min_ms, uint32_t max_ms, uint32_t *out);
int cfg_want_enum(struct cfg_diag *d, const struct ynode *v, const char *key,
		  const char *const names[], size_t n, unsigned *out);
int cfg_want_ip(struct cfg_diag *d, const struct ynode *v, const char *key,
		struct xlb_addr *out);
/* A service or member name: 1..XLB_NAME_MAX-1 bytes of letters, digits and
 * ". _ - : @ +", so it can be typed on a command line and logged as is. */
int cfg_want_name(struct cfg_diag *d, const struct ynode *v, const char *key,
		  char out[XLB_NAME_MAX]);

/* The schema walk: fills cfg from the document's root (errors in d);
 * 0 or -ENOMEM. */
int cfg_parse_tree(struct cfg_diag *d, const struct ynode *root, struct xlb_config *cfg);

/* schema_global.c: `global:` into g (which holds the defaults first). */
void cfg_global_defaults(struct cfg_global *g);
void cfg_parse_global(struct cfg_diag *d, const struct ynode *v, struct cfg_global *g);

/* schema_announce.c: `announce:` under global (KEY is its key) and in a
 * service (V NULL: the defaults), and the checks that need both. */
void cfg_parse_announce_global(struct cfg_diag *d, const struct ynode *key,
			       const struct ynode *v, struct cfg_announce_global *g);
void cfg_parse_announce_service(struct cfg_diag *d, const struct ynode *key,
				const struct ynode *v, struct cfg_announce *a);
void cfg_check_announce(struct cfg_diag *d, const struct xlb_config *cfg);

/* Semantic checks over one parsed service, and over the whole file. */
void cfg_check_service(struct cfg_diag *d, const struct cfg_service *svc);
void cfg_check_config(struct cfg_diag *d, const struct xlb_config *cfg);

#endif

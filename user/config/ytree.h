/* SPDX-License-Identifier: MIT */
/* A YAML document as a small tree of scalars, mappings and lists, each node
 * with its position, built from libyaml's events with hard bounds on depth
 * and node count.  Aliases and multiple documents are refused: a config has
 * no use for them and aliases are the way to make a small file huge. */
#ifndef XLB_YTREE_H
#define XLB_YTREE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

enum ynode_kind { YN_SCALAR, YN_MAP, YN_SEQ };

struct ynode {
	enum ynode_kind kind;
	struct cfg_pos pos;
	bool plain;  /* scalar written without quotes */
	/* scalar: str (NUL-terminated) and len, which differs from strlen()
	 * when the value holds an escaped NUL.  map: n/2 key/value pairs as
	 * kids[2i], kids[2i+1].  seq: n items. */
	const char *str;
	size_t len;
	struct ynode **kids;
	size_t n;
};

struct arena_chunk;

struct ytree {
	struct ynode *root;
	size_t nodes;
	struct arena_chunk *chunks; /* every node and string, freed at once */
};

/* 0 with t->root set; -EINVAL with the reason in d (the file's syntax, an
 * alias, a second document, too deep or too big); -ENOMEM. */
int ytree_parse(struct ytree *t, const char *buf, size_t len, struct cfg_diag *d);
void ytree_free(struct ytree *t);

/* "a mapping", "a list", "a value" / "an empty value", for messages. */
const char *ynode_kind_text(const struct ynode *n);
/* A plain empty scalar: `key:` with nothing after it, or `~`/`null`. */
bool ynode_is_null(const struct ynode *n);

#endif

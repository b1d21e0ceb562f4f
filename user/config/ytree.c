// SPDX-License-Identifier: MIT
/* libyaml's event stream into a bounded tree (see ytree.h). */
#include "config/ytree.h"

#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "config/internal.h"

/* ---- arena: every node and string of a tree, freed in one go ---------- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_CHUNK (64u << 10)

static void *arena_alloc(struct ytree *t, size_t size)
{
	struct arena_chunk *c = t->chunks;
	size_t need = (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);

	if (!c || c->cap - c->used < need) {
		size_t cap = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = t->chunks;
		t->chunks = c;
	}
	c->used += need;
	return c->data + c->used - need;
}

void ytree_free(struct ytree *t)
{
	struct arena_chunk *c = t->chunks, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	*t = (struct ytree){0};
}

/* ---- building ---------------------------------------------------------- */

/* An open mapping or list and the children read so far. */
struct frame {
	struct ynode *node;
	struct ynode **kids;
	size_t n, cap;
};

struct builder {
	struct ytree *t;
	struct cfg_diag *d;
	const char *buf;
	size_t len;
	struct frame stack[CFG_YAML_DEPTH_MAX];
	int depth;
	int documents;
};

static struct cfg_pos mark_pos(yaml_mark_t m)
{
	return (struct cfg_pos){.line = (unsigned)m.line + 1, .col = (unsigned)m.column + 1};
}

/* libyaml's reader errors carry a byte offset, not a mark: count lines and
 * characters (UTF-8 lead bytes, as libyaml counts columns) up to it. */
static struct cfg_pos offset_pos(const char *buf, size_t len, size_t off)
{
	struct cfg_pos pos = {1, 1};

	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		unsigned char ch = buf[i];

		if (ch == '\n' || (ch == '\r' && (i + 1 == len || buf[i + 1] != '\n'))) {
			pos.line++;
			pos.col = 1;
		} else if ((ch & 0xc0) != 0x80 && ch != '\r') {
			pos.col++;
		}
	}
	return pos;
}

static int report_parser_error(struct builder *b, const yaml_parser_t *p)
{
	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return -ENOMEM;
	case YAML_READER_ERROR: {
		const char *problem = p->problem ? p->problem : "unreadable input";
		size_t off = p->problem_offset;
		struct cfg_pos pos;

		/* libyaml points at the bad trailing byte; the character the
		 * user sees (and must fix) starts at the lead byte before it. */
		if (strstr(problem, "trailing") && off > 0 && off <= b->len) {
			off--;
			while (off > 0 && ((unsigned char)b->buf[off] & 0xc0) == 0x80)
				off--;
		}
		pos = offset_pos(b->buf, b->len, off);

		if (strstr(problem, "UTF-8") || strstr(problem, "Unicode"))
			cfg_error_at(b->d, pos,
				     "the file is not valid UTF-8 (%s); save it as UTF-8", problem);
		else if (strstr(problem, "control characters"))
			cfg_error_at(b->d, pos,
				     "control character 0x%02x is not allowed in YAML; remove it",
				     (unsigned)p->problem_value & 0xff);
		else
			cfg_error_at(b->d, pos, "cannot read the file as YAML: %s", problem);
		return -EINVAL;
	}
	default: {
		struct cfg_pos pos = mark_pos(p->problem_mark);
		const char *problem = p->problem ? p->problem : "syntax error";
		const char *hint = "";
		size_t off = p->problem_mark.index;

		if (off < b->len && b->buf[off] == '\t')
			hint = "; tabs are not allowed for indentation, use spaces";
		if (p->context)
			cfg_error_at(b->d, pos, "YAML syntax error: %s (%s at line %zu, column %zu)%s",
				     problem, p->context, p->context_mark.line + 1,
				     p->context_mark.column + 1, hint);
		else
			cfg_error_at(b->d, pos, "YAML syntax error: %s%s", problem, hint);
		return -EINVAL;
	}
	}
}

static struct ynode *node_new(struct builder *b, enum ynode_kind kind, yaml_mark_t mark)
{
	struct ynode *n;

	if (b->t->nodes == CFG_YAML_NODES_MAX) {
		cfg_error_at(b->d, mark_pos(mark),
			     "the file has more than %u YAML nodes; xlb refuses it to bound memory",
			     CFG_YAML_NODES_MAX);
		return NULL;
	}
	n = arena_alloc(b->t, sizeof(*n));
	if (!n)
		return NULL;
	*n = (struct ynode){.kind = kind, .pos = mark_pos(mark), .str = ""};
	b->t->nodes++;
	return n;
}

static int attach(struct builder *b, struct ynode *n)
{
	struct frame *f;

	if (b->depth == 0) {
		b->t->root = n;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct ynode **kids = realloc(f->kids, cap * sizeof(*kids));

		if (!kids)
			return -ENOMEM;
		f->kids = kids;
		f->cap = cap;
	}
	f->kids[f->n++] = n;
	return 0;
}

static int add_scalar(struct builder *b, const yaml_event_t *ev)
{
	size_t len = ev->data.scalar.length;
	struct ynode *n = node_new(b, YN_SCALAR, ev->start_mark);
	char *str;

	if (!n)
		return b->t->nodes == CFG_YAML_NODES_MAX ? -EINVAL : -ENOMEM;
	str = arena_alloc(b->t, len + 1);
	if (!str)
		return -ENOMEM;
	memcpy(str, ev->data.scalar.value, len);
	str[len] = '\0';
	n->str = str;
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return attach(b, n);
}

static int open_collection(struct builder *b, enum ynode_kind kind, const yaml_event_t *ev)
{
	struct ynode *n;
	int err;

	if (b->depth == CFG_YAML_DEPTH_MAX) {
		cfg_error_at(b->d, mark_pos(ev->start_mark),
			     "the file nests deeper than %d levels; xlb refuses it to bound memory",
			     CFG_YAML_DEPTH_MAX);
		return -EINVAL;
	}
	n = node_new(b, kind, ev->start_mark);
	if (!n)
		return b->t->nodes == CFG_YAML_NODES_MAX ? -EINVAL : -ENOMEM;
	err = attach(b, n);
	if (err)
		return err;
	b->stack[b->depth].node = n;
	b->stack[b->depth].n = 0;
	b->depth++;
	return 0;
}

static int close_collection(struct builder *b)
{
	struct frame *f = &b->stack[--b->depth];

	if (f->n) {
		f->node->kids = arena_alloc(b->t, f->n * sizeof(*f->kids));
		if (!f->node->kids)
			return -ENOMEM;
		memcpy(f->node->kids, f->kids, f->n * sizeof(*f->kids));
	}
	f->node->n = f->n;
	return 0;
}

/* An alias is reported and read as an empty value, so that every alias
 * of the file is reported in one pass. */
static int add_alias(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *n;

	cfg_error_at(b->d, mark_pos(ev->start_mark),
		     "YAML aliases (*%s) are not supported: they can expand a small file "
		     "into a huge one; write the value out",
		     (const char *)ev->data.alias.anchor);
	n = node_new(b, YN_SCALAR, ev->start_mark);
	if (!n)
		return b->t->nodes == CFG_YAML_NODES_MAX ? -EINVAL : -ENOMEM;
	n->plain = true;
	return attach(b, n);
}

static int handle_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (b->documents++ == 0)
			return 0;
		cfg_error_at(b->d, mark_pos(ev->start_mark),
			     "a second YAML document starts here; xlb reads one document "
			     "per file: remove this '---' or split the file");
		return -EINVAL;
	case YAML_ALIAS_EVENT:
		return add_alias(b, ev);
	case YAML_SCALAR_EVENT:
		return add_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return open_collection(b, YN_SEQ, ev);
	case YAML_MAPPING_START_EVENT:
		return open_collection(b, YN_MAP, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return close_collection(b);
	default: /* stream start/end, document end: nothing to build */
		return 0;
	}
}

int ytree_parse(struct ytree *t, const char *buf, size_t len, struct cfg_diag *d)
{
	struct builder b = {.t = t, .d = d, .buf = buf, .len = len};
	size_t errors_before = d->total;
	yaml_parser_t parser;
	yaml_event_t ev;
	bool end = false;
	int err = 0;

	*t = (struct ytree){0};
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	while (!end && !err) {
		if (!yaml_parser_parse(&parser, &ev)) {
			err = report_parser_error(&b, &parser);
			break;
		}
		end = ev.type == YAML_STREAM_END_EVENT;
		err = handle_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	if (!err && d->total != errors_before)
		err = -EINVAL; /* aliases */

	for (size_t i = 0; i < CFG_YAML_DEPTH_MAX; i++)
		free(b.stack[i].kids);
	yaml_parser_delete(&parser);
	if (err)
		ytree_free(t);
	return err;
}

const char *ynode_kind_text(const struct ynode *n)
{
	switch (n->kind) {
	case YN_MAP:
		return "a mapping";
	case YN_SEQ:
		return "a list";
	default:
		return ynode_is_null(n) ? "an empty value" : "a single value";
	}
}

bool ynode_is_null(const struct ynode *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};

	if (n->kind != YN_SCALAR || !n->plain)
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(n->str, nulls[i]) == 0)
			return true;
	return false;
}

// SPDX-License-Identifier: MIT
/* Collecting, sorting and printing configuration errors. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"

/* Longest message kept, in bytes. */
#define CFG_ERROR_LEN 512

void cfg_diag_init(struct cfg_diag *d)
{
	*d = (struct cfg_diag){0};
}

void cfg_diag_free(struct cfg_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->errors[i].msg);
	free(d->errors);
	free(d->file);
	cfg_diag_init(d);
}

void cfg_error_at(struct cfg_diag *d, struct cfg_pos pos, const char *fmt, ...)
{
	size_t seq = d->total++;
	char text[CFG_ERROR_LEN];
	va_list ap;
	char *msg;

	/* A fuzzed or badly broken file can hold an error per line; keeping
	 * the first ones bounds memory and says enough. */
	if (d->n == CFG_ERRORS_MAX)
		return;
	if (!d->errors) {
		d->errors = calloc(CFG_ERRORS_MAX, sizeof(*d->errors));
		if (!d->errors)
			return; /* counted in total: the load still fails */
	}
	/* Messages quote values from the file, which may be megabytes long:
	 * a fixed-size buffer truncates them. */
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	msg = strdup(text);
	if (!msg)
		return;
	d->errors[d->n++] = (struct cfg_error){.pos = pos, .msg = msg, .seq = seq};
}

static int error_cmp(const void *pa, const void *pb)
{
	const struct cfg_error *a = pa, *b = pb;

	if (a->pos.line != b->pos.line)
		return a->pos.line < b->pos.line ? -1 : 1;
	if (a->pos.col != b->pos.col)
		return a->pos.col < b->pos.col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void cfg_diag_sort(struct cfg_diag *d)
{
	if (d->n > 1)
		qsort(d->errors, d->n, sizeof(*d->errors), error_cmp);
}

int cfg_diag_format(const struct cfg_diag *d, size_t i, char *buf, size_t len)
{
	const struct cfg_error *e;
	const char *file = d->file ? d->file : "(config)";

	if (i >= d->n)
		return -ENOENT;
	e = &d->errors[i];
	if (e->pos.line)
		snprintf(buf, len, "%s:%u:%u: %s", file, e->pos.line, e->pos.col, e->msg);
	else
		snprintf(buf, len, "%s: %s", file, e->msg);
	return 0;
}

void cfg_diag_print(const struct cfg_diag *d, FILE *out)
{
	char line[CFG_ERROR_LEN + 4096];

	for (size_t i = 0; i < d->n; i++) {
		cfg_diag_format(d, i, line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
	if (d->total > d->n)
		fprintf(out, "%s: %zu more errors not shown\n", d->file ? d->file : "(config)",
			d->total - d->n);
}

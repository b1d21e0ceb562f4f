// SPDX-License-Identifier: MIT
#include "test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define XT_MAX_TESTS 2048

static struct {
	const char *name;
	xt_fn fn;
} tests[XT_MAX_TESTS];
static int n_tests;
static bool cur_failed, cur_skipped;

void xt_register(const char *name, xt_fn fn)
{
	if (n_tests == XT_MAX_TESTS) {
		fprintf(stderr, "test harness: more than %d tests\n", XT_MAX_TESTS);
		exit(2);
	}
	tests[n_tests].name = name;
	tests[n_tests].fn = fn;
	n_tests++;
}

void xt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	cur_failed = true;
	fprintf(stdout, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

void xt_skip(const char *fmt, ...)
{
	va_list ap;

	cur_skipped = true;
	fputs("  skipped: ", stdout);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

bool xt_failed(void)
{
	return cur_failed;
}

void xt_hexdump_diff(const void *want, const void *got, size_t len)
{
	const uint8_t *w = want, *g = got;

	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16;
		bool same = memcmp(w + off, g + off, n) == 0;

		if (same)
			continue;
		printf("  %04zx want:", off);
		for (size_t i = 0; i < n; i++)
			printf(" %02x", w[off + i]);
		printf("\n  %04zx got: ", off);
		for (size_t i = 0; i < n; i++)
			printf("%c%02x", w[off + i] != g[off + i] ? '*' : ' ', g[off + i]);
		putchar('\n');
	}
}

int xt_main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0, skipped = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < n_tests; i++) {
		if (filter && !strstr(tests[i].name, filter))
			continue;
		cur_failed = cur_skipped = false;
		tests[i].fn();
		if (cur_failed) {
			printf("FAIL %s\n", tests[i].name);
			failed++;
		} else if (cur_skipped) {
			printf("SKIP %s\n", tests[i].name);
			skipped++;
		} else {
			printf("PASS %s\n", tests[i].name);
			passed++;
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}

/* Weak so that a test program with its own main (a benchmark) can link the
 * harness too. */
__attribute__((weak)) int main(int argc, char **argv)
{
	return xt_main(argc, argv);
}

/* SPDX-License-Identifier: MIT */
/* A small test harness: tests register themselves, run in order, and the
 * runner prints one line per test and one closing line
 * "N passed, N failed, N skipped".  Assertions print what was expected and
 * what came, with the place, then end the current test. */
#ifndef XLB_TEST_H
#define XLB_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef void (*xt_fn)(void);

void xt_register(const char *name, xt_fn fn);
void xt_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void xt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool xt_failed(void);
/* Runs every registered test (or those whose name contains argv[1]). */
int xt_main(int argc, char **argv);
void xt_hexdump_diff(const void *want, const void *got, size_t len);

#define TEST(name)                                                        \
	static void name(void);                                           \
	__attribute__((constructor)) static void xt_reg_##name(void)      \
	{                                                                 \
		xt_register(#name, name);                                 \
	}                                                                 \
	static void name(void)

#define SKIP(...)                                                         \
	do {                                                              \
		xt_skip(__VA_ARGS__);                                     \
		return;                                                   \
	} while (0)

#define ASSERT_TRUE(cond)                                                 \
	do {                                                              \
		if (!(cond)) {                                            \
			xt_fail(__FILE__, __LINE__, "expected true: %s", #cond); \
			return;                                           \
		}                                                         \
	} while (0)

#define ASSERT_EQ(want, got)                                              \
	do {                                                              \
		long long xt_w = (long long)(want), xt_g = (long long)(got); \
		if (xt_w != xt_g) {                                       \
			xt_fail(__FILE__, __LINE__,                       \
				"%s == %s: expected %lld, got %lld", #want, #got, \
				xt_w, xt_g);                              \
			return;                                           \
		}                                                         \
	} while (0)

#define ASSERT_NE(bad, got)                                               \
	do {                                                              \
		long long xt_b = (long long)(bad), xt_g = (long long)(got); \
		if (xt_b == xt_g) {                                       \
			xt_fail(__FILE__, __LINE__,                       \
				"%s != %s: got %lld", #bad, #got, xt_g);  \
			return;                                           \
		}                                                         \
	} while (0)

#define ASSERT_STR_EQ(want, got)                                          \
	do {                                                              \
		const char *xt_w = (want), *xt_g = (got);                 \
		if (!xt_g || strcmp(xt_w, xt_g) != 0) {                   \
			xt_fail(__FILE__, __LINE__,                       \
				"%s:\n  expected: \"%s\"\n  got:      \"%s\"", \
				#got, xt_w, xt_g ? xt_g : "(null)");      \
			return;                                           \
		}                                                         \
	} while (0)

#define ASSERT_STR_CONTAINS(needle, hay)                                  \
	do {                                                              \
		const char *xt_n = (needle), *xt_h = (hay);               \
		if (!xt_h || !strstr(xt_h, xt_n)) {                       \
			xt_fail(__FILE__, __LINE__,                       \
				"%s:\n  expected to contain: \"%s\"\n  got: \"%s\"", \
				#hay, xt_n, xt_h ? xt_h : "(null)");      \
			return;                                           \
		}                                                         \
	} while (0)

#define ASSERT_MEM_EQ(want, got, len)                                     \
	do {                                                              \
		if (memcmp((want), (got), (len)) != 0) {                  \
			xt_fail(__FILE__, __LINE__, "%s differs from %s (%zu bytes):", \
				#got, #want, (size_t)(len));              \
			xt_hexdump_diff((want), (got), (len));            \
			return;                                           \
		}                                                         \
	} while (0)

#endif

/* SPDX-License-Identifier: MIT */
/* Configuration tests on a text: load it as "t.yaml" and compare its
 * errors exactly (EXPECT_ERRORS), or require it to load (LOAD_OK). */
#ifndef XLB_TEST_CONFIG_TEXT_H
#define XLB_TEST_CONFIG_TEXT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "test.h"

static inline struct xlb_config *load(const char *text, char **errors)
{
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;
	size_t len = 0;
	FILE *out;

	*errors = NULL;
	cfg_diag_init(&d);
	config_load_buffer("t.yaml", text, strlen(text), &cfg, &d);
	out = open_memstream(errors, &len);
	if (out) {
		cfg_diag_print(&d, out);
		fclose(out);
	}
	cfg_diag_free(&d);
	return cfg;
}

#define EXPECT_ERRORS(text, want)                                                   \
	do {                                                                        \
		char *xt_e;                                                         \
		struct xlb_config *xt_c = load(text, &xt_e);                        \
		bool xt_ok = !xt_c && xt_e && strcmp(xt_e, want) == 0;              \
		if (!xt_ok)                                                         \
			xt_fail(__FILE__, __LINE__, "errors:\n  expected:\n%s  got:\n%s%s", \
				want, xt_e ? xt_e : "(null)\n",                     \
				xt_c ? "(a config was returned)\n" : "");           \
		config_free(xt_c);                                                  \
		free(xt_e);                                                         \
		if (!xt_ok)                                                         \
			return;                                                     \
	} while (0)

#define LOAD_OK(cfg, text)                                                          \
	do {                                                                        \
		char *xt_e;                                                         \
		cfg = load(text, &xt_e);                                            \
		if (!cfg)                                                           \
			xt_fail(__FILE__, __LINE__, "refused:\n%s", xt_e);          \
		free(xt_e);                                                         \
		if (!cfg)                                                           \
			return;                                                     \
	} while (0)

#endif

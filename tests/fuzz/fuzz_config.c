// SPDX-License-Identifier: MIT
/* libFuzzer target for the configuration parser: any bytes must load or be
 * refused with errors, never crash, leak or read out of bounds.  The plan
 * printers run on every accepted config, the error printer on every refused
 * one, so their formatting is fuzzed too. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd/check.h"
#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
	static FILE *null_out;

	if (!null_out)
		null_out = fopen("/dev/null", "w");
	return null_out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The host's values fixed: the fuzzer reads nothing of the machine. */
	static const struct tables_host host = { .nat_ports = 36280 };
	struct xlb_config *cfg = NULL;
	struct cfg_diag diag;
	FILE *out = sink();

	cfg_diag_init(&diag);
	if (config_load_buffer("fuzz.yaml", data, size, &cfg, &diag) == 0) {
		if (out) {
			check_print_plan(cfg, &host, out);
			check_print_json(cfg, &host, out);
		}
		config_free(cfg);
	} else if (out) {
		cfg_diag_print(&diag, out);
		check_print_errors_json(&diag, out);
	}
	cfg_diag_free(&diag);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* `xlb check`'s output, callable on its own (tests, and `xlb run` can print
 * the plan it is about to apply). */
#ifndef XLB_CHECK_H
#define XLB_CHECK_H

#include <stdio.h>

#include "config/config.h"
#include "daemon/tables.h"

/* The normalized plan as aligned tables a person reads at a glance; h
 * (tables_host_read) for what depends on the host: NAT ports per address,
 * the memory the tables may take. */
void check_print_plan(const struct xlb_config *cfg, const struct tables_host *h, FILE *out);
/* The same plan as one JSON object. */
void check_print_json(const struct xlb_config *cfg, const struct tables_host *h, FILE *out);
/* {"file", "valid": false, "error_count", "errors": [{line, column, message}]} */
void check_print_errors_json(const struct cfg_diag *d, FILE *out);

#endif

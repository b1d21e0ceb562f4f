/* SPDX-License-Identifier: MIT */
/* What the tests that drive the daemon's runtime (daemon/runtime.h) over
 * maps in memory share: a configuration from text applied, and a
 * service's line of `xlb status` read back by name. */
#ifndef XLB_TEST_RUNTIME_ENV_H
#define XLB_TEST_RUNTIME_ENV_H

#include <stdbool.h>

#include "dp/maps.h"
#include "xlb/info.h"

struct runtime;

/* Loads text as a configuration file (its errors printed) and applies it:
 * runtime_apply's result, or the load's -errno. */
int rt_env_apply(struct runtime *rt, const char *text, bool reload);
/* Service name's id in xlb_svc_info, its entry in out; -1 if none. */
int rt_env_svc_info(const struct xlb_maps *m, const char *name, struct xlb_svc_info *out);

#endif

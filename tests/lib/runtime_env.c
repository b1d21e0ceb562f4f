// SPDX-License-Identifier: MIT
#include "runtime_env.h"

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "daemon/runtime.h"

int rt_env_apply(struct runtime *rt, const char *text, bool reload)
{
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;
	int err;

	cfg_diag_init(&d);
	err = config_load_buffer("t.yaml", text, strlen(text), &cfg, &d);
	if (err)
		cfg_diag_print(&d, stderr);
	cfg_diag_free(&d);
	if (err)
		return err;
	err = runtime_apply(rt, cfg, reload);
	if (err < 0)
		config_free(cfg);
	return err;
}

int rt_env_svc_info(const struct xlb_maps *m, const char *name, struct xlb_svc_info *out)
{
	for (__u32 id = 0; id < XLB_MAX_SERVICES; id++)
		if (!xlb_maps_svc_info_get(m, id, out) && out->in_use && strcmp(out->name, name) == 0)
			return (int)id;
	return -1;
}

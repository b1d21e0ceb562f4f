/* SPDX-License-Identifier: MIT */
/* The connection tables a configuration asks for: the data plane's
 * load-time options from the file's global settings, the size of the
 * half-open table when the file leaves it to xlb, and the kernel memory
 * both take.  Shared by `xlb run` and `xlb check` (which prints the plan
 * without loading anything). */
#ifndef XLB_TABLES_H
#define XLB_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "dp/dataplane.h"

/* What this host says, read once: NAT source ports per snat address (the
 * kernel's ephemeral ports left out) and the memory available now. */
struct tables_host {
	struct xlb_dp_opts defaults; /* xlb_dp_opts_default() */
	uint32_t nat_ports;          /* xlb_dp_nat_ports() of the defaults */
	uint64_t mem_available;      /* bytes, MemAvailable of /proc/meminfo; 0: unknown */
};

struct tables_plan {
	uint32_t flow_entries;
	uint32_t half_open_entries;
	bool half_open_default; /* the file leaves the size to xlb */
	/* NAT ports of the smallest pool a nat member has: max(snat
	 * addresses, 1) x nat_ports, over the nat services; 0 without nat. */
	uint64_t nat_ports;
	/* The half-open table holds more entries than nat_ports: a flood
	 * aimed at that member can hold more than half of its ports. */
	bool half_open_above_ports;
	uint64_t bytes;  /* both tables: entries x XLB_FLOW_ENTRY_BYTES */
	uint64_t usable; /* what xlb may take here: 3/4 of MemAvailable (0: unknown) */
	bool fits;       /* bytes <= usable, or usable unknown */
};

void tables_host_read(struct tables_host *h);

/* The plan of cfg on host h.  The default half-open size is
 * flow_table_size / XLB_HALFOPEN_DIVISOR, at most nat_ports (a flood that
 * fills it holds at most half of one member's ports, whichever service it
 * aims at: docs/design.md, "Sizing") and at least XLB_HALFOPEN_MIN. */
void tables_plan(const struct xlb_config *cfg, const struct tables_host *h, struct tables_plan *p);

/* The data plane's options for cfg: the host's defaults, the file's
 * timeouts and the plan's table sizes.  pin_dir as xlb_dp_opts.pin_dir. */
void tables_dp_opts(const struct xlb_config *cfg, const struct tables_host *h,
		    const struct tables_plan *p, const char *pin_dir, struct xlb_dp_opts *o);

/* The half-open table of a data plane pinned at pin_dir: its size, or 0
 * when none is pinned. */
uint32_t tables_pinned_half_open(const char *pin_dir);

/* `xlb run`: the options to load the data plane with for cfg, and what is
 * worth a line in the log: a default half-open size that a pinned table
 * keeps (its size is fixed when it is created, and a restart must not
 * fail because the nat members behind the default changed), a half-open
 * table larger than the NAT ports can back. */
void tables_run_opts(const struct xlb_config *cfg, const char *pin_dir, struct xlb_dp_opts *o);

/* On a reload from old to cfg: the settings loaded with the data plane
 * that wait for a restart, and a warning when a nat member of cfg has
 * fewer NAT ports than the running half-open table (half_open_entries)
 * holds entries. */
void tables_reload_note(const struct xlb_config *old, const struct xlb_config *cfg,
			uint32_t half_open_entries);

#endif

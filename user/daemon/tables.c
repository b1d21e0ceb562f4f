// SPDX-License-Identifier: MIT
#include "daemon/tables.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "lib/log.h"
#include "lib/meminfo.h"
#include "xlb/abi.h"

void tables_host_read(struct tables_host *h)
{
	xlb_dp_opts_default(&h->defaults);
	h->nat_ports = xlb_dp_nat_ports(&h->defaults);
	h->mem_available = mem_available();
}

/* The NAT ports of the smallest pool a nat member has: max(snat addresses,
 * 1) x ports per address, over the nat services; 0 without nat. */
static uint64_t nat_member_ports(const struct xlb_config *cfg, uint32_t ports_per_addr)
{
	uint64_t least = 0;

	for (size_t i = 0; i < cfg->n_services; i++) {
		const struct cfg_service *s = &cfg->services[i];
		uint64_t n = (uint64_t)(s->n_snat ? s->n_snat : 1) * ports_per_addr;

		if (s->fwd == XLB_FWD_NAT && s->n_members && (!least || n < least))
			least = n;
	}
	return least;
}

void tables_plan(const struct xlb_config *cfg, const struct tables_host *h, struct tables_plan *p)
{
	const struct cfg_global *g = &cfg->global;
	struct xlb_dp_opts o = { .flow_entries = g->flow_table_size };

	memset(p, 0, sizeof(*p));
	p->flow_entries = g->flow_table_size;
	p->nat_ports = nat_member_ports(cfg, h->nat_ports);
	p->half_open_default = g->half_open_table_size == 0;
	if (p->half_open_default) {
		uint64_t n = xlb_dp_half_open_entries(&o);

		if (p->nat_ports && n > p->nat_ports)
			n = p->nat_ports > XLB_HALFOPEN_MIN ? p->nat_ports : XLB_HALFOPEN_MIN;
		p->half_open_entries = (uint32_t)n;
	} else {
		p->half_open_entries = g->half_open_table_size;
	}
	p->half_open_above_ports = p->nat_ports && p->half_open_entries > p->nat_ports;
	p->bytes = ((uint64_t)p->flow_entries + p->half_open_entries) * XLB_FLOW_ENTRY_BYTES;
	/* As xlb_dp_memory_check judges it. */
	p->usable = h->mem_available / 4 * 3;
	p->fits = !p->usable || p->bytes <= p->usable;
}

void tables_dp_opts(const struct xlb_config *cfg, const struct tables_host *h,
		    const struct tables_plan *p, const char *pin_dir, struct xlb_dp_opts *o)
{
	const struct cfg_global *g = &cfg->global;

	*o = h->defaults;
	o->flow_entries = p->flow_entries;
	o->half_open_entries = p->half_open_entries;
	o->timeout_tcp_half_open_ms = g->tcp_half_open_timeout_ms;
	o->timeout_tcp_est_ms = g->tcp_idle_timeout_ms;
	o->timeout_tcp_fin_ms = g->tcp_closing_timeout_ms;
	o->timeout_tcp_rst_ms = g->tcp_closing_timeout_ms;
	o->timeout_tcp_time_wait_ms = g->tcp_time_wait_ms;
	o->timeout_udp_ms = g->udp_idle_timeout_ms;
	o->pin_dir = pin_dir;
}

uint32_t tables_pinned_half_open(const char *pin_dir)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", pin_dir, XLB_MAP_HALFOPEN);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.max_entries = 0;
	close(fd);
	return info.max_entries;
}

static void half_open_ports_warn(uint32_t entries, uint64_t nat_ports)
{
	log_warn("the half-open table holds %u entries and a nat member may have as few as %llu "
		 "NAT ports: a SYN flood aimed at it can hold more than half of its ports (a nat "
		 "handshake takes two entries and one port); lower half_open_table_size under "
		 "'global:' to at most %llu, or leave it out",
		 entries, (unsigned long long)nat_ports, (unsigned long long)nat_ports);
}

void tables_run_opts(const struct xlb_config *cfg, const char *pin_dir, struct xlb_dp_opts *o)
{
	struct tables_host h;
	struct tables_plan p;
	uint32_t pinned;

	tables_host_read(&h);
	tables_plan(cfg, &h, &p);
	pinned = p.half_open_default && pin_dir ? tables_pinned_half_open(pin_dir) : 0;
	if (pinned && pinned != p.half_open_entries) {
		log_info("the pinned half-open table keeps its %u entries (the default for this "
			 "configuration would be %u; 'xlb stop' and a new start resize it)",
			 pinned, p.half_open_entries);
		p.half_open_entries = pinned;
		p.half_open_above_ports = p.nat_ports && pinned > p.nat_ports;
	}
	if (p.half_open_above_ports)
		half_open_ports_warn(p.half_open_entries, p.nat_ports);
	tables_dp_opts(cfg, &h, &p, pin_dir, o);
}

void tables_reload_note(const struct xlb_config *old, const struct xlb_config *cfg,
			uint32_t half_open_entries)
{
	const struct cfg_global *a = &old->global, *b = &cfg->global;
	struct xlb_dp_opts d;
	uint64_t ports;

	if (a->flow_table_size != b->flow_table_size || a->half_open_table_size != b->half_open_table_size)
		log_warn("flow_table_size or half_open_table_size changed: the tables keep their "
			 "size until 'xlb stop' (which ends every connection) and a new start");
	if (a->tcp_half_open_timeout_ms != b->tcp_half_open_timeout_ms ||
	    a->tcp_idle_timeout_ms != b->tcp_idle_timeout_ms ||
	    a->tcp_closing_timeout_ms != b->tcp_closing_timeout_ms ||
	    a->tcp_time_wait_ms != b->tcp_time_wait_ms || a->udp_idle_timeout_ms != b->udp_idle_timeout_ms)
		log_warn("a flow timeout changed: the data plane keeps the old ones until the daemon "
			 "is restarted (connections go on across a restart)");
	xlb_dp_opts_default(&d);
	ports = nat_member_ports(cfg, xlb_dp_nat_ports(&d));
	if (ports && half_open_entries > ports)
		half_open_ports_warn(half_open_entries, ports);
}

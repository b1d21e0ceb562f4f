/* SPDX-License-Identifier: MIT */
/* The configuration as plain data.  Parsing has no side effects (no DNS, no
 * BPF, no sockets), so the daemon can parse a new file while the old
 * configuration keeps serving, then diff the two and publish the change.
 * The schema, every default and every limit are documented in
 * docs/config.md. */
#ifndef XLB_CONFIG_H
#define XLB_CONFIG_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/abi_text.h"
#include "lib/addr.h"
#include "xlb/limits.h"

/* Files above this size are refused before they are read (standard input
 * when the read passes it). */
#define CFG_FILE_MAX          (16u << 20)
/* Bounds on the YAML tree, whatever the file size: a config needs a
 * handful of levels and about 25 nodes per member. */
#define CFG_YAML_DEPTH_MAX    32
#define CFG_YAML_NODES_MAX    1000000u
/* Errors kept per load; the count goes on past it. */
#define CFG_ERRORS_MAX        200
#define CFG_HTTP_PATH_MAX     256 /* bytes incl. NUL */

/* Health-check defaults, as HAProxy's (inter 2s, timeout 1s, rise 2, fall 3). */
#define CFG_HC_INTERVAL_MS    2000u
#define CFG_HC_TIMEOUT_MS     1000u
#define CFG_HC_RISE           2u
#define CFG_HC_FALL           3u
#define CFG_HC_EXPECT         200u
#define CFG_HC_COUNT_MAX      100u /* rise and fall: 1..100 */

/* Global defaults.  TCP flows idle longer than Linux's 2 h keepalive time, so
 * an idle SSH session that only sends keepalives keeps its member. */
#define CFG_TCP_IDLE_MS       (3u * 3600 * 1000)
#define CFG_TCP_CLOSING_MS    (10u * 1000)
/* A handshake gets this long to complete; a client-first clean close holds
 * its NAT port this long after the last ACK (late segments). */
#define CFG_TCP_HALF_OPEN_MS  (XLB_TIMEOUT_TCP_HALF_OPEN_DEFAULT * 1000u)
#define CFG_TCP_TIME_WAIT_MS  (XLB_TIMEOUT_TCP_TIME_WAIT_DEFAULT * 1000u)
#define CFG_UDP_IDLE_MS       (60u * 1000)
#define CFG_RESOLVE_MS        (60u * 1000)

/* A place in the file, 1-based; {0, 0} for "no place" (the whole file). */
struct cfg_pos {
	unsigned line, col;
};


struct cfg_health {
	enum xlb_check_type type;
	uint16_t port;   /* 0: the member's own port */
	uint16_t expect; /* http: expected status, 100..599 */
	uint32_t interval_ms, timeout_ms; /* timeout_ms < interval_ms */
	uint32_t rise, fall;              /* consecutive results, 1..100 */
	char path[CFG_HTTP_PATH_MAX];     /* http: starts with '/' */
};

bool cfg_health_equal(const struct cfg_health *a, const struct cfg_health *b);

struct cfg_member {
	char name[XLB_NAME_MAX];
	/* Either an address literal, or a hostname the daemon resolves (every
	 * A/AAAA record of the VIP's family becomes a backend of its own). */
	bool is_hostname;
	struct xlb_addr addr;          /* when !is_hostname */
	char host[XLB_HOSTNAME_MAX];   /* when is_hostname */
	uint16_t port;
	uint16_t weight;               /* 0..XLB_WEIGHT_MAX; 0 drains */
	struct cfg_health health;      /* effective: service settings + overrides */
	bool health_override;          /* the member has its own healthcheck key */
	struct cfg_pos pos;            /* the member's name */
	struct cfg_pos addr_pos;       /* its address */
};

/* A service's `announce:` settings (docs/config.md): while it has at
 * least min_members serving members, for up_delay_ms in a row, its VIP is
 * announced (global: announce:); with fewer it is withdrawn at once. */
struct cfg_announce {
	bool enabled;                  /* false: `announce: false` */
	uint32_t min_members;          /* 1..XLB_MAX_MEMBERS_PER_SERVICE */
	uint32_t up_delay_ms;          /* 0..CFG_ANNOUNCE_UP_DELAY_MAX_MS */
	struct cfg_pos pos;            /* the key; {0, 0} when not given */
};
#define CFG_ANNOUNCE_MIN_MEMBERS   1u
#define CFG_ANNOUNCE_UP_DELAY_MAX_MS (3600u * 1000)

/* global: announce: how the network learns where the VIPs are. */
struct cfg_announce_global {
	/* A kernel routing table (1..2^32-1, not main, local or default)
	 * that holds a host route for every announced VIP; 0: none. */
	uint32_t table;
	/* Answer ARP and neighbour solicitation for served VIPs from the
	 * data path, and announce each one that becomes served (gratuitous
	 * ARP, unsolicited neighbour advertisement). */
	bool l2;
	struct cfg_pos pos;            /* the key; {0, 0} when not given */
};

/* global: metrics: where the daemon serves Prometheus metrics
 * (daemon/metrics.h); off when the key is absent. */
struct cfg_metrics {
	bool enabled;
	struct xlb_addr addr;          /* may be 0.0.0.0 or :: (every address) */
	uint16_t port;                 /* host order, 1-65535 */
	struct cfg_pos pos;            /* the key; {0, 0} when not given */
};

struct cfg_service {
	char name[XLB_NAME_MAX];
	struct xlb_addr vip;
	uint16_t port;
	uint8_t protocol;              /* IPPROTO_TCP or IPPROTO_UDP */
	enum xlb_sched sched;
	enum xlb_fwd fwd;
	enum xlb_on_empty on_empty;
	/* on_empty sorry: where new connections go; unset (has_sorry false)
	 * means xlb's own HTTP 503 responder. */
	bool has_sorry;
	struct xlb_addr sorry_addr;
	uint16_t sorry_port;
	/* nat: the source addresses toward members, one or a pool (IPVS's
	 * local address pool: a member's NAT port space is n_snat times the
	 * usable ports); none means the address of the interface the route to
	 * the member leaves by.  One family, the VIP's.  has_snat: the file
	 * gives the key (n_snat counts the addresses that were valid). */
	bool has_snat;
	struct xlb_addr snat[XLB_MAX_SNAT_ADDRS];
	size_t n_snat;
	struct cfg_pos snat_addr_pos[XLB_MAX_SNAT_ADDRS]; /* each address */
	struct cfg_health health;      /* the service's settings, members' base */
	struct cfg_member *members;
	size_t n_members;
	struct cfg_announce announce;
	struct cfg_pos pos;            /* the service's name */
	struct cfg_pos vip_pos, sorry_pos, snat_pos, members_pos;
};

struct xlb_config;

/* global: socket_lb: the cgroup socket hooks for clients on this host. */
enum cfg_socket_lb { CFG_SOCKET_LB_AUTO, CFG_SOCKET_LB_ON, CFG_SOCKET_LB_OFF };
/* Its words in the file: "auto", "true", "false". */
extern const char *const cfg_socket_lb_words[3];
#define CFG_CGROUP_PATH_MAX   256 /* bytes incl. NUL */

struct cfg_socket_lb_opts {
	/* auto: on when a service's VIP is a loopback address (only local
	 * clients can reach it), else off. */
	enum cfg_socket_lb enabled;
	bool all_namespaces;           /* false: the daemon's netns only */
	char cgroup[CFG_CGROUP_PATH_MAX]; /* "": the root of the cgroup v2 mount */
};

/* Whether the socket hooks are to be attached: enabled, or auto with a
 * loopback VIP. */
bool cfg_socket_lb_on(const struct xlb_config *cfg);
/* A loopback VIP (127.0.0.0/8, ::1): local clients only, never XDP. */
bool cfg_vip_is_local(const struct cfg_service *svc);

struct cfg_global {
	char interfaces[XLB_MAX_INTERFACES][IFNAMSIZ]; /* names, not checked against the kernel */
	size_t n_interfaces;
	uint32_t flow_table_size;      /* XLB_FLOWS_MIN..XLB_FLOWS_MAX */
	/* XLB_HALFOPEN_MIN..XLB_HALFOPEN_MAX; 0: the default, which the
	 * daemon sizes (daemon/tables.h). */
	uint32_t half_open_table_size;
	uint32_t tcp_half_open_timeout_ms; /* a handshake not completed */
	uint32_t tcp_idle_timeout_ms;
	uint32_t tcp_closing_timeout_ms; /* after FIN or RST */
	/* After a close the client began, both FINs and the last ACK seen:
	 * then the NAT port is free again. */
	uint32_t tcp_time_wait_ms;
	uint32_t udp_idle_timeout_ms;
	uint32_t resolve_interval_ms;  /* hostname members are re-resolved this often */
	struct cfg_socket_lb_opts socket_lb;
	struct cfg_announce_global announce;
	struct cfg_metrics metrics;
};

struct xlb_config {
	char *source;                  /* the file name given to the loader */
	struct cfg_global global;
	struct cfg_service *services;
	size_t n_services;
	size_t n_members;              /* over all services */
};

/* One error: a place in the file and what to do about it. */
struct cfg_error {
	struct cfg_pos pos;
	char *msg;
	size_t seq; /* order of discovery, to keep sorting stable */
};

/* The errors of one load, sorted by position once the load returns. */
struct cfg_diag {
	char *file;
	struct cfg_error *errors;
	size_t n;     /* kept, at most CFG_ERRORS_MAX */
	size_t total; /* found, including those not kept */
};

void cfg_diag_init(struct cfg_diag *d);
void cfg_diag_free(struct cfg_diag *d);
/* "FILE:LINE:COL: message" (or "FILE: message" without a position). */
int cfg_diag_format(const struct cfg_diag *d, size_t i, char *buf, size_t len);
/* Every kept error, one per line, and a note for those not kept. */
void cfg_diag_print(const struct cfg_diag *d, FILE *out);

/* The path that means standard input, and the name its errors carry. */
#define CFG_STDIN_PATH "-"
#define CFG_STDIN_NAME "<stdin>"

/* Parse and validate.  0 with *out set on success (free it with
 * config_free); -EINVAL when the file is invalid, -ENOMEM, or the -errno of
 * reading the file; every problem is in diag (which the caller initialised
 * and frees) and *out is NULL.
 * config_load_file reads a regular file (through any symbolic links) and
 * nothing else: a directory (-EISDIR), FIFO, device or socket (-EINVAL) is
 * refused before it is read, so a load never waits for a writer.
 * CFG_STDIN_PATH reads standard input to its end instead, for a caller
 * that reads its configuration once. */
int config_load_file(const char *path, struct xlb_config **out, struct cfg_diag *diag);
int config_load_buffer(const char *name, const void *buf, size_t len,
		       struct xlb_config **out, struct cfg_diag *diag);
void config_free(struct xlb_config *cfg);

/* Writes a duration as the file would ("2s", "90s", "1500ms", "3h"). */
const char *cfg_format_duration(uint32_t ms, char *buf, size_t len);

#endif

// SPDX-License-Identifier: MIT
#include "lib/caps.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/log.h"

/* The ones xlb asks for, in the order messages name them. */
static const struct {
	int cap;
	const char *name;
} known[] = {
	{ CAP_BPF, "CAP_BPF" },
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
	{ CAP_PERFMON, "CAP_PERFMON" },
	{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
};

/* The kernel's highest capability; a kernel too old to say (before 3.2)
 * knows none of the new ones. */
static int read_last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int last = CAP_SYS_ADMIN;

	if (f) {
		if (fscanf(f, "%d", &last) != 1)
			last = CAP_SYS_ADMIN;
		fclose(f);
	}
	return last;
}

int caps_current(struct caps_state *s)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	s->effective = (uint64_t)data[1].effective << 32 | data[0].effective;
	s->last_cap = read_last_cap();
	return 0;
}

uint64_t caps_missing(const struct caps_state *s, uint64_t need, uint64_t *needed)
{
	const uint64_t sys_admin = CAPS_BIT(CAP_SYS_ADMIN);
	const uint64_t covered = CAPS_BIT(CAP_BPF) | CAPS_BIT(CAP_PERFMON);

	if (s->last_cap < CAP_BPF && (need & covered))
		need = (need & ~covered) | sys_admin;
	*needed = need;
	if (s->effective & sys_admin)
		need &= ~covered;
	return need & ~s->effective;
}

void caps_names(uint64_t mask, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]) && n < len; i++)
		if (mask & CAPS_BIT(known[i].cap))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
					      known[i].name);
}

int caps_require(const char *who, uint64_t need, const char *why)
{
	char needed_s[128], missing_s[128];
	struct caps_state s;
	uint64_t needed, missing;
	int err;

	err = caps_current(&s);
	if (err)
		return log_errno(err, "%s: cannot read this process's capabilities (capget)", who);
	missing = caps_missing(&s, need, &needed);
	if (!missing)
		return 0;
	caps_names(needed, needed_s, sizeof(needed_s));
	caps_names(missing, missing_s, sizeof(missing_s));
	log_err("%s needs %s (missing: %s)%s%s; run it as root or grant %s (docs/operations.md, "
		"'Running without root')",
		who, needed_s, missing_s, why[0] ? " " : "", why,
		__builtin_popcountll(needed) == 1 ? "it" : "them");
	return -EPERM;
}

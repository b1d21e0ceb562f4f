/* SPDX-License-Identifier: MIT */
/* What a command may do, asked of the kernel (capget(2)) rather than
 * guessed from the uid: root without CAP_NET_ADMIN cannot attach, and a
 * user holding CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON can.  The kernel's
 * own rule is followed: CAP_SYS_ADMIN stands in for CAP_BPF and
 * CAP_PERFMON, and before Linux 5.8 (no CAP_BPF) it is the only way. */
#ifndef XLB_CAPS_H
#define XLB_CAPS_H

#include <linux/capability.h>
#include <stddef.h>
#include <stdint.h>

#ifndef CAP_BPF /* kernel headers older than 5.8 */
#define CAP_PERFMON 38
#define CAP_BPF 39
#endif

#define CAPS_BIT(cap) (UINT64_C(1) << (cap))

/* What each kind of command needs.  run: load (CAP_BPF; CAP_PERFMON
 * because the verifier lets only it subtract packet pointers, which the
 * data path does), attach (CAP_NET_ADMIN).  stop: remove tc filters
 * (netlink, CAP_NET_ADMIN); unlinking pins needs only write access to the
 * pin directory.  The pinned maps: CAP_BPF to open them (the bpf(2) of
 * kernels before 6.5 refuses any command without it when
 * kernel.unprivileged_bpf_disabled is set, as Debian does). */
#define CAPS_RUN  (CAPS_BIT(CAP_BPF) | CAPS_BIT(CAP_NET_ADMIN) | CAPS_BIT(CAP_PERFMON))
#define CAPS_STOP CAPS_BIT(CAP_NET_ADMIN)
#define CAPS_MAPS CAPS_BIT(CAP_BPF)

/* A process's effective capabilities and what the kernel knows of. */
struct caps_state {
	uint64_t effective;
	int last_cap; /* /proc/sys/kernel/cap_last_cap; CAP_BPF and up: 5.8+ */
};

/* This process's, now.  0 or -errno. */
int caps_current(struct caps_state *s);

/* What NEED amounts to on this kernel (CAP_SYS_ADMIN for CAP_BPF and
 * CAP_PERFMON before 5.8), and which of that S lacks, counting
 * CAP_SYS_ADMIN as holding both.  Returns the missing mask (0: enough). */
uint64_t caps_missing(const struct caps_state *s, uint64_t need, uint64_t *needed);

/* "CAP_BPF, CAP_NET_ADMIN" for a mask of the capabilities above. */
void caps_names(uint64_t mask, char *buf, size_t len);

/* 0 when this process holds NEED; else logs
 *   "WHO needs CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON (missing: CAP_NET_ADMIN)
 *    WHY; run it as root or grant them"
 * and returns -EPERM.  WHY says what they are for ("to read the pins at
 * /sys/fs/bpf/xlb"), "" for nothing. */
int caps_require(const char *who, uint64_t need, const char *why);

#endif

// SPDX-License-Identifier: MIT
/* Capabilities instead of uid 0 (lib/caps.c): what each need amounts to on
 * kernels with and without CAP_BPF, CAP_SYS_ADMIN standing in for CAP_BPF
 * and CAP_PERFMON as the kernel lets it, and the message a process without
 * them gets (a child that lowered its effective set, so it runs the same
 * as root or not). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/caps.h"
#include "lib/log.h"
#include "test.h"

#define BPF       CAPS_BIT(CAP_BPF)
#define NET_ADMIN CAPS_BIT(CAP_NET_ADMIN)
#define PERFMON   CAPS_BIT(CAP_PERFMON)
#define SYS_ADMIN CAPS_BIT(CAP_SYS_ADMIN)

#define NEW_KERNEL 40 /* cap_last_cap of 5.9+ (CAP_CHECKPOINT_RESTORE) */
#define OLD_KERNEL 37 /* 5.4: CAP_AUDIT_READ, nothing after */

struct missing_case {
	const char *what;
	uint64_t effective, need;
	int last_cap;
	uint64_t want_needed, want_missing;
};

static const struct missing_case missing_cases[] = {
	{ "run, exactly the three", BPF | NET_ADMIN | PERFMON, CAPS_RUN, NEW_KERNEL, CAPS_RUN, 0 },
	{ "run, CAP_BPF only", BPF, CAPS_RUN, NEW_KERNEL, CAPS_RUN, NET_ADMIN | PERFMON },
	{ "run, nothing", 0, CAPS_RUN, NEW_KERNEL, CAPS_RUN, CAPS_RUN },
	{ "run, CAP_SYS_ADMIN covers CAP_BPF and CAP_PERFMON", SYS_ADMIN | NET_ADMIN, CAPS_RUN,
	  NEW_KERNEL, CAPS_RUN, 0 },
	{ "run, CAP_SYS_ADMIN is not CAP_NET_ADMIN", SYS_ADMIN, CAPS_RUN, NEW_KERNEL, CAPS_RUN,
	  NET_ADMIN },
	{ "run, before 5.8: CAP_SYS_ADMIN instead", NET_ADMIN, CAPS_RUN, OLD_KERNEL,
	  SYS_ADMIN | NET_ADMIN, SYS_ADMIN },
	{ "run, before 5.8, both held", SYS_ADMIN | NET_ADMIN, CAPS_RUN, OLD_KERNEL,
	  SYS_ADMIN | NET_ADMIN, 0 },
	{ "stop, CAP_NET_ADMIN alone", NET_ADMIN, CAPS_STOP, NEW_KERNEL, NET_ADMIN, 0 },
	{ "stop, before 5.8: still CAP_NET_ADMIN", 0, CAPS_STOP, OLD_KERNEL, NET_ADMIN, NET_ADMIN },
	{ "maps, CAP_BPF", BPF, CAPS_MAPS, NEW_KERNEL, BPF, 0 },
	{ "maps, without", NET_ADMIN | PERFMON, CAPS_MAPS, NEW_KERNEL, BPF, BPF },
	{ "maps, before 5.8", BPF, CAPS_MAPS, OLD_KERNEL, SYS_ADMIN, SYS_ADMIN },
};

TEST(missing_capabilities_follow_the_kernels_rules)
{
	for (size_t i = 0; i < sizeof(missing_cases) / sizeof(missing_cases[0]); i++) {
		const struct missing_case *c = &missing_cases[i];
		struct caps_state s = { .effective = c->effective, .last_cap = c->last_cap };
		uint64_t needed = 0, missing = caps_missing(&s, c->need, &needed);

		if (needed != c->want_needed || missing != c->want_missing) {
			xt_fail(__FILE__, __LINE__,
				"%s: expected needed %#llx missing %#llx, got needed %#llx missing %#llx",
				c->what, (unsigned long long)c->want_needed,
				(unsigned long long)c->want_missing, (unsigned long long)needed,
				(unsigned long long)missing);
			return;
		}
	}
}

TEST(capability_names_come_in_one_order)
{
	char buf[128];

	caps_names(CAPS_RUN, buf, sizeof(buf));
	ASSERT_STR_EQ("CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON", buf);
	caps_names(SYS_ADMIN | NET_ADMIN, buf, sizeof(buf));
	ASSERT_STR_EQ("CAP_NET_ADMIN, CAP_SYS_ADMIN", buf);
	caps_names(0, buf, sizeof(buf));
	ASSERT_STR_EQ("", buf);
	caps_names(CAPS_RUN, buf, 12); /* cut, never overrun */
	ASSERT_STR_EQ("CAP_BPF, CA", buf);
}

TEST(this_process_capabilities_are_read)
{
	struct caps_state s;

	ASSERT_EQ(0, caps_current(&s));
	ASSERT_TRUE(s.last_cap >= CAP_SYS_ADMIN);
	if (geteuid() == 0)
		ASSERT_TRUE((s.effective & NET_ADMIN) != 0);
}

/* In a child: lower the effective set to KEEP (of what is permitted), call
 * caps_require, and hand back its result and message. */
static int require_with(uint64_t keep, const char *who, uint64_t need, const char *why,
			char *msg, size_t len)
{
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -errno;
	pid = fork();
	if (pid == 0) {
		struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

		close(pipefd[0]);
		dup2(pipefd[1], STDERR_FILENO);
		log_init();
		if (syscall(SYS_capget, &hdr, data))
			_exit(100);
		data[0].effective &= (uint32_t)keep;
		data[1].effective &= (uint32_t)(keep >> 32);
		if (syscall(SYS_capset, &hdr, data))
			_exit(101);
		_exit(caps_require(who, need, why) == -EPERM ? 1 : 0);
	}
	close(pipefd[1]);
	n = read(pipefd[0], msg, len - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return WEXITSTATUS(status);
}

TEST(a_process_without_the_capabilities_is_told_which_are_missing)
{
	char msg[512];

	ASSERT_EQ(1, require_with(0, "xlb run", CAPS_RUN, "to load", msg, sizeof(msg)));
	ASSERT_STR_EQ("xlb: error: xlb run needs CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON (missing: "
		      "CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON) to load; run it as root or grant them "
		      "(docs/operations.md, 'Running without root')\n",
		      msg);
	ASSERT_EQ(1, require_with(0, "xlb drain", CAPS_MAPS, "", msg, sizeof(msg)));
	ASSERT_STR_EQ("xlb: error: xlb drain needs CAP_BPF (missing: CAP_BPF); run it as root or "
		      "grant it (docs/operations.md, 'Running without root')\n",
		      msg);
}

TEST(a_process_missing_one_capability_is_told_that_one)
{
	struct caps_state s;
	char msg[512];

	ASSERT_EQ(0, caps_current(&s));
	if ((s.effective & CAPS_RUN) != CAPS_RUN || s.last_cap < CAP_BPF)
		SKIP("this process does not hold CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON to drop one");
	ASSERT_EQ(1, require_with(BPF | PERFMON, "xlb run", CAPS_RUN, "to load", msg, sizeof(msg)));
	ASSERT_STR_EQ("xlb: error: xlb run needs CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON (missing: "
		      "CAP_NET_ADMIN) to load; run it as root or grant them (docs/operations.md, "
		      "'Running without root')\n",
		      msg);
	ASSERT_EQ(0, require_with(CAPS_RUN, "xlb run", CAPS_RUN, "to load", msg, sizeof(msg)));
	ASSERT_STR_EQ("", msg);
}

// SPDX-License-Identifier: MIT
/* The service manager's notification protocol: the transport
 * (lib/sdnotify.c) to a path socket and an abstract one, what it does
 * without $NOTIFY_SOCKET or with one it cannot speak to, and the messages
 * the daemon sends (daemon/notify.c) in the order systemd wants them:
 * READY=1 with a STATUS=, RELOADING=1 with MONOTONIC_USEC= and READY=1 again,
 * STATUS= only when it changed, STOPPING=1.  A listener socket of the test
 * stands in for systemd. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/notify.h"
#include "lib/sdnotify.h"
#include "test.h"

struct listener {
	int fd;
	char name[108]; /* as in NOTIFY_SOCKET */
};

/* A datagram socket at a fresh path, or at an abstract name when
 * ABSTRACT; NOTIFY_SOCKET names it. */
static int listen_at(struct listener *l, bool abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;
	struct timeval tv = { .tv_sec = 2 };

	snprintf(l->name, sizeof(l->name), "%s/xlb-notify-test.%d", abstract ? "@" : "/tmp",
		 (int)getpid());
	memcpy(sa.sun_path, l->name, strlen(l->name));
	if (abstract)
		sa.sun_path[0] = '\0';
	else
		unlink(l->name);
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(l->name));
	l->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sa, len) ||
	    setsockopt(l->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -errno;
	setenv("NOTIFY_SOCKET", l->name, 1);
	return 0;
}

static void listener_close(struct listener *l)
{
	close(l->fd);
	if (l->name[0] == '/')
		unlink(l->name);
	unsetenv("NOTIFY_SOCKET");
}

/* The next datagram, or "" when none came within the socket's timeout
 * (WAIT) or at once (!WAIT). */
static const char *next_msg(struct listener *l, bool wait)
{
	static char buf[2048];
	ssize_t n = recv(l->fd, buf, sizeof(buf) - 1, wait ? 0 : MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static unsigned long long monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000;
}

TEST(a_message_reaches_a_path_socket_whole)
{
	struct listener l;

	ASSERT_EQ(0, listen_at(&l, false));
	ASSERT_TRUE(sdnotify_wanted());
	ASSERT_EQ(0, sdnotify("READY=1\nSTATUS=%d services", 3));
	ASSERT_STR_EQ("READY=1\nSTATUS=3 services", next_msg(&l, true));
	listener_close(&l);
}

TEST(a_message_reaches_an_abstract_socket)
{
	struct listener l;

	ASSERT_EQ(0, listen_at(&l, true));
	ASSERT_EQ(0, sdnotify("STOPPING=1"));
	ASSERT_STR_EQ("STOPPING=1", next_msg(&l, true));
	listener_close(&l);
}

TEST(without_notify_socket_nothing_is_sent_and_nothing_fails)
{
	unsetenv("NOTIFY_SOCKET");
	ASSERT_TRUE(!sdnotify_wanted());
	ASSERT_EQ(0, sdnotify("READY=1"));
	setenv("NOTIFY_SOCKET", "", 1);
	ASSERT_TRUE(!sdnotify_wanted());
	ASSERT_EQ(0, sdnotify("READY=1"));
	unsetenv("NOTIFY_SOCKET");
}

TEST(a_notify_socket_it_cannot_speak_to_is_an_error)
{
	char longname[200];

	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	ASSERT_EQ(-EAFNOSUPPORT, sdnotify("READY=1"));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longname, 1);
	ASSERT_EQ(-ENAMETOOLONG, sdnotify("READY=1"));
	setenv("NOTIFY_SOCKET", "/nonexistent/xlb-notify", 1);
	ASSERT_EQ(-ENOENT, sdnotify("READY=1"));
	unsetenv("NOTIFY_SOCKET");
}

TEST(status_text_counts_with_singulars_and_an_optional_note)
{
	struct runtime_summary s = { .services = 9, .members = 17, .serving = 16 };
	char buf[256];

	notify_status_text(&s, "", buf, sizeof(buf));
	ASSERT_STR_EQ("9 services, 17 members, 16 serving", buf);
	s = (struct runtime_summary){ .services = 1, .members = 1, .serving = 0 };
	notify_status_text(&s, "the reload of f was refused (see the log)", buf, sizeof(buf));
	ASSERT_STR_EQ("1 service, 1 member, 0 serving; the reload of f was refused (see the log)",
		      buf);
}

/* With no runtime the summary is all zeros: the messages are what is
 * checked here; the e2e suite checks them from a real daemon. */
TEST(daemon_messages_come_in_the_order_systemd_wants)
{
	unsigned long long before, after, stamp = 0;
	struct listener l;
	const char *m;

	ASSERT_EQ(0, listen_at(&l, false));
	notify_ready(NULL);
	ASSERT_STR_EQ("READY=1\nSTATUS=0 services, 0 members, 0 serving", next_msg(&l, true));
	notify_status(NULL); /* unchanged: nothing */
	ASSERT_STR_EQ("", next_msg(&l, false));

	before = monotonic_usec();
	notify_reloading("/etc/xlb/xlb.yaml");
	after = monotonic_usec();
	m = next_msg(&l, true);
	ASSERT_EQ(0, strncmp(m, "RELOADING=1\nSTATUS=reloading /etc/xlb/xlb.yaml\nMONOTONIC_USEC=",
			     strlen("RELOADING=1\nSTATUS=reloading /etc/xlb/xlb.yaml\nMONOTONIC_USEC=")));
	ASSERT_EQ(1, sscanf(strrchr(m, '=') + 1, "%llu", &stamp));
	ASSERT_TRUE(stamp >= before && stamp <= after);

	notify_reloaded(NULL, "/etc/xlb/xlb.yaml", -EINVAL);
	ASSERT_STR_EQ("READY=1\nSTATUS=0 services, 0 members, 0 serving; the reload of "
		      "/etc/xlb/xlb.yaml was refused (see the log)",
		      next_msg(&l, true));
	notify_status(NULL); /* the note stays: nothing changed */
	ASSERT_STR_EQ("", next_msg(&l, false));
	notify_reloaded(NULL, "/etc/xlb/xlb.yaml", 2);
	ASSERT_STR_EQ("READY=1\nSTATUS=0 services, 0 members, 0 serving; /etc/xlb/xlb.yaml "
		      "reloaded with 2 errors (see the log)",
		      next_msg(&l, true));
	notify_reloaded(NULL, "/etc/xlb/xlb.yaml", 0);
	ASSERT_STR_EQ("READY=1\nSTATUS=0 services, 0 members, 0 serving", next_msg(&l, true));

	notify_stopping();
	ASSERT_STR_EQ("STOPPING=1\nSTATUS=stopping; the data plane stays attached and pinned",
		      next_msg(&l, true));
	ASSERT_STR_EQ("", next_msg(&l, false));
	listener_close(&l);
}

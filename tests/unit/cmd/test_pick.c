// SPDX-License-Identifier: MIT
/* `xlb pick --json` against members on loopback (no root): a listening
 * socket is a member that is up, a socket bound but not listening one that
 * refuses; the JSON names each member's state and check, and the member
 * picked next, which moves round-robin over the ones that are up. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "test.h"

/* A TCP socket on 127.0.0.1, listening or only bound; its port in *port. */
static int loopback_socket(bool listening, unsigned *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    (listening && listen(fd, 16)) ||
	    getsockname(fd, (struct sockaddr *)&sin, &len)) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

struct pick_env {
	char dir[64];
	char config[128];
	char state[128];
	int fds[4];
	unsigned up1, up2, refusing;
};

static void env_free(struct pick_env *e)
{
	for (int i = 0; i < 4; i++)
		if (e->fds[i] >= 0)
			close(e->fds[i]);
	unlink(e->config);
	unlink(e->state);
	rmdir(e->dir);
}

/* Service web: up1, down (refusing), up2; service dark: its one member
 * refuses. */
static int env_new(struct pick_env *e)
{
	unsigned dark;
	FILE *f;

	memset(e, 0, sizeof(*e));
	for (int i = 0; i < 4; i++)
		e->fds[i] = -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/xlb-test-pick-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	snprintf(e->config, sizeof(e->config), "%s/xlb.yaml", e->dir);
	snprintf(e->state, sizeof(e->state), "%s/pick.state", e->dir);
	e->fds[0] = loopback_socket(true, &e->up1);
	e->fds[1] = loopback_socket(false, &e->refusing);
	e->fds[2] = loopback_socket(true, &e->up2);
	e->fds[3] = loopback_socket(false, &dark);
	for (int i = 0; i < 4; i++)
		if (e->fds[i] < 0)
			return -1;
	f = fopen(e->config, "w");
	if (!f)
		return -1;
	fprintf(f,
		"services:\n"
		"  - name: web\n"
		"    vip: {ip: 127.0.0.1, port: 8080}\n"
		"    healthcheck: {type: tcp, interval: 5s, timeout: 2s}\n"
		"    members:\n"
		"      up1: [127.0.0.1, %u]\n"
		"      down: [127.0.0.1, %u]\n"
		"      up2: [127.0.0.1, %u]\n"
		"  - name: dark\n"
		"    vip: {ip: 127.0.0.1, port: 8081}\n"
		"    healthcheck: {type: tcp, interval: 5s, timeout: 2s}\n"
		"    members:\n"
		"      gone: [127.0.0.1, %u]\n",
		e->up1, e->refusing, e->up2, dark);
	return fclose(f) ? -1 : 0;
}

/* `xlb pick ARGS` in this process; its stdout in *out (to free). */
static int pick(const char *args, char **out)
{
	char buf[512], *argv[16], *save = NULL;
	int argc = 0, saved, rc;
	FILE *tmp = tmpfile();
	long n;

	snprintf(buf, sizeof(buf), "xlb pick %s", args);
	for (char *w = strtok_r(buf, " ", &save); w && argc < 15; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(tmp), STDOUT_FILENO);
	rc = cli_main(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	n = ftell(tmp);
	*out = calloc(1, (size_t)n + 1);
	rewind(tmp);
	if (n > 0 && fread(*out, 1, (size_t)n, tmp) != (size_t)n)
		(*out)[0] = '\0';
	fclose(tmp);
	return rc;
}

/* "next" of the JSON: the name of the member picked. */
static void next_name(const char *json, char *name, size_t len)
{
	const char *p = strstr(json, "\"next\": {\n");

	name[0] = '\0';
	if (p && (p = strstr(p, "\"name\": \"")))
		snprintf(name, len, "%.*s", (int)strcspn(p + 9, "\""), p + 9);
}

TEST(pick_json_names_each_members_state_and_the_one_picked)
{
	struct pick_env e;
	char args[384], want[512], *out = NULL;
	int rc;

	if (env_new(&e)) {
		env_free(&e);
		SKIP("cannot open loopback sockets or a temporary directory");
	}
	snprintf(args, sizeof(args), "%s --service web --state %s --json", e.config, e.state);
	rc = pick(args, &out);
	ASSERT_EQ(0, rc);
	snprintf(want, sizeof(want),
		 "{\n"
		 "  \"file\": \"%s\",\n"
		 "  \"services\": [\n"
		 "    {\n"
		 "      \"name\": \"web\",\n"
		 "      \"vip\": \"127.0.0.1\",\n"
		 "      \"port\": 8080,\n"
		 "      \"protocol\": \"tcp\",\n"
		 "      \"members\": [\n"
		 "        {\n"
		 "          \"name\": \"up1\",\n"
		 "          \"address\": \"127.0.0.1\",\n"
		 "          \"hostname\": null,\n"
		 "          \"port\": %u,\n"
		 "          \"state\": \"UP\",\n"
		 "          \"check\": \"connected in ",
		 e.config, e.up1);
	ASSERT_EQ(0, strncmp(want, out, strlen(want)));
	snprintf(want, sizeof(want),
		 "          \"name\": \"down\",\n"
		 "          \"address\": \"127.0.0.1\",\n"
		 "          \"hostname\": null,\n"
		 "          \"port\": %u,\n"
		 "          \"state\": \"DOWN\",\n"
		 "          \"check\": \"connection refused\",\n"
		 "          \"latency_us\": null\n",
		 e.refusing);
	ASSERT_STR_CONTAINS(want, out);
	snprintf(want, sizeof(want),
		 "      \"next\": {\n"
		 "        \"name\": \"up1\",\n"
		 "        \"address\": \"127.0.0.1\",\n"
		 "        \"port\": %u\n"
		 "      }\n"
		 "    }\n"
		 "  ]\n"
		 "}\n",
		 e.up1);
	ASSERT_STR_CONTAINS(want, out);
	free(out);
	env_free(&e);
}

TEST(pick_json_moves_round_robin_over_the_members_that_are_up)
{
	static const char *const order[] = { "up1", "up2", "up1", "up2" };
	struct pick_env e;
	char args[384], name[32], *out = NULL;

	if (env_new(&e)) {
		env_free(&e);
		SKIP("cannot open loopback sockets or a temporary directory");
	}
	/* Options before the file this time, the short letter for --service. */
	snprintf(args, sizeof(args), "-j -s web --state %s %s", e.state, e.config);
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		ASSERT_EQ(0, pick(args, &out));
		next_name(out, name, sizeof(name));
		free(out);
		ASSERT_STR_EQ(order[i], name);
	}
	env_free(&e);
}

TEST(pick_json_says_null_and_exits_1_when_a_service_has_no_member_up)
{
	struct pick_env e;
	char args[384], *out = NULL;

	if (env_new(&e)) {
		env_free(&e);
		SKIP("cannot open loopback sockets or a temporary directory");
	}
	snprintf(args, sizeof(args), "%s --json --state %s", e.config, e.state);
	ASSERT_EQ(1, pick(args, &out));
	ASSERT_STR_CONTAINS("      \"name\": \"dark\",\n", out);
	ASSERT_STR_CONTAINS("          \"check\": \"connection refused\",\n"
			    "          \"latency_us\": null\n"
			    "        }\n"
			    "      ],\n"
			    "      \"next\": null\n"
			    "    }\n"
			    "  ]\n"
			    "}\n",
			    out);
	free(out);
	env_free(&e);
}

// SPDX-License-Identifier: MIT
/* What is read as a configuration file: a regular file, through any
 * symbolic links, or standard input for "-".  A FIFO, a device, a directory
 * or a socket is refused at once, before a byte is read: `xlb check`, `xlb
 * run` and a reload must never wait for a writer that does not come. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config/config.h"
#include "test.h"

#define BLOCK_LIMIT_S 10

static const char good[] = "service: web\n"
			   "vip: {ip: 198.18.0.10, port: 80}\n"
			   "members: {a: [198.18.1.1, 80], b: [198.18.1.2, 80]}\n";

/* ---- a scratch directory for the program, removed at exit ------------------ */

static char scratch[] = "/tmp/xlb-test-file-kinds-XXXXXX";

__attribute__((constructor)) static void scratch_make(void)
{
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		exit(2);
	}
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

__attribute__((destructor)) static void scratch_remove(void)
{
	nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* scratch/name, in a buffer of the caller's. */
static const char *at(char buf[PATH_MAX], const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s", scratch, name);
	return buf;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) == EOF)
		err = -EIO;
	if (fclose(f) && !err)
		err = -EIO;
	return err;
}

/* ---- a load that cannot hang the run --------------------------------------- */

static const char *loading; /* the path being loaded, for the alarm */

static void say(const char *s)
{
	ssize_t n = write(STDOUT_FILENO, s, strlen(s));

	(void)n;
}

/* A load that blocks ends the program with a message, not a hang; the
 * runner counts a program that dies without its closing line as failed. */
static void on_alarm(int sig)
{
	say("  config_load_file(\"");
	say(loading);
	say("\") blocked for 10 s: it must refuse or read the file at once\n");
	_exit(1);
}

struct load {
	int err;
	char *errors;      /* every error as printed, "" when none */
	size_t n_services; /* of the config returned, 0 when none */
	bool has_config;
};

static void load(const char *path, struct load *l)
{
	struct xlb_config *cfg = NULL;
	struct cfg_diag d;
	size_t len = 0;
	FILE *out;

	loading = path;
	signal(SIGALRM, on_alarm);
	alarm(BLOCK_LIMIT_S);
	cfg_diag_init(&d);
	l->err = config_load_file(path, &cfg, &d);
	alarm(0);
	l->has_config = cfg != NULL;
	l->n_services = cfg ? cfg->n_services : 0;
	l->errors = NULL;
	out = open_memstream(&l->errors, &len);
	if (out) {
		cfg_diag_print(&d, out);
		fclose(out);
	}
	config_free(cfg);
	cfg_diag_free(&d);
}

/* The load of path fails with want_err, returns no config, and prints
 * exactly want (one line per error). */
static void expect_refused(const char *file, int line, const char *path, int want_err,
			   const char *want)
{
	struct load l;

	load(path, &l);
	if (l.err != want_err || l.has_config || !l.errors || strcmp(l.errors, want))
		xt_fail(file, line, "load of %s:\n  expected: %d, no config, errors:\n%s"
			"  got:      %d, %s, errors:\n%s", path, want_err, want, l.err,
			l.has_config ? "a config" : "no config", l.errors ? l.errors : "(null)\n");
	free(l.errors);
}

#define EXPECT_REFUSED(path, want_err, want) \
	expect_refused(__FILE__, __LINE__, path, want_err, want)

/* The load of path is refused with want_err and the one error "PATH: msg". */
#define EXPECT_PATH_ERROR(path, want_err, msg)                                \
	do {                                                                  \
		char *xt_want = NULL;                                         \
		ASSERT_TRUE(asprintf(&xt_want, "%s: %s\n", path, msg) > 0);  \
		EXPECT_REFUSED(path, want_err, xt_want);                      \
		free(xt_want);                                                \
	} while (0)

#define GIVE_PATH "give the path of the configuration file"

/* ---- what is refused -------------------------------------------------------- */

TEST(refuses_a_fifo_at_once_without_waiting_for_a_writer)
{
	char p[PATH_MAX];

	ASSERT_EQ(0, mkfifo(at(p, "fifo.yaml"), 0600));
	EXPECT_PATH_ERROR(p, -EINVAL, "is a FIFO, not a regular file; " GIVE_PATH);
}

TEST(refuses_a_fifo_behind_a_symlink_as_a_fifo)
{
	char fifo[PATH_MAX], link[PATH_MAX];

	ASSERT_EQ(0, mkfifo(at(fifo, "fifo2"), 0600));
	ASSERT_EQ(0, symlink(fifo, at(link, "to-fifo.yaml")));
	EXPECT_PATH_ERROR(link, -EINVAL, "is a FIFO, not a regular file; " GIVE_PATH);
}

TEST(refuses_a_character_device_dev_zero_without_reading_it)
{
	EXPECT_PATH_ERROR("/dev/zero", -EINVAL,
			  "is a character device, not a regular file; " GIVE_PATH);
}

TEST(refuses_a_directory)
{
	EXPECT_PATH_ERROR("tests/unit/config/files", -EISDIR,
			  "is a directory, not a regular file; " GIVE_PATH);
}

TEST(refuses_a_unix_socket)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	ASSERT_TRUE(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock.yaml", scratch);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		xt_fail(__FILE__, __LINE__, "bind %s: %s", sa.sun_path, strerror(errno));
	else
		EXPECT_PATH_ERROR(sa.sun_path, -EINVAL,
				  "is a socket, not a regular file; " GIVE_PATH);
	close(fd);
}

TEST(refuses_a_symlink_loop)
{
	char a[PATH_MAX], b[PATH_MAX];

	ASSERT_EQ(0, symlink("loop-b", at(a, "loop-a")));
	ASSERT_EQ(0, symlink("loop-a", at(b, "loop-b")));
	EXPECT_PATH_ERROR(a, -ELOOP, "its symbolic links form a loop (or a chain of more than "
			  "40); " GIVE_PATH);
}

TEST(refuses_a_dangling_symlink_naming_its_target)
{
	char p[PATH_MAX];

	ASSERT_EQ(0, symlink("gone.yaml", at(p, "dangling.yaml")));
	EXPECT_PATH_ERROR(p, -ENOENT, "is a dangling symbolic link (to 'gone.yaml'); " GIVE_PATH);
}

TEST(refuses_a_missing_file_with_the_errno_text)
{
	char p[PATH_MAX];

	EXPECT_PATH_ERROR(at(p, "no-such-file.yaml"), -ENOENT,
			  "cannot open: No such file or directory");
}

TEST(refuses_a_file_above_16_mib_before_reading_it)
{
	char p[PATH_MAX];
	int fd = open(at(p, "huge.yaml"), O_WRONLY | O_CREAT | O_EXCL, 0600);

	ASSERT_TRUE(fd >= 0);
	/* Sparse: the size is what matters, the parser must not read it. */
	ASSERT_EQ(0, ftruncate(fd, CFG_FILE_MAX + 1));
	close(fd);
	EXPECT_PATH_ERROR(p, -EFBIG, "the file is 16777217 bytes; xlb refuses configuration "
			  "files above 16 MiB");
}

/* ---- what is read ------------------------------------------------------------ */

static void expect_loaded(const char *file, int line, const char *path, size_t n_services)
{
	struct load l;

	load(path, &l);
	if (l.err || !l.has_config || l.n_services != n_services || !l.errors || l.errors[0])
		xt_fail(file, line, "load of %s: expected 0 and %zu service(s), got %d, %s, "
			"%zu service(s), errors:\n%s", path, n_services, l.err,
			l.has_config ? "a config" : "no config", l.n_services,
			l.errors ? l.errors : "(null)\n");
	free(l.errors);
}

TEST(reads_a_regular_file)
{
	char p[PATH_MAX];

	ASSERT_EQ(0, write_file(at(p, "plain.yaml"), good));
	expect_loaded(__FILE__, __LINE__, p, 1);
}

TEST(reads_a_regular_file_through_a_chain_of_symlinks)
{
	char file[PATH_MAX], l1[PATH_MAX], l2[PATH_MAX];

	ASSERT_EQ(0, write_file(at(file, "target.yaml"), good));
	ASSERT_EQ(0, symlink("target.yaml", at(l1, "link1.yaml")));
	ASSERT_EQ(0, symlink(l1, at(l2, "link2.yaml")));
	expect_loaded(__FILE__, __LINE__, l2, 1);
}

/* ---- standard input ---------------------------------------------------------- */

/* Runs the load of "-" with stdin_fd as standard input (then closed). */
static void load_stdin(int stdin_fd, struct load *l)
{
	int saved = dup(STDIN_FILENO);

	l->err = -EBADF;
	l->errors = NULL;
	l->has_config = false;
	if (saved < 0 || dup2(stdin_fd, STDIN_FILENO) < 0) {
		close(stdin_fd);
		return;
	}
	close(stdin_fd);
	load(CFG_STDIN_PATH, l);
	dup2(saved, STDIN_FILENO);
	close(saved);
}

/* A pipe whose reader gets text, then the end. */
static int pipe_of(const char *text)
{
	int p[2];
	ssize_t n;

	if (pipe(p))
		return -1;
	n = write(p[1], text, strlen(text)); /* far below the pipe's 64 KiB */
	close(p[1]);
	if (n != (ssize_t)strlen(text)) {
		close(p[0]);
		return -1;
	}
	return p[0];
}

TEST(reads_standard_input_for_dash_from_a_pipe)
{
	int fd = pipe_of(good);
	struct load l;

	ASSERT_TRUE(fd >= 0);
	load_stdin(fd, &l);
	ASSERT_EQ(0, l.err);
	ASSERT_TRUE(l.has_config);
	ASSERT_EQ(1, l.n_services);
	ASSERT_STR_EQ("", l.errors);
	free(l.errors);
}

TEST(names_standard_input_stdin_in_its_errors)
{
	int fd = pipe_of("service: web\nvip: {ip: 198.18.0.10, port: 99999}\n"
			 "members: {a: [198.18.1.1, 80]}\n");
	struct load l;

	ASSERT_TRUE(fd >= 0);
	load_stdin(fd, &l);
	ASSERT_EQ(-EINVAL, l.err);
	ASSERT_STR_EQ("<stdin>:2:30: port: 99999 is out of range; expected 1-65535\n", l.errors);
	free(l.errors);
}

TEST(refuses_endless_standard_input_after_reading_the_cap)
{
	/* Standard input has no size to judge up front: the read stops one
	 * byte past the cap. */
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	struct load l;

	ASSERT_TRUE(fd >= 0);
	load_stdin(fd, &l);
	ASSERT_EQ(-EFBIG, l.err);
	ASSERT_STR_EQ("<stdin>: the input is larger than 16 MiB; xlb refuses configuration "
		      "files above 16 MiB\n", l.errors);
	free(l.errors);
}

// SPDX-License-Identifier: MIT
/* Loading a configuration: the file (a regular file only, or standard
 * input) read with a size bound, the YAML tree, the schema walk and the
 * checks, every error collected in one pass. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/internal.h"

static int diag_set_file(struct cfg_diag *d, const char *name)
{
	char *copy = strdup(name);

	if (!copy)
		return -ENOMEM;
	free(d->file);
	d->file = copy;
	return 0;
}

void config_free(struct xlb_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_services; i++)
		free(cfg->services[i].members);
	free(cfg->services);
	free(cfg->source);
	free(cfg);
}

int config_load_buffer(const char *name, const void *buf, size_t len,
		       struct xlb_config **out, struct cfg_diag *d)
{
	struct xlb_config *cfg = NULL;
	size_t errors_before = d->total;
	struct ytree tree = {0};
	int err;

	*out = NULL;
	err = diag_set_file(d, name);
	if (err)
		return err;
	if (len > CFG_FILE_MAX) {
		cfg_error_at(d, (struct cfg_pos){0}, "the file is %zu bytes; xlb refuses "
			     "configuration files above %u MiB", len, CFG_FILE_MAX >> 20);
		err = -EFBIG;
		goto out;
	}
	err = ytree_parse(&tree, buf, len, d);
	if (err)
		goto out;
	if (!tree.root || ynode_is_null(tree.root)) {
		cfg_error_at(d, tree.root ? tree.root->pos : (struct cfg_pos){0},
			     "the file is empty; expected 'service:' (one service) or 'services:' "
			     "(a list), see docs/config.md");
		err = -EINVAL;
		goto out;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg || !(cfg->source = strdup(name))) {
		err = -ENOMEM;
		goto out;
	}
	err = cfg_parse_tree(d, tree.root, cfg);
	if (!err)
		cfg_check_config(d, cfg);
	if (!err && d->total != errors_before)
		err = -EINVAL;
out:
	ytree_free(&tree);
	cfg_diag_sort(d);
	if (err) {
		config_free(cfg);
		return err;
	}
	*out = cfg;
	return 0;
}

/* Reads at most CFG_FILE_MAX + 1 bytes, so a file that grows while it is
 * read, or standard input that never ends, cannot take unbounded memory. */
static int read_bounded(int fd, size_t hint, char **buf_out, size_t *len_out)
{
	size_t cap = (hint < CFG_FILE_MAX ? hint : CFG_FILE_MAX) + 1, len = 0;
	char *buf = malloc(cap), *grown;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			if (cap > CFG_FILE_MAX)
				break;
			cap = cap * 2 > CFG_FILE_MAX + 1 ? CFG_FILE_MAX + 1 : cap * 2;
			grown = realloc(buf, cap);
			if (!grown) {
				free(buf);
				return -ENOMEM;
			}
			buf = grown;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			free(buf);
			return err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*buf_out = buf;
	*len_out = len;
	return 0;
}

/* What a path names, for "PATH: is a FIFO, not a regular file". */
static const char *file_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	default:
		return "a special file";
	}
}

static int refuse_kind(struct cfg_diag *d, mode_t mode)
{
	cfg_error_at(d, (struct cfg_pos){0}, "is %s, not a regular file; give the path of "
		     "the configuration file", file_kind(mode));
	return S_ISDIR(mode) ? -EISDIR : -EINVAL;
}

/* An open or stat that failed, said so that the fix is plain. */
static int refuse_path(struct cfg_diag *d, const char *path, int err)
{
	char target[PATH_MAX];
	struct stat lst;
	ssize_t n;

	if (err == -ELOOP) {
		cfg_error_at(d, (struct cfg_pos){0}, "its symbolic links form a loop (or a chain "
			     "of more than 40); give the path of the configuration file");
	} else if (err == -ENOENT && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode) &&
		   (n = readlink(path, target, sizeof(target) - 1)) >= 0) {
		target[n] = '\0';
		cfg_error_at(d, (struct cfg_pos){0}, "is a dangling symbolic link (to '%s'); "
			     "give the path of the configuration file", target);
	} else {
		cfg_error_at(d, (struct cfg_pos){0}, "cannot open: %s", strerror(-err));
	}
	return err;
}

/* A regular file, opened for reading; anything else is refused before a
 * byte is read.  stat first, so a device is never opened (opening one can
 * act: a watchdog starts, a tape rewinds) and a FIFO never waits for a
 * writer; then O_NONBLOCK and fstat, because the path may name something
 * else by the time it is opened.  A regular file's read always ends. */
static int open_regular(struct cfg_diag *d, const char *path, struct stat *st)
{
	int fd, err;

	if (stat(path, st))
		return refuse_path(d, path, -errno);
	if (!S_ISREG(st->st_mode))
		return refuse_kind(d, st->st_mode);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return refuse_path(d, path, -errno);
	if (fstat(fd, st)) {
		err = -errno;
		cfg_error_at(d, (struct cfg_pos){0}, "cannot stat: %s", strerror(-err));
		close(fd);
		return err;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return refuse_kind(d, st->st_mode);
	}
	return fd;
}

/* Reads fd to its end and parses what came.  name is what errors say. */
static int load_fd(int fd, const char *name, size_t size_hint, struct xlb_config **out,
		   struct cfg_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	err = read_bounded(fd, size_hint, &buf, &len);
	if (err) {
		cfg_error_at(d, (struct cfg_pos){0}, "cannot read: %s", strerror(-err));
		return err;
	}
	if (len > CFG_FILE_MAX) {
		/* Standard input, or a file that grew while read: the size was
		 * not known before. */
		cfg_error_at(d, (struct cfg_pos){0}, "the input is larger than %u MiB; xlb "
			     "refuses configuration files above %u MiB", CFG_FILE_MAX >> 20,
			     CFG_FILE_MAX >> 20);
		free(buf);
		return -EFBIG;
	}
	err = config_load_buffer(name, buf, len, out, d);
	free(buf);
	return err;
}

int config_load_file(const char *path, struct xlb_config **out, struct cfg_diag *d)
{
	bool is_stdin = strcmp(path, CFG_STDIN_PATH) == 0;
	struct stat st;
	int fd, err;

	*out = NULL;
	err = diag_set_file(d, is_stdin ? CFG_STDIN_NAME : path);
	if (err)
		return err;
	/* Standard input is read as it comes, whatever it is (a pipe, a
	 * terminal, a file), as `cat -` does: the caller asked for it. */
	if (is_stdin)
		return load_fd(STDIN_FILENO, CFG_STDIN_NAME, 65536, out, d);
	fd = open_regular(d, path, &st);
	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size > CFG_FILE_MAX) {
		cfg_error_at(d, (struct cfg_pos){0}, "the file is %lld bytes; xlb refuses "
			     "configuration files above %u MiB", (long long)st.st_size,
			     CFG_FILE_MAX >> 20);
		err = -EFBIG;
	} else {
		err = load_fd(fd, path, (size_t)st.st_size, out, d);
	}
	close(fd);
	return err;
}

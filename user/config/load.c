// SPDX-License-Identifier: MIT
/* Loading a configuration: the file read with a size bound, the YAML tree,
 * the schema walk and the checks, every error collected in one pass. */
#include <errno.h>
#include <fcntl.h>
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

/* Reads at most CFG_FILE_MAX + 1 bytes, so a file that grows or a pipe
 * that never ends cannot take unbounded memory. */
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

int config_load_file(const char *path, struct xlb_config **out, struct cfg_diag *d)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, err;

	*out = NULL;
	err = diag_set_file(d, path);
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		cfg_error_at(d, (struct cfg_pos){0}, "cannot open: %s", strerror(-err));
		return err;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		cfg_error_at(d, (struct cfg_pos){0}, "cannot stat: %s", strerror(-err));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		cfg_error_at(d, (struct cfg_pos){0}, "is a directory; expected a YAML file");
		err = -EISDIR;
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > CFG_FILE_MAX) {
		cfg_error_at(d, (struct cfg_pos){0}, "the file is %lld bytes; xlb refuses "
			     "configuration files above %u MiB", (long long)st.st_size,
			     CFG_FILE_MAX >> 20);
		err = -EFBIG;
		goto out;
	}
	err = read_bounded(fd, S_ISREG(st.st_mode) ? (size_t)st.st_size : 65536, &buf, &len);
	if (err) {
		cfg_error_at(d, (struct cfg_pos){0}, "cannot read: %s", strerror(-err));
		goto out;
	}
	if (len > CFG_FILE_MAX) {
		/* A pipe or a file that grew while read: its size is unknown. */
		cfg_error_at(d, (struct cfg_pos){0}, "the input is larger than %u MiB; xlb "
			     "refuses configuration files above %u MiB", CFG_FILE_MAX >> 20,
			     CFG_FILE_MAX >> 20);
		err = -EFBIG;
		goto out;
	}
	err = config_load_buffer(path, buf, len, out, d);
out:
	free(buf);
	close(fd);
	return err;
}

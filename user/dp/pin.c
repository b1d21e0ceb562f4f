// SPDX-License-Identifier: MIT
#include "dp/pin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/log.h"
#include "dp/tc.h"

int pin_path_is_bpffs(const char *path)
{
	struct statfs st;

	if (statfs(path, &st))
		return -errno;
	return (unsigned long)st.f_type == BPF_FS_MAGIC ? 0 : -EMEDIUMTYPE;
}

int pin_path(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static bool path_below(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return strncmp(path, dir, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

static int mkdir_p(const char *dir, mode_t mode)
{
	char buf[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

int pin_dir_prepare(const char *dir)
{
	int err;

	if (dir[0] != '/') {
		log_err("pin directory '%s' must be an absolute path", dir);
		return -EINVAL;
	}
	if (path_below(dir, XLB_BPFFS_DEFAULT) &&
	    pin_path_is_bpffs(XLB_BPFFS_DEFAULT) == -EMEDIUMTYPE) {
		log_info("no bpf filesystem at %s; mounting one", XLB_BPFFS_DEFAULT);
		if (mount("bpf", XLB_BPFFS_DEFAULT, "bpf", 0, "mode=0700")) {
			err = -errno;
			log_err("cannot mount bpffs at %s: %s (mounting needs CAP_SYS_ADMIN; "
				"systemd mounts it at boot)",
				XLB_BPFFS_DEFAULT, strerror(-err));
			return err;
		}
	}
	err = mkdir_p(dir, 0700);
	if (err == -EACCES)
		log_err("cannot create pin directory %s: %s; a user other than root needs one "
			"of its own, in a directory it can search (docs/operations.md, 'Running "
			"without root')",
			dir, strerror(-err));
	else if (err)
		log_err("cannot create pin directory %s: %s", dir, strerror(-err));
	if (err)
		return err;
	err = pin_path_is_bpffs(dir);
	if (err == -EMEDIUMTYPE) {
		log_err("pin directory %s is not on a bpf filesystem; mount one with "
			"'mount -t bpf bpf %s' or choose a directory below a bpffs mount "
			"(--pin-dir)",
			dir, dir);
		return err;
	}
	if (err) {
		log_err("cannot inspect %s: %s", dir, strerror(-err));
		return err;
	}
	if (chmod(dir, 0700)) {
		err = -errno;
		log_err("cannot set mode 0700 on %s: %s", dir, strerror(-err));
		return err;
	}
	return 0;
}

/* bpffs holds only BPF objects, so there is no pid file to write: the
 * lock is an flock on the directory itself, and its holder is found in
 * /proc/locks by the directory's device and inode. */
pid_t pin_dir_lock_holder(const char *dir)
{
	char line[256];
	struct stat st;
	pid_t holder = 0;
	FILE *f;

	if (stat(dir, &st))
		return errno == ENOENT ? 0 : -errno;
	f = fopen("/proc/locks", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		unsigned long long ino;
		char kind[16];
		int pid;

		if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%llu", kind, &pid, &maj, &min,
			   &ino) != 5)
			continue;
		if (strcmp(kind, "FLOCK") == 0 && ino == (unsigned long long)st.st_ino &&
		    makedev(maj, min) == st.st_dev) {
			holder = pid;
			break;
		}
	}
	fclose(f);
	return holder;
}

int pin_dir_lock(const char *dir, int *lock_fd, pid_t *holder)
{
	int fd, err;

	*holder = 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = -errno;
		if (err == -EWOULDBLOCK) {
			pid_t pid = pin_dir_lock_holder(dir);

			*holder = pid > 0 ? pid : 0;
		}
		close(fd);
		return err;
	}
	*lock_fd = fd;
	return 0;
}

bool pin_dir_has_pins(const char *dir)
{
	char path[4096];

	return !pin_path(path, sizeof(path), dir, "xlb_meta") && access(path, F_OK) == 0;
}

/* Attachments first (XDP links; tc filters, recorded as tc_<ifindex>), so
 * the programs leave their hooks before the maps they use lose their names. */
int pin_dir_remove(const char *dir, int *removed)
{
	int err = 0, count = 0;

	for (int pass = 0; pass < 2; pass++) {
		struct dirent *de;
		DIR *d = opendir(dir);

		if (!d)
			return errno == ENOENT ? 0 : -errno;
		while ((de = readdir(d))) {
			char path[4096];
			int ifindex;
			bool here, gone, is_tc = tc_record_parse(de->d_name, &ifindex, &here, &gone);
			bool is_link = is_tc || strncmp(de->d_name, "link_", 5) == 0;

			if (de->d_name[0] == '.' || is_link != (pass == 0))
				continue;
			if (pin_path(path, sizeof(path), dir, de->d_name))
				continue;
			if (is_tc && !gone && (!here || tc_detach(ifindex))) {
				err = -EBUSY;
				log_err("cannot remove the tc filters of ifindex %d%s", ifindex,
					here ? "" : ": they are in another network namespace");
				continue;
			}
			if (unlink(path)) {
				err = -errno;
				log_err("cannot remove %s: %s", path, strerror(errno));
				continue;
			}
			count++;
		}
		closedir(d);
	}
	if (!err && rmdir(dir) && errno != ENOENT) {
		err = -errno;
		log_err("cannot remove %s: %s", dir, strerror(errno));
	}
	if (removed)
		*removed = count;
	return err;
}

/* SPDX-License-Identifier: MIT */
/* The pin directory: where the maps and links of a running xlb live in bpffs,
 * and the lock that keeps a second daemon off it. */
#ifndef XLB_PIN_H
#define XLB_PIN_H

#include <stdbool.h>
#include <sys/types.h>

#define XLB_PIN_DIR_DEFAULT "/sys/fs/bpf/xlb"
#define XLB_BPFFS_DEFAULT   "/sys/fs/bpf"

/* 0 when PATH is on a bpf filesystem, -ENOTBPF-like -EMEDIUMTYPE when it is
 * on another filesystem, -errno when it can't be looked at. */
int pin_path_is_bpffs(const char *path);

/* Makes sure the pin directory can be created: when no bpffs is mounted at
 * XLB_BPFFS_DEFAULT and DIR lies below it, mounts one (as iproute2 does).
 * Then creates DIR (mode 0700) and checks it is on bpffs.  Messages go to the
 * log; returns 0 or -errno. */
int pin_dir_prepare(const char *dir);

/* Takes an exclusive, non-blocking lock on DIR for the life of the process.
 * On -EWOULDBLOCK, *holder is the PID holding it (0 if unknown). */
int pin_dir_lock(const char *dir, int *lock_fd, pid_t *holder);

/* The PID holding the lock on DIR, 0 when nobody does, -errno on error. */
pid_t pin_dir_lock_holder(const char *dir);

/* Whether DIR holds a pinned data plane (its meta map). */
bool pin_dir_has_pins(const char *dir);

/* Unpins everything in DIR, links first (which detaches the programs once
 * nothing else holds them), then the maps, then removes DIR.  *removed
 * (optional) counts the pins.  0 or -errno, every failure logged. */
int pin_dir_remove(const char *dir, int *removed);

/* Joins DIR and NAME into BUF; -ENAMETOOLONG when it does not fit. */
int pin_path(char *buf, size_t size, const char *dir, const char *name);

#endif

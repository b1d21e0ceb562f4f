/* SPDX-License-Identifier: MIT */
/* Inside dp/: every read and write of a map goes through these four, so a
 * test can put maps in memory behind them (m->io); without io they are the
 * bpf(2) syscalls.  Each returns 0 or -errno. */
#ifndef XLB_DP_MAPS_IO_H
#define XLB_DP_MAPS_IO_H

struct xlb_maps;

int map_lookup(const struct xlb_maps *m, int fd, const void *key, void *val);
int map_update(const struct xlb_maps *m, int fd, const void *key, const void *val);
int map_delete(const struct xlb_maps *m, int fd, const void *key);
int map_next_key(const struct xlb_maps *m, int fd, const void *key, void *next);

#endif

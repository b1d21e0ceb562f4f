/* SPDX-License-Identifier: MIT */
/* The built-in sorry page for clients on this host.  Remote clients get it
 * from the data path itself (bpf/sorry.h); a local client's connect()
 * never reaches XDP or tc, so the socket hooks send it to a loopback port
 * where the daemon serves the same page: one listener per TCP service whose
 * on_empty is the built-in page, on 127.0.0.1 or ::1 as its VIP's family,
 * its port published in xlb_sorry_port.  Each connection is read up to the
 * end of its request (bounded in bytes, time and number), answered with the
 * page as the data plane holds it in xlb_sorry, and closed.  Functions
 * return 0 or -errno. */
#ifndef XLB_SORRY_LOCAL_H
#define XLB_SORRY_LOCAL_H

#include "dp/maps.h"

struct sorry_local;

int sorry_local_new(const struct xlb_maps *maps, struct sorry_local **out);
/* One descriptor for the daemon's epoll: readable when something is due. */
int sorry_local_fd(const struct sorry_local *sl);
/* Listeners for exactly the services the data plane publishes with the
 * built-in page (read from xlb_services): new ones opened and published,
 * gone ones unpublished and closed.  Call after every change of services. */
int sorry_local_sync(struct sorry_local *sl);
/* Accepts, reads, answers and expires what is due. */
void sorry_local_dispatch(struct sorry_local *sl);
/* Unpublishes every port and closes everything. */
void sorry_local_free(struct sorry_local *sl);

#endif

// SPDX-License-Identifier: MIT
/* When each member's next event comes: the clock, the jitter that spreads
 * checks out, the timer heap and the timerfd that wakes the loop at the
 * earliest deadline. */
#include "health/internal.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"

uint64_t health_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void health_rng_seed(struct health *h)
{
	if (getrandom(&h->rng, sizeof(h->rng), GRND_NONBLOCK) != sizeof(h->rng))
		h->rng = health_now_us() ^ ((uint64_t)getpid() << 32);
	h->rng |= 1; /* xorshift must not start at 0 */
}

/* xorshift64*: jitter only, no need for anything stronger. */
static uint64_t rng_next(struct health *h)
{
	h->rng ^= h->rng >> 12;
	h->rng ^= h->rng << 25;
	h->rng ^= h->rng >> 27;
	return h->rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t rng_below(struct health *h, uint64_t n)
{
	return n ? rng_next(h) % n : 0;
}

void health_timer_arm(struct health *h)
{
	struct heap_node *top = heap_top(&h->timers);
	uint64_t when = top ? (top->key ? top->key : 1) : 0;
	struct itimerspec its = {0};

	if (when == h->armed_us)
		return;
	its.it_value.tv_sec = (time_t)(when / 1000000);
	its.it_value.tv_nsec = (long)(when % 1000000) * 1000;
	if (timerfd_settime(h->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		h->armed_us = when;
	else
		log_warn_errno(-errno, "health: timerfd_settime");
}

void health_timer_set(struct health_member *m, uint64_t when)
{
	if (heap_set(&m->h->timers, &m->timer, when) < 0)
		log_err("health: out of memory scheduling member %s", m->name);
}

/* One interval after this start, moved by up to +-5% so that members added
 * together drift apart instead of firing together forever. */
void health_schedule_next(struct health_member *m, uint64_t now)
{
	uint64_t iv = (uint64_t)m->p.interval_ms * 1000;
	uint64_t spread = iv / 10;
	uint64_t next = m->started_us + iv - spread / 2 + rng_below(m->h, spread + 1);

	health_timer_set(m, next > now ? next : now + 1);
}

void health_schedule_first(struct health_member *m, uint64_t now)
{
	health_timer_set(m, now + rng_below(m->h, (uint64_t)m->p.interval_ms * 1000));
}

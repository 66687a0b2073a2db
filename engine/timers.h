/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timers.h - the engine's timer heap: every named timer of a plan, ordered by deadline. */
#ifndef UPSPLAN_TIMERS_H
#define UPSPLAN_TIMERS_H

#include <stdint.h>

/*
 * A binary min-heap over the N timers of a plan (timer names are global,
 * as in UPSmon.py).  Arrays are sized once: starting, re-arming,
 * cancelling and expiring never allocate.  Equal deadlines expire in the
 * order the timers were (re)started.
 */
struct tmr_heap {
	uint32_t n, cap;	/* running timers; timers in the plan */
	uint32_t *heap;		/* timer indexes, heap ordered */
	uint32_t *pos;		/* per timer: its heap slot, or UINT32_MAX */
	double *deadline;	/* per timer */
	uint64_t *seq;		/* per timer: start order, breaks ties */
	uint64_t next_seq;
	uint64_t changes;	/* counts starts, cancels and expiries (a host saves the timers when it moved) */
};

/* Make an empty heap for NTIMERS timers. */
void tmr_init(struct tmr_heap *h, uint32_t ntimers);
/* Free its arrays. */
void tmr_free(struct tmr_heap *h);

/* Start timer T to expire at DEADLINE; a running timer is re-armed (one expiry). Returns 1 if it was running. */
int tmr_start(struct tmr_heap *h, uint32_t t, double deadline);
/* Stop timer T; returns 1 if it was running. */
int tmr_cancel(struct tmr_heap *h, uint32_t t);
/* Is T running? */
int tmr_running(const struct tmr_heap *h, uint32_t t);
/* The timer that expires first and its deadline; 0 when none runs. */
int tmr_next(const struct tmr_heap *h, uint32_t *t, double *deadline);
/* Remove and return the first timer if its deadline is at or before NOW; 0 when none is due. */
int tmr_pop_due(struct tmr_heap *h, double now, uint32_t *t, double *deadline);

#endif

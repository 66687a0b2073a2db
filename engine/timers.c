/* SPDX-License-Identifier: GPL-2.0-or-later */
/* timers.c - binary min-heap of named timers with in-place re-arm and cancel. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/timers.h"
#include "base/xalloc.h"

#define TMR_NONE UINT32_MAX

void tmr_init(struct tmr_heap *h, uint32_t ntimers)
{
	size_t n = ntimers ? ntimers : 1;

	memset(h, 0, sizeof(*h));
	h->cap = ntimers;
	h->heap = xcalloc(n, sizeof(*h->heap));
	h->pos = xcalloc(n, sizeof(*h->pos));
	h->deadline = xcalloc(n, sizeof(*h->deadline));
	h->seq = xcalloc(n, sizeof(*h->seq));
	for (uint32_t i = 0; i < ntimers; i++)
		h->pos[i] = TMR_NONE;
}

void tmr_free(struct tmr_heap *h)
{
	free(h->heap);
	free(h->pos);
	free(h->deadline);
	free(h->seq);
	memset(h, 0, sizeof(*h));
}

static int tmr_less(const struct tmr_heap *h, uint32_t a, uint32_t b)
{
	if (h->deadline[a] != h->deadline[b])
		return h->deadline[a] < h->deadline[b];
	return h->seq[a] < h->seq[b];
}

static void tmr_place(struct tmr_heap *h, uint32_t slot, uint32_t t)
{
	h->heap[slot] = t;
	h->pos[t] = slot;
}

static void tmr_up(struct tmr_heap *h, uint32_t slot)
{
	uint32_t t = h->heap[slot];

	while (slot > 0) {
		uint32_t parent = (slot - 1) / 2;
		if (!tmr_less(h, t, h->heap[parent]))
			break;
		tmr_place(h, slot, h->heap[parent]);
		slot = parent;
	}
	tmr_place(h, slot, t);
}

static void tmr_down(struct tmr_heap *h, uint32_t slot)
{
	uint32_t t = h->heap[slot];

	for (;;) {
		uint32_t c = 2 * slot + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && tmr_less(h, h->heap[c + 1], h->heap[c]))
			c++;
		if (!tmr_less(h, h->heap[c], t))
			break;
		tmr_place(h, slot, h->heap[c]);
		slot = c;
	}
	tmr_place(h, slot, t);
}

/* Take the timer in SLOT out of the heap. */
static void tmr_remove(struct tmr_heap *h, uint32_t slot)
{
	uint32_t t = h->heap[slot], last = h->heap[--h->n];

	h->pos[t] = TMR_NONE;
	h->changes++;
	if (slot == h->n)
		return;
	tmr_place(h, slot, last);
	tmr_up(h, slot);
	tmr_down(h, h->pos[last]);
}

int tmr_start(struct tmr_heap *h, uint32_t t, double deadline)
{
	int was = h->pos[t] != TMR_NONE;

	if (was)
		tmr_remove(h, h->pos[t]);
	h->deadline[t] = deadline;
	h->seq[t] = h->next_seq++;
	h->changes++;
	tmr_place(h, h->n++, t);
	tmr_up(h, h->n - 1);
	return was;
}

int tmr_cancel(struct tmr_heap *h, uint32_t t)
{
	if (h->pos[t] == TMR_NONE)
		return 0;
	tmr_remove(h, h->pos[t]);
	return 1;
}

int tmr_running(const struct tmr_heap *h, uint32_t t)
{
	return h->pos[t] != TMR_NONE;
}

int tmr_next(const struct tmr_heap *h, uint32_t *t, double *deadline)
{
	if (h->n == 0)
		return 0;
	*t = h->heap[0];
	*deadline = h->deadline[h->heap[0]];
	return 1;
}

int tmr_pop_due(struct tmr_heap *h, double now, uint32_t *t, double *deadline)
{
	if (h->n == 0 || h->deadline[h->heap[0]] > now)
		return 0;
	*t = h->heap[0];
	*deadline = h->deadline[*t];
	tmr_remove(h, 0);
	return 1;
}

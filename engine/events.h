/* SPDX-License-Identifier: GPL-2.0-or-later */
/* events.h - the 42 REPORTS event pairs of UPSmon.py and their numbering. */
#ifndef UPSPLAN_EVENTS_H
#define UPSPLAN_EVENTS_H

#include <stddef.h>

#define EV_NPAIRS 42

/* Index 0..41 of event pair FROM->TO (enum ast_status values), or -1 if invalid. */
int ev_pair_index(int from, int to);

/* Text of event pair PAIR, e.g. "None->LB" or "OL->OB" ("?" when out of range). */
const char *ev_pair_name(unsigned pair);

/*
 * The state bit of pair PAIR: pairs 2k and 2k+1 share table k (0..20:
 * the 19 None<->X words, then OL/OB, then COMM/NOCOMM).  The table holds
 * the pair's second word when bit k is set for an even pair, clear for an
 * odd one.
 */
static inline unsigned ev_pair_table(unsigned pair)
{
	return pair / 2;
}

/* Write into BUF the valid pairs that involve FROM or TO, e.g. "None->LB, LB->None". */
void ev_pairs_hint(int from, int to, char *buf, size_t len);

#endif

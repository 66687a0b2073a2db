/* SPDX-License-Identifier: GPL-2.0-or-later */
/* events.h - the REPORTS event pairs of UPSmon.py (42) and their numbering, from grammar/status.def. */
#ifndef UPSPLAN_EVENTS_H
#define UPSPLAN_EVENTS_H

#include <stddef.h>

#include "grammar/status.h"

#define EV_NPAIRS SW_NPAIRS

/* Index 0 .. EV_NPAIRS - 1 of event pair FROM->TO (enum sw_word values), or -1 if invalid. */
int ev_pair_index(int from, int to);

/* Text of event pair PAIR, e.g. "None->LB" or "OL->OB" ("?" when out of range). */
const char *ev_pair_name(unsigned pair);

/* The words FROM->TO of pair PAIR (< EV_NPAIRS). */
void ev_pair_words(unsigned pair, int *from, int *to);

/*
 * The state bit of pair PAIR: pairs 2k and 2k+1 share table k (the
 * None<->X words, then OL/OB, then COMM/NOCOMM: grammar/status.def).  The
 * table holds the word it is named after (sw_table_word[k]) when bit k is
 * set: an even pair sets it, an odd one clears it.
 */
static inline unsigned ev_pair_table(unsigned pair)
{
	return pair / 2;
}

/* Write into BUF the valid pairs that involve FROM or TO, e.g. "None->LB, LB->None". */
void ev_pairs_hint(int from, int to, char *buf, size_t len);

#endif

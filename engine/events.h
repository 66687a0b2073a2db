/* events.h - the 42 REPORTS event pairs of UPSmon.py and their numbering. */
#ifndef UPSPLAN_EVENTS_H
#define UPSPLAN_EVENTS_H

#include <stddef.h>

#define EV_NPAIRS 42

/* Index 0..41 of event pair FROM->TO (enum ast_status values), or -1 if invalid. */
int ev_pair_index(int from, int to);

/* Write into BUF the valid pairs that involve FROM or TO, e.g. "None->LB, LB->None". */
void ev_pairs_hint(int from, int to, char *buf, size_t len);

#endif

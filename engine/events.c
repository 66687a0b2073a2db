/* SPDX-License-Identifier: GPL-2.0-or-later */
/* events.c - the 42 REPORTS event pairs: 19 None<->X tables, OL<->OB, COMM<->NOCOMM. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "engine/events.h"
#include "grammar/ast.h"

/* Status words that have a None<->X table, in UPSmon.py's order. */
static const int ev_none_words[19] = {
	AST_ST_ALARM, AST_ST_BOOST, AST_ST_BYPASS, AST_ST_CAL, AST_ST_CHRG,
	AST_ST_DISCHRG, AST_ST_FSD, AST_ST_LB, AST_ST_LB1, AST_ST_LB2, AST_ST_LB3,
	AST_ST_LS, AST_ST_OFF, AST_ST_OVER, AST_ST_RB, AST_ST_TEST, AST_ST_TICK,
	AST_ST_TOCK, AST_ST_TRIM
};

#define EV_NONE_PAIR(w) "None->" w, w "->None",
static const char *const ev_names[EV_NPAIRS] = {
	EV_NONE_PAIR("ALARM") EV_NONE_PAIR("BOOST") EV_NONE_PAIR("BYPASS")
	EV_NONE_PAIR("CAL") EV_NONE_PAIR("CHRG") EV_NONE_PAIR("DISCHRG")
	EV_NONE_PAIR("FSD") EV_NONE_PAIR("LB") EV_NONE_PAIR("LB1")
	EV_NONE_PAIR("LB2") EV_NONE_PAIR("LB3") EV_NONE_PAIR("LS")
	EV_NONE_PAIR("OFF") EV_NONE_PAIR("OVER") EV_NONE_PAIR("RB")
	EV_NONE_PAIR("TEST") EV_NONE_PAIR("TICK") EV_NONE_PAIR("TOCK")
	EV_NONE_PAIR("TRIM")
	"OL->OB", "OB->OL", "COMM->NOCOMM", "NOCOMM->COMM"
};
#undef EV_NONE_PAIR

const char *ev_pair_name(unsigned pair)
{
	return pair < EV_NPAIRS ? ev_names[pair] : "?";
}

int ev_pair_index(int from, int to)
{
	for (int i = 0; i < 19; i++) {
		if (from == AST_ST_NONE && to == ev_none_words[i])
			return 2 * i;
		if (from == ev_none_words[i] && to == AST_ST_NONE)
			return 2 * i + 1;
	}
	if (from == AST_ST_OL && to == AST_ST_OB)
		return 38;
	if (from == AST_ST_OB && to == AST_ST_OL)
		return 39;
	if (from == AST_ST_COMM && to == AST_ST_NOCOMM)
		return 40;
	if (from == AST_ST_NOCOMM && to == AST_ST_COMM)
		return 41;
	return -1;
}

static void ev_add(char *buf, size_t len, int a, int b)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s->%s", n ? ", " : "", ast_status_name(a), ast_status_name(b));
}

void ev_pairs_hint(int from, int to, char *buf, size_t len)
{
	int seen[AST_ST_COUNT] = { 0 };
	int words[2] = { from, to };

	buf[0] = '\0';
	for (int k = 0; k < 2; k++) {
		int w = words[k];
		if (w == AST_ST_NONE || seen[w])
			continue;
		seen[w] = 1;
		if (w == AST_ST_OL || w == AST_ST_OB) {
			ev_add(buf, len, AST_ST_OL, AST_ST_OB);
			ev_add(buf, len, AST_ST_OB, AST_ST_OL);
		} else if (w == AST_ST_COMM || w == AST_ST_NOCOMM) {
			ev_add(buf, len, AST_ST_COMM, AST_ST_NOCOMM);
			ev_add(buf, len, AST_ST_NOCOMM, AST_ST_COMM);
		} else {
			ev_add(buf, len, AST_ST_NONE, w);
			ev_add(buf, len, w, AST_ST_NONE);
		}
	}
	if (!buf[0])
		snprintf(buf, len, "None->X and X->None for a status word X, OL->OB, OB->OL, COMM->NOCOMM, NOCOMM->COMM");
}

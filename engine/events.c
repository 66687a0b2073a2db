/* SPDX-License-Identifier: GPL-2.0-or-later */
/* events.c - the REPORTS event pairs, numbered from the status word tables (grammar/status.def). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "engine/events.h"

void ev_pair_words(unsigned pair, int *from, int *to)
{
	int w = sw_table_word[pair / 2], other;

	if (sw_words[w].side == SW_SIDE_ONE)
		other = SW_NONE;
	else
		other = sw_words[w].partner;
	/* even: into the word the table holds (None->X, OL->OB); odd: out of it */
	*from = pair % 2 ? w : other;
	*to = pair % 2 ? other : w;
}

const char *ev_pair_name(unsigned pair)
{
	static char names[EV_NPAIRS][32];
	int from, to;

	if (pair >= EV_NPAIRS)
		return "?";
	if (!names[pair][0]) {
		ev_pair_words(pair, &from, &to);
		snprintf(names[pair], sizeof(names[pair]), "%s->%s", sw_name(from), sw_name(to));
	}
	return names[pair];
}

int ev_pair_index(int from, int to)
{
	int w, into;

	if (from < 0 || from >= SW_COUNT || to < 0 || to >= SW_COUNT)
		return -1;
	/* the word whose table changes, and whether the table takes it on */
	into = sw_words[to].side == SW_SIDE_ONE || sw_words[to].side == SW_SIDE_SECOND;
	w = into ? to : from;
	if (sw_words[w].side == SW_SIDE_NONE || sw_words[w].side == SW_SIDE_FIRST)
		return -1;
	if ((sw_words[w].side == SW_SIDE_ONE ? SW_NONE : sw_words[w].partner) != (into ? from : to))
		return -1;
	return 2 * sw_words[w].table + !into;
}

static void ev_add(char *buf, size_t len, unsigned pair)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", ev_pair_name(pair));
}

void ev_pairs_hint(int from, int to, char *buf, size_t len)
{
	int seen[SW_TABLES] = { 0 };
	int words[2] = { from, to };

	buf[0] = '\0';
	for (int k = 0; k < 2; k++) {
		int w = words[k], t;

		if (w < 0 || w >= SW_COUNT || (t = sw_words[w].table) < 0 || seen[t])
			continue;
		seen[t] = 1;
		ev_add(buf, len, 2 * (unsigned)t);
		ev_add(buf, len, 2 * (unsigned)t + 1);
	}
	if (!buf[0])
		snprintf(buf, len, "None->X and X->None for a status word X, OL->OB, OB->OL, COMM->NOCOMM, NOCOMM->COMM");
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status.c - the tables of status.h: the facts of each status word and the word of each table. */
#include "config.h"

#include "grammar/status.h"

#define SW_TAB_ONE(id, partner) SW_T_##id
#define SW_TAB_FIRST(id, partner) SW_T_##partner
#define SW_TAB_SECOND(id, partner) SW_T_##id
#define SW_TAB_NONE(id, partner) -1
const struct sw_info sw_words[SW_COUNT] = {
#define SW(id, text, side, partner, source) \
	[SW_##id] = { text, SW_SIDE_##side, SW_SRC_##source, SW_##partner, SW_TAB_##side(id, partner) },
#include "grammar/status.def"
#undef SW
};

#define SW_HOLDS_ONE(id) [SW_T_##id] = SW_##id,
#define SW_HOLDS_FIRST(id)
#define SW_HOLDS_SECOND(id) [SW_T_##id] = SW_##id,
#define SW_HOLDS_NONE(id)
const unsigned char sw_table_word[SW_TABLES] = {
#define SW(id, text, side, partner, source) SW_HOLDS_##side(id)
#include "grammar/status.def"
#undef SW
};

/* A two-sided table's words name each other, the first line before the second. */
#define SW_CHECK_ONE(id, partner) _Static_assert(SW_##partner == SW_##id && (int)SW_T_##id < (int)SW_ONE_TABLES, \
						  #id ": its own partner, before the two-sided tables");
#define SW_CHECK_FIRST(id, partner) _Static_assert(SW_##partner == SW_##id + 1, #id ": its SECOND word follows it");
#define SW_CHECK_SECOND(id, partner) _Static_assert(SW_##partner + 1 == SW_##id && (int)SW_T_##id >= (int)SW_ONE_TABLES, \
						     #id ": after its FIRST word and the ONE words");
#define SW_CHECK_NONE(id, partner) _Static_assert(SW_##id + 1 == SW_COUNT, "None is the last word");
#define SW(id, text, side, partner, source) SW_CHECK_##side(id, partner)
#include "grammar/status.def"
#undef SW

const char *sw_name(int w)
{
	return w >= 0 && w < SW_COUNT ? sw_words[w].text : "?";
}

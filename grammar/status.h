/* SPDX-License-Identifier: GPL-2.0-or-later */
/* status.h - the UPS status words, their tables and event pairs, all made from status.def. */
#ifndef UPSPLAN_STATUS_H
#define UPSPLAN_STATUS_H

#include <stddef.h>

/* The status words (STATUS tokens), in status.def's order. */
enum sw_word {
#define SW(id, text, side, partner, source) SW_##id,
#include "grammar/status.def"
#undef SW
	SW_COUNT
};

enum sw_side { SW_SIDE_ONE, SW_SIDE_FIRST, SW_SIDE_SECOND, SW_SIDE_NONE };
enum sw_source { SW_SRC_UPSD, SW_SRC_CHARGE, SW_SRC_POWER, SW_SRC_CONN, SW_SRC_NONE };

/* The tables (one bit each in a UPS's state): one per ONE word, one per two-sided pair. */
#define SW_TABLE_ONE(id) SW_T_##id,
#define SW_TABLE_FIRST(id)
#define SW_TABLE_SECOND(id) SW_T_##id,
#define SW_TABLE_NONE(id)
enum sw_table {
#define SW(id, text, side, partner, source) SW_TABLE_##side(id)
#include "grammar/status.def"
#undef SW
	SW_TABLES
};
#undef SW_TABLE_ONE
#undef SW_TABLE_FIRST
#undef SW_TABLE_SECOND
#undef SW_TABLE_NONE

/* How many tables belong to one word (they come first: 0 .. SW_ONE_TABLES - 1). */
#define SW_IS_ONE_ONE 1
#define SW_IS_ONE_FIRST 0
#define SW_IS_ONE_SECOND 0
#define SW_IS_ONE_NONE 0
enum {
	SW_ONE_TABLES = 0
#define SW(id, text, side, partner, source) + SW_IS_ONE_##side
#include "grammar/status.def"
#undef SW
};

/* Event pairs: 2k and 2k + 1 for table k. */
#define SW_NPAIRS (2 * SW_TABLES)

_Static_assert(SW_TABLES <= 32, "a UPS's tables are the bits of a uint32_t");
_Static_assert(SW_NPAIRS <= 255, "an event pair is a uint8_t");

/* What status.def says of one word. */
struct sw_info {
	const char *text;	/* "None", "OL", ... */
	unsigned char side;	/* enum sw_side */
	unsigned char source;	/* enum sw_source */
	unsigned char partner;	/* the other word of a two-sided table, else the word itself */
	signed char table;	/* its table, -1 for None */
};

/* Facts of word W (W < SW_COUNT). */
extern const struct sw_info sw_words[SW_COUNT];
/* The word a table holds when its bit is set (a ONE word, or the second of a pair). */
extern const unsigned char sw_table_word[SW_TABLES];

/* Spelling of word W ("None", "OL", ...), "?" out of range. */
const char *sw_name(int w);

#endif

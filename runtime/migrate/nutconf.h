/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nutconf.h - NUT's configuration syntax (upsmon.conf, upssched.conf) read as NUT's parseconf reads it, with located words. */
#ifndef UPSPLAN_NUTCONF_H
#define UPSPLAN_NUTCONF_H

#include <stddef.h>

/* NUT's parseconf limits (include/parseconf.h): words per line, bytes per word */
#define NC_MAX_WORDS	32
#define NC_MAX_WORDLEN	512
/* ours: a larger file is refused (bounded memory) */
#define NC_MAX_FILE	(1024u * 1024u)

/* One word as NUT hands it to upsmon, and where it starts (physical line, byte column, 1-based). */
struct nc_word {
	char *text;		/* NUL-terminated; bytes NUT discards are not in it */
	unsigned line, col;
	unsigned char quoted;	/* began with " */
};

/* One logical line (a \-newline joins physical lines) with at least one word. */
struct nc_line {
	struct nc_word *words;	/* at most NC_MAX_WORDS */
	unsigned nwords;
	unsigned nutline;	/* the line number NUT logs (it counts logical lines) */
	size_t from, to;	/* its bytes in nc_file.text: comments and \-newlines in, the ending newline out */
};

/* What a problem is about: the translation maps each kind to its diagnostic code. */
enum nc_kind {
	NC_K_UNREADABLE,	/* the file cannot be read (0:0) */
	NC_K_TOO_BIG,		/* over NC_MAX_FILE (0:0) */
	NC_K_NUL,		/* the first NUL byte: not a text file */
	NC_K_HASH_IN_QUOTES,	/* parse error: upsmon drops the line */
	NC_K_UNTERMINATED,	/* a quote still open at the end of the file */
	NC_K_QUOTE_RUNS_ON,	/* a quoted word went over a line end */
	NC_K_DROPPED_BYTE,	/* the first byte outside 0x20-0x7f NUT discarded on a line (not CR/LF) */
	NC_K_TOO_MANY_WORDS,	/* the first word past NC_MAX_WORDS */
	NC_K_WORD_TOO_LONG,	/* a word cut at NC_MAX_WORDLEN */
	NC_K_LOST_LAST_WORD,	/* a one-word last line without newline: NUT reads nothing */
	NC_K_INVALID,		/* no such directive */
	NC_K_WRONG_CASE,	/* a directive in the wrong case */
	NC_K_TOO_FEW_WORDS,	/* fewer words than the directive needs */
	NC_K_EXTRA_WORDS,	/* the first word NUT ignores */
	NC_K_NEWER,		/* a directive of a later NUT than the one asked for */
	NC_K_OLD_MONITOR,	/* the 5-word MONITOR: upsmon refuses to start */
	NC_K_MONITOR_TYPE,	/* not primary/master/secondary/slave: upsmon reads secondary */
	NC_K_AT_TOO_EARLY,	/* AT before CMDSCRIPT, PIPEFN or LOCKFN (one per missing one) */
	NC_K_AT_COMMAND,	/* AT with an unknown command */
	NC_K_NUMBER,		/* a number NUT reads otherwise than written ('5s' as 5, 'x' as 0) or cannot hold */
	NC_K_NEGATIVE,		/* a negative number upsmon/upssched ignores (keeps the previous value) */
	NC_K_BAD_POWERVALUE,	/* MONITOR's negative power value: upsmon ignores the MONITOR */
	NC_K_COUNT
};

/* A problem found while reading or checking, located; ERROR: upsmon drops or refuses what it names. */
struct nc_problem {
	enum nc_kind kind;
	unsigned line, col;	/* 0:0 for the file as a whole */
	unsigned char error;
	char msg[200];
};

struct nc_file {
	char *name;
	char *text;		/* the file as read (NUL-terminated; it may hold NULs) */
	size_t len;
	struct nc_line *lines;
	size_t nlines;
	struct nc_problem *probs;
	size_t nprobs;
	size_t nerrors;
};

/* The two files whose directives the tables know. */
enum nc_dialect { NC_UPSMON, NC_UPSSCHED };

/* NUT versions as 2.8.N -> N (2.8.0 is 0). */
#define NC_NUT_280	0u

/* One directive of a table: WORDS counts the directive itself (NUT's numargs). */
struct nc_directive {
	const char *name;
	unsigned min_words;	/* fewer: "invalid directive" */
	unsigned used_words;	/* more: the rest is ignored */
	unsigned since;		/* first 2.8.N that knows it */
	unsigned char nocase;	/* keyword compared without case */
	unsigned char num;	/* the word NUT reads as a number (atoi/strtol), 0: none */
	unsigned char neg_ok;	/* a negative number is used (else upsmon ignores it) */
};

/* A word NUT accepts in a directive's argument, and the word it stands for (NULL: itself). */
struct nc_alias {
	const char *word;
	const char *means;	/* the current word when WORD is deprecated */
};

/* Read PATH (at most NC_MAX_FILE bytes) into F; 0, or -1 when it cannot be read (a problem says why). */
int nc_read_file(const char *path, struct nc_file *f);
/* Read LEN bytes of BUF (named NAME in messages) into F; 0, or -1 when too large. */
int nc_read_mem(const char *name, const char *buf, size_t len, struct nc_file *f);
/* Free what F holds. */
void nc_free(struct nc_file *f);
/* The directive NAME of DIALECT's table as NUT compares it, or NULL. */
const struct nc_directive *nc_lookup(enum nc_dialect d, const char *name);
/* The AT command NAME of upssched.conf, or NULL. */
const struct nc_directive *nc_lookup_at(const char *name);
/* MONITOR's type WORD (case-insensitive) -> "primary" or "secondary"; *DEPRECATED set for master/slave; NULL if unknown. */
const char *nc_monitor_type(const char *word, int *deprecated);
/* The number NUT's atoi/strtol reads from WORD into *VALUE; 1 when WORD is exactly -?[0-9]+ within int. */
int nc_number(const char *word, long *value);
/* Check each line of F against DIALECT's table for NUT 2.8.NUT_MINOR; adds problems to F; returns their count. */
size_t nc_check(struct nc_file *f, enum nc_dialect d, unsigned nut_minor);

#endif

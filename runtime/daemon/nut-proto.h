/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nut-proto.h - the NUT network protocol as a monitor speaks it: requests with quoted arguments, reply lines split and classified. */
#ifndef UPSPLAN_NUT_PROTO_H
#define UPSPLAN_NUT_PROTO_H

#include <stddef.h>

/* upsd formats every reply line in 512 bytes; a longer one is a protocol error. */
#define NUT_LINE_MAX 512
/* upsd's parser keeps 32 words per line. */
#define NUT_WORDS_MAX 32

/*
 * 1 when S holds only bytes upsd keeps (printable ASCII, 0x20-0x7e): upsd
 * silently drops the others, so a password holding one could never match.
 */
int nut_printable(const char *s);

/*
 * Write the request made of the N words W into OUT (CAP bytes), ending
 * with a line feed.  A word that is empty or holds anything but letters,
 * digits and ". _ - @ : / +" is sent in double quotes, with '"', '\' and
 * '#' escaped by a backslash (upsd's parser, common/parseconf.c), so that
 * passwords with blanks or '#' arrive whole.  Returns the length, or -1
 * when the line does not fit or a word holds a byte upsd drops.
 */
int nut_request(char *out, size_t cap, int n, const char *const *w);

/* What a reply line is. */
enum nut_kind {
	NUT_OK,			/* "OK ..." */
	NUT_ERR,		/* "ERR WORD ..." */
	NUT_VAR,		/* "VAR ups var value" */
	NUT_NUMLOGINS,		/* "NUMLOGINS ups n" */
	NUT_OTHER		/* anything else (NETVER's "1.3", VER's banner) */
};

/* One reply line, split into words (quotes removed, escapes resolved). */
struct nut_reply {
	enum nut_kind kind;
	int nwords;
	const char *words[NUT_WORDS_MAX];
	char buf[NUT_LINE_MAX + NUT_WORDS_MAX + 1];
};

/*
 * Split and classify the reply LINE of LEN bytes (without its line feed;
 * a trailing CR is ignored).  Returns 0, or -1 when the line is longer
 * than NUT_LINE_MAX, holds a NUL or another byte below 0x20 but tab (a
 * quoted tab stays in its word; DEL and bytes from 0x80 pass: they are
 * escaped before they are logged), has an unclosed quote or ends with a
 * backslash, has more than NUT_WORDS_MAX words, or is an OK/ERR/VAR/
 * NUMLOGINS line with the wrong number of words.
 */
int nut_parse(const char *line, size_t len, struct nut_reply *r);

/* The error word of an ERR reply, or "" for other replies. */
const char *nut_err_word(const struct nut_reply *r);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* argv.h - split a SHUTDOWNCMD text into arguments as a shell would, without running one. */
#ifndef UPSPLAN_ARGV_H
#define UPSPLAN_ARGV_H

#include <stddef.h>

/*
 * Split the LEN bytes at S into words: blanks (space, tab, newline)
 * separate words; '...' keeps its content literally; "..." keeps its
 * content but a backslash there escapes " \ $ and `; a backslash outside
 * quotes escapes the next character.  No expansion of any kind.
 *
 * The words are written to OUT one after the other, each ending with a NUL;
 * OUT must hold LEN + 1 bytes.  Returns the number of words, or -1 when
 * a quote is not closed or the text ends with a backslash, with *ERRPOS
 * set to the offset of that quote or backslash.
 */
int argv_split(const char *s, size_t len, char *out, size_t *errpos);

/*
 * 1 when the LEN bytes at S (LEN > 0) are letters, digits, '.', '_' or
 * '-' only: a value that a substitution can put into a SHUTDOWNCMD text
 * without changing how it splits (host and user names).
 */
int argv_plain_word(const char *s, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctl-client.h - the client side of the daemon's control socket, for upsplan status and upsplan ctl. */
#ifndef UPSPLAN_CTL_CLIENT_H
#define UPSPLAN_CTL_CLIENT_H

#include <stdio.h>

#include <jansson.h>

/*
 * Ask the daemon at the socket PATH: REQ and a line feed, then its whole
 * answer (at most 4 MiB) within TIMEOUT seconds.  EXIT_CLEAN with the
 * parsed answer in *DOC; else EXIT_ERRORS after a message naming command
 * CMD and what to do (no socket, permission denied, no answer in time, an
 * answer that is not JSON, or one that is an error).
 */
int cc_ask(const char *cmd, const char *path, const char *req, double timeout, json_t **doc);

/*
 * TEXT on OUT with every control character as '?', C1 (U+0080..U+009F)
 * too: a daemon's text on a terminal.  The characters written.
 */
size_t cc_put(FILE *out, const char *text);

/* The widest a column of a table grows for the texts in it (longer ones stick out): a hostile answer cannot make each row megabytes of spaces. */
#define CC_COLUMN_MAX 40

/* TEXT as cc_put() does, then spaces up to WIDTH characters (a column of a table). */
void cc_putw(FILE *out, const char *text, size_t width);

/* DOC on OUT as JSON (keys sorted, indented), every character outside ASCII escaped (\uXXXX), then a line feed. */
void cc_json(FILE *out, const json_t *doc);

/* The string member KEY of O, or DFLT when it is missing or not a string. */
const char *cc_str(const json_t *o, const char *key, const char *dflt);

/* Print the running timers T (an array, as the daemon gives them) as a table. */
void cc_timers(FILE *out, const json_t *t);

#endif

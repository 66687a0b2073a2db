/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.h - JSON output through jansson: strings from bytes that need not be UTF-8, values appended to a buf. */
#ifndef UPSPLAN_JSON_H
#define UPSPLAN_JSON_H

#include <stddef.h>

#include <jansson.h>

#include "base/buf.h"

/*
 * A new JSON string of the LEN bytes at S (NUL bytes included): each
 * byte that does not start a valid UTF-8 sequence (src_utf8_seq) stands
 * for U+FFFD, as the diagnostics have always shown it, so that the
 * result is valid JSON whatever the input.
 */
json_t *jsonw_string(const char *s, size_t len);
/* Set KEY of the object O to V (its reference taken), or end the program as out of memory (V NULL included). */
void jsonw_set(json_t *o, const char *key, json_t *v);
/* Append V to the array A (its reference taken), or end the program as out of memory. */
void jsonw_append(json_t *a, json_t *v);
/* Append V to B as json_dumpb() writes it with FLAGS (JSON_ENCODE_ANY added: V may be a string). */
void jsonw_dump(struct buf *b, const json_t *v, size_t flags);
/* Append the LEN bytes at S to B as a JSON string: jsonw_string(), dumped. */
void jsonw_str(struct buf *b, const char *s, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-json.c - unit tests of the JSON writer (base/json.c): escapes, bytes that are not UTF-8, values dumped into a buf. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "tests/unit/tap.h"

/* S (LEN bytes) through jsonw_str(), as a string to free. */
static char *str(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	jsonw_str(&b, s, len);
	return buf_take(&b);
}

int main(void)
{
	struct buf b = BUF_INIT;
	json_t *o, *v;
	char *s;

	s = str("UPS-1@localhost", 15);
	is_str(s, "\"UPS-1@localhost\"", "a plain name is quoted as it is");
	free(s);
	s = str("", 0);
	is_str(s, "\"\"", "an empty string");
	free(s);
	s = str("q\"b\\n\nt\tc\x01 d\x7f", 13);
	is_str(s, "\"q\\\"b\\\\n\\nt\\tc\\u0001 d\x7f\"", "quote, backslash, newline, tab and control bytes escaped as jansson does");
	free(s);
	s = str("\x1b[0m\r", 5);
	is_str(s, "\"\\u001B[0m\\r\"", "ESC as \\u001B, CR as \\r: jansson's spelling, pinned");
	free(s);
	s = str("a\0b", 3);
	is_str(s, "\"a\\u0000b\"", "a NUL byte is kept, escaped");
	free(s);
	s = str("caf\xc3\xa9 \xe2\x82\xac", 9);
	is_str(s, "\"caf\xc3\xa9 \xe2\x82\xac\"", "valid UTF-8 is written as it is");
	free(s);
	s = str("x\xff\xc3y", 4);
	is_str(s, "\"x\xef\xbf\xbd\xef\xbf\xbdy\"", "each byte that is not UTF-8 (0xff 0xc3) becomes U+FFFD");
	free(s);
	s = str("\xed\xa0\x80|\xc0\xaf|\xf4\x90\x80\x80", 10);
	ok(s && strstr(s, "\xef\xbf\xbd|") && !strchr(s, '\xed') && !strchr(s, '\xc0') && !strchr(s, '\xf4'),
	   "a surrogate, an overlong form and a code point above U+10FFFF become U+FFFD");
	free(s);

	v = jsonw_string("\xff", 1);
	ok(v && json_is_string(v) && strcmp(json_string_value(v), "\xef\xbf\xbd") == 0,
	   "jsonw_string: a jansson string, valid UTF-8");
	json_decref(v);

	o = json_object();
	jsonw_set(o, "file", json_null());
	jsonw_set(o, "line", json_integer(9));
	jsonw_set(o, "message", jsonw_string("m\"", 2));
	jsonw_set(o, "notes", json_array());
	buf_adds(&b, "[");
	jsonw_dump(&b, o, JSON_COMPACT);
	buf_adds(&b, "]");
	is_str(b.p, "[{\"file\":null,\"line\":9,\"message\":\"m\\\"\",\"notes\":[]}]",
	       "an object dumped compact after what the buf holds, keys in the order set");
	json_decref(o);
	buf_reset(&b);
	for (int i = 0; i < 2000; i++)
		jsonw_str(&b, "\t", 1);
	is_int((long long)b.len, 2000 * 4, "2,000 escaped strings appended: the buf grows");
	buf_free(&b);
	return done_testing();
}

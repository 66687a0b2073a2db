/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-nut-proto.c - TAP tests of NUT protocol lines: request quoting as upsd's parser reads it, reply splitting and classification. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "runtime/daemon/nut-proto.h"
#include "tests/unit/tap.h"

static void req(int n, const char *const *w, const char *want, const char *name)
{
	char out[NUT_LINE_MAX + 8];
	int len = nut_request(out, sizeof(out), n, w);

	if (!want) {
		ok(len == -1, "%s: refused", name);
		return;
	}
	ok(len == (int)strlen(want) && strcmp(out, want) == 0, "%s", name);
	if (len < 0 || strcmp(out, want) != 0)
		diag("got '%s', want '%s'", len < 0 ? "(refused)" : out, want);
}

static void test_requests(void)
{
	req(4, (const char *const[]){ "GET", "VAR", "UPS-1", "ups.status" }, "GET VAR UPS-1 ups.status\n",
	    "plain words go bare");
	req(2, (const char *const[]){ "PASSWORD", "pri pass#1" }, "PASSWORD \"pri pass\\#1\"\n",
	    "a password with a blank and a '#' is quoted, '#' escaped");
	req(2, (const char *const[]){ "PASSWORD", "a\"b\\c" }, "PASSWORD \"a\\\"b\\\\c\"\n",
	    "'\"' and '\\' are escaped");
	req(2, (const char *const[]){ "PASSWORD", "" }, "PASSWORD \"\"\n", "an empty word is two quotes");
	req(2, (const char *const[]){ "USERNAME", "x=y" }, "USERNAME \"x=y\"\n", "'=' (a word of its own to upsd) is quoted");
	req(2, (const char *const[]){ "PASSWORD", "caf\xc3\xa9" }, NULL, "a byte upsd would drop (UTF-8)");
	req(2, (const char *const[]){ "PASSWORD", "a\nb" }, NULL, "a line feed");
	char big[600];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	req(2, (const char *const[]){ "PASSWORD", big }, NULL, "a line longer than upsd reads");
	ok(nut_printable("abc ~") && !nut_printable("\x7f") && !nut_printable("\t"), "printable ASCII only");
}

static void test_replies(void)
{
	struct nut_reply r;
	const char *l;

	l = "VAR UPS-1 ups.status \"OB LB\"";
	ok(nut_parse(l, strlen(l), &r) == 0 && r.kind == NUT_VAR && r.nwords == 4 &&
	   strcmp(r.words[3], "OB LB") == 0, "VAR with a quoted value");
	l = "VAR dummy ups.mfr \"Crash \\\"quoted\\\" \\#hash\"\r";
	ok(nut_parse(l, strlen(l), &r) == 0 && strcmp(r.words[3], "Crash \"quoted\" #hash") == 0,
	   "escapes resolved, a trailing CR ignored");
	l = "VAR u battery.charge \"\"";
	ok(nut_parse(l, strlen(l), &r) == 0 && r.kind == NUT_VAR && strcmp(r.words[3], "") == 0, "an empty value");
	l = "OK STARTTLS";
	ok(nut_parse(l, strlen(l), &r) == 0 && r.kind == NUT_OK && r.nwords == 2, "OK STARTTLS");
	l = "OK";
	ok(nut_parse(l, strlen(l), &r) == 0 && r.kind == NUT_OK, "a bare OK (old servers, the upsdTLS shim)");
	l = "ERR ACCESS-DENIED";
	ok(nut_parse(l, strlen(l), &r) == 0 && r.kind == NUT_ERR && strcmp(nut_err_word(&r), "ACCESS-DENIED") == 0,
	   "ERR and its word");
	l = "NUMLOGINS u 2";
	ok(nut_parse(l, strlen(l), &r) == 0 && r.kind == NUT_NUMLOGINS, "NUMLOGINS");
	l = "1.3";
	ok(nut_parse(l, strlen(l), &r) == 0 && r.kind == NUT_OTHER && strcmp(nut_err_word(&r), "") == 0,
	   "NETVER's bare line");
	l = "VAR u ups.status \"OL";
	ok(nut_parse(l, strlen(l), &r) == -1, "an unclosed quote is malformed");
	l = "VAR u ups.status OL\\";
	ok(nut_parse(l, strlen(l), &r) == -1, "a trailing backslash is malformed");
	l = "VAR u ups.status";
	ok(nut_parse(l, strlen(l), &r) == -1, "VAR without its value is malformed");
	l = "ERR";
	ok(nut_parse(l, strlen(l), &r) == -1, "ERR without its word is malformed");
	ok(nut_parse("VAR u x \"a\0b\"", 13, &r) == -1, "a NUL byte is malformed");
	l = "VAR u ups.status \"OL\x1b[2J\"";
	ok(nut_parse(l, strlen(l), &r) == -1, "an ESC byte is malformed");
	l = "VAR u ups.status \"OL\tLB\"";
	ok(nut_parse(l, strlen(l), &r) == 0 && strcmp(r.words[3], "OL\tLB") == 0,
	   "a tab inside quotes is kept (upsd's parser keeps it)");
	char big[NUT_LINE_MAX + 10];
	memset(big, 'a', sizeof(big));
	ok(nut_parse(big, sizeof(big), &r) == -1, "a line over 512 bytes is malformed");
	char many[200] = "";
	for (int i = 0; i < 40; i++)
		strcat(many, "w ");
	ok(nut_parse(many, strlen(many), &r) == -1, "more than 32 words is malformed");
}

int main(void)
{
	test_requests();
	test_replies();
	return done_testing();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-nutconf.c - TAP: NUT's configuration syntax read as NUT's parseconf reads it, the directive tables' checks, Debian's sample files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/migrate/nutconf.h"
#include "tap.h"

static struct nc_file F;

static void rd(const char *text)
{
	nc_free(&F);
	nc_read_mem("t.conf", text, strlen(text), &F);
}

/* word I of line L, or "(none)" */
static const char *w(size_t l, unsigned i)
{
	if (l >= F.nlines || i >= F.lines[l].nwords)
		return "(none)";
	return F.lines[l].words[i].text;
}

/* the number of problems of KIND at LINE:COL whose text has NEEDLE and whose error flag is ERROR */
static int has(unsigned line, unsigned col, enum nc_kind kind, int error, const char *needle)
{
	size_t i;
	int n = 0;

	for (i = 0; i < F.nprobs; i++)
		if (F.probs[i].line == line && F.probs[i].col == col && F.probs[i].kind == kind && F.probs[i].error == error
		    && strstr(F.probs[i].msg, needle))
			n++;
	if (!n)
		for (i = 0; i < F.nprobs; i++)
			diag("have %u:%u %s %s", F.probs[i].line, F.probs[i].col,
				F.probs[i].error ? "error" : "warning", F.probs[i].msg);
	return n;
}

static void syntax(void)
{
	char big[4096];
	size_t i;

	rd("MONITOR ups@localhost 1 monuser pass primary\n");
	is_int((long long)F.nlines, 1, "one line");
	is_int(F.lines[0].nwords, 6, "six words");
	is_str(w(0, 1), "ups@localhost", "plain word");
	is_int(F.lines[0].words[2].col, 23, "column of the third word");
	is_int((long long)F.nprobs, 0, "no problem");

	rd("# comment\n\n   \t\nSHUTDOWNCMD \"/sbin/shutdown -h +0\"\n");
	is_int((long long)F.nlines, 1, "comments and blank lines are no lines");
	is_str(w(0, 1), "/sbin/shutdown -h +0", "a quoted word is one word, without its quotes");
	ok(F.lines[0].words[1].line == 4 && F.lines[0].words[1].col == 13 && F.lines[0].words[1].quoted,
		"the quoted word is located at its quote");
	is_int(F.lines[0].nutline, 4, "NUT's line number");

	rd("NOTIFYMSG ONLINE \"say \\\"hi\\\" \\\\ \\#x\"\n");
	is_str(w(0, 2), "say \"hi\" \\ #x", "backslash escapes inside quotes");
	rd("a\\ b c\\#d\n");
	is_str(w(0, 0), "a b", "backslash escapes a blank outside quotes");
	is_str(w(0, 1), "c#d", "and a #");

	rd("POLLFREQ 5 # five\nUSER pass#1 x\n");
	is_int(F.lines[0].nwords, 2, "a comment after the words");
	is_str(w(1, 1), "pass", "# ends a word and starts a comment");
	is_int(F.lines[1].nwords, 2, "nothing after the # is read");

	rd("a\"b \"c\"d\n");
	is_str(w(0, 0), "a\"b", "a quote inside a word is kept");
	is_str(w(0, 1), "c", "a closing quote ends the word");
	is_str(w(0, 2), "d", "the next word starts after it");

	rd("x=y =z\n");
	ok(F.lines[0].nwords == 5 && !strcmp(w(0, 1), "=") && !strcmp(w(0, 2), "y")
		&& !strcmp(w(0, 3), "=") && !strcmp(w(0, 4), "z"), "= is a word of its own");

	rd("MONITOR ups \\\n1 u p primary\nPOLLFREQ 5\n");
	is_int((long long)F.nlines, 2, "a backslash-newline joins two physical lines");
	is_int(F.lines[0].nwords, 6, "into one line of six words");
	ok(F.lines[0].words[2].line == 2 && F.lines[0].words[2].col == 1, "the joined word is located at its first byte");
	ok(F.lines[1].nutline == 2 && F.lines[1].words[0].line == 3, "NUT's line count lags behind the physical one");
	is_mem(F.text + F.lines[0].from, F.lines[0].to - F.lines[0].from, "MONITOR ups \\\n1 u p primary",
		"a line's bytes span its continuation");
	is_mem(F.text + F.lines[1].from, F.lines[1].to - F.lines[1].from, "POLLFREQ 5", "the next line's bytes");
	rd("A \\\n b\n");
	ok(F.lines[0].nwords == 3 && !strcmp(w(0, 1), "") && !strcmp(w(0, 2), "b"),
		"a backslash-newline before a blank is an empty word, as in NUT");
	rd("NOTIFYMSG ONLINE \"a \\\nb\"\n");
	is_str(w(0, 2), "a b", "a backslash-newline inside quotes continues the text");
	is_int((long long)F.nprobs, 0, "without a warning");

	rd("X \"\"\n");
	ok(F.lines[0].nwords == 2 && !strcmp(w(0, 1), ""), "\"\" is an empty word");

	rd("POLLFREQ 5\r\nDEADTIME 15\r\n");
	ok(F.nlines == 2 && !strcmp(w(0, 1), "5") && !strcmp(w(1, 1), "15") && F.nprobs == 0,
		"CRLF lines read as LF lines, silently");

	rd("NOTIFYMSG ONLINE \"a # b\" c\nPOLLFREQ 5\n");
	ok(has(1, 21, NC_K_HASH_IN_QUOTES, 1, "unescaped # in quotes") == 1, "# in quotes: an error at the #");
	ok(F.nlines == 2 && !strcmp(w(0, 0), "b\"") && !strcmp(w(0, 1), "c") && !strcmp(w(1, 0), "POLLFREQ"),
		"the line is dropped and its tail read as a new line, as upsmon does");
	is_mem(F.text + F.lines[0].from, F.lines[0].to - F.lines[0].from, " b\" c", "the tail's bytes start after the #");

	rd("SHUTDOWNCMD \"abc");
	ok(has(1, 13, NC_K_UNTERMINATED, 1, "unterminated quote") == 1, "unterminated quote at the end: an error at the quote");
	ok(F.nlines == 1 && !strcmp(w(0, 1), "abc"), "NUT keeps the word");
	rd("SHUTDOWNCMD \"abc\nPOLLFREQ 5\n");
	ok(has(1, 13, NC_K_UNTERMINATED, 1, "unterminated quote") == 1 && has(1, 13, NC_K_QUOTE_RUNS_ON, 0, "past the end of the line") == 1,
		"a quote that swallows the next lines: error and warning at the quote");
	is_str(w(0, 1), "abcPOLLFREQ 5", "the newline is dropped from the word, as in NUT");

	rd("FOO");
	ok(F.nlines == 0 && has(1, 1, NC_K_LOST_LAST_WORD, 0, "last word") == 1, "a one-word last line without newline is lost, with a warning");
	rd("POLLFREQ 5");
	ok(F.nlines == 1 && !strcmp(w(0, 1), "5"), "a last line with two words is kept");
	is_mem(F.text + F.lines[0].from, F.lines[0].to - F.lines[0].from, "POLLFREQ 5", "its bytes end at the end of the file");

	big[0] = '\0';
	for (i = 0; i < 40; i++)
		strcat(big, "ab ");
	strcat(big, "\n");
	rd(big);
	ok(F.lines[0].nwords == NC_MAX_WORDS && has(1, 97, NC_K_TOO_MANY_WORDS, 0, "more than 32 words") == 1,
		"words past 32 are dropped, with a warning at the 33rd");
	memset(big, 'x', 600);
	memcpy(big, "A ", 2);
	strcpy(big + 600, "\n");
	rd(big);
	ok(strlen(w(0, 1)) == NC_MAX_WORDLEN && has(1, 3, NC_K_WORD_TOO_LONG, 0, "longer than 512") == 1,
		"a word is cut at 512 bytes, with a warning");

	nc_free(&F);
	nc_read_mem("t.conf", "POLL\0FREQ 5\n# x\0\n", 18, &F);
	ok(F.nlines == 1 && !strcmp(w(0, 0), "POLLFREQ"), "a NUL byte is dropped from the word, as in NUT");
	ok(has(1, 5, NC_K_NUL, 1, "NUL byte") == 1 && F.nprobs == 1, "one error for the file, at the first NUL");

	rd("NOTIFYMSG ONLINE \"caf\xc3\xa9\tok\"\n");
	is_str(w(0, 2), "cafok", "bytes outside 0x20-0x7f are dropped, as in NUT");
	ok(has(1, 22, NC_K_DROPPED_BYTE, 0, "discards this byte") == 1, "with a warning at the first");

	/* not text: every byte value, twice; must not crash, hang or keep more than the limits allow */
	for (i = 0; i < 512; i++)
		big[i] = (char)(i * 7 % 256);
	nc_free(&F);
	nc_read_mem("bin", big, 512, &F);
	ok(F.nerrors >= 1 && has(1, 1, NC_K_NUL, 1, "not a text file") == 1, "a binary file: an error at its first NUL");
	for (i = 0; i < F.nlines; i++)
		if (F.lines[i].nwords > NC_MAX_WORDS)
			break;
	ok(i == F.nlines, "every line within the limits");
	{
		char *huge = calloc(1, NC_MAX_FILE + 2);

		nc_free(&F);
		ok(huge && nc_read_mem("huge", huge, NC_MAX_FILE + 1, &F) == -1 && has(0, 0, NC_K_TOO_BIG, 1, "larger than") == 1,
			"a file over the size limit is refused");
		free(huge);
	}
	nc_free(&F);
	ok(nc_read_file("/nonexistent/upsmon.conf", &F) == -1 && has(0, 0, NC_K_UNREADABLE, 1, "cannot read") == 1,
		"a missing file: an error");
}

static void tables(void)
{
	int dep = -1;

	ok(nc_lookup(NC_UPSMON, "MONITOR") && !nc_lookup(NC_UPSMON, "monitor"), "upsmon's keywords are case-sensitive");
	ok(nc_lookup(NC_UPSMON, "debug_min") != NULL, "except DEBUG_MIN");
	ok(!nc_lookup(NC_UPSMON, "CMDSCRIPT") && nc_lookup(NC_UPSSCHED, "CMDSCRIPT"), "one table per file");
	ok(!strcmp(nc_monitor_type("MASTER", &dep), "primary") && dep == 1, "master is the old word for primary");
	ok(!strcmp(nc_monitor_type("slave", &dep), "secondary") && dep == 1, "slave is the old word for secondary");
	ok(!strcmp(nc_monitor_type("Primary", &dep), "primary") && dep == 0, "primary, any case");
	ok(nc_monitor_type("secundary", NULL) == NULL, "a typo is no type");

	rd("monitor a 1 u p primary\nFOO 1\nNOTIFYMSG ONLINE\nMONITOR a 1 u p\nSHUTDOWNCMD /sbin/shutdown -h +0\n"
		"MONITOR a 1 u p primry\nOFFDURATION 30\nMONITOR a@h 1 u p slave\nPOLLFREQ\n");
	nc_check(&F, NC_UPSMON, NC_NUT_280);
	ok(has(1, 1, NC_K_WRONG_CASE, 0, "case-sensitive: write MONITOR") == 1, "lower-case directive: a warning naming the right one");
	ok(has(2, 1, NC_K_INVALID, 0, "invalid directive 'FOO'") == 1, "unknown directive");
	ok(has(3, 1, NC_K_TOO_FEW_WORDS, 0, "NOTIFYMSG needs 3 words, it has 2") == 1, "too few arguments");
	ok(has(4, 1, NC_K_OLD_MONITOR, 1, "old-style MONITOR") == 1, "the 5-word MONITOR: an error (upsmon refuses to start)");
	ok(has(5, 28, NC_K_EXTRA_WORDS, 0, "ignores this word and the rest") == 1, "unquoted SHUTDOWNCMD: the rest is ignored");
	ok(has(6, 17, NC_K_MONITOR_TYPE, 0, "treats 'primry' as secondary") == 1, "a MONITOR type typo");
	ok(has(7, 1, NC_K_NEWER, 0, "NUT 2.8.1's") == 1, "a 2.8.1 directive under 2.8.0");
	ok(has(9, 1, NC_K_TOO_FEW_WORDS, 0, "POLLFREQ needs 2 words") == 1, "a directive without its value");
	is_int((long long)F.nprobs, 8, "nothing else (slave is a valid type)");
	rd("OFFDURATION 30\nALARMCRITICAL 1\n");
	is_int((long long)nc_check(&F, NC_UPSMON, 1), 1, "under 2.8.1 only the 2.8.3 directive is refused");

	{
		long v = -1;

		ok(nc_number("30", &v) && v == 30, "a number");
		ok(nc_number("-3", &v) && v == -3, "a negative number");
		ok(!nc_number("5s", &v) && v == 5, "'5s' is read as 5, and said");
		ok(!nc_number("abc", &v) && v == 0, "'abc' is read as 0, and said");
		ok(!nc_number("", &v) && v == 0 && !nc_number("-", &v), "no digits");
		ok(!nc_number("99999999999", &v), "too large for upsmon's int");
	}
	rd("POLLFREQ 5s\nDEADTIME abc\nFINALDELAY -3\nHOSTSYNC -1\nMONITOR a -1 u p primry\nMONITOR b 1x u p primary\n"
		"MINSUPPLIES 99999999999\n");
	nc_check(&F, NC_UPSMON, NC_NUT_280);
	ok(has(1, 10, NC_K_NUMBER, 0, "reads '5s' as 5") == 1, "a number with a tail");
	ok(has(2, 10, NC_K_NUMBER, 0, "reads 'abc' as 0") == 1, "not a number");
	ok(has(3, 12, NC_K_NEGATIVE, 0, "negative value -3 of FINALDELAY") == 1, "a negative FINALDELAY is ignored");
	ok(has(5, 11, NC_K_BAD_POWERVALUE, 1, "invalid power value -1") == 1, "a negative power value drops the MONITOR");
	ok(has(6, 11, NC_K_NUMBER, 0, "reads '1x' as 1") == 1, "a power value with a tail");
	ok(has(7, 13, NC_K_NUMBER, 0, "as 2147483647") == 1, "a number too large");
	is_int((long long)F.nprobs, 6, "nothing else (a negative HOSTSYNC is used; the dropped MONITOR's type is not checked)");

	rd("AT ONBATT * START-TIMER onbatt 30\nCMDSCRIPT /bin/cmd\nPIPEFN /run/p\nLOCKFN /run/l\n"
		"AT ONBATT * START-TIMER onbatt 30\nAT ONLINE * CANCEL-TIMER onbatt online\nAT LOWBATT * EXECUTE low\n"
		"AT ONBATT * START-TIMER x\nAT ONBATT * STOP-TIMER x 1\nAT ONBATT * START-TIMER-SHARED x 1\n"
		"AT ONBATT * EXECUTE a b\nCMDSCRIPT\nAT ONBATT * START-TIMER t -5\nAT ONBATT * START-TIMER t soon\n");
	nc_check(&F, NC_UPSSCHED, NC_NUT_280);
	ok(has(1, 1, NC_K_AT_TOO_EARLY, 1, "CMDSCRIPT must be set before the first AT") == 1 && has(1, 1, NC_K_AT_TOO_EARLY, 1, "LOCKFN must") == 1,
		"AT before CMDSCRIPT/PIPEFN/LOCKFN: errors");
	ok(has(8, 1, NC_K_TOO_FEW_WORDS, 0, "START-TIMER needs 6 words") == 1, "START-TIMER without seconds");
	ok(has(9, 13, NC_K_AT_COMMAND, 0, "Invalid command: STOP-TIMER") == 1, "unknown AT command");
	ok(has(10, 1, NC_K_NEWER, 0, "NUT 2.8.5's") == 1, "START-TIMER-SHARED is 2.8.5's");
	ok(has(11, 23, NC_K_EXTRA_WORDS, 0, "ignores this word") == 1, "EXECUTE uses one word");
	ok(has(12, 1, NC_K_TOO_FEW_WORDS, 0, "CMDSCRIPT needs 2 words") == 1, "CMDSCRIPT without its path");
	ok(has(13, 27, NC_K_NEGATIVE, 0, "upssched ignores the negative value -5") == 1, "a negative timer");
	ok(has(14, 27, NC_K_NUMBER, 0, "reads 'soon' as 0") == 1, "a timer of no number");
	is_int((long long)F.nprobs, 10, "nothing else");
}

/* Debian's nut-client samples (spec: the ten active lines of upsmon.conf, CMDSCRIPT in upssched.conf) */
static void samples(void)
{
	static const char *const dirs[] = { "/etc/nut", "/usr/share/doc/nut-client/examples" };
	static const char *const want[] = { "MINSUPPLIES", "SHUTDOWNCMD", "POLLFREQ", "POLLFREQALERT", "HOSTSYNC",
		"DEADTIME", "POWERDOWNFLAG", "RBWARNTIME", "NOCOMMWARNTIME", "FINALDELAY" };
	static const char monitor[] = "MONITOR myups@localhost 1 monuser pass primary\n";
	char path[256];
	size_t i, d;
	FILE *fp;
	char *buf;
	size_t len;

	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		snprintf(path, sizeof(path), "%s/upsmon.conf", dirs[d]);
		if (access(path, R_OK) == 0)
			break;
	}
	if (d == sizeof(dirs) / sizeof(dirs[0])) {
		for (i = 0; i < 6; i++)
			ok(1, "# SKIP no readable Debian sample upsmon.conf");
		return;
	}
	diag("samples in %s", dirs[d]);
	nc_free(&F);
	nc_read_file(path, &F);
	nc_check(&F, NC_UPSMON, NC_NUT_280);
	is_int((long long)F.nlines, 10, "the sample upsmon.conf has ten active lines");
	for (i = 0; i < F.nlines && i < 10; i++)
		if (strcmp(w(i, 0), want[i]))
			break;
	ok(i == 10, "MINSUPPLIES to FINALDELAY, in order");
	is_int((long long)F.nprobs, 0, "without a problem");

	/* the sample plus its own commented MONITOR example */
	fp = fopen(path, "r");
	buf = calloc(1, NC_MAX_FILE + sizeof(monitor));
	len = fp && buf ? fread(buf, 1, NC_MAX_FILE, fp) : 0;
	if (fp)
		fclose(fp);
	memcpy(buf + len, monitor, sizeof(monitor));
	nc_free(&F);
	nc_read_mem(path, buf, len + sizeof(monitor) - 1, &F);
	free(buf);
	nc_check(&F, NC_UPSMON, NC_NUT_280);
	ok(F.nlines == 11 && F.lines[10].nwords == 6 && F.nprobs == 0, "the sample plus a MONITOR line: no problem");

	snprintf(path, sizeof(path), "%s/upssched.conf", dirs[d]);
	if (access(path, R_OK) != 0) {
		ok(1, "# SKIP no readable Debian sample upssched.conf");
		ok(1, "# SKIP no readable Debian sample upssched.conf");
		return;
	}
	nc_free(&F);
	nc_read_file(path, &F);
	nc_check(&F, NC_UPSSCHED, NC_NUT_280);
	ok(F.nlines == 1 && !strcmp(w(0, 0), "CMDSCRIPT"), "the sample upssched.conf: CMDSCRIPT only");
	is_int((long long)F.nprobs, 0, "without a problem");
}

int main(void)
{
	syntax();
	tables();
	samples();
	nc_free(&F);
	return done_testing();
}

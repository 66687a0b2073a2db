/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-lexer.c - TAP tests of lex_tokens(): token kinds and spans, quotes, HOST values, lexical errors. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "grammar/parse.h"
#include "grammar/parse-int.h"
#include "tests/unit/tap.h"

/* One tokenised text: its registry, diagnostics and the tokens as "name@off=text | ...". */
struct lexrun {
	struct src_registry reg;
	struct diag_queue dq;
	const struct src_file *file;
	char toks[8192];
	size_t used;
	unsigned n;
};

/* Append the LEN bytes at S to BUF (size ROOM at USED) with control bytes as \xNN. */
static size_t put_escaped(char *buf, size_t used, size_t room, const char *s, size_t len)
{
	for (size_t i = 0; i < len && used + 5 < room; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7F)
			used += (size_t)snprintf(buf + used, room - used, "\\x%02X", c);
		else
			buf[used++] = (char)c;
	}
	buf[used] = '\0';
	return used;
}

/* Append one token as "name@off=text" (OFF relative to the file). */
static void collect(void *ud, const char *name, src_span span)
{
	struct lexrun *r = ud;
	size_t room = sizeof(r->toks) - r->used;
	int k;

	k = snprintf(r->toks + r->used, room, "%s%s@%u=", r->used ? " | " : "", name,
		     span.off - r->file->base);
	if (k > 0 && (size_t)k < room)
		r->used = put_escaped(r->toks, r->used + (size_t)k, sizeof(r->toks),
				      src_bytes(&r->reg, span), span.len);
}

static void lex_start(struct lexrun *r, const char *text, size_t len)
{
	memset(r, 0, sizeof(*r));
	src_init(&r->reg);
	diag_init(&r->dq, &r->reg);
	r->file = src_add_text(&r->reg, "t.conf", text, len);
	r->n = lex_tokens(&r->reg, r->file, &r->dq, collect, r);
}

static void lex_end(struct lexrun *r)
{
	diag_free(&r->dq);
	src_free(&r->reg);
}

/* TEXT must lex to WANT without any diagnostic. */
static void lexes(const char *text, const char *want)
{
	struct lexrun r;

	char shown[512];

	lex_start(&r, text, strlen(text));
	put_escaped(shown, 0, sizeof(shown), text, strlen(text));
	is_str(r.toks, want, "tokens of [%s]", shown);
	if (r.dq.nrecs)
		ok(0, "[%s] gives no diagnostic (got %s: %s)", shown,
		   diag_code_name(r.dq.recs[0].code), r.dq.recs[0].msg);
	lex_end(&r);
}

/* Diagnostic I of R must be CODE at file offset OFF, LEN bytes long. */
static void has_diag(const struct lexrun *r, size_t i, const char *code, uint32_t off,
		     uint32_t len, const char *what)
{
	const struct diag_record *d;

	if (i >= r->dq.nrecs) {
		ok(0, "%s: diagnostic %zu exists (only %zu)", what, i, r->dq.nrecs);
		return;
	}
	d = &r->dq.recs[i];
	is_str(diag_code_name(d->code), code, "%s: code", what);
	ok(d->has_span, "%s: has a location", what);
	is_int(d->span.off - r->file->base, off, "%s: offset", what);
	is_int(d->span.len, len, "%s: length", what);
	is_int(d->sev, DIAG_ERROR, "%s: is an error", what);
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* A string literal and its length (NUL bytes inside included). */
#define LS(s) (s), (sizeof(s) - 1)

static const char *const keywords[] = {
	"APCUPSDUSER", "CANCELTIMER", "CERTFILE", "CERTNAME", "CLIENTCERT",
	"CLIENTKEY", "DEBUG", "EMAIL", "EPRINT",
	"FROM", "GROUP", "HOST", "IF", "INCLUDE", "LET", "MESSAGE", "MINSUPPLIES",
	"MONITOR", "NOTIFY", "NUTLOG", "PASSWORD", "POLLFREQ", "POLLFREQALERT",
	"PORT", "POWERVAL", "PRINT", "REPORTS", "SETFSD", "SHELLCMD",
	"SHUTDOWNCMD", "SMTPSERVER", "STARTTIMER", "SUBJECT", "SYSLOG",
	"TIMEOUT", "TLS", "TO", "TYPE", "UPSDUSER", "USER", "WALL", "WHEN",
	"SHUTDOWN", "AND", "OR", "NOT", "RUNNING", "BECOMES", "CEASES", "FOR",
	"NUMLOGINS", "SHUTDOWNEXIT", "MARK", "UNMARK", "MARKED", "WITHOUT",
	"ALERTMANAGER", "ALERT", "RESOLVE", "HOOKS", "CAFILE", "BEARER", "SEVERITY", "FIRING", "RESOLVED",
};

static const char *const statuses[] = {
	"None", "ALARM", "BOOST", "BYPASS", "CAL", "CHRG", "NOCOMM", "DISCHRG",
	"FSD", "LB1", "LB2", "LB3", "LB", "LS", "COMM", "OB", "OFF", "OL",
	"OVER", "RB", "TEST", "TICK", "TOCK", "TRIM",
};


static void test_keywords(void)
{
	char text[64], want[256];
	char all[1024] = "", allwant[4096] = "";
	size_t off = 0;

	is_int(NELEM(keywords), 65, "42 keyword tokens plus SHUTDOWN, SHUTDOWNEXIT and the soft keywords of conditions, level rules, marks and alerts");
	for (size_t i = 0; i < NELEM(keywords); i++) {
		const char *k = keywords[i];

		/* alone, after two blanks: the span starts at 2 */
		snprintf(text, sizeof(text), "  %s\n", k);
		snprintf(want, sizeof(want), "%s@2=%s", k, k);
		lexes(text, want);
		/* a longer word is a NAME (maximal munch); not after HOST */
		if (strcmp(k, "HOST") != 0) {
			snprintf(text, sizeof(text), "%sX", k);
			snprintf(want, sizeof(want), "name@0=%sX", k);
			lexes(text, want);
		}
		/* keywords are upper case only */
		snprintf(text, sizeof(text), "x%s", k);
		snprintf(want, sizeof(want), "name@0=x%s", k);
		lexes(text, want);
		/* all keywords on one line */
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s ", k);
		snprintf(allwant + strlen(allwant), sizeof(allwant) - strlen(allwant),
			 "%s%s@%zu=%s", i ? " | " : "", k, off, k);
		off += strlen(k) + 1;
	}
	lexes(all, allwant);
	lexes("when Host", "name@0=when | name@5=Host");

	for (size_t i = 0; i < NELEM(statuses); i++) {
		snprintf(text, sizeof(text), "\t%s", statuses[i]);
		snprintf(want, sizeof(want), "status word@1=%s", statuses[i]);
		lexes(text, want);
	}
	is_int(NELEM(statuses), 24, "24 status words");
	lexes("none NONE", "name@0=none | name@5=NONE");

	/* the punctuation and value tokens: COLON EQ RARR NAME NUMBER */
	lexes(": = ->", "':'@0=: | '='@2== | '->'@4=->");
	lexes("LET msg_1 = x", "LET@0=LET | name@4=msg_1 | '='@10== | name@12=x");
	lexes("a.b%c+d-e _x", "name@0=a.b%c+d-e | name@10=_x");
	lexes("5 401 0.5 .5 5.", "number@0=5 | number@2=401 | number@6=0.5 | number@10=.5 | number@13=5.");
	lexes("ups:ups2", "name@0=ups | ':'@3=: | name@4=ups2");

	/* the comparison operators, with and without blanks around them */
	lexes("battery.runtime < 300", "name@0=battery.runtime | '<'@16=< | number@18=300");
	lexes("battery.runtime<300", "name@0=battery.runtime | '<'@15=< | number@16=300");
	lexes("a<=1 b>2 c>=3 d==4 e!=5", "name@0=a | '<='@1=<= | number@3=1 | name@5=b | '>'@6=> | number@7=2 | "
	      "name@9=c | '>='@10=>= | number@12=3 | name@14=d | '=='@15=== | number@17=4 | name@19=e | "
	      "'!='@20=!= | number@22=5");
	lexes("ups.alarm=~\"fan\"", "name@0=ups.alarm | '=~'@9==~ | \"text\"@11=\"fan\"");
	lexes("((NOT OL->OB))", "'('@0=( | '('@1=( | NOT@2=NOT | status word@6=OL | '->'@8=-> | status word@10=OB | "
	      "')'@12=) | ')'@13=)");
	lexes("x=y", "name@0=x | '='@1== | name@2=y");
}

/* Is TEXT one of the N words of LIST? */
static int listed(const char *const *list, size_t n, const char *text)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], text) == 0)
			return 1;
	return 0;
}

/*
 * The lexer's own table: every entry is found with its own token and
 * status, whatever letter it starts with and however many share it (a
 * fixed row per first letter once lost the ninth word silently), and it
 * holds exactly the words of the two lists above.
 */
static void test_keyword_table(void)
{
	size_t n = lex_keyword_count(), found = 0, wrong = 0;
	int tok, st, got, gotst;
	const char *text;
	char longer[64];

	is_int(n, NELEM(keywords) + NELEM(statuses), "the table holds %zu keywords and status words",
	       NELEM(keywords) + NELEM(statuses));
	for (size_t i = 0; (text = lex_keyword_entry(i, &tok, &st)) != NULL; i++) {
		got = lex_keyword(text, strlen(text), &gotst);
		if (got == tok && gotst == st)
			found++;
		else
			diag("table entry %s: lex_keyword gives token %d status %d, not %d %d", text, got, gotst, tok,
			     st);
		if (!listed(st < 0 ? keywords : statuses, st < 0 ? NELEM(keywords) : NELEM(statuses), text)) {
			diag("table entry %s is not in this test's lists", text);
			wrong++;
		}
		/* a prefix or an extension of a word is no word unless listed */
		snprintf(longer, sizeof(longer), "%sZ", text);
		if (lex_keyword(longer, strlen(longer), &gotst) != 0) {
			diag("%s is taken for a keyword", longer);
			wrong++;
		}
		snprintf(longer, sizeof(longer), "%.*s", (int)strlen(text) - 1, text);
		if (lex_keyword(longer, strlen(longer), &gotst) != 0 && !listed(keywords, NELEM(keywords), longer) &&
		    !listed(statuses, NELEM(statuses), longer)) {
			diag("%s, a prefix of %s, is taken for a keyword", longer, text);
			wrong++;
		}
	}
	is_int(found, n, "every table entry is found with its own token and status");
	is_int(wrong, 0, "no entry outside the lists, no longer word taken for one");
	is_int(lex_keyword("", 0, &gotst), 0, "the empty word is no keyword");
	is_int(lex_keyword("TOC", 3, &gotst), 0, "TOC (between TO and TOCK) is no keyword");
	/* the origin column: UPSmon.py's words are hard keywords, upsplan's own soft */
	is_int(lex_keyword_soft("TLS", 3), 1, "TLS is an upsplan-only keyword");
	is_int(lex_keyword_soft("SHUTDOWN", 8), 1, "SHUTDOWN is an upsplan-only keyword");
	is_int(lex_keyword_soft("SHUTDOWNCMD", 11), 0, "SHUTDOWNCMD is UPSmon.py's");
	is_int(lex_keyword_soft("AND", 3), 1, "AND is an upsplan-only keyword");
	is_int(lex_keyword_starts("AND", 3), 0, "AND starts nothing (only inside IF)");
	is_int(lex_keyword_starts("TLS", 3), 1, "TLS can start a declaration");
	is_int(lex_keyword_starts("SHUTDOWN", 8), 1, "SHUTDOWN can start an action");
	is_int(lex_keyword_soft("OL", 2), 0, "status words are UPSmon.py's");
	is_int(lex_keyword_soft("TLSX", 4), 0, "a longer word is no keyword");
}

static void test_quotes(void)
{
	struct lexrun r;

	lexes("'a b'", "'text'@0='a b'");
	lexes("\"a b\"", "\"text\"@0=\"a b\"");
	lexes("\xC2\xAB" "a b\xC2\xBB", "\xC2\xABtext\xC2\xBB@0=\xC2\xAB" "a b\xC2\xBB");
	lexes("\xE2\x8E\xA1" "a b\xE2\x8E\xA6", "\xE2\x8E\xA1text\xE2\x8E\xA6@0=\xE2\x8E\xA1" "a b\xE2\x8E\xA6");
	lexes("\xE2\xB8\xA2" "a b\xE2\xB8\xA5", "\xE2\xB8\xA2text\xE2\xB8\xA5@0=\xE2\xB8\xA2" "a b\xE2\xB8\xA5");
	/* empty texts */
	lexes("'' \"\" \xC2\xAB\xC2\xBB", "'text'@0='' | \"text\"@3=\"\" | \xC2\xABtext\xC2\xBB@6=\xC2\xAB\xC2\xBB");
	/* no escapes; the other marks, '#' and keywords are text */
	lexes("'say \"hi\" # WHEN'", "'text'@0='say \"hi\" # WHEN'");
	lexes("\"it's\"", "\"text\"@0=\"it's\"");
	lexes("\xC2\xAB" "a'b\"c\xE2\x8E\xA6\xC2\xBB", "\xC2\xABtext\xC2\xBB@0=\xC2\xAB" "a'b\"c\xE2\x8E\xA6\xC2\xBB");
	/* ⎡ pairs with ⎦ only, ⸢ with ⸥ only: the other closer is text */
	lexes("\xE2\x8E\xA1" "a\xE2\xB8\xA5" "b\xE2\x8E\xA6", "\xE2\x8E\xA1text\xE2\x8E\xA6@0=\xE2\x8E\xA1" "a\xE2\xB8\xA5" "b\xE2\x8E\xA6");
	lexes("\xE2\xB8\xA2" "a\xE2\x8E\xA6" "b\xE2\xB8\xA5", "\xE2\xB8\xA2text\xE2\xB8\xA5@0=\xE2\xB8\xA2" "a\xE2\x8E\xA6" "b\xE2\xB8\xA5");
	/* other UTF-8 in a text: « in a text quoted with ' */
	lexes("'\xC2\xAB x'", "'text'@0='\xC2\xAB x'");
	/* two texts next to each other */
	lexes("'a''b'", "'text'@0='a' | 'text'@3='b'");
	/* a text with the closing mark's lead byte inside */
	lexes("\xC2\xAB\xC2\xA9\xC2\xBB", "\xC2\xABtext\xC2\xBB@0=\xC2\xAB\xC2\xA9\xC2\xBB");

	/* an action with texts */
	lex_start(&r, LS("NOTIFY \"a\" \xC2\xAB" "b\xC2\xBB msg"));
	is_str(r.toks, "NOTIFY@0=NOTIFY | \"text\"@7=\"a\" | \xC2\xABtext\xC2\xBB@11=\xC2\xAB"
	       "b\xC2\xBB | name@17=msg", "texts after NOTIFY");
	is_int(r.n, 4, "lex_tokens returns the token count");
	lex_end(&r);
}

static void test_comments_lines(void)
{
	lexes("# WHEN x 'a\nGROUP g", "GROUP@12=GROUP | name@18=g");
	lexes("GROUP g # c 'unterminated\n", "GROUP@0=GROUP | name@6=g");
	lexes("GROUP#c\ng", "GROUP@0=GROUP | name@8=g");
	lexes("'a#b'#c", "'text'@0='a#b'");
	lexes("#", "");
	lexes("", "");
	lexes(" \t\n\r\n", "");
	lexes("POLLFREQ 5\r\nGROUP g\r\n", "POLLFREQ@0=POLLFREQ | number@9=5 | GROUP@12=GROUP | name@18=g");
	lexes("# c\r\nGROUP g\r\n# d\r\n", "GROUP@5=GROUP | name@11=g");
	lexes("'a'\r\n\"b\"\r\n", "'text'@0='a' | \"text\"@5=\"b\"");
	lexes("WHEN\tu\rREPORTS", "WHEN@0=WHEN | name@5=u | REPORTS@7=REPORTS");
	lexes("LET\n\n  x", "LET@0=LET | name@7=x");
}

static void test_munch(void)
{
	lexes("TOWER", "name@0=TOWER");
	lexes("OBSERVER", "name@0=OBSERVER");
	lexes("LB-left", "name@0=LB-left");
	lexes("Nonesuch", "name@0=Nonesuch");
	lexes("PRINTER", "name@0=PRINTER");
	lexes("TOCK TO", "status word@0=TOCK | TO@5=TO");
	lexes("TOCKS TOS", "name@0=TOCKS | name@6=TOS");
	lexes("LETTER IFACE GROUPS HOSTNAME USERNAME PORTAL DEBUG_x TESTLAB OLD CALIFORNIA TOSHIBA",
	      "name@0=LETTER | name@7=IFACE | name@13=GROUPS | name@20=HOSTNAME | "
	      "name@29=USERNAME | name@38=PORTAL | name@45=DEBUG_x | name@53=TESTLAB | "
	      "name@61=OLD | name@65=CALIFORNIA | name@76=TOSHIBA");
	lexes("POLLFREQALERT POLLFREQ", "POLLFREQALERT@0=POLLFREQALERT | POLLFREQ@14=POLLFREQ");
	lexes("SHUTDOWNCMD SHUTDOWN", "SHUTDOWNCMD@0=SHUTDOWNCMD | SHUTDOWN@12=SHUTDOWN");
	/* INCLUDE <name>: one token from '<' to the '>' that closes it, no blank inside */
	lexes("INCLUDE <messages.rules>", "INCLUDE@0=INCLUDE | <rule file>@8=<messages.rules>");
	lexes("INCLUDE \"a b.conf\"", "INCLUDE@0=INCLUDE | \"text\"@8=\"a b.conf\"");
	lexes("INCLUDES HOST INCLUDE", "name@0=INCLUDES | HOST@9=HOST | host address@14=INCLUDE");
	lexes("LB1 LB LB4", "status word@0=LB1 | status word@4=LB | name@7=LB4");
	lexes("myTO UPS-OB", "name@0=myTO | name@5=UPS-OB");

	/* '->' is never part of a word */
	lexes("OL->OB", "status word@0=OL | '->'@2=-> | status word@4=OB");
	lexes("OL -> OB", "status word@0=OL | '->'@3=-> | status word@6=OB");
	lexes("None->LB", "status word@0=None | '->'@4=-> | status word@6=LB");
	lexes("a->b", "name@0=a | '->'@1=-> | name@3=b");
	lexes("TO->t", "TO@0=TO | '->'@2=-> | name@4=t");
	lexes("A-->B", "name@0=A- | '->'@2=-> | name@4=B");
	lexes("LB-left->OL", "name@0=LB-left | '->'@7=-> | status word@9=OL");
	lexes("IF OL->OB NOTIFY m",
	      "IF@0=IF | status word@3=OL | '->'@5=-> | status word@7=OB | NOTIFY@10=NOTIFY | name@17=m");

	/* numbers: [0-9.]+ as one token */
	lexes("1.2.3", "number@0=1.2.3");
	lexes("...", "number@0=...");
	/*
	 * a number glued to a lower-case word is one duration token (sema
	 * judges it): UPSmon.py read a NUMBER then a NAME there, which no rule
	 * of its grammar accepts; glued upper case stays a number and a word
	 */
	lexes("10ups", "duration@0=10ups");
	lexes("5x", "duration@0=5x");
	lexes("2m 1h30m 1.5s 90", "duration@0=2m | duration@3=1h30m | duration@9=1.5s | number@14=90");
	lexes("1m30 2min 0x1F 1.2.3h", "duration@0=1m30 | duration@5=2min | duration@10=0x1F | duration@15=1.2.3h");
	lexes("5WALL 5E3 5None 5_x", "number@0=5 | WALL@1=WALL | number@6=5 | name@7=E3 | number@10=5 | "
	      "status word@11=None | number@16=5 | name@17=_x");
}

static void test_host(void)
{
	struct lexrun r;

	lexes("HOST 192.168.1.10", "HOST@0=HOST | host address@5=192.168.1.10");
	lexes("HOST ::1", "HOST@0=HOST | host address@5=::1");
	lexes("HOST [fe80::1%eth0]", "HOST@0=HOST | host address@5=[fe80::1%eth0]");
	lexes("HOST fe80::1%eth0", "HOST@0=HOST | host address@5=fe80::1%eth0");
	lexes("HOST 10ups.example.com", "HOST@0=HOST | host address@5=10ups.example.com");
	lexes("HOST \"::1\"", "HOST@0=HOST | \"text\"@5=\"::1\"");
	lexes("HOST '10.0.0.1'", "HOST@0=HOST | 'text'@5='10.0.0.1'");
	lexes("HOST localhost PORT 401",
	      "HOST@0=HOST | host address@5=localhost | PORT@15=PORT | number@20=401");
	lexes("HOST ups-1.example.com\nPORT 3493",
	      "HOST@0=HOST | host address@5=ups-1.example.com | PORT@23=PORT | number@28=3493");
	/* the value may follow on a later line and after a comment */
	lexes("HOST # c\n\t2001:db8::5", "HOST@0=HOST | host address@10=2001:db8::5");
	lexes("HOST\r\nh\r\n", "HOST@0=HOST | host address@6=h");
	/* a keyword after HOST: no value */
	lexes("HOST PORT 401", "HOST@0=HOST | PORT@5=PORT | number@10=401");
	lexes("HOST MONITOR", "HOST@0=HOST | MONITOR@5=MONITOR");
	lexes("HOST", "HOST@0=HOST");
	/* an upsplan-only keyword is a host name, as UPSmon.py reads it */
	lexes("HOST TLS PORT 401", "HOST@0=HOST | host address@5=TLS | PORT@9=PORT | number@14=401");
	lexes("HOST SHUTDOWN", "HOST@0=HOST | host address@5=SHUTDOWN");
	lexes("HOST\nCERTNAME", "HOST@0=HOST | host address@5=CERTNAME");
	/* a name that begins with a keyword is a host name */
	lexes("HOST PORTAL", "HOST@0=HOST | host address@5=PORTAL");
	/* only the word right after HOST is a host address */
	lexes("HOST h ::1", "HOST@0=HOST | host address@5=h | ':'@7=: | ':'@8=: | number@9=1");
	lexes("HOST h1 HOST h2", "HOST@0=HOST | host address@5=h1 | HOST@8=HOST | host address@13=h2");
	/* a HOST value stops at '#' */
	lexes("HOST h#c", "HOST@0=HOST | host address@5=h");

	/* after HOST an unknown byte is lexed normally (and reported) */
	lex_start(&r, LS("HOST $h"));
	is_str(r.toks, "HOST@0=HOST | name@6=h", "HOST $h: $ dropped, then a NAME");
	is_int(r.dq.nrecs, 1, "HOST $h: one diagnostic");
	has_diag(&r, 0, "E280", 5, 1, "HOST $h");
	lex_end(&r);

	/* a blank between < and > makes no rule file name: the comparison marks of conditions (the parser refuses them here) */
	lex_start(&r, LS("INCLUDE <a b>"));
	is_str(r.toks, "INCLUDE@0=INCLUDE | '<'@8=< | name@9=a | name@11=b | '>'@12=>", "INCLUDE <a b>: no <rule file> token");
	is_int(r.dq.nrecs, 0, "INCLUDE <a b>: no diagnostic from the lexer");
	lex_end(&r);
}

static void test_errors(void)
{
	struct lexrun r;

	/* unterminated quotes: E281 on the opening mark; the rest of the line is the text */
	lex_start(&r, LS("LET a = 'abc\nGROUP g"));
	is_str(r.toks, "LET@0=LET | name@4=a | '='@6== | \"text\"@8='abc | GROUP@13=GROUP | name@19=g",
	       "unterminated ': text up to the end of the line, lexing goes on");
	is_int(r.dq.nrecs, 1, "unterminated ': one diagnostic");
	has_diag(&r, 0, "E281", 8, 1, "unterminated '");
	ok(r.dq.nrecs && strstr(r.dq.recs[0].msg, "add ' before") != NULL,
	   "unterminated ': message names the closing mark");
	lex_end(&r);

	lex_start(&r, LS("x \"ab\r\ny"));
	is_str(r.toks, "name@0=x | \"text\"@2=\"ab | name@7=y", "unterminated \" before CRLF");
	has_diag(&r, 0, "E281", 2, 1, "unterminated \"");
	lex_end(&r);

	lex_start(&r, LS("x \xC2\xAB" "ab\n"));
	is_str(r.toks, "name@0=x | \"text\"@2=\xC2\xAB" "ab", "unterminated \xC2\xAB");
	has_diag(&r, 0, "E281", 2, 2, "unterminated \xC2\xAB");
	ok(r.dq.nrecs && strstr(r.dq.recs[0].msg, "add \xC2\xBB before") != NULL,
	   "unterminated \xC2\xAB: message names \xC2\xBB");
	lex_end(&r);

	lex_start(&r, LS("\xE2\x8E\xA1" "ab \xE2\xB8\xA5"));
	has_diag(&r, 0, "E281", 0, 3, "unterminated \xE2\x8E\xA1");
	ok(r.dq.nrecs && strstr(r.dq.recs[0].msg, "add \xE2\x8E\xA6 before") != NULL,
	   "unterminated \xE2\x8E\xA1: message names \xE2\x8E\xA6");
	is_int(r.n, 1, "unterminated \xE2\x8E\xA1: one token");
	lex_end(&r);

	lex_start(&r, LS("a\n \xE2\xB8\xA2" "ab"));
	has_diag(&r, 0, "E281", 3, 3, "unterminated \xE2\xB8\xA2");
	ok(r.dq.nrecs && strstr(r.dq.recs[0].msg, "add \xE2\xB8\xA5 before") != NULL,
	   "unterminated \xE2\xB8\xA2: message names \xE2\xB8\xA5");
	lex_end(&r);

	/* invalid UTF-8 in a quoted text: E282 on the bad byte */
	lex_start(&r, LS("NOTIFY 'a\xFF" "b' \"\xC3\x28\""));
	is_str(r.toks, "NOTIFY@0=NOTIFY | 'text'@7='a\xFF" "b' | \"text\"@13=\"\xC3\x28\"",
	       "texts with invalid UTF-8 are still tokens");
	is_int(r.dq.nrecs, 2, "invalid UTF-8: two diagnostics");
	has_diag(&r, 0, "E282", 9, 1, "0xFF in a text");
	has_diag(&r, 1, "E282", 14, 1, "0xC3 0x28 in a text");
	ok(r.dq.nrecs && strstr(r.dq.recs[0].msg, "0xFF") != NULL, "E282 message names the byte");
	lex_end(&r);

	/* overlong and surrogate sequences */
	lex_start(&r, LS("'\xC0\xAF' '\xED\xA0\x80' '\xF4\x90\x80\x80' '\xE0\x80\xAF'"));
	is_int(r.dq.nrecs, 4, "overlong, surrogate, > U+10FFFF, overlong 3-byte: four E282");
	has_diag(&r, 0, "E282", 1, 1, "overlong C0 AF");
	has_diag(&r, 1, "E282", 6, 1, "surrogate ED A0 80");
	has_diag(&r, 2, "E282", 12, 1, "F4 90 80 80");
	has_diag(&r, 3, "E282", 19, 1, "overlong E0 80 AF");
	lex_end(&r);

	/* a NUL byte inside a quoted text */
	lex_start(&r, LS("'a\0b' x"));
	is_int(r.dq.nrecs, 1, "NUL in a text: one diagnostic");
	has_diag(&r, 0, "E282", 2, 1, "NUL in a text");
	ok(r.dq.nrecs && strstr(r.dq.recs[0].msg, "NUL") != NULL, "NUL in a text: message says NUL");
	is_str(r.toks, "'text'@0='a\\x00b' | name@6=x", "NUL in a text: the text token");
	lex_end(&r);

	/* stray bytes: E280 */
	lex_start(&r, LS("POLLFREQ 5 $ x"));
	is_str(r.toks, "POLLFREQ@0=POLLFREQ | number@9=5 | name@13=x", "stray $ is skipped");
	is_int(r.dq.nrecs, 1, "stray $: one diagnostic");
	has_diag(&r, 0, "E280", 11, 1, "stray $");
	ok(r.dq.nrecs && strstr(r.dq.recs[0].msg, "'$'") != NULL, "E280 message quotes the character");
	lex_end(&r);

	lex_start(&r, LS("a @@@ b"));
	is_int(r.dq.nrecs, 1, "a run of stray characters: one diagnostic");
	has_diag(&r, 0, "E280", 2, 3, "@@@");
	is_str(r.toks, "name@0=a | name@6=b", "@@@: tokens around it");
	lex_end(&r);

	lex_start(&r, LS("a - b"));
	has_diag(&r, 0, "E280", 2, 1, "lone -");
	ok(r.dq.nrecs && strstr(r.dq.recs[0].msg, "did you mean '->'?") != NULL, "lone -: hint '->'");
	lex_end(&r);

	lex_start(&r, LS("a -2 b"));
	has_diag(&r, 0, "E280", 2, 1, "minus before a number");
	ok(r.dq.nrecs && strstr(r.dq.recs[0].msg, "never negative") != NULL, "-2: numbers are never negative");
	is_str(r.toks, "name@0=a | number@3=2 | name@5=b", "-2: the number is read on");
	lex_end(&r);

	lex_start(&r, LS("x\x01y"));
	has_diag(&r, 0, "E280", 1, 1, "control byte 0x01");
	ok(r.dq.nrecs && strstr(r.dq.recs[0].msg, "0x01") != NULL, "control byte: message names it");
	is_str(r.toks, "name@0=x | name@2=y", "control byte: tokens around it");
	lex_end(&r);

	lex_start(&r, LS("GROUP \xC3\xA9t\xC3\xA9"));
	is_int(r.dq.nrecs, 2, "unquoted \xC3\xA9 twice: two diagnostics");
	has_diag(&r, 0, "E280", 6, 2, "unquoted \xC3\xA9");
	has_diag(&r, 1, "E280", 9, 2, "second unquoted \xC3\xA9");
	is_str(r.toks, "GROUP@0=GROUP | name@8=t", "unquoted \xC3\xA9: t is a name");
	lex_end(&r);

	lex_start(&r, LS("a \xFF b"));
	has_diag(&r, 0, "E280", 2, 1, "stray 0xFF");
	is_str(r.toks, "name@0=a | name@4=b", "stray 0xFF: tokens around it");
	lex_end(&r);

	lex_start(&r, LS("a \xBB b"));
	has_diag(&r, 0, "E280", 2, 1, "stray continuation byte");
	lex_end(&r);

	/* a closing mark alone */
	lex_start(&r, LS("\xC2\xBB"));
	has_diag(&r, 0, "E280", 0, 2, "lone \xC2\xBB");
	is_int(r.n, 0, "lone \xC2\xBB: no token");
	lex_end(&r);

	/* several errors on several lines, each at its place */
	lex_start(&r, LS("a $\r\nb 'c\r\n\"\xFF\""));
	is_int(r.dq.nrecs, 3, "three lines, three errors");
	has_diag(&r, 0, "E280", 2, 1, "line 1: $");
	has_diag(&r, 1, "E281", 7, 1, "line 2: unterminated '");
	has_diag(&r, 2, "E282", 12, 1, "line 3: 0xFF");
	lex_end(&r);
}

int main(void)
{
	test_keywords();
	test_keyword_table();
	test_quotes();
	test_comments_lines();
	test_munch();
	test_host();
	test_errors();
	return done_testing();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-image.c - TAP tests of code generation, templates, the image codec and the verifier (hand-corrupted images). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/image.h"
#include "tests/unit/plan-helper.h"
#include "tests/unit/tap.h"

#define N(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

static const char plan_text[] =
	"POLLFREQ 2 POLLFREQALERT 1.5\n"
	"SMTPSERVER 'smtp.example.com' PORT 587 USER 'u' PASSWORD 'smtp-pw'\n"
	"LET m = 'msg %(u)s'\n"
	"GROUP LOCAL HOST localhost PORT 3493 CERTFILE '/c.pem' MINSUPPLIES 2\n"
	"MONITOR a POWERVAL 1 UPSDUSER mon PASSWORD 'pa' TYPE master\n"
	"LET battery.charge.low.2 = '40'\n"
	"MONITOR b POWERVAL 1 UPSDUSER mon PASSWORD 'pb' TYPE slave\n"
	"WHEN a REPORTS OL->OB : NUTLOG m STARTTIMER t 1\n"
	"WHEN b REPORTS OL->OB : NUTLOG 'b only'\n"
	"WHEN a REPORTS OL->OB : IF OL->OB WALL m\n"
	"WHEN b TIMEOUT t : NUTLOG 'tb'\n"
	"WHEN a TIMEOUT t : NUTLOG 'ta' SHUTDOWNCMD '/sbin/shutdown -h +0'\n"
	"GROUP REMOTE HOST ups.example.net CERTFILE '/r.pem' MINSUPPLIES 0\n"
	"MONITOR c POWERVAL 0 UPSDUSER obs PASSWORD 'pc' TYPE observer\n"
	"WHEN c REPORTS None->FSD : SETFSD c\n";

/* The opcodes of the handler at PC, as "OP OP ..." */
static void opcodes_of(const struct plan_image *img, uint32_t pc, char *out, size_t len)
{
	out[0] = '\0';
	for (;;) {
		const struct op_info *oi = op_info(img->code.v[pc]);
		size_t n = strlen(out);
		snprintf(out + n, len - n, "%s%s", n ? " " : "", oi->name);
		if (img->code.v[pc] == OP_HALT)
			return;
		pc += 1 + oi->nops;
	}
}

static void test_codegen(void)
{
	struct plan_image img;
	char ops[256];
	uint32_t a, b, c, t, pc;

	compile_text(plan_text, &img);
	a = ups_index(&img, "a");
	b = ups_index(&img, "b");
	c = ups_index(&img, "c");
	t = timer_index(&img, "t");
	ok(a == 0 && b == 1 && c == 2, "UPS are numbered in MONITOR order");
	is_int(img.groups.n, 2, "two groups");
	is_int(img.ups.v[a].type, IMG_PRIMARY, "master is primary");
	is_int(img.ups.v[b].type, IMG_SECONDARY, "slave is secondary");
	is_int(img.ups.v[c].type, IMG_OBSERVER, "observer");
	ok(img.ups.v[a].lb[0] == 50 && img.ups.v[a].lb[1] == 40 && img.ups.v[a].lb[2] == 12,
	   "battery.charge.low.2 after MONITOR a sets a's threshold only");
	ok(img.ups.v[b].lb[1] == 25, "b keeps the default thresholds");
	is_str(img_bytes(&img, img.ups.v[a].password), "pa", "the password of a is in the image");
	is_str(img_bytes(&img, img.ups.v[c].host), "ups.example.net", "c's host");
	is_int(img.ups.v[c].port, 3493, "default port 3493");
	is_int(img.groups.v[0].minsupplies, 2, "MINSUPPLIES");
	ok(img.settings.pollfreq == 2 && img.settings.pollfreqalert == 1.5, "POLLFREQ and POLLFREQALERT");
	is_int(img.settings.smtp_port, 587, "SMTP port");
	is_str(img_bytes(&img, img.settings.smtp_password), "smtp-pw", "SMTP password");
	is_int(img.handlers.n, 3 * EV_NPAIRS, "handler table: UPS x 42");

	pc = img.handlers.v[a * EV_NPAIRS + pair_index("OL->OB")];
	opcodes_of(&img, pc, ops, sizeof(ops));
	is_str(ops, "NUTLOG STARTTIMER STATE JUMPIFNOT WALL HALT",
	       "two WHEN clauses of a OL->OB join in file order");
	pc = img.handlers.v[b * EV_NPAIRS + pair_index("OL->OB")];
	opcodes_of(&img, pc, ops, sizeof(ops));
	is_str(ops, "NUTLOG HALT", "b's OL->OB is its own handler");
	is_int(img.handlers.v[a * EV_NPAIRS + pair_index("OB->OL")], IMG_NONE, "no handler without a clause");
	pc = img.handlers.v[c * EV_NPAIRS + pair_index("None->FSD")];
	ok(img.code.v[pc] == OP_SETFSD && img.code.v[pc + 1] == c, "SETFSD c names UPS c (the whole name)");

	is_int(img.tentries.n, 2, "two TIMEOUT entries for t");
	ok(img.tentries.v[0].timer == t && img.tentries.v[0].ups == a && img.tentries.v[1].ups == b,
	   "TIMEOUT entries of a timer in MONITOR order");
	opcodes_of(&img, img.tentries.v[0].pc, ops, sizeof(ops));
	is_str(ops, "NUTLOG SHUTDOWNCMD HALT", "a's TIMEOUT t handler");

	/* the pc map: sorted, and the first action of a's OL->OB is at 8:25 */
	int sorted = 1;
	for (uint32_t i = 1; i < img.pcmap.n; i++)
		sorted &= img.pcmap.v[i].pc > img.pcmap.v[i - 1].pc;
	ok(sorted, "pc map sorted by offset");
	uint32_t l = img_loc_find(&img, img.handlers.v[a * EV_NPAIRS + pair_index("OL->OB")]);
	ok(l != IMG_NONE && img.pcmap.v[l].line == 8 && img.pcmap.v[l].col == 25,
	   "pc map: NUTLOG at t.conf:8:25");
	is_str(img_bytes(&img, img.files.v[img.pcmap.v[l].file]), "t.conf", "pc map file name");
	img_free(&img);
}

static void test_templates(void)
{
	struct plan_image img;
	static const char s[] = "a%%b%(u)s%(c)s%(e)s%(b)s%(h)sz%%";
	uint32_t t, t2;
	const struct img_part *p;

	memset(&img, 0, sizeof(img));
	t = img_add_tpl(&img, s, strlen(s));
	is_int(img.tpls.v[t].count, 7, "template parts: literal, 5 keys, literal");
	p = &img.parts.v[img.tpls.v[t].first];
	ok(p[0].kind == TPL_LIT && strcmp(img_bytes(&img, p[0].text), "a%b") == 0, "'a%%%%b' is one literal 'a%%b'");
	ok(p[1].kind == TPL_UPS && p[2].kind == TPL_CHARGE && p[3].kind == TPL_EVENT &&
	   p[4].kind == TPL_BANNER && p[5].kind == TPL_HOST, "keys u c e b h");
	ok(p[6].kind == TPL_LIT && strcmp(img_bytes(&img, p[6].text), "z%") == 0, "trailing literal 'z%%'");
	t2 = img_add_tpl(&img, "", 0);
	is_int(img.tpls.v[t2].count, 0, "an empty text has no part");
	img_free(&img);

	/* identical texts share a template */
	compile_text("GROUP G HOST localhost CERTFILE '/c' MONITOR u POWERVAL 1 UPSDUSER x PASSWORD 'y' TYPE primary\n"
		     "WHEN u REPORTS OL->OB : NUTLOG 'same %(u)s' WALL 'same %(u)s' NOTIFY 'other'\n", &img);
	uint32_t pc = img.handlers.v[pair_index("OL->OB")];
	ok(img.code.v[pc + 1] == img.code.v[pc + 3] && img.code.v[pc + 5] != img.code.v[pc + 1],
	   "identical texts share one template");
	img_free(&img);
}

static int same_image(const struct plan_image *x, const struct plan_image *y)
{
#define SAME(f) (x->f.n == y->f.n && (x->f.n == 0 || memcmp(x->f.v, y->f.v, x->f.n * sizeof(*x->f.v)) == 0))
	return SAME(strings) && SAME(files) && SAME(ups) && SAME(groups) && SAME(timers) && SAME(msgs) &&
	       SAME(parts) && SAME(tpls) && SAME(consts) && SAME(code) && SAME(handlers) &&
	       SAME(tentries) && SAME(pcmap) &&
	       memcmp(&x->settings.smtp_server, &y->settings.smtp_server, 3 * sizeof(struct img_str)) == 0 &&
	       x->settings.pollfreq == y->settings.pollfreq &&
	       x->settings.pollfreqalert == y->settings.pollfreqalert &&
	       x->settings.smtp_port == y->settings.smtp_port;
#undef SAME
}

/* Decoding BUF (LEN bytes) must fail with a message holding WANT. */
static void decode_fails(const unsigned char *buf, size_t len, int flags, const char *want, const char *name)
{
	struct plan_image img;
	char err[512] = "";
	int rc = img_decode(buf, len, flags, &img, err, sizeof(err));

	ok(rc == -1 && strstr(err, want) != NULL, "decode refuses %s", name);
	if (rc != -1 || !strstr(err, want))
		diag("rc %d, message '%s', wanted '%s'", rc, err, want);
	if (rc == 0)
		img_free(&img);
}

static void test_codec(void)
{
	struct plan_image img, back;
	unsigned char *buf, *buf2, *bad;
	size_t len, len2;
	char err[512];

	compile_text(plan_text, &img);
	img_encode(&img, &buf, &len);
	ok(img_decode(buf, len, 0, &back, err, sizeof(err)) == 0, "decode what was encoded");
	ok(same_image(&img, &back), "every table survives the round trip");
	ok(img_verify(&back, err, sizeof(err)) == 0, "the loaded image verifies");
	img_encode(&back, &buf2, &len2);
	ok(len == len2 && memcmp(buf, buf2, len) == 0, "encoding is deterministic");
	free(buf2);
	img_free(&back);

	bad = malloc(len);
	decode_fails(buf, 0, 0, "too short", "an empty file");
	decode_fails(buf, 20, 0, "truncated image: 20 bytes", "a cut header");
	memcpy(bad, buf, len);
	bad[0] ^= 0xff;
	decode_fails(bad, len, 0, "bad magic number", "a wrong magic number");
	memcpy(bad, buf, len);
	uint32_t sw = __builtin_bswap32(IMG_MAGIC);
	memcpy(bad, &sw, 4);
	decode_fails(bad, len, 0, "other byte order", "a byte-swapped magic number");
	memcpy(bad, buf, len);
	bad[4] = (unsigned char)(IMG_VERSION + 1);
	{
		char want[32];
		snprintf(want, sizeof(want), "format version %u", IMG_VERSION + 1);
		decode_fails(bad, len, 0, want, "another format version");
	}
	decode_fails(buf, len - 1, 0, "header announces", "a missing last byte");
	memcpy(bad, buf, len);
	bad[len - 1] ^= 1;
	decode_fails(bad, len, 0, "checksum mismatch", "one flipped bit");
	/* past the checksum (the fuzzer's mode): section sizes are still checked */
	memcpy(bad, buf, len);
	uint32_t huge = 0x40000000u;
	memcpy(bad + 32 + 52, &huge, 4);	/* count of the first section (strings), after 52 bytes of settings */
	decode_fails(bad, len, IMG_DECODE_NO_CHECKSUM, "announces 1073741824 elements", "a huge section count");
	memcpy(bad, buf, len);
	uint32_t esize = 3;
	memcpy(bad + 32 + 56, &esize, 4);
	decode_fails(bad, len, IMG_DECODE_NO_CHECKSUM, "3-byte elements", "a wrong element size");
	free(bad);
	free(buf);
	img_free(&img);
}

/* IMG must fail verification with a message holding WANT; frees IMG. */
static void verify_fails(struct plan_image *img, const char *want, const char *name)
{
	char err[512] = "";
	int rc = img_verify(img, err, sizeof(err));

	ok(rc == -1 && strstr(err, want) != NULL, "verifier refuses %s", name);
	if (rc != -1 || !strstr(err, want))
		diag("rc %d, message '%s', wanted '%s'", rc, err, want);
	img_free(img);
}

static void verify_code(const uint32_t *code, uint32_t n, const char *want, const char *name)
{
	struct plan_image img;

	tiny_image(&img, code, n);
	verify_fails(&img, want, name);
}

/* The tiny image with CODE and the constant strings NAME, "warning", DIR, and the Alertmanager URL (CAFILE: with one). */
static void alert_image(struct plan_image *img, const uint32_t *code, uint32_t n, const char *name, const char *dir,
			const char *url, int cafile)
{
	struct img_str *c;
	struct img_amgr *a;

	tiny_image(img, code, n);
	IMG_PUSH(img->cstrs, c);
	*c = img_add_str(img, name, strlen(name));
	IMG_PUSH(img->cstrs, c);
	*c = img_add_str(img, "warning", 7);
	IMG_PUSH(img->cstrs, c);
	*c = img_add_str(img, dir, strlen(dir));
	IMG_PUSH(img->amgrs, a);
	a->url = img_add_str(img, url, strlen(url));
	a->cafile = cafile ? img_add_str(img, "/ca.pem", 7) : img_add_str(img, "", 0);
	a->bearer = a->user = a->password = img_add_str(img, "", 0);
}

/* An image with alert rule 0 on the handler at ENTRY of CODE (FIRING), its name constant string NAME. */
static void arule_image(struct plan_image *img, const uint32_t *code, uint32_t n, uint32_t entry, uint32_t name)
{
	struct img_arule *r;

	alert_image(img, code, n, "Down", "/h", "https://am", 0);
	IMG_PUSH(img->arules, r);
	r->name = name;
	r->firing = entry;
	r->resolved = IMG_NONE;
}

/* Alert rules: a name, handler entries, and code that reads nothing of a UPS of the run. */
static void test_verifier_arules(void)
{
	struct plan_image img;
	char err[512] = "";

	/* template 1 is "/bin/true 'x'", template 0 "hello %(u)s" */
	arule_image(&img, (const uint32_t[]){ OP_HALT, OP_RUNNING, 0, OP_JUMPIFNOT, 7, OP_NUTLOG, 1, OP_HALT }, 8, 1, 0);
	ok(img_verify(&img, err, sizeof(err)) == 0, "verifier accepts an alert rule of RUNNING and a text");
	if (err[0])
		diag("%s", err);
	img_free(&img);
	arule_image(&img, (const uint32_t[]){ OP_HALT, OP_NUTLOG, 1, OP_HALT }, 4, 2, 0);
	verify_fails(&img, "not a handler entry", "an alert rule inside a handler");
	arule_image(&img, (const uint32_t[]){ OP_HALT, OP_NUTLOG, 1, OP_HALT }, 4, 1, 2);
	verify_fails(&img, "no alert name", "an alert rule named by a directory");
	arule_image(&img, (const uint32_t[]){ OP_HALT, OP_NUTLOG, 1, OP_HALT }, 4, 1, 9);
	verify_fails(&img, "no alert name", "an alert rule's name out of range");
	arule_image(&img, (const uint32_t[]){ OP_HALT, OP_NUTLOG, 0, OP_HALT }, 4, 1, 0);
	verify_fails(&img, "renders the UPS of the run", "%(u)s in an alert rule");
	arule_image(&img, (const uint32_t[]){ OP_HALT, OP_STATE, 0, OP_JUMPIFNOT, 7, OP_NUTLOG, 1, OP_HALT }, 8, 1, 0);
	verify_fails(&img, "STATE at offset 1 reads the UPS", "IF a->b in an alert rule");
	arule_image(&img, (const uint32_t[]){ OP_HALT, OP_MARK, 0, OP_HALT }, 4, 1, 0);
	verify_fails(&img, "MARK at offset 1 reads the UPS", "MARK in an alert rule");
}

/* The operands and tables of ALERT, RESOLVE and HOOKS. */
static void test_verifier_alerts(void)
{
	const uint32_t good[] = { OP_ALERT, 0, 1, 0, OP_RESOLVE, 0, OP_HOOKS, 2, 0, OP_HALT };
	struct plan_image img;
	char err[512] = "";

	alert_image(&img, good, 10, "OnBattery", "/etc/hooks.d", "https://am:9093", 1);
	ok(img_verify(&img, err, sizeof(err)) == 0, "verifier accepts ALERT, RESOLVE, HOOKS and an Alertmanager");
	if (err[0])
		diag("%s", err);
	img_free(&img);
	alert_image(&img, (const uint32_t[]){ OP_RESOLVE, 3, OP_HALT }, 3, "A", "/h", "https://am", 0);
	verify_fails(&img, "constant string 3 out of range", "a constant string index");
	alert_image(&img, good, 10, "On Battery", "/h", "https://am", 0);
	verify_fails(&img, "ALERT name or severity", "an alert name that is no name");
	alert_image(&img, good, 10, "A", "hooks.d", "https://am", 0);
	verify_fails(&img, "not an absolute path", "a relative HOOKS directory");
	alert_image(&img, good, 10, "A", "/h\n", "https://am", 0);
	verify_fails(&img, "control byte", "a HOOKS directory with a line end");
	alert_image(&img, good, 10, "A", "/h", "ftp://am", 0);
	verify_fails(&img, "not http:// or https://", "an Alertmanager URL of another scheme");
	alert_image(&img, good, 10, "A", "/h", "http://127.0.0.1:9093", 1);
	verify_fails(&img, "CA file for an http:// URL", "a CA file with http://");
	alert_image(&img, good, 10, "A", "/h", "https://am x", 0);
	verify_fails(&img, "blank or control byte", "a blank in the URL");
	alert_image(&img, good, 10, "A", "/h", "https://am", 0);
	img.amgrs.v[0].bearer = img_add_str(&img, "t", 1);
	img.amgrs.v[0].user = img_add_str(&img, "u", 1);
	verify_fails(&img, "both a bearer token and a user", "a token and a user together");
	alert_image(&img, good, 10, "A", "/h", "https://am", 0);
	img.amgrs.v[0].password.off = img.strings.n + 5;
	verify_fails(&img, "Alertmanager 0: string", "an Alertmanager string outside the blob");
	test_verifier_arules();
}

static void test_verifier(void)
{
	char want[64];
	struct plan_image img;
	char err[512];
	const uint32_t good[] = { OP_STATE, 38, OP_JUMPIFNOT, 6, OP_NOTIFY, 0, OP_STARTTIMER, 0, 0, OP_HALT };

	tiny_image(&img, good, N(good));
	ok(img_verify(&img, err, sizeof(err)) == 0, "the tiny image verifies");
	if (img_verify(&img, err, sizeof(err)))
		diag("%s", err);
	img_free(&img);

	verify_code((const uint32_t[]){ 99, OP_HALT }, 2, "unknown opcode 99", "an unknown opcode");
	verify_code((const uint32_t[]){ OP_NOTIFY, 2, OP_HALT }, 3, "template 2 out of range", "a template index");
	verify_code((const uint32_t[]){ OP_SETFSD, 1, OP_HALT }, 3, "UPS 1 out of range", "a UPS index");
	verify_code((const uint32_t[]){ OP_CANCELTIMER, 1, OP_HALT }, 3, "timer 1 out of range", "a timer index");
	verify_code((const uint32_t[]){ OP_STARTTIMER, 0, 1, OP_HALT }, 4, "constant 1 out of range", "a constant index");
	verify_code((const uint32_t[]){ OP_MARK, 1, OP_HALT }, 3, "mark 1 out of range", "a mark index");
	verify_code((const uint32_t[]){ OP_MARKED, 1, OP_JUMPIFNOT, 4, OP_HALT }, 5, "mark 1 out of range",
		    "a mark index of MARKED");
	verify_code((const uint32_t[]){ OP_MARKEDAT, 0, 1, OP_JUMPIFNOT, 5, OP_HALT }, 6, "UPS 1 out of range",
		    "the UPS of MARKEDAT");
	verify_code((const uint32_t[]){ OP_PVWITHOUT, 0, IMG_NCMP, 0, OP_JUMPIFNOT, 6, OP_HALT }, 7,
		    "comparison 6 out of range", "the comparison of PVWITHOUT");
	tiny_image(&img, (const uint32_t[]){ OP_HALT }, 1);
	while (img.marks.n <= IMG_MAX_MARKS) {
		struct img_str *m;
		IMG_PUSH(img.marks, m);
		*m = img_add_str(&img, "M", 1);
	}
	verify_fails(&img, "33 mark names", "more mark names than a UPS's set holds");
	snprintf(want, sizeof(want), "event pair %u", EV_NPAIRS);
	verify_code((const uint32_t[]){ OP_STATE, EV_NPAIRS, OP_JUMPIFNOT, 4, OP_HALT }, 5, want, "an event pair");
	verify_code((const uint32_t[]){ OP_SYSLOG, 8, 0, OP_HALT }, 4, "syslog priority 8", "a syslog priority");
	verify_code((const uint32_t[]){ OP_DEBUG, 3, OP_HALT }, 3, "debug level 3", "a debug level");
	verify_code((const uint32_t[]){ OP_STATE, 0, OP_JUMPIFNOT, 0, OP_HALT }, 5, "not ahead", "a backward jump");
	verify_code((const uint32_t[]){ OP_STATE, 0, OP_JUMPIFNOT, 3, OP_HALT }, 5, "not ahead", "a jump onto itself");
	verify_code((const uint32_t[]){ OP_STATE, 0, OP_JUMPIFNOT, 9, OP_HALT }, 5, "not ahead of it inside", "a jump past the end");
	verify_code((const uint32_t[]){ OP_STATE, 0, OP_JUMPIFNOT, 5, OP_NOTIFY, 0, OP_HALT }, 7,
		    "inside an instruction", "a jump into an operand");
	verify_code((const uint32_t[]){ OP_STATE, 0, OP_JUMPIFNOT, 6, OP_HALT, OP_HALT, OP_HALT }, 7,
		    "crosses the end of its handler", "a jump into the next handler");
	verify_code((const uint32_t[]){ OP_NOTIFY, 0 }, 2, "does not end with HALT", "code without HALT");
	verify_code((const uint32_t[]){ OP_HALT, OP_EMAIL, 0, 0 }, 4, "runs past the end", "a cut instruction");
	verify_code((const uint32_t[]){ OP_JUMPIFNOT, 2, OP_HALT }, 3, "pops from an empty stack", "a stack underflow");
	verify_code((const uint32_t[]){ OP_STATE, 0, OP_HALT }, 3, "HALT with 1 values", "a value left at HALT");
	verify_code((const uint32_t[]){ OP_STATE, 0, OP_JUMPIFNOT, 6, OP_STATE, 0, OP_JUMPIFNOT, 8, OP_HALT }, 9,
		    "stack depth 1 on one path, 0 on another", "two paths with different stack depths");
	/* after a HALT the next handler is checked like the first */
	verify_code((const uint32_t[]){ OP_HALT, OP_NOTIFY, 0 }, 3, "does not end with HALT",
		    "a second handler without HALT");
	verify_code((const uint32_t[]){ OP_HALT, OP_STATE, 0, OP_STATE, 0, OP_JUMPIFNOT, 9, OP_JUMPIFNOT, 11,
					OP_JUMPIFNOT, 11, OP_HALT }, 12,
		    "stack depth 0 on one path, 1 on another", "a stack depth mismatch in a second handler");
	verify_code((const uint32_t[]){ OP_HALT, OP_STATE, 0, OP_HALT }, 4, "HALT with 1 values",
		    "a value left at the HALT of a second handler");
	uint32_t deep[2 * (IMG_MAX_STACK + 1) + 1];
	for (uint32_t i = 0; i <= IMG_MAX_STACK; i++) {
		deep[2 * i] = OP_STATE;
		deep[2 * i + 1] = 0;
	}
	deep[N(deep) - 1] = OP_HALT;
	verify_code(deep, N(deep), "stack deeper than", "a stack deeper than the VM's");
}

/* The tiny image with one variable "v", one text "t", one pattern PATTERN, and UPS 0 reading v. */
static void cond_image(struct plan_image *img, const uint32_t *code, uint32_t n, const char *pattern)
{
	struct img_str *s;
	struct img_uvar *u;

	tiny_image(img, code, n);
	IMG_PUSH(img->vars, s);
	*s = img_add_str(img, "v", 1);
	IMG_PUSH(img->ctexts, s);
	*s = img_add_str(img, "t", 1);
	IMG_PUSH(img->regexes, s);
	*s = img_add_str(img, pattern, strlen(pattern));
	IMG_PUSH(img->uvars, u);
	u->ups = 0;
	u->var = 0;
}

static void test_verifier_conds(void)
{
	/* every condition opcode once: ((v < 1.5 AND v == "t") OR v =~ p) AND NOT RUNNING T */
	const uint32_t good[] = { OP_CMPNUM, 0, IMG_LT, 0, OP_CMPTEXT, 0, IMG_EQ, 0, OP_AND, OP_MATCH, 0, 0, OP_OR,
				  OP_RUNNING, 0, OP_NOT, OP_AND, OP_JUMPIFNOT, 21, OP_NOTIFY, 0, OP_HALT };
	struct plan_image img;
	char err[512];
	uint32_t code[N(good)];

	cond_image(&img, good, N(good), "a|b");
	ok(img_verify(&img, err, sizeof(err)) == 0, "an image with every condition opcode verifies");
	if (img_verify(&img, err, sizeof(err)))
		diag("%s", err);
	img_free(&img);

	verify_code(good, N(good), "variable 0 out of range", "a variable index (no variable table)");
	memcpy(code, good, sizeof(good));
	code[2] = IMG_NCMP;
	cond_image(&img, code, N(code), "a");
	verify_fails(&img, "comparison 6 out of range", "a comparison out of range");
	memcpy(code, good, sizeof(good));
	code[6] = IMG_LT;
	cond_image(&img, code, N(code), "a");
	verify_fails(&img, "CMPTEXT compares with == or != only", "CMPTEXT with <");
	memcpy(code, good, sizeof(good));
	code[7] = 1;
	cond_image(&img, code, N(code), "a");
	verify_fails(&img, "comparison text 1 out of range", "a text index");
	memcpy(code, good, sizeof(good));
	code[11] = 1;
	cond_image(&img, code, N(code), "a");
	verify_fails(&img, "regular expression 1 out of range", "a regex index");
	memcpy(code, good, sizeof(good));
	code[14] = 1;
	cond_image(&img, code, N(code), "a");
	verify_fails(&img, "timer 1 out of range", "a RUNNING timer index");
	/* CMPNUMAT: CMPNUM of a named UPS (NUMLOGINS ups op n); its UPS operand is checked */
	const uint32_t at[] = { OP_CMPNUMAT, 0, IMG_GE, 0, 0, OP_JUMPIFNOT, 9, OP_NOTIFY, 0, OP_HALT };
	cond_image(&img, at, N(at), "a");
	ok(img_verify(&img, err, sizeof(err)) == 0, "CMPNUMAT of UPS 0 verifies");
	img_free(&img);
	memcpy(code, at, sizeof(at));
	code[4] = 1;
	cond_image(&img, code, N(at), "a");
	verify_fails(&img, "UPS 1 out of range", "CMPNUMAT of a UPS out of range");
	memcpy(code, at, sizeof(at));
	code[1] = 1;
	cond_image(&img, code, N(at), "a");
	verify_fails(&img, "variable 1 out of range", "CMPNUMAT of a variable out of range");
	cond_image(&img, good, N(good), "a(b");
	verify_fails(&img, "regular expression 0 does not compile", "a pattern that does not compile");
	cond_image(&img, good, N(good), "a");
	img.uvars.v[0].var = 1;
	verify_fails(&img, "UPS 0 or variable 1 out of range", "a variable read out of range");
	cond_image(&img, good, N(good), "a");
	struct img_uvar *u;
	IMG_PUSH(img.uvars, u);
	*u = img.uvars.v[0];
	verify_fails(&img, "not sorted by UPS and variable, without repeats", "a variable read twice");
	cond_image(&img, good, N(good), "a");
	img.vars.v[0].off = img.strings.n;
	verify_fails(&img, "variable 0: string", "a variable name outside the blob");
	cond_image(&img, (const uint32_t[]){ OP_RUNNING, 0, OP_AND, OP_JUMPIFNOT, 6, OP_HALT, OP_HALT }, 6, "a");
	verify_fails(&img, "AND pops from an empty stack", "AND with one value");
	cond_image(&img, (const uint32_t[]){ OP_NOT, OP_HALT }, 2, "a");
	verify_fails(&img, "NOT pops from an empty stack", "NOT with no value");
	cond_image(&img, (const uint32_t[]){ OP_RUNNING, 0, OP_HALT }, 3, "a");
	verify_fails(&img, "HALT with 1 values", "a condition value left at HALT");
}

/* A second UPS, a copy of the first, with no handler. */
static void add_ups(struct plan_image *img)
{
	struct img_ups *u;

	IMG_PUSH(img->ups, u);
	*u = img->ups.v[0];
	img_grow((void **)&img->handlers.v, &img->handlers.cap, sizeof(uint32_t), 2 * EV_NPAIRS);
	for (uint32_t i = EV_NPAIRS; i < 2 * EV_NPAIRS; i++)
		img->handlers.v[i] = IMG_NONE;
	img->handlers.n = 2 * EV_NPAIRS;
}

static void test_verifier_tables(void)
{
	char want[64];
	struct plan_image img;
	const uint32_t code[] = { OP_NOTIFY, 0, OP_HALT, OP_WALL, 0, OP_HALT };
	char err[512];

	tiny_image(&img, code, N(code));
	ok(img_verify(&img, err, sizeof(err)) == 0, "two handlers verify");
	img.handlers.v[1] = 3;
	ok(img_verify(&img, err, sizeof(err)) == 0, "a handler may start after a HALT");
	img.handlers.v[1] = 1;
	verify_fails(&img, "not a handler entry", "a handler pointing at an operand");

	tiny_image(&img, code, N(code));
	img.handlers.v[1] = 4;
	verify_fails(&img, "not a handler entry", "a handler pointing inside another");
	tiny_image(&img, code, N(code));
	img.handlers.n--;
	snprintf(want, sizeof(want), "handler table has %u entries", EV_NPAIRS - 1);
	verify_fails(&img, want, "a short handler table");

	struct img_tentry *t;
	tiny_image(&img, code, N(code));
	IMG_PUSH(img.tentries, t);
	t->pc = 1;
	verify_fails(&img, "TIMEOUT entry 0 points to offset 1", "a TIMEOUT entry inside an instruction");
	tiny_image(&img, code, N(code));
	IMG_PUSH(img.tentries, t);
	t->timer = 5;
	verify_fails(&img, "timer 5 or UPS 0 out of range", "a TIMEOUT entry's timer");

	tiny_image(&img, code, N(code));
	img.pcmap.v[0].file = 3;
	verify_fails(&img, "source map entry 0", "a pc map file index");
	struct img_loc *l;
	tiny_image(&img, code, N(code));
	IMG_PUSH(img.pcmap, l);
	l->pc = 0;
	verify_fails(&img, "not sorted", "an unsorted pc map");

	tiny_image(&img, code, N(code));
	img.ups.v[0].name.off = img.strings.n + 10;
	verify_fails(&img, "UPS 0: string", "a string outside the blob");
	tiny_image(&img, code, N(code));
	img.ups.v[0].name.len = 2;	/* "U" is followed by its NUL, not another byte */
	verify_fails(&img, "UPS 0: string", "a string without its NUL");
	tiny_image(&img, code, N(code));
	img.ups.v[0].group = 1;
	verify_fails(&img, "UPS 0: group 1 of 1", "a UPS's group");
	/* names check refuses (E900): never one that could end or add a line of upsd's protocol */
	tiny_image(&img, code, N(code));
	img.ups.v[0].name = img_add_str(&img, "1500va", 6);
	img.ups.v[0].user = img_add_str(&img, "1mon@site", 9);
	ok(img_verify(&img, err, sizeof(err)) == 0, "a UPS 1500va and a user 1mon@site verify");
	img_free(&img);
	tiny_image(&img, code, N(code));
	img.ups.v[0].name = img_add_str(&img, "a\nLOGOUT", 8);
	verify_fails(&img, "UPS 0: a UPS or user name upsd cannot serve", "a UPS name holding a line end");
	tiny_image(&img, code, N(code));
	img.ups.v[0].name = img_add_str(&img, "my ups", 6);
	verify_fails(&img, "UPS 0: a UPS or user name upsd cannot serve", "a UPS name holding a blank");
	tiny_image(&img, code, N(code));
	img.ups.v[0].name = img_add_str(&img, "ups@host", 8);
	verify_fails(&img, "UPS 0: a UPS or user name upsd cannot serve", "a UPS name holding '@'");
	tiny_image(&img, code, N(code));
	img.ups.v[0].user = img_add_str(&img, "mon\"", 4);
	verify_fails(&img, "UPS 0: a UPS or user name upsd cannot serve", "a user name holding a quote");
	tiny_image(&img, code, N(code));
	img.ups.v[0].user = img_add_str(&img, "", 0);
	verify_fails(&img, "UPS 0: a UPS or user name upsd cannot serve", "an empty user name");
	tiny_image(&img, code, N(code));
	img.ups.v[0].lb[2] = 101;
	verify_fails(&img, "out of range", "a threshold above 100");
	tiny_image(&img, code, N(code));
	img.ups.v[0].type = 3;
	verify_fails(&img, "out of range", "an unknown TYPE");
	tiny_image(&img, code, N(code));
	img.groups.v[0].tls_mode = IMG_TLS_NONE;
	img.groups.v[0].certfile = img.settings.smtp_user;	/* "" */
	ok(img_verify(&img, err, sizeof(err)) == 0, "a TLS NONE group without certificate settings verifies");
	img.groups.v[0].tls_mode = IMG_TLS_NONE + 1;
	verify_fails(&img, "TLS mode 3 out of range", "an unknown TLS mode");
	tiny_image(&img, code, N(code));
	img.groups.v[0].tls_mode = IMG_TLS_NONE;
	verify_fails(&img, "TLS NONE with a certificate setting", "TLS NONE with a CERTFILE");
	tiny_image(&img, code, N(code));
	img.tpls.v[0].first = 1;
	img.tpls.v[0].count = UINT32_MAX;
	verify_fails(&img, "template 0: parts", "a template range that overflows");
	tiny_image(&img, code, N(code));
	img.parts.v[0].kind = 9;
	verify_fails(&img, "unknown kind 9", "a template part kind");
	tiny_image(&img, code, N(code));
	img.consts.v[0] = NAN;
	verify_fails(&img, "constant 0", "a NaN timer length");
	tiny_image(&img, code, N(code));
	img.consts.v[0] = -1;
	verify_fails(&img, "constant 0", "a negative timer length");
	tiny_image(&img, code, N(code));
	img.settings.pollfreq = 0;
	verify_fails(&img, "POLLFREQ", "POLLFREQ 0");
	tiny_image(&img, code, N(code));
	img.settings.smtp_port = 70000;
	verify_fails(&img, "SMTP port 70000", "an SMTP port");
	tiny_image(&img, code, N(code));
	struct img_msg *m;
	IMG_PUSH(img.msgs, m);
	m->name = img.ups.v[0].name;
	m->tpl = 9;
	verify_fails(&img, "message 0: template 9", "a message's template");

	/* templates own consecutive parts; TIMEOUT entries are unique and sorted by timer, then UPS */
	tiny_image(&img, code, N(code));
	img.tpls.v[1].first = 0;
	verify_fails(&img, "template 1: parts 0+", "overlapping templates");
	tiny_image(&img, code, N(code));
	img.tpls.n--;
	verify_fails(&img, "template parts after the last template", "parts no template owns");
	tiny_image(&img, code, N(code));
	add_ups(&img);
	IMG_PUSH(img.tentries, t);
	t->ups = 1;
	IMG_PUSH(img.tentries, t);
	t->ups = 0;
	verify_fails(&img, "not sorted by timer and UPS", "TIMEOUT entries out of UPS order");
	tiny_image(&img, code, N(code));
	IMG_PUSH(img.tentries, t);
	IMG_PUSH(img.tentries, t);
	verify_fails(&img, "without repeats, at entry 1", "a repeated TIMEOUT entry");

	/* the bounds of one run */
	uint32_t *many = calloc(2 * (IMG_MAX_RUN_ACTIONS + 1) + 1, sizeof(*many));
	for (uint32_t i = 0; i <= IMG_MAX_RUN_ACTIONS; i++)
		many[2 * i] = OP_NOTIFY;
	many[2 * (IMG_MAX_RUN_ACTIONS + 1)] = OP_HALT;
	verify_code(many, 2 * (IMG_MAX_RUN_ACTIONS + 1) + 1, "65537 actions, more than 65536",
		    "a handler with too many actions");
	free(many);
	/* 2 x 40000 NOTIFY: each handler within the bounds, the timer's expiry not */
	uint32_t half = 40000, *two = calloc(2 * (2 * half + 2), sizeof(*two)), nw = 0;
	for (uint32_t h = 0; h < 2; h++) {
		for (uint32_t i = 0; i < half; i++) {
			two[nw++] = OP_NOTIFY;
			two[nw++] = 0;
		}
		two[nw++] = OP_HALT;
	}
	tiny_image(&img, two, nw);
	ok(img_verify(&img, err, sizeof(err)) == 0, "a handler of 40000 actions verifies");
	add_ups(&img);
	IMG_PUSH(img.tentries, t);
	t->pc = 0;
	IMG_PUSH(img.tentries, t);
	t->ups = 1;
	t->pc = 2 * half + 1;
	verify_fails(&img, "TIMEOUT clauses of timer 0 emit 80000 actions", "a timer whose clauses emit too much together");
	free(two);
	/* text: a 1 MiB literal in a template, used 65 times */
	uint32_t big[2 * 65 + 1];
	for (uint32_t i = 0; i < 65; i++) {
		big[2 * i] = OP_NOTIFY;
		big[2 * i + 1] = 2;
	}
	big[130] = OP_HALT;
	tiny_image(&img, big, N(big));
	char *mib = malloc(1u << 20);
	memset(mib, 'x', 1u << 20);
	img_add_tpl(&img, mib, 1u << 20);
	free(mib);
	verify_fails(&img, "bytes of text, more than 67108864", "a handler rendering more than 64 MiB");

	/* SHUTDOWNCMD templates must split into a command */
	const uint32_t sd[] = { OP_SHUTDOWNCMD, 1, OP_HALT };
	tiny_image(&img, sd, N(sd));
	ok(img_verify(&img, err, sizeof(err)) == 0, "SHUTDOWNCMD \"/bin/true 'x'\" verifies");
	img_free(&img);
	tiny_image(&img, sd, N(sd));
	img_add_tpl(&img, "/bin/echo 'open", 15);
	img.code.v[1] = 2;
	verify_fails(&img, "unclosed quote", "a SHUTDOWNCMD template with an unclosed quote");
	tiny_image(&img, sd, N(sd));
	img_add_tpl(&img, " \n ", 3);
	img.code.v[1] = 2;
	verify_fails(&img, "holds no command", "a blank SHUTDOWNCMD template");
}

/* A level rule of U on CODE: its test at 0, its actions at ON; hold: constant 0 (1.5 s). */
static void level_image(struct plan_image *img, const uint32_t *code, uint32_t n, uint32_t on)
{
	struct img_level *l;

	tiny_image(img, code, n);
	IMG_PUSH(img->levels, l);
	*l = (struct img_level){ 0, 0, on, IMG_NONE, 0 };
}

static void test_verifier_levels(void)
{
	const uint32_t code[] = { OP_STATE, 0, OP_LEVEL, OP_HALT, OP_NOTIFY, 0, OP_HALT };
	const uint32_t acting[] = { OP_STATE, 0, OP_LEVEL, OP_NOTIFY, 0, OP_HALT, OP_NOTIFY, 0, OP_HALT };
	const uint32_t jumping[] = { OP_STATE, 0, OP_JUMPIFNOT, 4, OP_HALT, OP_NOTIFY, 0, OP_HALT };
	const uint32_t twice[] = { OP_STATE, 0, OP_LEVEL, OP_STATE, 0, OP_LEVEL, OP_HALT, OP_NOTIFY, 0, OP_HALT };
	struct plan_image img;
	char err[512];

	level_image(&img, code, N(code), 4);
	ok(img_verify(&img, err, sizeof(err)) == 0, "a level rule verifies");
	if (img_verify(&img, err, sizeof(err)) != 0)
		diag("%s", err);
	img.levels.v[0].off = 4;
	ok(img_verify(&img, err, sizeof(err)) == 0, "a level rule with CEASES actions verifies");
	img.levels.v[0].off = 5;
	verify_fails(&img, "level rule 0 points to an offset that is not a handler entry", "CEASES actions at an operand");
	level_image(&img, code, N(code), 1);
	verify_fails(&img, "not a handler entry", "level actions inside an instruction");
	level_image(&img, code, N(code), 4);
	img.levels.v[0].test = 99;
	verify_fails(&img, "not a handler entry", "a level test past the code");
	level_image(&img, code, N(code), 4);
	img.levels.v[0].ups = 1;
	verify_fails(&img, "level rule 0: UPS 1 or constant 0 out of range", "a level rule's UPS");
	level_image(&img, code, N(code), 4);
	img.levels.v[0].hold = 1;
	verify_fails(&img, "level rule 0: UPS 0 or constant 1 out of range", "a level rule's hold index");
	level_image(&img, code, N(code), 4);
	img.consts.v[0] = -1;
	verify_fails(&img, "constant 0", "a negative hold");
	level_image(&img, code, N(code), 4);
	img.consts.v[0] = NAN;
	verify_fails(&img, "constant 0", "a hold that is no number");
	level_image(&img, acting, N(acting), 6);
	verify_fails(&img, "its test has NOTIFY at offset 3", "a level test with an action");
	level_image(&img, jumping, N(jumping), 5);
	verify_fails(&img, "its test has JUMPIFNOT at offset 2", "a level test with a jump");
	level_image(&img, twice, N(twice), 7);
	verify_fails(&img, "its test has 2 LEVEL instructions, not one", "a level test with two results");
	level_image(&img, code, N(code), 4);
	img.levels.v[0].test = 4;
	verify_fails(&img, "its test has NOTIFY", "actions as a level test");
}

int main(void)
{
	test_codegen();
	test_templates();
	test_codec();
	test_verifier();
	test_verifier_conds();
	test_verifier_alerts();
	test_verifier_tables();
	test_verifier_levels();
	return done_testing();
}

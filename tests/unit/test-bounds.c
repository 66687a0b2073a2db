/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-bounds.c - unit tests of the compiler's bounds (E591, E592), on the engine built with small bounds (tests/unit/local.mk). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/compile.h"
#include "engine/sema-int.h"
#include "tests/unit/tap.h"

#if IMG_MAX_TEXT != 256 || IMG_MAX_TEXT_WORK != 4096 || IMG_MAX_SIZE != 65536 || SEMA_SUGGEST_WORK != 20000
#error "test-bounds is built with the bounds of tests/unit/local.mk"
#endif

#define HEAD "GROUP G HOST localhost PORT 3493 CERTFILE \"/ca.pem\"\n" \
	     "MONITOR u POWERVAL 1 UPSDUSER m PASSWORD \"p\" TYPE primary\n"

/* What compiling a plan gave: its status, its image, and its diagnostics as "LINE:COL:CODE ...". */
struct result {
	int rc;
	struct plan_image img;
	char diags[4096];
	int suggested;		/* W600 notes that name a closest message */
	int unsuggested;	/* W600 notes that do not */
};

/* Compile TEXT into R; the diagnostics of the codes in CODES (e.g. "E591 E592") are listed. */
static void compile_plan_text(const char *text, const char *codes, struct result *r)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct sema_options o = { .hostname = "testhost" };
	const struct src_file *f;
	char err[256];
	size_t n = 0;

	memset(r, 0, sizeof(*r));
	src_init(&reg);
	f = src_add_text(&reg, "t.conf", text, strlen(text));
	diag_init(&dq, &reg);
	dq.max_errors = 0;
	r->rc = compile_plan(&reg, f, &dq, &o, &r->img, err, sizeof(err));
	for (size_t i = 0; i < dq.nrecs; i++) {
		const struct diag_record *d = &dq.recs[i];
		const char *name = diag_code_name(d->code);
		const struct src_file *at;
		unsigned line = 0, col = 0;

		if (d->code == DIAG_UNDEF_NAME && d->nnotes > 0) {
			if (strncmp(d->notes[0].msg, "did you mean", 12) == 0)
				r->suggested++;
			else
				r->unsuggested++;
		}
		if (!strstr(codes, name))
			continue;
		src_position(&reg, d->span.off, &at, &line, &col);
		n += (size_t)snprintf(r->diags + n, sizeof(r->diags) - n, "%s%u:%u:%s", n ? " " : "", line, col, name);
		if (n >= sizeof(r->diags))
			n = sizeof(r->diags) - 1;
	}
	diag_free(&dq);
	src_free(&reg);
}

/* A growing plan text. */
struct text {
	char *p;
	size_t n;
	FILE *f;
};

static void text_open(struct text *t)
{
	t->f = open_memstream(&t->p, &t->n);
}

static const char *text_close(struct text *t)
{
	fclose(t->f);
	return t->p;
}

/* The plan of the issue: thirty LETs, each message twice the one before. */
static void test_bomb(void)
{
	struct text t;
	struct result r;

	text_open(&t);
	fprintf(t.f, "LET m0 = \"ab\"\n");
	for (int i = 1; i <= 30; i++)
		fprintf(t.f, "LET m%d = m%d m%d\n", i, i - 1, i - 1);
	fprintf(t.f, HEAD "WHEN u REPORTS OL->OB : WALL m30 NOTIFY m29 m29\n");
	compile_plan_text(text_close(&t), "E591 E592", &r);
	/* m7 holds 256 bytes, the bound: m8 crosses it at its second part */
	is_str(r.diags, "9:13:E591", "the doubling LETs: one E591, at the part of the first LET that crosses");
	ok(r.rc == 1 && r.img.code.n == 0, "the plan is refused, no image");
	free(t.p);
}

/* A text of exactly IMG_MAX_TEXT bytes is taken, one more byte is not. */
static void test_text_edge(void)
{
	char plan[2048], fill[300];
	struct result r;

	memset(fill, 'x', 254);
	fill[254] = '\0';
	/* 254 + '\n' + 1 = 256 */
	snprintf(plan, sizeof(plan), HEAD "WHEN u REPORTS OL->OB : WALL \"%s\" \"y\"\n", fill);
	compile_plan_text(plan, "E591 E592", &r);
	ok(r.rc == 0 && r.diags[0] == '\0', "an action text of exactly %u bytes compiles", IMG_MAX_TEXT);
	img_free(&r.img);
	snprintf(plan, sizeof(plan), HEAD "WHEN u REPORTS OL->OB : WALL \"%s\" \"yz\"\n", fill);
	compile_plan_text(plan, "E591 E592", &r);
	is_str(r.diags, "3:287:E591", "one byte more (the parts joined by a newline): E591 at the part that crosses");
	snprintf(plan, sizeof(plan), HEAD "LET big = \"%sxyz\"\n", fill);
	compile_plan_text(plan, "E591 E592", &r);
	is_str(r.diags, "3:11:E591", "a quoted text alone over the bound");
	snprintf(plan, sizeof(plan), "LET big = \"%sxyz\"\nGROUP G HOST localhost PORT 3493 CERTFILE \"/ca.pem\"\n"
		 "MONITOR u POWERVAL 1 UPSDUSER m PASSWORD \"big\" TYPE primary\n"
		 "WHEN u REPORTS OL->OB : EMAIL FROM \"big\" TO \"a@b\" SUBJECT \"s\" MESSAGE \"m\" big\n", fill);
	compile_plan_text(plan, "E591 E592", &r);
	is_str(r.diags, "1:11:E591", "its uses (PASSWORD, EMAIL FROM, MESSAGE) are not reported again");
}

/* Texts built again and again count; one message used alone does not. */
static void test_work(void)
{
	struct text t;
	struct result r;

	text_open(&t);
	fprintf(t.f, "LET big = \"%0200d\"\n" HEAD, 0);
	for (int i = 0; i < 40; i++)
		fprintf(t.f, "WHEN u REPORTS OL->OB : WALL big \"!\"\n");
	fprintf(t.f, "WHEN nobody REPORTS OL->OB : WALL \"x\"\n");
	compile_plan_text(text_close(&t), "E430 E591 E592", &r);
	/* 208 bytes before (LET, PASSWORD, CERTFILE), 202 per WALL (a newline and "!"): the 20th crosses 4096 */
	is_str(r.diags, "23:30:E592", "a message with one more part, 40 times: E592 at the text that crosses, nothing after it");
	free(t.p);

	text_open(&t);
	fprintf(t.f, "LET big = \"%0200d\"\n" HEAD, 0);
	for (int i = 0; i < 200; i++)
		fprintf(t.f, "WHEN u REPORTS OL->OB : WALL big NOTIFY \"big\" EMAIL FROM \"f\" TO \"t\" SUBJECT \"s\" MESSAGE big\n");
	compile_plan_text(text_close(&t), "E591 E592", &r);
	ok(r.rc == 0 && r.diags[0] == '\0', "a message used alone 600 times costs nothing (%s)", r.diags);
	ok(r.img.tpls.n < 10, "... and its uses share one template (%u templates)", r.img.tpls.n);
	img_free(&r.img);
	free(t.p);

	text_open(&t);
	fprintf(t.f, "LET cmd = \"/bin/true %0200d\"\n" HEAD, 0);
	for (int i = 0; i < 40; i++)
		fprintf(t.f, "WHEN u REPORTS OL->OB : SHUTDOWNCMD cmd\n");
	compile_plan_text(text_close(&t), "E591 E592", &r);
	ok(strstr(r.diags, ":E592") && !strchr(r.diags, ' '),
	   "SHUTDOWNCMD reads its message through: it counts (%s)", r.diags);
	free(t.p);
}

/* The image: bounded while it is built, and when it is read. */
static void test_image(void)
{
	struct result r;
	int good = 0;
	uint64_t size = 0, step = 0;

	/* each UPS: its MONITOR line and a handler entry per event pair */
	for (int nups = 64; nups < 2000; nups += 8) {
		struct text t;
		text_open(&t);
		fprintf(t.f, "LET msg = \"%%(u)s on battery\"\n"
			"GROUP G HOST localhost PORT 3493 CERTFILE \"/ca.pem\" MINSUPPLIES 0\n");
		for (int i = 0; i < nups; i++)
			fprintf(t.f, "MONITOR u%d POWERVAL 1 UPSDUSER m PASSWORD \"p\" TYPE primary\n"
				"WHEN u%d REPORTS OL->OB : WALL msg STARTTIMER t%d 1\n", i, i, i);
		compile_plan_text(text_close(&t), "E592", &r);
		free(t.p);
		if (r.rc == 0) {
			unsigned char *buf;
			size_t len;
			img_encode(&r.img, &buf, &len);
			good = nups;
			step = len - size;	/* what 8 UPS more take */
			size = len == img_size(&r.img) ? len : 0;
			free(buf);
			img_free(&r.img);
			continue;
		}
		break;
	}
	ok(good > 0 && size > 0 && size <= IMG_MAX_SIZE,
	   "the largest plan compiled (%d UPS) takes %llu bytes, img_size() exactly, at most %u",
	   good, (unsigned long long)size, IMG_MAX_SIZE);
	ok(r.rc == 1 && strstr(r.diags, ":1:E592") && !strchr(r.diags, ' '),
	   "8 UPS more: one E592, at the start of a declaration (%s)", r.diags);
	ok(size + 2 * step > IMG_MAX_SIZE, "... only once the image is nearly full (%llu bytes for 8 UPS more)",
	   (unsigned long long)step);

	unsigned char *big = calloc(1, IMG_MAX_SIZE + 1);
	struct plan_image img;
	char err[200];
	ok(img_decode(big, IMG_MAX_SIZE + 1, 0, &img, err, sizeof(err)) == -1 &&
	   strstr(err, "more than the 65536 an image may take"), "an image over IMG_MAX_SIZE is not decoded: %s", err);
	free(big);
}

/* "Did you mean" notes share a budget: past it they name nothing. */
static void test_suggest(void)
{
	struct text t;
	struct result r;

	text_open(&t);
	for (int i = 0; i < 60; i++)
		fprintf(t.f, "LET message-number-%02d = \"m\"\n", i);
	fprintf(t.f, HEAD);
	for (int i = 0; i < 60; i++)
		fprintf(t.f, "WHEN u REPORTS OL->OB : WALL message-nmuber-%02d\n", i);
	compile_plan_text(text_close(&t), "E592", &r);
	ok(r.rc == 0 && r.suggested > 0 && r.unsuggested > 0 && r.suggested + r.unsuggested == 60,
	   "60 misspelt names: the first %d get a closest name, the other %d not", r.suggested, r.unsuggested);
	img_free(&r.img);
	free(t.p);
}

int main(void)
{
	test_bomb();
	test_text_edge();
	test_work();
	test_image();
	test_suggest();
	return done_testing();
}

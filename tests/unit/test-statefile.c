/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-statefile.c - TAP tests of the daemon's state file (runtime/daemon/statefile.c): round trip, malformed input, the adoption rules, writes only on change. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "base/xalloc.h"
#include "runtime/daemon/statefile.h"
#include "tests/unit/plan-helper.h"
#include "tests/unit/tap.h"

static const char plan_text[] =
	"POLLFREQ 5 POLLFREQALERT 2\n"
	"GROUP LOCAL HOST localhost CERTFILE '/c'\n"
	"MONITOR a POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
	"MONITOR b POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
	"WHEN a REPORTS OL->OB : STARTTIMER final 120 MARK crit\n"
	"WHEN a TIMEOUT final : SHUTDOWNCMD '/bin/true'\n";

static char dir[64];
static char path[128];

static void no_trace(void *ctx, const struct eng_trace *t)
{
	(void)ctx;
	(void)t;
}

static const struct eng_host host = { NULL, no_trace };

/* Write TEXT to FILE with MODE. */
static void put(const char *file, const char *text, mode_t mode)
{
	FILE *f;

	unlink(file);
	f = fopen(file, "w");
	if (!f) {
		printf("Bail out! cannot write %s: %s\n", file, strerror(errno));
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	chmod(file, mode);
}

/* A record of plan IMG with UPS a on battery and the timer running, as the daemon writes it. */
static void record(const struct plan_image *img, struct sf_record *r)
{
	struct engine e;

	eng_init(&e, img, &host, "h", "b");
	eng_poll(&e, 0, &(struct st_poll){ .answered = 1, .status = "OB DISCHRG\t\x1b[2J \xff", .charge = "61.5" }, 10);
	eng_poll(&e, 1, &(struct st_poll){ .answered = 1, .status = "OL" }, 10);
	eng_note_fsd(&e, 0);
	memset(r, 0, sizeof(*r));
	r->plan = xstrdup("/etc/nut/UPSmon.conf");
	r->checksum = sf_checksum(img);
	snprintf(r->boot_id, sizeof(r->boot_id), "boot-1");
	r->written = 1700000000.25;
	r->written_boot = 5000;
	eng_snap_take(&e, 30, &r->snap);
	r->latch.shutdown = SF_SHUT_SUCCEEDED;
	snprintf(r->latch.where, sizeof(r->latch.where), "UPSmon.conf:6:25");
	eng_free(&e);
}

static void test_round_trip(const struct plan_image *img)
{
	struct sf_record w, r;
	char err[300] = "";
	struct stat st;

	record(img, &w);
	ok(sf_write(path, &w, err, sizeof(err)) == 0, "written");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode 0600");
	ok(access(path, R_OK) == 0, "in place");
	{
		char tmp[140];
		snprintf(tmp, sizeof(tmp), "%s.new", path);
		ok(access(tmp, F_OK) != 0, "no temporary file left");
	}
	is_int(sf_read(path, 1 << 20, &r, err, sizeof(err)), 0, "read back");
	is_str(r.plan, "/etc/nut/UPSmon.conf", "plan");
	ok(r.checksum == w.checksum, "checksum");
	is_str(r.boot_id, "boot-1", "boot id");
	ok(r.written == w.written && r.written_boot == 5000, "written, on both clocks");
	is_int(r.snap.nups, 2, "two UPS");
	is_str(r.snap.ups[0].name, "a", "by name");
	is_int(r.snap.ups[0].st.tables, w.snap.ups[0].st.tables, "tables (by table name in the file)");
	is_int(r.snap.ups[0].st.present, w.snap.ups[0].st.present, "present words");
	is_str(r.snap.ups[0].st.status, "OB DISCHRG\t\x1b[2J ?", "status: control bytes kept, invalid UTF-8 as '?'");
	is_str(r.snap.ups[0].st.charge, "61.5", "charge");
	ok(r.snap.ups[0].st.fsd && !r.snap.ups[1].st.fsd, "FSD sent, per UPS");
	is_str(r.snap.ups[1].st.charge, "", "an unknown charge");
	ok(r.snap.ntimers == 1 && r.snap.timers[0].running && r.snap.timers[0].remaining == 100,
	   "the timer, running, 100 s left when written");
	ok(r.latch.shutdown == SF_SHUT_SUCCEEDED && strcmp(r.latch.where, "UPSmon.conf:6:25") == 0, "the SHUTDOWNCMD latch");
	ok(r.snap.ups[0].nmarks == 1 && strcmp(r.snap.ups[0].marks[0], "crit") == 0 && r.snap.ups[1].nmarks == 0,
	   "the marks of each UPS, by name");
	sf_record_free(&r);
	/* a SHUTDOWNCMD running: its request is kept */
	w.latch.shutdown = SF_SHUT_RUNNING;
	w.latch.pc = 7;
	w.latch.ups = 1;
	w.latch.pair = 3;
	w.latch.timer = IMG_NONE;
	ok(sf_write(path, &w, err, sizeof(err)) == 0 && sf_read(path, 1 << 20, &r, err, sizeof(err)) == 0 &&
		   r.latch.shutdown == SF_SHUT_RUNNING && r.latch.pc == 7 && r.latch.ups == 1 && r.latch.pair == 3 &&
		   r.latch.timer == IMG_NONE,
	   "a running SHUTDOWNCMD: its request (offset, UPS, event, timer) read back");
	sf_record_free(&r);
	sf_record_free(&w);
}

/* The firing alerts (runtime/daemon/alerts.c's table): kept as given; a file without them has none. */
static void test_alerts(const struct plan_image *img)
{
	struct sf_record w, r;
	char err[300] = "";
	json_t *a = json_pack("[{s:s, s:s, s:f}]", "alertname", "OnBattery", "ups", "a", "fired", 1.5e9);

	record(img, &w);
	w.alerts = a;
	ok(sf_write(path, &w, err, sizeof(err)) == 0 && sf_read(path, 1 << 20, &r, err, sizeof(err)) == 0, "alerts: written, read (%s)", err);
	ok(r.alerts && json_equal(r.alerts, a), "alerts: read back as written");
	sf_record_free(&r);
	w.alerts = NULL;
	ok(sf_write(path, &w, err, sizeof(err)) == 0 && sf_read(path, 1 << 20, &r, err, sizeof(err)) == 0 && !r.alerts,
	   "no alerts: none read (a file of an upsplan before alerts)");
	sf_record_free(&r);
	w.alerts = json_integer(5);
	ok(sf_write(path, &w, err, sizeof(err)) == 0 && sf_read(path, 1 << 20, &r, err, sizeof(err)) == -1 &&
		   strstr(err, "\"alerts\" is not an array") != NULL, "alerts not an array: refused (%s)", err);
	json_decref(w.alerts);
	w.alerts = NULL;
	json_decref(a);
	sf_record_free(&w);
}

/* Each malformed file is refused with its reason: never a crash, never adopted. */
static void test_malformed(const struct plan_image *img)
{
	struct sf_record w, r;
	char err[300] = "", *good, *bad;
	FILE *f;
	long n;
	static const struct {
		const char *from, *to, *why;
	} cases[] = {
		{ "\"format\": 1", "\"format\": 2", "format 2, this upsplan reads format 1" },
		{ "\"state\": \"succeeded\"", "\"state\": \"running\"", "shutdown: \"request\" is missing" },
		{ "\"format\": 1", "\"format\": \"1\"", "\"format\" is not an integer" },
		{ "\"ups\": [", "\"upz\": [", "\"ups\" is missing" },
		{ "\"written\": ", "\"written\": \"x\", \"w\": ", "\"written\" is not a number" },
		{ "\"DISCHRG\"", "\"FOO\"", "ups[0]: \"tables\" holds something that is not one of its table names" },
		{ "\"present\": [", "\"present\": [\"OB\", ", "ups[0]: \"present\" holds something" },
		{ "\"checksum\": \"", "\"checksum\": \"zz", "\"checksum\" is empty, too long or holds a NUL" },
		{ "\"name\": \"b\"", "\"name\": \"a\"", "ups[1]: UPS LOCAL/a is there twice" },
		{ "\"name\": \"b\"", "\"name\": \"b\\u001b\"", "ups[1]: \"name\" holds a control character" },
		{ "\"name\": \"b\"", "\"name\": \"b\\u0000\"", "malformed JSON at line" },
		{ "\"name\": \"b\"", "\"name\": \"\"", "ups[1]: \"name\" is empty" },
		{ "\"polled\": true", "\"polled\": 1", "ups[0]: \"polled\" is not true or false" },
		{ "\"state\": \"succeeded\"", "\"state\": \"maybe\"", "shutdown: \"state\" is not none, running or succeeded" },
		{ "\"remaining\": 100.0", "\"remaining\": 1e300", "timers[0]: \"remaining\" is out of range" },
		{ "\"remaining\": 100.0", "\"remaining\": 100.0, \"remaining\": 1", "malformed JSON at line" },
		{ "\"charge\": \"61.5\"", "\"charge\": \"0123456789012345678901234567890123\"", "ups[0]: \"charge\" is empty, too long" },
		{ "\"ups\": [", "\"ups\": [7, ", "ups[0] is not an object" },
		{ "\"timers\": [", "\"timers\": {}, \"t\": [", "\"timers\" is not an array" },
		{ "\"marks\": [", "\"marks\": 5, \"m\": [", "ups[0]: \"marks\" is not an array" },
		{ "\"crit\"", "7", "ups[0]: \"marks\" holds something that is not a mark name" },
		{ "\"crit\"", "\"\"", "ups[0]: \"marks\" holds something that is not a mark name" },
		{ "\"crit\"", "\"cr\\u0001it\"", "ups[0]: \"marks\" holds a control character" },
	};

	record(img, &w);
	sf_write(path, &w, err, sizeof(err));
	sf_record_free(&w);
	f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	good = xcalloc((size_t)n + 1, 1);
	if (fread(good, 1, (size_t)n, f) != (size_t)n)
		good[0] = '\0';
	fclose(f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *at = strstr(good, cases[i].from);
		if (!at) {
			ok(0, "case %zu: '%s' is not in the written file", i, cases[i].from);
			continue;
		}
		bad = xcalloc(strlen(good) + strlen(cases[i].to) + 1, 1);
		memcpy(bad, good, (size_t)(at - good));
		strcat(bad, cases[i].to);
		strcat(bad, at + strlen(cases[i].from));
		put(path, bad, 0600);
		err[0] = '\0';
		ok(sf_read(path, 1 << 20, &r, err, sizeof(err)) == -1 && strstr(err, cases[i].why) != NULL,
		   "refused: %s (%s)", cases[i].why, err);
		free(bad);
	}
	/* a file of an upsplan before marks: no "marks" member, no mark */
	{
		char *at = strstr(good, "\"marks\"");
		bad = xstrdup(good);
		if (at)
			memcpy(bad + (at - good), "\"old_m\"", 7);
		put(path, bad, 0600);
		ok(at && sf_read(path, 1 << 20, &r, err, sizeof(err)) == 0 && r.snap.ups[0].nmarks == 0,
		   "no \"marks\" (a file of an upsplan before marks): read, the UPS unmarked (%s)", err);
		if (at)
			sf_record_free(&r);
		free(bad);
	}
	/* truncated at every length: refused, never read past its end (ASan, valgrind) */
	{
		int refused = 0;
		for (long cut = 0; cut < n - 2; cut += 7) {
			char *part = xstrndup(good, (size_t)cut);
			put(path, part, 0600);
			refused += sf_read(path, 1 << 20, &r, err, sizeof(err)) == -1;
			free(part);
		}
		is_int(refused, (int)((n - 2 + 6) / 7), "every truncated file refused");
	}
	put(path, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 0600);
	ok(sf_read(path, 1 << 20, &r, err, sizeof(err)) == -1, "deep nesting: refused (%s)", err);
	put(path, good, 0600);
	ok(sf_read(path, 100, &r, err, sizeof(err)) == -1 && strstr(err, "more than the 100 a state file") != NULL,
	   "larger than the plan's limit: refused unread (%s)", err);
	put(path, good, 0622);
	ok(sf_read(path, 1 << 20, &r, err, sizeof(err)) == -1 && strstr(err, "others may write to it") != NULL,
	   "writable by others: refused (%s)", err);
	unlink(path);
	ok(symlink("/etc/passwd", path) == 0 && sf_read(path, 1 << 20, &r, err, sizeof(err)) == -1 &&
		   strstr(err, "symbolic link") != NULL, "a symbolic link: refused, not followed (%s)", err);
	unlink(path);
	ok(mkdir(path, 0700) == 0 && sf_read(path, 1 << 20, &r, err, sizeof(err)) == -1 &&
		   strstr(err, "not a regular file") != NULL, "a directory: refused (%s)", err);
	rmdir(path);
	is_int(sf_read(path, 1 << 20, &r, err, sizeof(err)), 1, "no file: 1 (start afresh)");
	free(good);
}

/* The log lines sf_adopt() writes (standard error, as in the foreground) go to LOG. */
static char logfile[128];

static const char *last_log(void)
{
	static char line[1000];
	FILE *f = fopen(logfile, "r");

	line[0] = '\0';
	if (f) {
		char buf[1000];
		while (fgets(buf, sizeof(buf), f))
			memcpy(line, buf, sizeof(line));
		fclose(f);
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* Adopt the record W (written now to the file) into a fresh engine of IMG; 1 when adopted. */
static int adopt(const struct plan_image *img, struct sf_record *w, const char *boot, double max_age,
		 struct sf_latch *latch, double *deadline)
{
	struct sf_file f;
	struct engine e;
	char err[300] = "";
	int rc;

	sf_write(path, w, err, sizeof(err));
	sf_init(&f, path, max_age);
	snprintf(f.boot_id, sizeof(f.boot_id), "%s", boot);
	eng_init(&e, img, &host, "h", "b");
	if (!freopen(logfile, "w", stderr))
		return -1;
	rc = sf_adopt(&f, &e, sf_checksum(img), 1000, latch);
	fflush(stderr);
	*deadline = -1;
	eng_next_deadline(&e, deadline);
	eng_free(&e);
	sf_free(&f);
	return rc;
}

static void test_adopt(const struct plan_image *img, const struct plan_image *other, const struct plan_image *renamed)
{
	struct sf_record w;
	struct sf_latch l;
	double d;

	record(img, &w);
	w.written_boot = sf_boot_clock() - 20;
	is_int(adopt(img, &w, "boot-1", 600, &l, &d), 1, "this boot, 20 s old, this plan: adopted");
	ok(d > 1079 && d < 1081, "the timer: 100 s left when written, 20 s ago: 80 s left (%g)", d - 1000);
	ok(strstr(last_log(), "SHUTDOWNCMD at UPSmon.conf:6:25 succeeded in this boot") != NULL, "the latch logged");
	ok(l.shutdown == SF_SHUT_SUCCEEDED && strcmp(l.where, "UPSmon.conf:6:25") == 0, "and given back");
	is_int(adopt(img, &w, "boot-2", 600, &l, &d), 0, "another boot: ignored");
	ok(strstr(last_log(), "ignored: it was written in another boot (boot id boot-1, now boot-2)") != NULL, "%s",
	   last_log());
	ok(d == -1, "nothing adopted: no timer");
	is_int(adopt(img, &w, "", 600, &l, &d), 0, "this boot's id unknown: ignored");
	ok(strstr(last_log(), "this boot's id cannot be read") != NULL, "%s", last_log());
	is_int(adopt(img, &w, "boot-1", 10, &l, &d), 0, "older than the limit: ignored");
	ok(strstr(last_log(), "ignored: it was written 20 s ago, more than --state-max-age 10 s") != NULL, "%s",
	   last_log());
	w.written_boot = sf_boot_clock() + 100;
	is_int(adopt(img, &w, "boot-1", 600, &l, &d), 0, "written in the future of this boot's clock: ignored");
	w.written_boot = sf_boot_clock();
	is_int(adopt(other, &w, "boot-1", 600, &l, &d), 0, "another plan: ignored");
	ok(strstr(last_log(), "of another plan (/etc/nut/UPSmon.conf, checksum ") != NULL &&
		   strstr(last_log(), "; UPS LOCAL/c of this plan is not in it)") != NULL, "%s", last_log());
	is_int(adopt(renamed, &w, "boot-1", 600, &l, &d), 1, "another checksum but the same names: adopted");
	w.latch.shutdown = SF_SHUT_RUNNING;
	w.latch.pc = 5;
	w.latch.ups = 1;
	w.latch.pair = 2;
	w.latch.timer = 0;
	is_int(adopt(img, &w, "boot-1", 600, &l, &d), 1, "a SHUTDOWNCMD running when the daemon stopped");
	ok(l.shutdown == SF_SHUT_RUNNING && l.pc == 5 && l.ups == 1 && l.pair == 2 && l.timer == 0 &&
		   strstr(last_log(), "its outcome is unknown: it is asked for again once every UPS has been polled"),
	   "its request is given back, to be asked for again");
	is_int(adopt(renamed, &w, "boot-1", 600, &l, &d), 1, "... of a plan changed since (same names)");
	ok(l.shutdown == SF_SHUT_NONE && strstr(last_log(), "of a plan that has changed since: it is not asked for again"),
	   "is not asked for again: its offset means nothing in another plan");
	w.latch.ups = 99;
	is_int(adopt(img, &w, "boot-1", 600, &l, &d), 1, "... with a UPS the plan does not have");
	ok(l.shutdown == SF_SHUT_NONE, "is not asked for again");
	w.latch.ups = 1;
	w.latch.timer = 99;
	is_int(adopt(img, &w, "boot-1", 600, &l, &d), 1, "... with a timer the plan does not have");
	ok(l.shutdown == SF_SHUT_NONE, "is not asked for again");
	sf_record_free(&w);
	if (!freopen("/dev/null", "w", stderr))
		return;
}

/* The inode of the state file (each write is a new file renamed over it), 0 when there is none. */
static ino_t inode(void)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_ino : 0;
}

/* sf_save(): the file only moves when the state does, or for the refresh; a failure is logged once. */
static void test_save(const struct plan_image *img)
{
	struct sf_file f;
	struct engine e;
	struct sf_latch l = { SF_SHUT_NONE, "", 0, 0, 0, 0 };
	struct st_poll ol = { 1, "OL", "100", NULL, 0 };
	uint64_t sum = sf_checksum(img);
	ino_t i;
	int lines = 0;
	char buf[600];
	FILE *lf;

	unlink(path);
	sf_init(&f, path, 600);
	eng_init(&e, img, &host, "h", "b");
	sf_save(&f, &e, "p", sum, 0, &l);
	ok((i = inode()) != 0, "the first save writes");
	sf_save(&f, &e, "p", sum, 1, &l);
	ok(inode() == i, "nothing changed: not written");
	eng_poll(&e, 0, &ol, 2);
	sf_save(&f, &e, "p", sum, 2, &l);
	ok(inode() != i, "a first answer: written");
	i = inode();
	eng_poll(&e, 0, &ol, 3);
	sf_save(&f, &e, "p", sum, 3, &l);
	ok(inode() == i, "the same answer: not written");
	l.shutdown = SF_SHUT_RUNNING;
	sf_save(&f, &e, "p", sum, 4, &l);
	ok(inode() != i, "the SHUTDOWNCMD latch moved: written");
	i = inode();
	sf_save(&f, &e, "p", sum + 1, 5, &l);
	ok(inode() != i, "another plan (a reload): written");
	i = inode();
	f.max_age = 0.4;
	usleep(150000);
	sf_save(&f, &e, "p", sum + 1, 6, &l);
	ok(inode() != i, "older than a quarter of the age limit: written again (the refresh)");
	sf_free(&f);

	sf_init(&f, "/nonexistent-upsplan-dir/state.json", 600);
	if (!freopen(logfile, "w", stderr))
		return;
	sf_save(&f, &e, "p", sum, 7, &l);
	eng_poll(&e, 0, &(struct st_poll){ .answered = 1, .status = "OB", .charge = "100" }, 8);
	f.tried_boot -= 2;	/* past the one-attempt-a-second limit */
	sf_save(&f, &e, "p", sum, 8, &l);
	fflush(stderr);
	lf = fopen(logfile, "r");
	while (lf && fgets(buf, sizeof(buf), lf))
		lines += strstr(buf, "state file /nonexistent-upsplan-dir/state.json: cannot create") != NULL;
	if (lf)
		fclose(lf);
	is_int(lines, 1, "two failed writes: logged once");
	ok(f.failing, "and still failing (tried again)");
	if (!freopen("/dev/null", "w", stderr))
		return;
	sf_free(&f);
	eng_free(&e);
}

/* The hold of timer expiries after an adoption. */
static void test_hold(void)
{
	struct sf_hold h;

	memset(&h, 0, sizeof(h));
	ok(!sf_holding(&h, 0), "none started: nothing held");
	sf_hold_start(&h, 2, 100);
	ok(sf_holding(&h, 1), "held after an adoption");
	sf_hold_polled(&h, 0);
	sf_hold_polled(&h, 0);
	ok(sf_holding(&h, 2) && h.left == 1, "one UPS polled (twice): still held");
	sf_hold_polled(&h, 1);
	ok(!sf_holding(&h, 3), "every UPS polled: released");
	sf_hold_start(&h, 2, 100);
	sf_hold_polled(&h, 1);
	ok(sf_holding(&h, 99.9), "a UPS not polled yet: held until the limit ...");
	ok(!sf_holding(&h, 100), "... and released at it");
	sf_hold_start(&h, 0, 100);
	ok(!sf_holding(&h, 0), "a plan without UPS: nothing to wait for");
	sf_hold_free(&h);
}

/* The state directory, prepared by root for the monitoring user. */
static void test_prepare(void)
{
	char d[160], p[200], err[600];
	struct stat st;

	ok(sf_prepare_dir("state.json", getuid(), getgid(), "me", err, sizeof(err)) == -1 &&
		   strstr(err, "give an absolute path") != NULL, "a relative path: refused");
	snprintf(d, sizeof(d), "%s/sub", dir);
	snprintf(p, sizeof(p), "%s/state.json", d);
	ok(sf_prepare_dir(p, getuid(), getgid(), "me", err, sizeof(err)) == 0 && stat(d, &st) == 0 &&
		   S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700 && st.st_uid == getuid(),
	   "a missing directory: made, mode 0700, the user's");
	ok(sf_prepare_dir(p, getuid(), getgid(), "me", err, sizeof(err)) == 0, "there: accepted");
	chmod(d, 0770);
	ok(sf_prepare_dir(p, getuid(), getgid(), "me", err, sizeof(err)) == -1 && strstr(err, "chmod 700 ") != NULL,
	   "writable by its group: refused with the fix (%s)", err);
	ok(sf_prepare_dir(p, getuid() + 1, getgid(), "nut", err, sizeof(err)) == -1 &&
		   strstr(err, "not to user nut, who writes the state file: chown nut: ") != NULL,
	   "another user's: refused with the fix (%s)", err);
	rmdir(d);
	ok(symlink("/tmp", d) == 0 && sf_prepare_dir(p, getuid(), getgid(), "me", err, sizeof(err)) == -1 &&
		   strstr(err, "is a symbolic link: remove it") != NULL, "a symbolic link: refused with the fix (%s)", err);
	unlink(d);
}

int main(void)
{
	struct plan_image img, other, renamed;

	snprintf(dir, sizeof(dir), "/tmp/test-statefile.XXXXXX");
	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/state.json", dir);
	snprintf(logfile, sizeof(logfile), "%s/log", dir);
	compile_text(plan_text, &img);
	compile_text("GROUP LOCAL HOST localhost CERTFILE '/c'\n"
		     "MONITOR a POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		     "MONITOR c POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		     "WHEN a REPORTS OL->OB : STARTTIMER final 120\n", &other);
	compile_text("POLLFREQ 7 POLLFREQALERT 3\n"
		     "GROUP LOCAL HOST otherhost CERTFILE '/c'\n"
		     "MONITOR a POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		     "MONITOR b POWERVAL 1 UPSDUSER m PASSWORD 'p' TYPE primary\n"
		     "WHEN a REPORTS OL->OB : STARTTIMER final 60 NUTLOG 'on battery'\n", &renamed);
	test_round_trip(&img);
	test_alerts(&img);
	test_malformed(&img);
	test_adopt(&img, &other, &renamed);
	test_save(&img);
	test_hold();
	test_prepare();
	img_free(&img);
	img_free(&other);
	img_free(&renamed);
	unlink(path);
	unlink(logfile);
	rmdir(dir);
	return done_testing();
}

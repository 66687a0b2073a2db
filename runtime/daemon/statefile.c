/* SPDX-License-Identifier: GPL-2.0-or-later */
/* statefile.c - the daemon's state file: JSON through jansson, atomic writes, what is adopted of it (statefile-read.c reads it back). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/symtab.h"
#include "engine/vm.h"
#include "base/xalloc.h"
#include "runtime/daemon/log.h"
#include "runtime/common/monotonic.h"
#include "runtime/daemon/statefile.h"
#include "runtime/daemon/statefile-int.h"

const char *const sf_shut_names[3] = { "none", "running", "succeeded" };

double sf_boot_clock(void)
{
	return rt_clock(CLOCK_BOOTTIME);
}

/* This boot's id into BUF ("" when it cannot be read). */
static void sf_boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

uint64_t sf_checksum(const struct plan_image *img)
{
	unsigned char *buf;
	size_t len;
	uint64_t sum;

	img_encode(img, &buf, &len);
	sum = img_checksum(buf, len);
	free(buf);
	return sum;
}

/* ---- writing ---- */

/* A JSON string of S: invalid UTF-8 (from the network) becomes '?' (jansson takes only UTF-8). */
static json_t *sf_string(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j)
		return j;
	copy = xstrdup(s);
	for (unsigned char *p = (unsigned char *)copy; *p; p++)
		if (*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

/* The tables set in BITS, by name. */
static json_t *sf_tables(uint32_t bits)
{
	json_t *a = json_array();

	for (unsigned k = 0; k < SW_TABLES; k++)
		if (bits >> k & 1)
			json_array_append_new(a, json_string(st_table_name(k)));
	return a;
}

static json_t *sf_to_json(const struct sf_record *r)
{
	json_t *root = json_object(), *ups = json_array(), *timers = json_array(), *shut = json_object();
	char sum[17];

	snprintf(sum, sizeof(sum), "%016" PRIx64, r->checksum);
	json_object_set_new(root, "format", json_integer(SF_FORMAT));
	json_object_set_new(root, "plan", sf_string(r->plan ? r->plan : ""));
	json_object_set_new(root, "checksum", json_string(sum));
	json_object_set_new(root, "boot_id", sf_string(r->boot_id));
	json_object_set_new(root, "written", json_real(r->written));
	json_object_set_new(root, "written_boottime", json_real(r->written_boot));
	for (uint32_t u = 0; u < r->snap.nups; u++) {
		const struct eng_snap_ups *su = &r->snap.ups[u];
		json_t *o = json_object();
		json_object_set_new(o, "group", sf_string(su->group));
		json_object_set_new(o, "name", sf_string(su->name));
		json_object_set_new(o, "polled", json_boolean(su->st.polled));
		json_object_set_new(o, "tables", sf_tables(su->st.tables));
		json_object_set_new(o, "present", sf_tables(su->st.present));
		json_object_set_new(o, "status", su->st.status ? sf_string(su->st.status) : json_null());
		json_object_set_new(o, "charge", sf_string(su->st.charge));
		json_object_set_new(o, "fsd_sent", json_boolean(su->st.fsd));
		json_t *m = json_array();
		for (uint32_t k = 0; k < su->nmarks; k++)
			json_array_append_new(m, sf_string(su->marks[k]));
		json_object_set_new(o, "marks", m);
		json_array_append_new(ups, o);
	}
	json_object_set_new(root, "ups", ups);
	for (uint32_t t = 0; t < r->snap.ntimers; t++) {
		const struct eng_snap_timer *st = &r->snap.timers[t];
		json_t *o = json_object();
		json_object_set_new(o, "name", sf_string(st->name));
		json_object_set_new(o, "running", json_boolean(st->running));
		if (st->running) {
			json_object_set_new(o, "remaining", json_real(st->remaining));
			json_object_set_new(o, "deadline", json_real(r->written + st->remaining));
		}
		json_array_append_new(timers, o);
	}
	json_object_set_new(root, "timers", timers);
	json_object_set_new(shut, "state", json_string(sf_shut_names[r->latch.shutdown]));
	json_object_set_new(shut, "where", sf_string(r->latch.where));
	if (r->latch.shutdown == SF_SHUT_RUNNING) {
		json_t *rq = json_object();
		json_object_set_new(rq, "pc", json_integer(r->latch.pc));
		json_object_set_new(rq, "ups", json_integer(r->latch.ups));
		json_object_set_new(rq, "pair", json_integer(r->latch.pair));
		json_object_set_new(rq, "timer", json_integer(r->latch.timer));
		json_object_set_new(shut, "request", rq);
	}
	json_object_set_new(root, "shutdown", shut);
	if (r->alerts)
		json_object_set(root, "alerts", r->alerts);
	return root;
}

int sf_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* Write LEN bytes of BUF to FD. */
static int sf_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The directory part of PATH (a new string; "." when it has none). */
static char *sf_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

int sf_write(const char *path, const struct sf_record *r, char *err, size_t len)
{
	json_t *root = sf_to_json(r);
	char *text = json_dumps(root, JSON_INDENT(1) | JSON_REAL_PRECISION(15));
	size_t plen = strlen(path);
	char *tmp = xcalloc(plen + sizeof(".new"), 1), *dir;
	int fd, dfd, rc = -1;

	json_decref(root);
	if (!text)
		return sf_err(err, len, "cannot make its JSON text");
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".new", sizeof(".new"));
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {	/* left by a write that was cut short */
		unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd < 0) {
		sf_err(err, len, "cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (sf_write_all(fd, text, strlen(text)) != 0 || sf_write_all(fd, "\n", 1) != 0 || fsync(fd) != 0) {
		sf_err(err, len, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		sf_err(err, len, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	/* the rename itself reaches the disk with the directory */
	dir = sf_dirname(path);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0)
		sf_err(err, len, "cannot sync the directory %s: %s", dir, strerror(errno));
	else
		rc = 0;
	if (dfd >= 0)
		close(dfd);
	free(dir);
out:
	free(tmp);
	free(text);
	return rc;
}

/* ---- the daemon's side ---- */

void sf_init(struct sf_file *f, const char *path, double max_age)
{
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->max_age = max_age;
	sf_boot_id(f->boot_id, sizeof(f->boot_id));
}

void sf_set_alerts(struct sf_file *f, json_t *alerts)
{
	json_decref(f->alerts);
	f->alerts = alerts;
	f->alerts_gen++;
}

void sf_free(struct sf_file *f)
{
	json_decref(f->alerts);
	json_decref(f->adopted_alerts);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

/* Why R cannot be adopted by E (CHECKSUM, at boot clock NOW_BOOT), or NULL when it can. */
static const char *sf_refuse(const struct sf_file *f, const struct sf_record *r, const struct engine *e,
			     uint64_t checksum, double now_boot, char *why, size_t len)
{
	char names[300];

	if (!f->boot_id[0])
		snprintf(why, len, "this boot's id cannot be read (/proc/sys/kernel/random/boot_id), so the file cannot be told from an older boot's");
	else if (strcmp(r->boot_id, f->boot_id) != 0)
		snprintf(why, len, "it was written in another boot (boot id %s, now %s): nothing done before the reboot may count now",
			 r->boot_id[0] ? r->boot_id : "none", f->boot_id);
	else if (now_boot - r->written_boot < -1)
		snprintf(why, len, "it was written %.0f s in the future of this boot's clock", r->written_boot - now_boot);
	else if (now_boot - r->written_boot > f->max_age)
		snprintf(why, len, "it was written %.0f s ago, more than --state-max-age %.0f s: what it knew is stale",
			 now_boot - r->written_boot, f->max_age);
	else if (r->checksum != checksum && eng_snap_same_names(e, &r->snap, names, sizeof(names)) != 0)
		snprintf(why, len, "it is of another plan (%s, checksum %016" PRIx64 ", this plan's %016" PRIx64 "; %s)",
			 r->plan, r->checksum, checksum, names);
	else
		return NULL;
	return why;
}

int sf_adopt(struct sf_file *f, struct engine *e, uint64_t checksum, double now, struct sf_latch *latch)
{
	const struct plan_image *img = e->img;
	struct sf_record r;
	char why[600], timers[400] = "", fsd[200] = "", marks[400] = "";
	size_t max = 65536 + (size_t)img->ups.n * 4096 + (size_t)img->timers.n * 2048, mark_bytes = 0;
	double now_boot = sf_boot_clock(), age;
	uint32_t nups, ntimers;
	int rc;

	for (uint32_t k = 0; k < img->marks.n; k++)	/* each UPS may carry every mark of the plan: "name", */
		mark_bytes += 4 + (size_t)img->marks.v[k].len * 6;	/* the name's bytes \u-escaped at worst */
	max += (size_t)img->ups.n * mark_bytes + SF_ALERTS_MAX;
	rc = sf_read(f->path, max, &r, why, sizeof(why));
	if (rc == 1) {
		log_msg(LOG_INFO, "state file %s: none yet: starting afresh", f->path);
		return 0;
	}
	if (rc != 0) {
		log_msg(LOG_WARNING, "state file %s ignored: %s", f->path, why);
		return 0;
	}
	if (sf_refuse(f, &r, e, checksum, now_boot, why, sizeof(why))) {
		log_msg(LOG_WARNING, "state file %s ignored: %s", f->path, why);
		sf_record_free(&r);
		return 0;
	}
	age = now_boot - r.written_boot > 0 ? now_boot - r.written_boot : 0;
	for (uint32_t t = 0; t < r.snap.ntimers; t++) {
		struct eng_snap_timer *st = &r.snap.timers[t];
		size_t n = strlen(timers);
		if (!st->running)
			continue;
		st->remaining -= age;	/* from when it was written to now */
		snprintf(timers + n, sizeof(timers) - n, "%s%s %.1f s left", n ? ", " : "", st->name,
			 st->remaining > 0 ? st->remaining : 0.0);
	}
	for (uint32_t u = 0; u < r.snap.nups; u++)
		if (r.snap.ups[u].st.fsd) {
			size_t n = strlen(fsd);
			snprintf(fsd + n, sizeof(fsd) - n, "%s%s", n ? ", " : "; FSD was sent for ", r.snap.ups[u].name);
		}
	for (uint32_t u = 0; u < r.snap.nups; u++)
		for (uint32_t k = 0; k < r.snap.ups[u].nmarks; k++) {
			size_t n = strlen(marks);
			snprintf(marks + n, sizeof(marks) - n, "%s%s %s", n ? ", " : "; marks: ", r.snap.ups[u].name,
				 r.snap.ups[u].marks[k]);
		}
	nups = eng_snap_adopt(e, &r.snap, now, &ntimers);
	log_msg(LOG_NOTICE, "state file %s adopted (written %.1f s ago): %u UPS states, %u timers%s%s%s%s%s",
		f->path, age, nups, ntimers, ntimers ? " (" : "", timers, ntimers ? ")" : "", fsd, marks);
	memset(latch, 0, sizeof(*latch));
	f->adopted_alerts = json_incref(r.alerts);
	if (r.latch.shutdown == SF_SHUT_SUCCEEDED) {
		*latch = r.latch;
		log_msg(LOG_WARNING, "state file %s: the SHUTDOWNCMD at %s succeeded in this boot: no SHUTDOWNCMD runs again",
			f->path, r.latch.where);
	} else if (r.latch.shutdown == SF_SHUT_RUNNING && r.checksum == checksum &&
		   ((r.latch.ups < img->ups.n &&
		     (r.latch.pair < EV_NPAIRS || (r.latch.pair >= VM_LEVEL_PAIRS_BASE && r.latch.pair < VM_ALERT_PAIRS_BASE &&
						    (r.latch.pair - VM_LEVEL_PAIRS_BASE) / 2 < img->levels.n))) ||
		    /* a WHEN ALERT rule's: no UPS */
		    (r.latch.ups == IMG_NONE && r.latch.pair >= VM_ALERT_PAIRS_BASE &&
		     (r.latch.pair - VM_ALERT_PAIRS_BASE) / 2 < img->arules.n)) &&
		   (r.latch.timer == IMG_NONE || r.latch.timer < img->timers.n)) {
		/* the command may have been stopped with the daemon: a shutdown once decided is not forgotten */
		*latch = r.latch;
		log_msg(LOG_WARNING, "state file %s: the SHUTDOWNCMD at %s was running when the daemon stopped; "
			"its outcome is unknown: it is asked for again once every UPS has been polled", f->path,
			r.latch.where);
	} else if (r.latch.shutdown == SF_SHUT_RUNNING) {
		log_msg(LOG_CRIT, "state file %s: the SHUTDOWNCMD at %s was running when the daemon stopped, of a plan "
			"that has changed since: it is not asked for again", f->path, r.latch.where);
	}
	sf_record_free(&r);
	return 1;
}

void sf_save(struct sf_file *f, const struct engine *e, const char *plan, uint64_t checksum, double now,
	     const struct sf_latch *latch)
{
	double now_boot = sf_boot_clock();
	struct sf_record r;
	char err[600];
	uint64_t changes = eng_changes(e);

	if (f->written_boot > 0 && changes == f->changes && checksum == f->checksum &&
	    memcmp(latch, &f->latch, sizeof(*latch)) == 0 && f->alerts_gen == f->alerts_written && now_boot - f->written_boot < f->max_age / 4)
		return;		/* nothing new, and the file is young */
	if (f->failing && now_boot - f->tried_boot < 1)
		return;		/* failing: at most one attempt a second */
	f->tried_boot = now_boot;
	memset(&r, 0, sizeof(r));
	r.plan = (char *)plan;
	r.checksum = checksum;
	memcpy(r.boot_id, f->boot_id, sizeof(r.boot_id));
	r.written = rt_clock(CLOCK_REALTIME);
	r.written_boot = now_boot;
	eng_snap_take(e, now, &r.snap);
	r.latch = *latch;
	r.alerts = f->alerts;
	if (sf_write(f->path, &r, err, sizeof(err)) != 0) {
		if (!f->failing)
			log_msg(LOG_ERR, "state file %s: %s (timers would not survive a restart; tried again)", f->path, err);
		f->failing = 1;
	} else {
		if (f->failing)
			log_msg(LOG_NOTICE, "state file %s written again", f->path);
		f->failing = 0;
		f->written_boot = now_boot;
		f->changes = changes;
		f->checksum = checksum;
		f->latch = *latch;
		f->alerts_written = f->alerts_gen;
	}
	eng_snap_free(&r.snap);
}

void sf_hold_start(struct sf_hold *h, uint32_t nups, double until)
{
	free(h->polled);
	h->polled = xcalloc((size_t)nups + 1, 1);
	h->left = nups;
	h->on = nups > 0;
	h->until = until;
}

void sf_hold_polled(struct sf_hold *h, uint32_t u)
{
	if (!h->on || h->polled[u])
		return;
	h->polled[u] = 1;
	if (--h->left == 0) {
		h->on = 0;
		log_msg(LOG_INFO, "timer expiries run again: every UPS was polled since the start");
	}
}

int sf_holding(struct sf_hold *h, double now)
{
	if (h->on && now >= h->until) {
		h->on = 0;
		log_msg(LOG_INFO, "timer expiries run again: %u UPS not polled within a poll interval and a connection step",
			h->left);
	}
	return h->on;
}

void sf_hold_free(struct sf_hold *h)
{
	free(h->polled);
	memset(h, 0, sizeof(*h));
}

int sf_prepare_dir(const char *path, uid_t uid, gid_t gid, const char *user, char *err, size_t len)
{
	char *dir;
	struct stat st;
	int rc = -1, fd;

	if (path[0] != '/')
		return sf_err(err, len, "--state-file %s: give an absolute path", path);
	dir = sf_dirname(path);
	if (lstat(dir, &st) != 0 && errno == ENOENT) {
		if (mkdir(dir, 0700) != 0) {
			sf_err(err, len, "cannot make the state directory %s: %s", dir, strerror(errno));
			goto out;
		}
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fchown(fd, uid, gid) != 0 || fchmod(fd, 0700) != 0) {
			sf_err(err, len, "cannot give the state directory %s to user %s: %s", dir, user, strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		close(fd);
		rc = 0;
		goto out;
	}
	if (lstat(dir, &st) != 0)
		sf_err(err, len, "state directory %s: %s", dir, strerror(errno));
	else if (S_ISLNK(st.st_mode))
		sf_err(err, len, "the state directory %s is a symbolic link: remove it (upsplan makes the directory)", dir);
	else if (!S_ISDIR(st.st_mode))
		sf_err(err, len, "the state directory %s is not a directory: remove it (upsplan makes the directory)", dir);
	else if (st.st_uid != uid)
		sf_err(err, len, "the state directory %s belongs to uid %ld, not to user %s, who writes the state file: "
		       "chown %s: %s (or remove it: upsplan makes it)", dir, (long)st.st_uid, user, user, dir);
	else if (st.st_mode & 022)
		sf_err(err, len, "others may write in the state directory %s: chmod 700 %s", dir, dir);
	else
		rc = 0;
out:
	free(dir);
	return rc;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* statefile-read.c - the state file read back: every field is input, checked before use. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/symtab.h"
#include "engine/vm.h"
#include "base/xalloc.h"
#include "runtime/daemon/statefile.h"
#include "runtime/daemon/statefile-int.h"

#define SF_NAME_MAX 1024	/* bytes of a group, UPS or timer name read back */
#define SF_REMAINING_MAX 1e9	/* seconds: a timer further away than this is not a plan's */

/* Member KEY of object O with JSON type TYPE, or NULL with the reason in WHY. */
static json_t *sf_member(json_t *o, const char *at, const char *key, json_type type, char *why, size_t len)
{
	static const char *const tn[] = { "an object", "an array", "a string", "an integer", "a number",
					  "true or false", "true or false", "null" };
	json_t *v = json_object_get(o, key);

	if (!v) {
		sf_err(why, len, "%s%s\"%s\" is missing", at, at[0] ? ": " : "", key);
		return NULL;
	}
	if (json_typeof(v) == type || (type == JSON_REAL && json_is_number(v)) ||
	    (type == JSON_TRUE && json_is_boolean(v)))
		return v;
	sf_err(why, len, "%s%s\"%s\" is not %s", at, at[0] ? ": " : "", key, tn[type]);
	return NULL;
}

#define SF_EMPTY_OK 1	/* sf_text(): "" is a value */
#define SF_ANY_BYTE 2	/* sf_text(): control characters too (texts from upsd: they are never logged) */

/* A string member of at most MAX bytes (NUL excluded), not empty and without control characters unless FLAGS say; NULL with WHY. */
static const char *sf_text(json_t *o, const char *at, const char *key, size_t max, int flags, char *why, size_t len)
{
	json_t *v = sf_member(o, at, key, JSON_STRING, why, len);
	const char *s;

	if (!v)
		return NULL;
	s = json_string_value(v);
	if (json_string_length(v) != strlen(s) || strlen(s) > max || (!(flags & SF_EMPTY_OK) && !s[0])) {
		sf_err(why, len, "%s%s\"%s\" is empty, too long or holds a NUL", at, at[0] ? ": " : "", key);
		return NULL;
	}
	for (const char *p = s; !(flags & SF_ANY_BYTE) && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			sf_err(why, len, "%s%s\"%s\" holds a control character", at, at[0] ? ": " : "", key);
			return NULL;
		}
	return s;
}

/* An integer member from 0 to 2^32-1 into *OUT; -1 with WHY. */
static int sf_u32(json_t *o, const char *at, const char *key, uint32_t *out, char *why, size_t len)
{
	json_t *v = sf_member(o, at, key, JSON_INTEGER, why, len);

	if (!v)
		return -1;
	if (json_integer_value(v) < 0 || json_integer_value(v) > (json_int_t)UINT32_MAX)
		return sf_err(why, len, "%s%s\"%s\" is out of range", at, at[0] ? ": " : "", key);
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

/* A finite number member into *OUT; -1 with WHY. */
static int sf_number(json_t *o, const char *at, const char *key, double *out, char *why, size_t len)
{
	json_t *v = sf_member(o, at, key, JSON_REAL, why, len);

	if (!v)
		return -1;
	*out = json_number_value(v);
	if (!isfinite(*out))
		return sf_err(why, len, "%s%s\"%s\" is not a finite number", at, at[0] ? ": " : "", key);
	return 0;
}

/* Table names of array member KEY into *BITS, only tables below LIMIT; -1 with WHY. */
static int sf_table_bits(json_t *o, const char *at, const char *key, unsigned limit, uint32_t *bits, char *why,
			 size_t len)
{
	json_t *a = sf_member(o, at, key, JSON_ARRAY, why, len), *v;
	size_t i;

	if (!a)
		return -1;
	*bits = 0;
	json_array_foreach(a, i, v) {
		unsigned k = 0;
		while (k < limit && (!json_is_string(v) || strcmp(json_string_value(v), st_table_name(k)) != 0))
			k++;
		if (k == limit)
			return sf_err(why, len, "%s: \"%s\" holds something that is not one of its table names", at, key);
		*bits |= 1u << k;
	}
	return 0;
}

/*
 * The "marks" of UPS object O (AT) into SU: mark names, at most
 * IMG_MAX_MARKS; a file of an upsplan before marks has none (the member
 * is missing: no mark).  -1 with WHY.
 */
static int sf_read_marks(json_t *o, const char *at, struct eng_snap_ups *su, char *why, size_t len)
{
	json_t *a = json_object_get(o, "marks"), *v;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > IMG_MAX_MARKS)
		return sf_err(why, len, "%s: \"marks\" is not an array of at most %u mark names", at, IMG_MAX_MARKS);
	su->marks = xcalloc(json_array_size(a) + 1, sizeof(char *));
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);
		if (!s || json_string_length(v) != strlen(s) || !s[0] || strlen(s) > SF_NAME_MAX)
			return sf_err(why, len, "%s: \"marks\" holds something that is not a mark name", at);
		for (const char *p = s; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return sf_err(why, len, "%s: \"marks\" holds a control character", at);
		su->marks[su->nmarks++] = xstrdup(s);
	}
	return 0;
}

static int sf_read_ups(json_t *o, uint32_t u, struct eng_snap_ups *su, char *why, size_t len)
{
	char at[32];
	const char *s;
	json_t *v;

	snprintf(at, sizeof(at), "ups[%u]", u);
	if (!json_is_object(o))
		return sf_err(why, len, "%s is not an object", at);
	if (!(s = sf_text(o, at, "group", SF_NAME_MAX, 0, why, len)))
		return -1;
	su->group = xstrdup(s);
	if (!(s = sf_text(o, at, "name", SF_NAME_MAX, 0, why, len)))
		return -1;
	su->name = xstrdup(s);
	if (!(v = sf_member(o, at, "polled", JSON_TRUE, why, len)))
		return -1;
	su->st.polled = json_is_true(v);
	if (!(v = sf_member(o, at, "fsd_sent", JSON_TRUE, why, len)))
		return -1;
	su->st.fsd = json_is_true(v);
	if (sf_table_bits(o, at, "tables", SW_TABLES, &su->st.tables, why, len) != 0 ||
	    sf_table_bits(o, at, "present", SW_ONE_TABLES, &su->st.present, why, len) != 0)
		return -1;
	v = json_object_get(o, "status");
	if (v && json_is_null(v)) {
		su->st.status = NULL;
	} else {
		if (!(s = sf_text(o, at, "status", ST_STATUS_MAX - 1, SF_EMPTY_OK | SF_ANY_BYTE, why, len)))
			return -1;
		su->st.status = xstrdup(s);
	}
	if (!(s = sf_text(o, at, "charge", ST_CHARGE_MAX - 1, SF_EMPTY_OK | SF_ANY_BYTE, why, len)))
		return -1;
	memcpy(su->st.charge, s, strlen(s) + 1);
	return sf_read_marks(o, at, su, why, len);
}

static int sf_read_timer(json_t *o, uint32_t t, struct eng_snap_timer *st, char *why, size_t len)
{
	char at[32];
	const char *s;
	json_t *v;
	double deadline;

	snprintf(at, sizeof(at), "timers[%u]", t);
	if (!json_is_object(o))
		return sf_err(why, len, "%s is not an object", at);
	if (!(s = sf_text(o, at, "name", SF_NAME_MAX, 0, why, len)))
		return -1;
	st->name = xstrdup(s);
	if (!(v = sf_member(o, at, "running", JSON_TRUE, why, len)))
		return -1;
	st->running = json_is_true(v);
	if (!st->running)
		return 0;
	if (sf_number(o, at, "remaining", &st->remaining, why, len) != 0 ||
	    sf_number(o, at, "deadline", &deadline, why, len) != 0)
		return -1;
	if (fabs(st->remaining) > SF_REMAINING_MAX)
		return sf_err(why, len, "%s: \"remaining\" is out of range", at);
	return 0;
}

/* Each UPS (group and name) and each timer once. */
static int sf_unique(const struct eng_snap *s, char *why, size_t len)
{
	struct symtab t;
	char **keys = xcalloc((size_t)s->nups + 1, sizeof(char *));
	int rc = 0;

	symtab_init(&t);
	for (uint32_t u = 0; u < s->nups && rc == 0; u++) {
		keys[u] = eng_ups_key(s->ups[u].group, s->ups[u].name);	/* names hold no newline (sf_text()) */
		if (symtab_get(&t, keys[u], strlen(keys[u])) >= 0)
			rc = sf_err(why, len, "ups[%u]: UPS %s/%s is there twice", u, s->ups[u].group, s->ups[u].name);
		symtab_put(&t, keys[u], strlen(keys[u]), u);
	}
	symtab_free(&t);
	for (uint32_t u = 0; u < s->nups; u++)
		free(keys[u]);
	free(keys);
	symtab_init(&t);
	for (uint32_t k = 0; k < s->ntimers && rc == 0; k++) {
		if (symtab_get(&t, s->timers[k].name, strlen(s->timers[k].name)) >= 0)
			rc = sf_err(why, len, "timers[%u]: timer %s is there twice", k, s->timers[k].name);
		symtab_put(&t, s->timers[k].name, strlen(s->timers[k].name), k);
	}
	symtab_free(&t);
	return rc;
}

static int sf_from_json(json_t *root, struct sf_record *r, char *why, size_t len)
{
	json_t *v, *a, *e;
	const char *s;
	char *end;
	size_t i;

	if (!json_is_object(root))
		return sf_err(why, len, "it is not a JSON object");
	if (!(v = sf_member(root, "", "format", JSON_INTEGER, why, len)))
		return -1;
	if (json_integer_value(v) != SF_FORMAT)
		return sf_err(why, len, "format %" JSON_INTEGER_FORMAT ", this upsplan reads format %d",
			      json_integer_value(v), SF_FORMAT);
	if (!(s = sf_text(root, "", "plan", 4096, SF_EMPTY_OK, why, len)))
		return -1;
	r->plan = xstrdup(s);
	if (!(s = sf_text(root, "", "checksum", 16, 0, why, len)))
		return -1;
	errno = 0;
	r->checksum = strtoull(s, &end, 16);
	if (errno || *end || strlen(s) != 16)
		return sf_err(why, len, "\"checksum\" is not 16 hexadecimal digits");
	if (!(s = sf_text(root, "", "boot_id", sizeof(r->boot_id) - 1, SF_EMPTY_OK, why, len)))
		return -1;
	memcpy(r->boot_id, s, strlen(s) + 1);
	if (sf_number(root, "", "written", &r->written, why, len) != 0 ||
	    sf_number(root, "", "written_boottime", &r->written_boot, why, len) != 0)
		return -1;
	if (!(a = sf_member(root, "", "ups", JSON_ARRAY, why, len)))
		return -1;
	r->snap.ups = xcalloc(json_array_size(a) + 1, sizeof(*r->snap.ups));
	json_array_foreach(a, i, e) {
		r->snap.nups = (uint32_t)i + 1;
		if (sf_read_ups(e, (uint32_t)i, &r->snap.ups[i], why, len) != 0)
			return -1;
	}
	if (!(a = sf_member(root, "", "timers", JSON_ARRAY, why, len)))
		return -1;
	r->snap.timers = xcalloc(json_array_size(a) + 1, sizeof(*r->snap.timers));
	json_array_foreach(a, i, e) {
		r->snap.ntimers = (uint32_t)i + 1;
		if (sf_read_timer(e, (uint32_t)i, &r->snap.timers[i], why, len) != 0)
			return -1;
	}
	if (sf_unique(&r->snap, why, len) != 0)
		return -1;
	if (!(v = sf_member(root, "", "shutdown", JSON_OBJECT, why, len)))
		return -1;
	if (!(s = sf_text(v, "shutdown", "state", 16, 0, why, len)))
		return -1;
	for (r->latch.shutdown = 0; r->latch.shutdown < 3 && strcmp(s, sf_shut_names[r->latch.shutdown]) != 0;
	     r->latch.shutdown++)
		;
	if (r->latch.shutdown == 3)
		return sf_err(why, len, "shutdown: \"state\" is not none, running or succeeded");
	if (!(s = sf_text(v, "shutdown", "where", sizeof(r->latch.where) - 1, SF_EMPTY_OK, why, len)))
		return -1;
	memcpy(r->latch.where, s, strlen(s) + 1);
	if (r->latch.shutdown == SF_SHUT_RUNNING) {
		json_t *rq = sf_member(v, "shutdown", "request", JSON_OBJECT, why, len);
		if (!rq || sf_u32(rq, "shutdown: request", "pc", &r->latch.pc, why, len) != 0 ||
		    sf_u32(rq, "shutdown: request", "ups", &r->latch.ups, why, len) != 0 ||
		    sf_u32(rq, "shutdown: request", "pair", &r->latch.pair, why, len) != 0 ||
		    sf_u32(rq, "shutdown: request", "timer", &r->latch.timer, why, len) != 0)
			return -1;
	}
	v = json_object_get(root, "alerts");	/* a file of an upsplan before alerts has none */
	if (v && !json_is_array(v))
		return sf_err(why, len, "\"alerts\" is not an array");
	r->alerts = json_incref(v);
	return 0;
}

void sf_record_free(struct sf_record *r)
{
	json_decref(r->alerts);
	free(r->plan);
	eng_snap_free(&r->snap);
	memset(r, 0, sizeof(*r));
}

int sf_read(const char *path, size_t max, struct sf_record *r, char *why, size_t len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t n = 0;
	json_t *root;
	json_error_t jerr;
	int rc;

	memset(r, 0, sizeof(*r));
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0 && errno == ELOOP)
		return sf_err(why, len, "it is a symbolic link (remove it: the next write puts a file there)");
	if (fd < 0)
		return sf_err(why, len, "cannot open it: %s", strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return sf_err(why, len, "it is not a regular file (remove it)");
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return sf_err(why, len, "it belongs to uid %ld or others may write to it: not written by this daemon (remove it)",
			      (long)st.st_uid);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return sf_err(why, len, "%lld bytes, more than the %zu a state file of this plan can take",
			      (long long)st.st_size, max);
	}
	buf = xcalloc((size_t)st.st_size + 1, 1);
	while (n < (size_t)st.st_size) {
		ssize_t got = read(fd, buf + n, (size_t)st.st_size - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	root = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &jerr);
	free(buf);
	if (!root)
		return sf_err(why, len, "malformed JSON at line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
	rc = sf_from_json(root, r, why, len);
	json_decref(root);
	if (rc != 0)
		sf_record_free(r);
	return rc;
}

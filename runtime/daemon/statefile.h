/* SPDX-License-Identifier: GPL-2.0-or-later */
/* statefile.h - the daemon's state file: the engine's decision state and the SHUTDOWNCMD latch, written atomically as JSON, adopted at start. */
#ifndef UPSPLAN_STATEFILE_H
#define UPSPLAN_STATEFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "engine/engine.h"

#define SF_DEFAULT_PATH "/var/lib/upsplan/state.json"	/* as root, without --state-file */
#define SF_DEFAULT_MAX_AGE 600.0	/* seconds: --state-max-age */
#define SF_FORMAT 1			/* the "format" this upsplan writes and reads */
#define SF_WHERE_MAX 128		/* bytes of a SHUTDOWNCMD's file:line:col kept */
#define SF_ALERTS_MAX (4u << 20)	/* bytes a state file may hold for the firing alerts (runtime/daemon/alerts.h) */

/* The SHUTDOWNCMD latch: none ran, one runs (outcome unknown yet), one ended with status 0. */
enum sf_shutdown { SF_SHUT_NONE, SF_SHUT_RUNNING, SF_SHUT_SUCCEEDED };

/*
 * The SHUTDOWNCMD latch a daemon keeps, written and adopted with the
 * engine's state.  While one runs, the request that started it (the
 * plan's code offset and the event: what the root parent renders) is kept
 * too, so that a daemon restarted before its outcome is known (systemd
 * stops the command with the daemon) can ask for it again.
 */
struct sf_latch {
	int shutdown;			/* enum sf_shutdown */
	char where[SF_WHERE_MAX];	/* the SHUTDOWNCMD's file:line:col ("" for none) */
	uint32_t pc, ups, pair, timer;	/* SF_SHUT_RUNNING: the request (timer IMG_NONE for a REPORTS event) */
};

/* What a state file holds. */
struct sf_record {
	char *plan;			/* the plan's path, for the record */
	uint64_t checksum;		/* of the plan image (sf_checksum()) */
	char boot_id[64];		/* /proc/sys/kernel/random/boot_id when written */
	double written;			/* wall clock, seconds since the epoch */
	double written_boot;		/* CLOCK_BOOTTIME seconds */
	struct eng_snap snap;		/* timers: remaining seconds at written_boot */
	struct sf_latch latch;
	json_t *alerts;			/* the firing alerts (runtime/daemon/alerts.c's table), or NULL */
};

/* The state file of one daemon and what it last wrote there. */
struct sf_file {
	char *path;
	double max_age;
	char boot_id[64];		/* this boot's ("" unknown: nothing is adopted) */
	uint64_t changes, checksum;	/* eng_changes() and plan at the last write */
	struct sf_latch latch;		/* ... and the latch */
	double written_boot;		/* boot clock of the last write; 0: none yet */
	double tried_boot;		/* of the last attempt */
	int failing;			/* the last attempt failed (logged once per episode) */
	json_t *alerts;			/* the firing alerts to write (sf_set_alerts()), or NULL */
	uint64_t alerts_gen, alerts_written;	/* changes of it, and at the last write */
	json_t *adopted_alerts;		/* what sf_adopt() found of them, for the caller to take, or NULL */
};

/* The firing alerts (a JSON array, its reference taken) written from now on: a change to write. */
void sf_set_alerts(struct sf_file *f, json_t *alerts);

/* F for the state file PATH (copied), adopted when younger than MAX_AGE seconds. */
void sf_init(struct sf_file *f, const char *path, double max_age);
void sf_free(struct sf_file *f);

/*
 * At start: read F's file and, when it is of this boot, younger than the
 * limit, and of this plan (CHECKSUM equal, or the same UPS and timer
 * names), give its state to the fresh engine E at NOW (E's clock) and its
 * latch to *LATCH: a SHUTDOWNCMD that succeeded, or one that was running
 * (of this very plan: CHECKSUM equal, its request in the plan's ranges;
 * the caller asks for it again).  Each outcome is logged in one
 * line (missing, unusable and why, another boot, too old, another plan and
 * which name differs; or what was adopted).  Returns 1 when adopted; then
 * F->adopted_alerts holds the file's firing alerts, if any (unchecked).
 */
int sf_adopt(struct sf_file *f, struct engine *e, uint64_t checksum, double now, struct sf_latch *latch);

/*
 * Write E's state at NOW (E's clock), PLAN, CHECKSUM and LATCH when any of
 * them changed since the last write, or when the last write is older than
 * a quarter of the age limit (so that the file's age bounds the time the
 * daemon has been gone).  A failure is logged once until a write works;
 * while it fails, a write is tried at most once a second.
 */
void sf_save(struct sf_file *f, const struct engine *e, const char *plan, uint64_t checksum, double now,
	     const struct sf_latch *latch);

/*
 * After a state was adopted, timer expiries wait until every UPS of the
 * plan has had its first poll since the start (answered or not: it may
 * cancel a timer, the power having come back while the daemon was gone),
 * or until a time limit.
 */
struct sf_hold {
	int on;
	double until;		/* the limit, on the daemon's clock */
	uint8_t *polled;	/* per UPS */
	uint32_t left;		/* UPS not yet polled */
};

/* Hold expiries for the NUPS UPS of a plan, at most until UNTIL. */
void sf_hold_start(struct sf_hold *h, uint32_t nups, double until);
/* UPS U was polled: the hold ends (logged) once every UPS was. */
void sf_hold_polled(struct sf_hold *h, uint32_t u);
/* Are expiries held at NOW?  The hold ends (logged) at its limit. */
int sf_holding(struct sf_hold *h, double now);
void sf_hold_free(struct sf_hold *h);

/* The checksum of plan IMG that a state file names. */
uint64_t sf_checksum(const struct plan_image *img);

/*
 * As root, before the monitoring process starts: the directory of PATH (an
 * absolute path) exists (made with mode 0700 for UID and GID when it does
 * not), is a directory and not a symbolic link, belongs to UID and is
 * writable by no one else.  Returns 0, or -1 with the problem and its fix
 * (naming USER) in ERR.
 */
int sf_prepare_dir(const char *path, uid_t uid, gid_t gid, const char *user, char *err, size_t len);

/* Write R to PATH atomically (a temporary file, fsync, rename, fsync of the directory), mode 0600: 0, or -1 with ERR. */
int sf_write(const char *path, const struct sf_record *r, char *err, size_t len);

/*
 * Read PATH into R (to free with sf_record_free()), at most MAX bytes, and
 * check every field: 0; 1 when there is no file; -1 with the reason in
 * WHY when it cannot be used (a symbolic link, not this user's, not a
 * regular file, too large, malformed JSON, a field missing or wrong).
 */
int sf_read(const char *path, size_t max, struct sf_record *r, char *why, size_t len);
void sf_record_free(struct sf_record *r);

/* Seconds on CLOCK_BOOTTIME (since boot, suspend included; no step ever moves it). */
double sf_boot_clock(void);

#endif

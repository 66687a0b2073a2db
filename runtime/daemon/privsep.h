/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privsep.h - privilege separation: a root parent that only runs the plan's SHUTDOWNCMDs and writes POWERDOWNFLAG, for an unprivileged child it restarts when it dies. */
#ifndef UPSPLAN_PRIVSEP_H
#define UPSPLAN_PRIVSEP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/image.h"
#include "runtime/common/plan-file.h"

struct dm_options;

#define PS_NOTIFY_MAX 256
#define PS_DESKTOP_MAX 4096
#define PS_IMAGE_MAX (IMG_MAX_SIZE + 4u)	/* a reloaded plan: its generation, then its image (engine/image.h) */

/* "Run the SHUTDOWNCMD at code offset PC for this event": nothing else can be asked. */
struct ps_shutdown {
	uint32_t gen;			/* the plan the child runs: 0 the first, then each PS_IMAGE's */
	uint32_t pc, ups, pair, timer;	/* timer IMG_NONE for a REPORTS event */
	uint32_t power_failing;		/* 1: the UPS is on battery or FSD (POWERDOWNFLAG is written), else 0 */
	char charge[32];		/* battery.charge as last polled, for %(c)s ("" unknown); NUL-terminated */
};

/* The child took up (ok 1) or refused (ok 0) the plan of generation GEN. */
struct ps_ack {
	uint32_t gen;
	int32_t ok;
};

/* PS_DONE's status besides an exit status: refused or failed to start; another runs; one succeeded in this boot. */
#define PS_DONE_FAILED (-1)
#define PS_DONE_LATCHED (-2)
#define PS_DONE_SUCCEEDED (-3)

struct ps_done {
	int32_t status;		/* exit status, or PS_DONE_FAILED, PS_DONE_LATCHED, PS_DONE_SUCCEEDED */
	uint32_t pc;
	char msg[200];
};

/* Frames on the parent-child socket: a header, then LEN bytes (privsep-frames.def). */
enum ps_dir { PS_TO_PARENT = 1, PS_TO_CHILD = 2 };

enum ps_kind {
#define PS_FRAME(id, num, dir, min, max, meaning) PS_##id = num,
#include "runtime/daemon/privsep-frames.def"
#undef PS_FRAME
};

struct ps_hdr {
	uint32_t kind, len;
};

/* One whole frame, its payload inside the buffer it was taken from. */
struct ps_frame {
	uint32_t kind, len;
	const unsigned char *payload;
};

/* The frame kind's meaning ("a SHUTDOWNCMD request"), or NULL for an unknown kind. */
const char *ps_frame_meaning(uint32_t kind);

/*
 * Take the first frame for direction DIR from the LEN bytes at BUF: the
 * bytes it takes (header and payload) with *F set, 0 when it is not whole
 * yet, or -1 when it is malformed (unknown kind, the other direction, a
 * length outside the kind's, a payload its checker refuses), with the
 * reason in *WHY.  The header alone decides a length: a header asking for
 * more than the kind allows is refused before its payload arrives.
 * Reads nothing but BUF: the fuzz target drives it with any bytes.
 */
long ps_frame_take(const unsigned char *buf, size_t len, enum ps_dir dir, struct ps_frame *f, const char **why);

/* NUT's POWERDOWNFLAG as root, without --powerdownflag: where Debian's nutshutdown looks */
#define PS_DEFAULT_POWERDOWNFLAG "/etc/killpower"

/* The parent's configuration. */
struct ps_parent_cfg {
	const char *plan;		/* the plan file, compiled again on SIGHUP */
	struct plan_file_opts po;
	const char *powerdownflag;	/* POWERDOWNFLAG file, or NULL */
	double timeout;			/* seconds a shutdown command may take */
	const char *hostname, *banner;	/* %(h)s and %(b)s */
	const char *notify;		/* the NOTIFY command, run as each desktop user */
	const char *utmp;		/* where the logged-in users are (NULL: the system's utmp) */
	double notify_timeout;		/* seconds a NOTIFY command may take */
	uid_t uid;			/* the monitoring user */
	gid_t gid;
	const char *user;
	int close_fd;			/* an fd of the parent's a child must not keep (the PID file's), or -1 */
};

/*
 * Run the daemon with privilege separation: start the monitoring child
 * (dropped to CFG's user, running dm_run() with the options O), then be
 * its root parent until the daemon stops.  The parent runs the
 * SHUTDOWNCMDs the child names (rendered here from the plan, never taken
 * from the child), writes POWERDOWNFLAG before the first, recompiles the
 * plan on SIGHUP and sends it to the child when it has no error (a SIGHUP
 * while the child has not yet taken up the last plan is done after it),
 * runs the NOTIFY command (CFG's) as each user of a graphical session
 * with a text the child sends, passes the child's sd_notify states on,
 * forwards SIGTERM, SIGINT and SIGUSR1.  A child that dies after it was
 * ready (a crash, the OOM killer, a malformed frame) is started again
 * after a back-off, with the plan it ran (its state file keeps the
 * timers); one that ends by itself or fails before it is ready ends the
 * daemon.  IMG, the plan both start with, is taken over.  Returns the
 * daemon's exit status.
 */
int ps_run(struct plan_image *img, const struct dm_options *o, const struct ps_parent_cfg *cfg);

/*
 * Run the daemon on IMG (taken over) with the options O, as this process
 * can: without CFG (not started as root) the monitoring runs in this
 * process.  With CFG (root): for O's check_only, this process drops to
 * CFG's user (ps_drop()) and monitors; otherwise POWERDOWNFLAG is cleared
 * (ps_clear_powerdownflag()) and ps_run() forks the monitoring child,
 * dropped to CFG's user, and stays its root parent.  Returns the daemon's
 * exit status (1 when the drop failed, logged).
 */
int ps_start(struct plan_image *img, const struct dm_options *o, const struct ps_parent_cfg *cfg);

/*
 * Compile (or load) the plan PATH for a reload, its diagnostics in the
 * log, and when it fails, that the running plan is kept (the plan has
 * errors, or it cannot be read).  Returns as plan_file_load().
 */
int ps_compile(const char *path, const struct plan_file_opts *po, struct plan_image *img);

/* Remove POWERDOWNFLAG at start-up when it holds the flag's magic text (as upsmon does). */
void ps_clear_powerdownflag(const char *path);

/*
 * Drop to user UID and group GID with its supplementary groups (setgroups,
 * setgid, setuid), then check that root cannot be regained.  Returns 0, or
 * -1 with the reason in ERR.
 */
int ps_drop(uid_t uid, gid_t gid, const char *user, char *err, size_t errlen);

#endif

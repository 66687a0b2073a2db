/* privsep.h - privilege separation: a root parent that only runs the plan's SHUTDOWNCMDs and writes POWERDOWNFLAG, for an unprivileged child. */
#ifndef UPSPLAN_PRIVSEP_H
#define UPSPLAN_PRIVSEP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/image.h"
#include "runtime/plan-file.h"

/* Frames on the parent-child socket: a header, then LEN bytes. */
enum ps_kind {
	PS_SHUTDOWN = 1,	/* child -> parent: struct ps_shutdown */
	PS_DONE = 2,		/* parent -> child: struct ps_done */
	PS_IMAGE = 3,		/* parent -> child: uint32_t generation, then a reloaded plan image (img_encode) */
	PS_NOTIFY = 4,		/* child -> parent: sd_notify text (at most PS_NOTIFY_MAX bytes) */
	PS_DESKTOP = 5,		/* child -> parent: a NOTIFY text for the desktop users (at most PS_DESKTOP_MAX bytes) */
	PS_ACK = 6		/* child -> parent: struct ps_ack, the outcome of a PS_IMAGE */
};

#define PS_NOTIFY_MAX 256
#define PS_DESKTOP_MAX 4096

struct ps_hdr {
	uint32_t kind, len;
};

/* "Run the SHUTDOWNCMD at code offset PC for this event": nothing else can be asked. */
struct ps_shutdown {
	uint32_t gen;			/* the plan the child runs: 0 the first, then each PS_IMAGE's */
	uint32_t pc, ups, pair, timer;	/* timer IMG_NONE for a REPORTS event */
	char charge[32];		/* battery.charge as last polled, for %(c)s ("" unknown) */
};

/* The child took up (ok 1) or refused (ok 0) the plan of generation GEN. */
struct ps_ack {
	uint32_t gen;
	int32_t ok;
};

struct ps_done {
	int32_t status;		/* exit status, or -1 refused or failed to start */
	uint32_t pc;
	char msg[200];
};

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
};

/*
 * The parent's loop, for child CHILD on socket FD, with IMG the plan both
 * started with: runs the SHUTDOWNCMDs the child names (rendered here from
 * the plan, never taken from the child), writes POWERDOWNFLAG before the
 * first, recompiles the plan on SIGHUP and sends it to the child when it
 * has no error, runs the NOTIFY command (CFG's, never the child's) as each
 * user of a graphical session with a text the child sends, passes the
 * child's sd_notify states on, forwards SIGTERM, SIGINT and SIGUSR1.  Returns the exit
 * status of the daemon when the child has ended.
 */
int ps_parent(int fd, pid_t child, struct plan_image *img, const struct ps_parent_cfg *cfg);

/*
 * Compile (or load) the plan PATH for a reload, its diagnostics in the
 * log.  Returns as plan_file_load().
 */
int ps_compile(const char *path, const struct plan_file_opts *po, struct plan_image *img);

/* Remove POWERDOWNFLAG at start-up when it holds the flag's magic text (as upsmon does). */
void ps_clear_powerdownflag(const char *path);

/* Write a frame: 0, or -1 (errno set).  Blocking. */
int ps_write_frame(int fd, uint32_t kind, const void *payload, size_t len);

/*
 * Drop to user UID and group GID with its supplementary groups (setgroups,
 * setgid, setuid), then check that root cannot be regained.  Returns 0, or
 * -1 with the reason in ERR.
 */
int ps_drop(uid_t uid, gid_t gid, const char *user, char *err, size_t errlen);

#endif

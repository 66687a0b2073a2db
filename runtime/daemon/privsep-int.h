/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privsep-int.h - what the files of the root parent share and nobody else uses. */
#ifndef UPSPLAN_PRIVSEP_INT_H
#define UPSPLAN_PRIVSEP_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "engine/image.h"
#include "engine/timers.h"
#include "engine/vm.h"
#include "runtime/daemon/privsep.h"

/*
 * NUT's POWERDOWNFLAG at PATH (NULL: none), written into a new file
 * (O_EXCL, beside PATH) renamed onto PATH: whatever is at PATH (a link
 * planted there, another user's file) is replaced, never written through.
 */
void ps_write_powerdownflag(const char *path);

/* The parent's plan: an image, and a VM that only ever renders SHUTDOWNCMDs (privsep-plan.c). */
struct ps_plan {
	uint32_t gen;		/* 0 the first plan, then one more per reload */
	struct plan_image img;
	struct tmr_heap timers;
	uint32_t *tables;
	struct vm *vm;
	char charge[32];
};

/* The VM of P, whose img is set, with CFG's %(h)s and %(b)s. */
void ps_plan_init(struct ps_plan *p, const struct ps_parent_cfg *cfg);

/* Free what P holds, its image too. */
void ps_plan_free(struct ps_plan *p);

/*
 * Render the SHUTDOWNCMD that RQ (checked by ps_frame_take()) asks for
 * from plan P: 0 with its words in *ARGV (NULL-terminated, allocated), or
 * -1 with the refusal logged and its reason in *WHY (valid until the next
 * use of P).
 */
int ps_plan_render(struct ps_plan *p, const struct ps_shutdown *rq, char ***argv, const char **why);

#define PS_RX_MAX (sizeof(struct ps_hdr) + PS_DESKTOP_MAX)	/* the longest frame a child sends */


/* A process this one started and may have to stop: the monitoring child, or a SHUTDOWNCMD. */
struct ps_proc {
	pid_t pid;		/* > 0 while it runs (0 or -1: none) */
	double kill_at;		/* 0, or when it gets SIGKILL: it was told to stop (ps_stop()) */
};

/* The shutdown command under way (at most one: the parent keeps the latch too). */
struct ps_job {
	char **argv;
	uint32_t pc;
	struct ps_proc proc;	/* pid 0: none runs */
	double started;		/* monotonic seconds: a clock step at boot neither kills it nor lets it run on */
	int killed;		/* SIGTERM sent at the time limit; SIGKILL follows */
	int flag_written;	/* POWERDOWNFLAG written for it */
	int power_failing;	/* its UPS is on battery or FSD: the flag may be written */
};

struct ps_parent {
	const struct ps_parent_cfg *cfg;
	const struct dm_options *o;
	int sfd;		/* the signals, as a file */
	int fd;			/* the socket to the child, or -1 */
	struct ps_proc child;	/* the monitoring child: pid -1 when there is none */
	double child_since;	/* when it started */
	int child_ready;	/* it said READY=1 */
	int fsd_pending;	/* a SIGUSR2 came while no child was ready: passed on at its READY=1 */
	int misbehaved;		/* it was stopped for what it sent (or did not read) */
	unsigned char rx[PS_RX_MAX];	/* what the child sent, not yet a whole frame */
	size_t rxlen;
	double rx_since;	/* when the partial frame in rx began */
	/* the plan the child runs; one sent, not yet taken up (the VMs point into them: never copied) */
	struct ps_plan plans[2], *plan, *pending;
	int have_pending;
	int hup_queued;		/* a SIGHUP came while a plan was pending or no child ran */
	struct ps_job job;
	int shut_done;		/* a SHUTDOWNCMD succeeded: no other runs */
	int stopping;		/* TERM or INT came: no restart */
	int status;		/* the daemon's exit status */
	double restart_at;	/* 0, or when the next child starts */
	double restart_wait;	/* the next back-off */
	double reload_at;	/* when the child last asked for a reload (rate limit) */
	unsigned reload_refused;	/* requests refused since the last one done (the first is logged) */
	double desktop_window;	/* NOTIFY texts (rate limit): the minute being counted, and how many in it */
	unsigned desktop_shown;
};

/* Send a frame to the child; a child that reads nothing of it for PS_WRITE_WAIT misbehaves.  0, or -1. */
int ps_send(struct ps_parent *p, uint32_t kind, const void *payload, size_t len);

/* privsep-reload.c */
/* Drop the plan sent to the child and not yet taken up. */
void ps_drop_pending(struct ps_parent *p);
/*
 * SIGHUP: compile the plan again and send it to the child; it is taken up
 * when the child says so (PS_ACK).  NULL, or why nothing was sent (logged).
 */
const char *ps_reload(struct ps_parent *p);
/* The handlers of PS_ACK and PS_RELOAD. */
void ps_on_ack(struct ps_parent *p, const struct ps_frame *f);
void ps_on_reload(struct ps_parent *p, const struct ps_frame *f);

#endif

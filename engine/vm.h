/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm.h - the VM: runs the handler of one event on a verified plan image and queues effects; no I/O. */
#ifndef UPSPLAN_VM_H
#define UPSPLAN_VM_H

#include <stddef.h>
#include <stdint.h>

#include "engine/image.h"
#include "engine/timers.h"

/* A NUT variable's value as a condition reads it. */
struct vm_value {
	const char *text;	/* as upsd sent it, NUL-terminated */
	size_t len;
	double num;		/* the text as a number, NAN when it is none */
};

/* What the VM asks of its host (the daemon, the simulator, a test). */
struct vm_host {
	void *ctx;
	/*
	 * Value of NUT variable NAME of UPS as last polled (NUL-terminated),
	 * or NULL when unknown.  The VM reads battery.charge for %(c)s.
	 */
	const char *(*getvar)(void *ctx, uint32_t ups, const char *name);
	/*
	 * Value of variable VAR (an index of the image's vars) of UPS, or
	 * NULL when unknown; and, called when a condition found it unknown,
	 * UNKNOWN (may be NULL).  Without VALUE every variable is unknown.
	 */
	const struct vm_value *(*value)(void *ctx, uint32_t ups, uint32_t var);
	void (*unknown)(void *ctx, uint32_t ups, uint32_t var);
};

/* Effect kinds: the opcode of the action, or VM_FAULT. */
#define VM_FAULT OP_COUNT

#define VM_MIN_REARM 0.1	/* seconds: the shortest STARTTIMER of a TIMEOUT clause */

/*
 * One action the plan asks for.  Texts are fully rendered; pointers are
 * owned by the VM and valid until its next run (the actions of a handler
 * that send the same message in a row share its text).
 */
struct vm_effect {
	uint32_t kind;		/* enum op of the action, or VM_FAULT */
	uint32_t ups;		/* the UPS of the event (%(u)s) */
	uint32_t pc;		/* code offset of the action */
	const struct img_loc *loc;	/* its source location, or NULL */
	/* NOTIFY WALL PRINT EPRINT NUTLOG SYSLOG SHELLCMD SHUTDOWNCMD, fault message */
	const char *text;
	size_t len;
	/* EMAIL: from, to, subject, body */
	const char *field[4];
	size_t flen[4];
	/* SHUTDOWNCMD: the text split into arguments, argv[argc] == NULL */
	const char *const *argv;
	uint32_t argc;
	uint32_t prio;		/* SYSLOG: 0 emerg .. 7 debug */
	uint32_t level;		/* DEBUG */
	uint32_t target;	/* SETFSD: its UPS; STARTTIMER, CANCELTIMER: the timer; MARK, UNMARK: the mark */
	double seconds;		/* STARTTIMER */
	double deadline;	/* STARTTIMER: when it expires */
	int was_running;	/* STARTTIMER (re-armed), CANCELTIMER (stopped) */
	int changed;		/* MARK, UNMARK: the UPS's mark changed (0: it already was so) */
	/*
	 * ALERT, RESOLVE: NAME is the alert's name, and for ALERT AUX its
	 * severity and TEXT its rendered summary; HOOKS: NAME is the
	 * directory, AUX the event (%(e)s) and TEXT the rendered message.
	 * NAME and AUX point into the image or the VM (NUL-terminated).
	 */
	const char *name, *aux;
	size_t name_len, aux_len;
};

/* The event a handler runs for. */
struct vm_event {
	uint32_t ups;		/* the UPS */
	uint32_t pair;		/* REPORTS: event pair 0..41 */
	uint32_t timer;		/* TIMEOUT: the timer, else IMG_NONE */
	double time;		/* when it happened, host clock (s) */
};

struct vm_stats {
	uint64_t runs, instructions, effects;
	uint64_t grows;		/* buffer growths after vm_new() (0 expected) */
};

struct vm;

/*
 * A VM for the verified image IMG.  TABLES is the engine's per-UPS state
 * (bit k of TABLES[u]: see ev_pair_table()) read by IF a->b; TIMERS the
 * timer heap that STARTTIMER and CANCELTIMER act on.  HOSTNAME and BANNER
 * are %(h)s and %(b)s.  Every buffer a run can need is sized here.
 */
struct vm *vm_new(const struct plan_image *img, const struct vm_host *host, const uint32_t *tables,
		  struct tmr_heap *timers, const char *hostname, const char *banner);
void vm_free(struct vm *vm);

/*
 * Run the handler of EV (a REPORTS event; EV->timer is IMG_NONE).  Returns
 * the number of effects, available from vm_effects() until the next run.
 */
uint32_t vm_run_event(struct vm *vm, const struct vm_event *ev);

/*
 * Timer T expired at TIME: run every WHEN ... TIMEOUT T clause, each for
 * its own UPS, in MONITOR order.  Returns the number of effects.  A
 * STARTTIMER run here arms its timer for at least VM_MIN_REARM seconds, so
 * that timers restarting each other cannot spin (W606 warns of it).
 */
uint32_t vm_run_timeout(struct vm *vm, uint32_t t, double time);

/*
 * Render the SHUTDOWNCMD instruction at code offset PC for event EV (a
 * REPORTS pair, or the expiry of EV->timer when it is not IMG_NONE), as
 * the privileged parent of the daemon does when the unprivileged child
 * names one: only the plan's own commands can run.  Returns 1 with the
 * effect in vm_effects(), or 0 when PC is not a SHUTDOWNCMD of the plan
 * or EV is out of range.
 */
uint32_t vm_render_shutdown(struct vm *vm, uint32_t pc, const struct vm_event *ev);

/*
 * Level rules.  The value now of the condition of level rule L (0 or 1),
 * for its UPS; no effects, no allocation.
 */
int vm_level_test(struct vm *vm, uint32_t l);
/*
 * Run the actions of level rule L at TIME: those of its BECOMES clause,
 * or when OFF those of its CEASES clause.  %(e)s is "BECOMES" or
 * "CEASES".  Returns the number of effects.
 */
uint32_t vm_run_level(struct vm *vm, uint32_t l, int off, double time);
/*
 * A vm_event's pair for the runs of level rules (vm_render_shutdown(),
 * the daemon's privileged parent): VM_LEVEL_PAIR(l, off), above every
 * event pair.
 */
#define VM_LEVEL_PAIRS_BASE 256u
#define VM_LEVEL_PAIR(l, off) (VM_LEVEL_PAIRS_BASE + 2u * (l) + ((off) ? 1u : 0u))

/*
 * Run the FIRING (FIRING 1) or RESOLVED handler of alert rule R (an index
 * of the image's arules) at TIME.  The run has no UPS: its effects' ups
 * is IMG_NONE, and %(e)s is "ALERT name FIRING" or "ALERT name RESOLVED".
 * Returns the number of effects.
 */
uint32_t vm_run_alert(struct vm *vm, uint32_t r, int firing, double time);
/*
 * A vm_event's pair for the runs of alert rules (vm_render_shutdown(), the
 * daemon's privileged parent; its ups is IMG_NONE): VM_ALERT_PAIR(r,
 * firing), above those of level rules.
 */
#define VM_ALERT_PAIRS_BASE 0x80000000u
#define VM_ALERT_PAIR(r, firing) (VM_ALERT_PAIRS_BASE + 2u * (r) + ((firing) ? 1u : 0u))

/*
 * The marks of each UPS (bit k: mark k of the image's marks), an array of
 * img->ups.n sets the VM owns: MARK and UNMARK change them during a run,
 * MARKED and POWERVAL WITHOUT read them; its host saves and restores them
 * (snapshots).  Every UPS starts unmarked.
 */
uint32_t *vm_marks(struct vm *vm);
const uint32_t *vm_marks_const(const struct vm *vm);

/* The effects of the last run. */
const struct vm_effect *vm_effects(const struct vm *vm);

/* The display name of UPS for %(u)s (see docs/engine.md); "-" for IMG_NONE (the run of an alert rule). */
const char *vm_ups_display(const struct vm *vm, uint32_t ups);

const struct vm_stats *vm_get_stats(const struct vm *vm);

/* Name of effect kind K ("NOTIFY", ..., "FAULT"). */
const char *vm_effect_name(uint32_t k);

#endif

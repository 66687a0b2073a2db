/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine.h - the engine both hosts drive: UPS state, events, timers and the VM, one call per poll or deadline; snapshots of its state. */
#ifndef UPSPLAN_ENGINE_H
#define UPSPLAN_ENGINE_H

#include "engine/state.h"
#include "engine/timers.h"
#include "engine/vm.h"

enum eng_trace_kind {
	ENG_EVENT,		/* a REPORTS event of a UPS (before its handler runs) */
	ENG_EXPIRY,		/* a timer expired (before its TIMEOUT clauses run) */
	ENG_EFFECT,		/* an action of the plan */
	ENG_UNKNOWN_VAR,	/* a condition or text read a variable the UPS has not reported (once, until it has) */
	ENG_LEVEL,		/* a level rule fires (pair: VM_LEVEL_PAIR(rule, off)), before its actions run */
	ENG_ALERT		/* an alert starts or ends (pair: VM_ALERT_PAIR(rule, firing); ups IMG_NONE), before its rules run */
};

/* One line of what happened, in order, for the host to print or execute. */
struct eng_trace {
	enum eng_trace_kind kind;
	double time;		/* when it happened (host clock) */
	uint32_t ups;		/* ENG_EVENT: the UPS; ENG_EFFECT: the UPS of its event */
	uint32_t pair;		/* ENG_EVENT; ENG_LEVEL: VM_LEVEL_PAIR() */
	uint32_t timer;		/* ENG_EXPIRY */
	const struct vm_effect *effect;	/* ENG_EFFECT, valid during the call */
	uint32_t var;		/* ENG_UNKNOWN_VAR: index of the image's vars (ups: its UPS) */
};

struct eng_host {
	void *ctx;
	void (*trace)(void *ctx, const struct eng_trace *t);
};

struct engine {
	const struct plan_image *img;
	struct eng_host host;
	struct st_plan state;
	struct tmr_heap timers;
	struct vm *vm;
	uint32_t start_timer;	/* the built-in 'start', or IMG_NONE when the plan has none */
	uint32_t fsd_timer;	/* the built-in 'fsd' (operator FSD), or IMG_NONE when the plan has none */
	uint32_t alert;		/* UPS now on battery or low battery: POLLFREQALERT */
	uint8_t *alerting;	/* per UPS */
	double now;		/* time of the run going on (ENG_UNKNOWN_VAR) */
	/*
	 * Level rules: per rule ENG_LEVEL_FALSE, _HOLDING (true, the hold
	 * running: its deadline is timer timers.n + rule of the heap), _FIRED
	 * or _RELEASING (false after it fired, the hold running); per UPS its rules,
	 * level_rules[level_first[u] .. level_first[u + 1]).
	 */
	uint8_t *level_state;
	uint32_t *level_first, *level_rules;
	uint64_t mark_changes;	/* MARK and UNMARK that changed a mark (eng_changes()) */
	uint8_t *alert_firing;	/* per alert rule: the alert fires (its last transition was FIRING) */
};

enum { ENG_LEVEL_FALSE, ENG_LEVEL_HOLDING, ENG_LEVEL_FIRED, ENG_LEVEL_RELEASING };

/* An engine for the verified image IMG; HOSTNAME and BANNER are %(h)s and %(b)s. */
void eng_init(struct engine *e, const struct plan_image *img, const struct eng_host *host,
	      const char *hostname, const char *banner);
void eng_free(struct engine *e);

/* Start-up at NOW: the built-in timer 'start' expires at NOW + 1 s. */
void eng_start(struct engine *e, double now);

/*
 * Operator FSD (upsplan fsd, SIGUSR2; NUT's upsmon -c fsd): the built-in
 * timer 'fsd' is due at NOW, so the next eng_expire() runs its TIMEOUT
 * clauses.  -1 when the plan has no 'fsd' timer (nothing to run).
 */
int eng_fsd(struct engine *e, double now);

/*
 * Poll result P of UPS U at NOW: derive its events, run their handlers;
 * then test U's level rules.  The hold works both ways: a rule fires
 * (BECOMES actions) when its condition has been true for the hold, and
 * re-arms (CEASES actions) when it has then been false for the hold; a
 * change back before the hold is over cancels it.  Without a hold each
 * change acts at once.  A steady value costs one test per rule and no
 * timer operation.
 */
void eng_poll(struct engine *e, uint32_t u, const struct st_poll *p, double now);

/*
 * UPS U reports VALUE (NUL-terminated; NULL: upsd has no such variable)
 * for variable VAR, an index of the image's vars; conditions read it from
 * now on.  Set a UPS's variables before eng_poll() gives its status, so
 * that the handlers of that poll see them.  A variable U's rules do not
 * read is ignored.
 */
void eng_set_var(struct engine *e, uint32_t u, uint32_t var, const char *value);

/* The same by variable NAME; -1 when the plan reads no variable of that name. */
int eng_set_var_name(struct engine *e, uint32_t u, const char *name, const char *value);

/*
 * The variables UPS U's conditions read, which the host polls: *N entries
 * of the image's uvars (their var fields index the image's vars).
 */
const struct img_uvar *eng_ups_vars(const struct engine *e, uint32_t u, uint32_t *n);

/*
 * The Alertmanager says that the alert NAME (LEN bytes) fires (FIRING 1)
 * or is resolved (0) at NOW: on a transition only, run the plan's WHEN
 * ALERT "NAME" FIRING (or RESOLVED) clauses.  Every alert starts
 * resolved, so a RESOLVED before any FIRING runs nothing, and a FIRING
 * of an alert that fires already (Alertmanager repeats them) runs nothing
 * either.  Returns ENG_ALERT_RAN, ENG_ALERT_SAME (no transition) or
 * ENG_ALERT_UNKNOWN (the plan has no rule for NAME: ignored; the host may
 * log it at debug).  No I/O.
 */
enum { ENG_ALERT_UNKNOWN = -1, ENG_ALERT_SAME = 0, ENG_ALERT_RAN = 1 };
int eng_alert(struct engine *e, const char *name, size_t len, int firing, double now);

/* Deadline of the first running timer; 0 when none runs. */
int eng_next_deadline(const struct engine *e, double *deadline);

/* Expire, in deadline order, every timer due at or before NOW; each runs at its own deadline. */
void eng_expire(struct engine *e, double now);

/*
 * After a reload: TO (a new engine) takes over FROM's state: each UPS of
 * the same group and name keeps its tables and last answer, each
 * running timer whose name still exists keeps its deadline, and each
 * alert whose name has rules in both plans whether it fires.  (A
 * snapshot of FROM adopted by TO; the alerts are not in snapshots: after
 * a restart every alert starts resolved.)
 */
void eng_adopt(struct engine *to, const struct engine *from);

/*
 * The decision state of an engine as plain data keyed by names, to be
 * kept outside it (a state file) and adopted by another engine of the
 * same plan or of a plan with the same names: every UPS of the plan by
 * its group and name, every timer by its name, each UPS's marks by their
 * names.
 */
struct eng_snap_ups {
	char *group, *name;
	struct st_saved st;	/* tables, present words, polled, FSD sent, status, charge */
	char **marks;		/* the names of the marks it carries (MARK name), in the plan's order */
	uint32_t nmarks;
};

struct eng_snap_timer {
	char *name;
	int running;
	double remaining;	/* running: seconds from the snapshot's NOW to its deadline (< 0: past) */
};

struct eng_snap {
	struct eng_snap_ups *ups;
	uint32_t nups;
	struct eng_snap_timer *timers;
	uint32_t ntimers;
};

/*
 * The key of a UPS in a snapshot, "GROUP\nNAME" (to free): a UPS is the
 * same in two plans (a reload, a state file) when its group and name are.
 */
char *eng_ups_key(const char *group, const char *name);

/* The state of E at NOW (host clock) into S: every UPS and every timer of its plan, in plan order. */
void eng_snap_take(const struct engine *e, double now, struct eng_snap *s);

/* Free what S holds (S itself is the caller's). */
void eng_snap_free(struct eng_snap *s);

/*
 * 0 when the UPS (group and name) and timer names of S are exactly those
 * of E's plan; else -1 with the first difference in WHY ("UPS LOCAL/a is
 * not in this plan", "timer final of this plan is not in it").
 */
int eng_snap_same_names(const struct engine *e, const struct eng_snap *s, char *why, size_t len);

/*
 * E (a fresh engine) takes the state in S at NOW (host
 * clock): each UPS of the same group and name gets its state (the others
 * keep theirs) and each of its marks whose name E's plan has (a mark
 * the plan no longer has is dropped), each running timer of S whose name
 * E's plan has runs until NOW + remaining (in the past: due at once).
 * Returns the number of UPS adopted, and in *NTIMERS the number of timers.
 */
uint32_t eng_snap_adopt(struct engine *e, const struct eng_snap *s, double now, uint32_t *ntimers);

/* A number that moves whenever the state a snapshot holds changes (UPS state, timers, marks). */
uint64_t eng_changes(const struct engine *e);

/* The host sent SETFSD for UPS U: kept with its state (snapshots), read by no rule. */
void eng_note_fsd(struct engine *e, uint32_t u);

/* Seconds to the next poll: POLLFREQALERT while any UPS is on battery or low battery, else POLLFREQ. */
double eng_poll_interval(const struct engine *e);

/*
 * Does plan IMG read battery.charge: a %(c)s substitution, a handler of an
 * LB1, LB2 or LB3 event, or an IF on one of them?  If not, the daemon does
 * not ask upsd for it.  IMG must have passed img_verify().
 */
int eng_reads_charge(const struct plan_image *img);

#endif

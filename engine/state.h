/* SPDX-License-Identifier: GPL-2.0-or-later */
/* state.h - per-UPS state and event derivation: a poll result becomes an ordered list of REPORTS events. */
#ifndef UPSPLAN_STATE_H
#define UPSPLAN_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/events.h"
#include "engine/image.h"
#include "engine/vm.h"

#define ST_STATUS_MAX 256	/* bytes of ups.status kept (unknown words included) */
#define ST_MAX_EVENTS EV_NPAIRS	/* a poll changes each table at most once */
#define ST_CHARGE_MAX 32	/* bytes of battery.charge kept, its NUL included */
#define ST_VAR_MAX 512		/* bytes of a variable's value kept, its NUL included (upsd sends at most 256) */

/* State of one UPS as the engine sees it. */
struct st_ups {
	uint32_t tables;	/* bit k: table k holds its word (see ev_pair_table()) */
	uint8_t polled;		/* had at least one answered poll */
	uint8_t fsd;		/* the host sent SETFSD for it (a record: the engine does not read it) */
	uint32_t present;	/* None<->X words present at the last answered poll (bit per table) */
	double charge;		/* battery.charge, NAN when unknown */
	/* the last ups.status, every word (unknown ones too), at most ST_STATUS_MAX - 1 bytes; NULL before it */
	char *status;
	char charge_text[ST_CHARGE_MAX];	/* battery.charge as upsd wrote it, for %(c)s */
};

/*
 * The decision state of one UPS as plain data: what st_save() takes and
 * st_restore() gives back (the charge is read again from its text).
 */
struct st_saved {
	uint32_t tables;	/* as struct st_ups (bits of SW_TABLES tables) */
	uint32_t present;	/* bits of the SW_ONE_TABLES word tables */
	uint8_t polled, fsd;
	char *status;		/* NULL before the first answer */
	char charge[ST_CHARGE_MAX];	/* "" unknown */
};

/* One poll result for one UPS. */
struct st_poll {
	int answered;		/* 0: no answer (connection lost, upsd gone): NOCOMM */
	const char *status;	/* ups.status; NULL or "" when the UPS has none */
	const char *charge;	/* battery.charge; NULL when unknown */
	/* the variables U's conditions read, in the order of eng_ups_vars(); NULL: not given (kept as they were) */
	const char *const *vars;
	uint32_t nvars;		/* how many VARS holds; each NULL entry: unknown */
};

/* The value of one variable a UPS's conditions read (one per entry of the image's uvars). */
struct st_var {
	struct vm_value v;	/* v.text NULL: unknown, else buf */
	char *buf;		/* the last value, kept while unknown for the next one */
	size_t cap;		/* bytes allocated at buf */
	uint8_t told;		/* the host was told it is unknown (until it has a value again) */
};

/* Per-UPS state of a whole plan. */
struct st_plan {
	const struct plan_image *img;
	struct st_ups *ups;
	uint32_t *tables;	/* tables of each UPS, contiguous: what the VM reads */
	uint8_t *group_polled;	/* per group: every UPS answered once */
	uint32_t *members;	/* UPS indexes grouped by group ... */
	uint32_t *group_first;	/* ... group g's are members[group_first[g] .. group_first[g + 1]) */
	uint64_t *group_power;	/* per group: POWERVAL of its UPS not on battery */
	uint64_t changes;	/* counts the changes of any UPS's state (a host saves it when it moved) */
	uint32_t *var_first;	/* UPS u's variables: img->uvars[var_first[u] .. var_first[u + 1]) */
	struct st_var *vars;	/* their values, by uvars index */
};

/* State for every UPS of IMG: on line, COMM, no status word, charge unknown. */
void st_init(struct st_plan *sp, const struct plan_image *img);
void st_free(struct st_plan *sp);

/*
 * Apply poll result P of UPS U: update its state and write the REPORTS
 * events it causes into OUT (room for ST_MAX_EVENTS pairs), in this order:
 *   1. the words of ups.status in the order upsd sent them: OL->OB,
 *      OB->OL and None->X for each status word X newly present;
 *   2. COMM->NOCOMM (no answer) or NOCOMM->COMM (answer after none);
 *   3. None->LB1, None->LB2, None->LB3 when battery.charge is at or below
 *      the UPS's threshold;
 *   4. None->LS when the group's POWERVAL of UPS not on battery is below
 *      MINSUPPLIES;
 *   5. X->None for every word no longer present, in table order
 *      (grammar/status.def: ALARM BOOST BYPASS CAL CHRG DISCHRG FSD LB LB1
 *      LB2 LB3 LS OFF OVER RB TEST TICK TOCK TRIM).
 * Without an answer only COMM->NOCOMM can fire: the last known status
 * words, charge and LB levels are kept.  Returns the number of events.
 */
uint32_t st_poll(struct st_plan *sp, uint32_t u, const struct st_poll *p, uint8_t *out);

/* Value of NUT variable NAME of UPS U as last polled, or NULL. */
const char *st_getvar(const struct st_plan *sp, uint32_t u, const char *name);

/* The slot of variable VAR of UPS U, or NULL when U's conditions do not read it. */
struct st_var *st_var(const struct st_plan *sp, uint32_t u, uint32_t var);

/* UPS U reports VALUE for variable VAR (NULL: it has none); 1 when the value changed. */
int st_set_var(struct st_plan *sp, uint32_t u, uint32_t var, const char *value);

/* Is UPS U on battery (table OL/OB holds OB)? */
int st_on_battery(const struct st_plan *sp, uint32_t u);
/* Is UPS U on battery or in forced shutdown (FSD), as last polled: may it be told to power off? */
int st_power_failing(const struct st_plan *sp, uint32_t u);

/* Name of table K: the word it holds when set ("ALARM" .. "TRIM", "OB", "NOCOMM"), or NULL. */
const char *st_table_name(unsigned k);

/* The state of UPS U into OUT (its status a copy: free it). */
void st_save(const struct st_plan *sp, uint32_t u, struct st_saved *out);

/*
 * Give UPS U the state IN (taken from any source: bits out of range are
 * dropped, the status is cut to ST_STATUS_MAX - 1 bytes), so that its
 * next poll fires only the changes since IN.  Call st_restored() once
 * after the last one.
 */
void st_restore(struct st_plan *sp, uint32_t u, const struct st_saved *in);

/* After st_restore(): the groups' supplies on line counted again, LS readiness judged again. */
void st_restored(struct st_plan *sp);

/* Record that the host sent SETFSD for UPS U. */
void st_note_fsd(struct st_plan *sp, uint32_t u);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* codegen.h - code generation: the semantic pass hands checked rules here, which build the plan image. */
#ifndef UPSPLAN_CODEGEN_H
#define UPSPLAN_CODEGEN_H

#include <stddef.h>
#include <stdint.h>

#include "engine/image.h"
#include "base/source.h"

struct cg;

/* A code generator writing into IMG; REG resolves locations for the pc map. */
struct cg *cg_new(struct plan_image *img, const struct src_registry *reg);
/* Free CG (not the image). */
void cg_free(struct cg *cg);

/*
 * Start the code of one WHEN clause of UPS: for event pair KEY (0..41)
 * when TIMEOUT is 0, else for the expiry of timer KEY.  Clauses with the
 * same UPS and key are joined, in file order, into one handler.  UPS
 * IMG_NONE starts a shared REPORTS clause (WHEN GROUP, WHEN /pattern/),
 * bound to its UPS by cg_bind().  Returns the clause's number.
 */
uint32_t cg_clause_begin(struct cg *cg, uint32_t ups, int timeout, uint32_t key);
/*
 * Run shared clause CLAUSE for UPS too.  UPS whose clauses for an event
 * are the same shared clauses share one handler; a UPS that also has
 * clauses of its own for the event gets its own handler with them all,
 * in file order.
 */
void cg_bind(struct cg *cg, uint32_t clause, uint32_t ups);
/* The next action runs only if event pair PAIR's state holds (IF a->b at LOC). */
void cg_cond(struct cg *cg, uint32_t pair, uint32_t loc);
/*
 * Conditions: emit their terms and operators with cg_op() (in postfix
 * order, each pushing its value), then cg_cond_jump(): the next action
 * runs only if the value is 1.
 */
void cg_cond_jump(struct cg *cg, uint32_t loc);
/* Index of NUT variable NAME (LEN bytes), which the current clause's UPS reads. */
uint32_t cg_var(struct cg *cg, const char *name, size_t len);
/* The same, read by the current clause of the named UPS UPS (an index of the image's ups), whatever UPS runs it. */
uint32_t cg_var_of(struct cg *cg, uint32_t ups, const char *name, size_t len);
/* Index of the comparison text S (LEN bytes). */
uint32_t cg_ctext(struct cg *cg, const char *s, size_t len);
/* Index of the regular expression S (LEN bytes, checked by the semantic pass). */
uint32_t cg_regex(struct cg *cg, const char *s, size_t len);
/* Emit instruction OP with its operands (unused ones 0) for the action at LOC. */
void cg_op(struct cg *cg, uint32_t loc, enum op op, uint32_t a, uint32_t b, uint32_t c, uint32_t d);
/*
 * Level rules (WHEN ups BECOMES ...): a new rule of UPS (IMG_NONE: shared
 * by a group or pattern, bound to each of its UPS by cg_level_bind) that
 * must hold for HOLD seconds, its index; then the code of each part: the
 * test (the condition, then OP_LEVEL), the actions when it fires, and
 * those of its CEASES clause.  cg_link() puts each part of a rule into one
 * handler, and makes a level rule of the image for each UPS bound to it.
 */
enum cg_level_part { CG_LEVEL_TEST, CG_LEVEL_ON, CG_LEVEL_OFF };
uint32_t cg_level_new(struct cg *cg, uint32_t ups, double hold);
void cg_level_bind(struct cg *cg, uint32_t rule, uint32_t ups);
void cg_level_begin(struct cg *cg, uint32_t rule, enum cg_level_part part);
/*
 * Alert rules (WHEN ALERT "name" FIRING | RESOLVED): start a clause of
 * rule RULE (an index of the image's arules, which the caller adds), of
 * its FIRING handler when FIRING, else of its RESOLVED one.  cg_link()
 * joins the clauses of each in file order and sets the rule's entries.
 */
void cg_alert_begin(struct cg *cg, uint32_t rule, int firing);
/* cg_excess.timeout of an alert rule's run: CG_ALERT + 1 FIRING, CG_ALERT RESOLVED (key: the rule) */
#define CG_ALERT 8u

/* End the current clause. */
void cg_clause_end(struct cg *cg);

/* Template index for the checked text S of LEN bytes. */
uint32_t cg_tpl(struct cg *cg, const char *s, size_t len);
/* Index of the number constant V. */
uint32_t cg_num(struct cg *cg, double v);

/* Bytes the clauses not yet linked will add to the image: code, pc map, TIMEOUT entries. */
uint64_t cg_pending_size(const struct cg *cg);

/*
 * Join the clauses into handlers: the UPS x event table (NUPS UPS) and the
 * TIMEOUT entries; write the code and the pc map into the image.
 */
void cg_link(struct cg *cg, uint32_t nups);

/* A run over the bounds of image.h (IMG_MAX_RUN_*), found by cg_link(). */
struct cg_excess {
	uint32_t off;		/* source offset of the run's first action */
	uint32_t timeout;	/* 1: the TIMEOUT clauses of timer KEY; 0: UPS's handler of pair KEY; 2-4: a level rule's;
				   CG_ALERT (+1): alert rule KEY's RESOLVED (FIRING) clauses, UPS IMG_NONE */
	uint32_t ups, key;
	char why[128];		/* what exceeds, from img_cost_excess() */
};

/* The runs over the bounds (*N of them), in link order; valid until cg_free(). */
const struct cg_excess *cg_excesses(const struct cg *cg, uint32_t *n);

#endif

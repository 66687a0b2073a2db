/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm.c - the bytecode VM: bounded handler runs, %(k)s rendering, effects queued for the host. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/argv.h"
#include "engine/events.h"
#include "engine/regex.h"
#include "engine/vm.h"
#include "base/buf.h"
#include "base/esc.h"
#include "base/xalloc.h"

#define VM_CHARGE_UNKNOWN "999"	/* UPSmon.py's value for an unknown charge */

struct vm {
	const struct plan_image *img;
	struct vm_host host;
	const uint32_t *tables;
	struct tmr_heap *timers;
	char *hostname, *banner;
	size_t hostname_len, banner_len;
	double min_start;	/* shortest STARTTIMER of this run: VM_MIN_REARM in a TIMEOUT run */
	uint32_t *shutdowns;	/* code offsets of the SHUTDOWNCMD instructions, ascending */
	uint32_t nshutdowns;
	char *names;		/* display names, NUL-separated */
	uint32_t *name_off, *name_len;
	uint32_t *timer_first;	/* per timer: first TIMEOUT entry; [ntimers] = end */
	/* per TIMEOUT entry: its first pc map entry (a handler's is looked up: that table is per UPS and pair, mostly empty) */
	uint32_t *tentry_loc;
	char *evbuf;		/* "TO->" + a timer name */
	struct rx **rx;		/* the image's regexes, compiled (verified: they compile) */
	uint32_t *marks;	/* per UPS: its set of marks (vm_marks()) */

	struct buf text;	/* rendered texts of the current run (no NUL kept at text.len) */
	struct vm_effect *eff;
	uint32_t neff;
	size_t effcap;
	const char **argv;	/* SHUTDOWNCMD arguments of the current run */
	size_t an, acap;

	/* the handler being run */
	uint32_t ups;
	const char *event;
	size_t event_len;
	char charge[IMG_CHARGE_TEXT];
	int charge_len;		/* -1: not read yet */
	uint32_t loc;		/* pc map cursor */
	uint32_t level;		/* LEVEL: the value of the test */
	/*
	 * The last template rendered in this handler and its text: the same
	 * message sent to NOTIFY, NUTLOG and WALL (UPSmon.py's idiom) renders
	 * to the same bytes in one handler, rendered once.  IMG_NONE: none.
	 */
	uint32_t last_tpl;
	const char *last_text;
	size_t last_len;

	struct vm_stats st;
};

static const char *const vm_names[] = {
#define OP(name, kind, a, b, c, d, in, out, meaning) #name,
#include "base/opcodes.def"
#undef OP
	"FAULT"
};

/* Words of each instruction, its operands included (opcodes.def). */
static const uint8_t vm_op_words[OP_COUNT] = {
#define OP(name, kind, a, b, c, d, in, out, meaning) [OP_##name] = 1 + OP_NOPS(a, b, c, d),
#include "base/opcodes.def"
#undef OP
};

_Static_assert(sizeof(IMG_VAR_UNKNOWN) <= IMG_VAR_TEXT + 1, "%(var:NAME)s: the unknown text fits its room");
_Static_assert(EV_NPAIRS < VM_LEVEL_PAIRS_BASE, "the runs of level rules are numbered above the event pairs");
_Static_assert(sizeof(VM_CHARGE_UNKNOWN) <= IMG_CHARGE_TEXT && 10 < IMG_CHARGE_TEXT,
	       "%(c)s: \"999\" and the 10 digits of a charge up to 1e9 fit");

const char *vm_effect_name(uint32_t k)
{
	return k <= VM_FAULT ? vm_names[k] : "?";
}

/* %(u)s: NUT's ups@host:port, with the group in front unless it is LOCAL; @localhost:3493 and :3493 dropped. */
static size_t vm_display(const struct plan_image *img, const struct img_ups *u, char *out)
{
	const struct img_group *g = &img->groups.v[u->group];
	const char *host = img_bytes(img, u->host);
	size_t n = 0;

	if (!(g->name.len == 5 && memcmp(img_bytes(img, g->name), "LOCAL", 5) == 0)) {
		memcpy(out + n, img_bytes(img, g->name), g->name.len);
		n += g->name.len;
		out[n++] = ':';
	}
	memcpy(out + n, img_bytes(img, u->name), u->name.len);
	n += u->name.len;
	if (u->port == 3493 && u->host.len == 9 && memcmp(host, "localhost", 9) == 0)
		return n;
	out[n++] = '@';
	memcpy(out + n, host, u->host.len);
	n += u->host.len;
	if (u->port != 3493)
		n += (size_t)sprintf(out + n, ":%u", u->port);
	return n;
}

/* Copy %(h)s and %(b)s; the callers check them, a longer one is cut so that the image's verified bounds hold. */
static void vm_host_strings(struct vm *vm, const char *hostname, const char *banner)
{
	vm->hostname_len = strlen(hostname);
	vm->banner_len = strlen(banner);
	if (vm->hostname_len > IMG_MAX_HOSTTEXT)
		vm->hostname_len = IMG_MAX_HOSTTEXT;
	if (vm->banner_len > IMG_MAX_HOSTTEXT)
		vm->banner_len = IMG_MAX_HOSTTEXT;
	vm->hostname = xstrndup(hostname, vm->hostname_len);
	vm->banner = xstrndup(banner, vm->banner_len);
}

/* Compute the display name of every UPS once, for %(u)s. */
static void vm_display_names(struct vm *vm)
{
	const struct plan_image *img = vm->img;
	size_t names = 0;

	vm->name_off = xcalloc(img->ups.n + 1, sizeof(uint32_t));
	vm->name_len = xcalloc(img->ups.n + 1, sizeof(uint32_t));
	for (uint32_t i = 0; i < img->ups.n; i++)
		names += img->groups.v[img->ups.v[i].group].name.len + img->ups.v[i].name.len +
			 img->ups.v[i].host.len + 16;
	vm->names = xrealloc(NULL, names + 1);
	names = 0;
	for (uint32_t i = 0; i < img->ups.n; i++) {
		size_t n = vm_display(img, &img->ups.v[i], vm->names + names);
		vm->names[names + n] = '\0';
		vm->name_off[i] = (uint32_t)names;
		vm->name_len[i] = (uint32_t)n;
		names += n + 1;
	}
}

/* Index the TIMEOUT entries by timer (sorted by timer: the verifier checked), with room for "TO->timer". */
static void vm_timer_index(struct vm *vm)
{
	const struct plan_image *img = vm->img;
	size_t maxt = 0;

	vm->timer_first = xcalloc(img->timers.n + 1, sizeof(uint32_t));
	for (uint32_t t = 0, e = 0; t <= img->timers.n; t++) {
		while (e < img->tentries.n && img->tentries.v[e].timer < t)
			e++;
		vm->timer_first[t] = e;
		if (t < img->timers.n && img->timers.v[t].len > maxt)
			maxt = img->timers.v[t].len;
	}
	for (uint32_t r = 0; r < img->arules.n; r++)	/* "ALERT name RESOLVED" */
		if (img->cstrs.v[img->arules.v[r].name].len + 11 > maxt)
			maxt = img->cstrs.v[img->arules.v[r].name].len + 11;
	vm->evbuf = xrealloc(NULL, maxt + 5);
}

/* The longest value of each substitution for this VM: its display names, host name and banner. */
static void vm_subst_bounds(const struct vm *vm, struct img_subst *s)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t i = 0; i < vm->img->ups.n; i++)
		if (vm->name_len[i] > s->len[TPL_UPS])
			s->len[TPL_UPS] = vm->name_len[i];
	s->len[TPL_CHARGE] = IMG_CHARGE_TEXT;
	s->len[TPL_EVENT] = img_event_max(vm->img);
	s->len[TPL_BANNER] = vm->banner_len;
	s->len[TPL_HOST] = vm->hostname_len;
	s->len[TPL_VAR] = IMG_VAR_TEXT;
}

/*
 * One pass over the code: the largest run of all into MOST, the run of
 * each TIMEOUT entry into TCOST (by tentries index), and the SHUTDOWNCMDs.
 */
static void vm_scan_code(struct vm *vm, const uint64_t *tb, struct img_cost *most, struct img_cost *tcost)
{
	const struct plan_image *img = vm->img;
	struct img_cost run = { 0 };
	uint32_t *tord = img_tentries_by_pc(img), t = 0;

	vm->shutdowns = xcalloc((size_t)img->code.n + 1, sizeof(uint32_t));
	for (uint32_t pc = 0, entry = 0; pc < img->code.n; pc += 1 + op_info(img->code.v[pc])->nops) {
		if (!op_info(img->code.v[pc]))	/* only in an unverified image: the run faults there */
			break;
		if (img->code.v[pc] == OP_SHUTDOWNCMD)
			vm->shutdowns[vm->nshutdowns++] = pc;
		img_op_cost(img, pc, tb, &run);
		if (img->code.v[pc] == OP_HALT) {
			img_cost_max(most, &run);
			for (; t < img->tentries.n && img->tentries.v[tord[t]].pc <= entry; t++)
				if (img->tentries.v[tord[t]].pc == entry)
					tcost[tord[t]] = run;
			memset(&run, 0, sizeof(run));
			entry = pc + 1;
		}
	}
	free(tord);
}

/*
 * Size every buffer for the largest run with the image's cost model.  A
 * run is a handler's, or all TIMEOUT clauses of a timer: the largest of
 * every single run (a clause's is no larger than its timer's sum) and of
 * the timers' sums.
 */
static void vm_size_buffers(struct vm *vm)
{
	const struct plan_image *img = vm->img;
	struct img_subst s;
	struct img_cost run, most = { 0 }, *tcost = xcalloc((size_t)img->tentries.n + 1, sizeof(*tcost));
	uint64_t *tb;

	vm_subst_bounds(vm, &s);
	tb = img_tpl_bounds(img, &s);
	vm_scan_code(vm, tb, &most, tcost);
	for (uint32_t t = 0; t < img->timers.n; t++) {
		memset(&run, 0, sizeof(run));
		for (uint32_t k = vm->timer_first[t]; k < vm->timer_first[t + 1]; k++)
			img_cost_add(&run, &tcost[k]);
		img_cost_max(&most, &run);
	}
	free(tb);
	free(tcost);
	buf_room(&vm->text, (size_t)most.room);	/* and one byte more */
	vm->effcap = (size_t)most.actions + 1;
	vm->eff = xcalloc(vm->effcap, sizeof(*vm->eff));
	vm->acap = (size_t)most.argv + 1;
	vm->argv = xcalloc(vm->acap, sizeof(*vm->argv));
}

/* Where each TIMEOUT entry starts in the pc map, so that a timer's run needs no search. */
static void vm_pc_map(struct vm *vm)
{
	const struct plan_image *img = vm->img;

	vm->tentry_loc = xcalloc(img->tentries.n + 1, sizeof(uint32_t));
	for (uint32_t i = 0; i < img->tentries.n; i++)
		vm->tentry_loc[i] = img_loc_find(img, img->tentries.v[i].pc);
}

/* Compile every pattern once; the verifier compiled each, so none fails here but for memory. */
static void vm_regexes(struct vm *vm)
{
	const struct plan_image *img = vm->img;
	char err[256];
	size_t off;

	vm->rx = xcalloc(img->regexes.n + 1, sizeof(*vm->rx));
	for (uint32_t i = 0; i < img->regexes.n; i++) {
		vm->rx[i] = rx_compile(img_bytes(img, img->regexes.v[i]), img->regexes.v[i].len, RX_JIT, err, sizeof(err), &off);
		if (!vm->rx[i])
			xalloc_fail();	/* the verifier compiled it: only memory can be short */
	}
}

struct vm *vm_new(const struct plan_image *img, const struct vm_host *host, const uint32_t *tables,
		  struct tmr_heap *timers, const char *hostname, const char *banner)
{
	struct vm *vm = xcalloc(1, sizeof(*vm));

	vm->img = img;
	vm->host = *host;
	vm->tables = tables;
	vm->timers = timers;
	vm->last_tpl = IMG_NONE;
	vm_host_strings(vm, hostname, banner);
	vm_display_names(vm);
	vm_timer_index(vm);
	vm_size_buffers(vm);
	vm_pc_map(vm);
	vm_regexes(vm);
	vm->marks = xcalloc((size_t)img->ups.n + 1, sizeof(uint32_t));
	return vm;
}

void vm_free(struct vm *vm)
{
	if (!vm)
		return;
	free(vm->hostname);
	free(vm->banner);
	free(vm->names);
	free(vm->name_off);
	free(vm->name_len);
	free(vm->timer_first);
	free(vm->tentry_loc);
	free(vm->evbuf);
	free(vm->shutdowns);
	free(vm->marks);
	for (uint32_t i = 0; vm->rx && i < vm->img->regexes.n; i++)
		rx_free(vm->rx[i]);
	free(vm->rx);
	buf_free(&vm->text);
	free(vm->eff);
	free(vm->argv);
	free(vm);
}

const char *vm_ups_display(const struct vm *vm, uint32_t ups)
{
	if (ups >= vm->img->ups.n)
		return "-";
	return vm->names + vm->name_off[ups];
}

const struct vm_stats *vm_get_stats(const struct vm *vm)
{
	return &vm->st;
}

const struct vm_effect *vm_effects(const struct vm *vm)
{
	return vm->eff;
}

/*
 * Make room for NEED more text bytes; effects already queued follow the
 * move.  Sized by vm_size_buffers(), the room is only checked here: no
 * buf_room() (which wants a byte more for its NUL) in a run, which must
 * not allocate.  A growth copies into a new buffer rather than
 * reallocating, so that the pointers of the effects and arguments into
 * the old one can be rebased before it is freed.
 */
static char *vm_text_room(struct vm *vm, size_t need)
{
	struct buf *t = &vm->text;

	if (t->len + need > t->cap) {
		struct buf nb = BUF_INIT;
		char *nt = buf_room(&nb, t->cap * 2 > t->len + need ? t->cap * 2 : t->len + need);

		memcpy(nt, t->p, t->len);
		nb.len = t->len;
		for (uint32_t i = 0; i < vm->neff; i++) {
			struct vm_effect *e = &vm->eff[i];
			if (e->text)
				e->text = nt + (e->text - t->p);
			for (int k = 0; k < 4; k++)
				if (e->field[k])
					e->field[k] = nt + (e->field[k] - t->p);
		}
		for (size_t i = 0; i < vm->an; i++)
			if (vm->argv[i])
				vm->argv[i] = nt + (vm->argv[i] - t->p);
		buf_free(t);
		*t = nb;
		vm->last_tpl = IMG_NONE;	/* its text was in the old buffer */
		vm->st.grows++;
	}
	return t->p + t->len;
}

/*
 * The common form of battery.charge, digits with perhaps a point and at
 * most 6 decimals (then blanks): its whole part into OUT, as strtod()
 * and the cast below give it (below 1e9 no decimal rounds up to the next
 * whole), without strtod()'s cost.  Returns its length, or 0 for any other
 * text (strtod() decides).
 */
static int vm_charge_plain(const char *v, char *out)
{
	int n = 0, dec = 0;

	while (*v == '0' && v[1] >= '0' && v[1] <= '9')
		v++;
	while (*v >= '0' && *v <= '9') {
		if (n == 9)
			return 0;
		out[n++] = *v++;
	}
	if (n == 0)
		return 0;
	if (*v == '.')
		for (v++; *v >= '0' && *v <= '9'; v++)
			if (++dec > 6)
				return 0;
	while (*v == ' ')
		v++;
	return *v ? 0 : n;
}

static const char *vm_charge(struct vm *vm, size_t *len)
{
	if (vm->charge_len < 0) {
		const char *v = vm->host.getvar && vm->ups < vm->img->ups.n ?
				vm->host.getvar(vm->host.ctx, vm->ups, "battery.charge") : NULL;
		char *end;
		double d;

		if (v && (vm->charge_len = vm_charge_plain(v, vm->charge)) > 0) {
			*len = (size_t)vm->charge_len;
			return vm->charge;
		}
		d = v ? strtod(v, &end) : NAN;
		if (v && end != v) {
			while (*end == ' ')
				end++;
		}
		if (!v || end == v || *end || !isfinite(d) || d < 0 || d > 1e9) {
			memcpy(vm->charge, VM_CHARGE_UNKNOWN, sizeof(VM_CHARGE_UNKNOWN));
			vm->charge_len = (int)sizeof(VM_CHARGE_UNKNOWN) - 1;
		} else {
			/* whole percent, rounded down: "87.5" gives 87 */
			char tmp[16];
			unsigned long x = (unsigned long)d;
			int n = 0;
			do {
				tmp[n++] = (char)('0' + x % 10);
				x /= 10;
			} while (x);
			for (int i = 0; i < n; i++)
				vm->charge[i] = tmp[n - 1 - i];
			vm->charge_len = n;
		}
	}
	*len = (size_t)vm->charge_len;
	return vm->charge;
}

/* Value of substitution KIND for the handler being run. */
static inline const char *vm_subst(struct vm *vm, uint32_t kind, size_t *len)
{
	switch (kind) {
	case TPL_UPS:
		if (vm->ups >= vm->img->ups.n) {	/* an alert rule's SHUTDOWNCMD asked for with a UPS handler's pc */
			*len = 1;
			return "-";
		}
		*len = vm->name_len[vm->ups];
		return vm->names + vm->name_off[vm->ups];
	case TPL_CHARGE:
		if (vm->charge_len >= 0) {	/* read already in this run */
			*len = (size_t)vm->charge_len;
			return vm->charge;
		}
		return vm_charge(vm, len);
	case TPL_EVENT:
		*len = vm->event_len;
		return vm->event;
	case TPL_BANNER:
		*len = vm->banner_len;
		return vm->banner;
	default:
		*len = vm->hostname_len;
		return vm->hostname;
	}
}

static const struct vm_value *vm_value(struct vm *vm, uint32_t var);

/*
 * %(var:NAME)s at OUT (room for IMG_VAR_TEXT bytes and a NUL): the value
 * escaped and cut, or IMG_VAR_UNKNOWN; its length.  No allocation.
 */
static size_t vm_var_text(struct vm *vm, uint32_t var, char *out)
{
	const struct vm_value *v = vm_value(vm, var);

	if (!v) {
		memcpy(out, IMG_VAR_UNKNOWN, sizeof(IMG_VAR_UNKNOWN));
		return sizeof(IMG_VAR_UNKNOWN) - 1;
	}
	return esc_bytes(out, IMG_VAR_TEXT + 1, v->text, v->len, 1);
}

/* Render template T into the text buffer, NUL-terminated. */
static const char *vm_render(struct vm *vm, uint32_t t, size_t *lenp)
{
	const struct plan_image *img = vm->img;
	const struct img_tpl *tp = &img->tpls.v[t];
	size_t need = 1, len;
	char *out;

	if (t == vm->last_tpl) {	/* rendered just before in this handler: the same bytes */
		*lenp = vm->last_len;
		return vm->last_text;
	}
	for (uint32_t i = 0; i < tp->count; i++) {
		const struct img_part *p = &img->parts.v[tp->first + i];
		if (p->kind == TPL_LIT)
			need += p->text.len;
		else if (p->kind == TPL_VAR)
			need += IMG_VAR_TEXT;	/* its longest: rendered once, below */
		else
			(void)vm_subst(vm, p->kind, &len), need += len;
	}
	out = vm_text_room(vm, need);
	len = 0;
	for (uint32_t i = 0; i < tp->count; i++) {
		const struct img_part *p = &img->parts.v[tp->first + i];
		const char *s;
		size_t n;
		if (p->kind == TPL_LIT) {
			s = img_bytes(img, p->text);
			n = p->text.len;
		} else if (p->kind == TPL_VAR) {
			len += vm_var_text(vm, p->text.off, out + len);
			continue;
		} else {
			s = vm_subst(vm, p->kind, &n);
		}
		memcpy(out + len, s, n);
		len += n;
	}
	out[len] = '\0';
	vm->text.len += len + 1;
	vm->last_tpl = t;
	vm->last_text = out;
	vm->last_len = len;
	*lenp = len;
	return out;
}

static const struct vm_effect vm_effect_zero;

static struct vm_effect *vm_effect(struct vm *vm, uint32_t kind, uint32_t pc)
{
	const struct plan_image *img = vm->img;
	struct vm_effect *e;

	if (vm->neff == vm->effcap) {
		vm->eff = xgrow(vm->eff, &vm->effcap, (size_t)vm->neff + 1, sizeof(*vm->eff));
		vm->st.grows++;
	}
	e = &vm->eff[vm->neff++];
	*e = vm_effect_zero;	/* a copy: GCC makes the memset of a small struct a slow rep stos */
	e->kind = kind;
	e->ups = vm->ups;
	e->pc = pc;
	while (vm->loc + 1 < img->pcmap.n && img->pcmap.v[vm->loc + 1].pc <= pc)
		vm->loc++;
	if (vm->loc < img->pcmap.n && img->pcmap.v[vm->loc].pc <= pc)
		e->loc = &img->pcmap.v[vm->loc];
	vm->st.effects++;
	return e;
}

/* SHUTDOWNCMD: split the rendered text into arguments (the verifier makes a failure impossible for plan texts). */
static void vm_argv(struct vm *vm, struct vm_effect *e)
{
	size_t errpos = 0, words_at;
	char *words = vm_text_room(vm, e->len + 1);
	int n = argv_split(e->text, e->len, words, &errpos);

	words_at = vm->text.len;
	if (n <= 0) {
		char *msg = vm_text_room(vm, IMG_FAULT_TEXT);
		int m = snprintf(msg, IMG_FAULT_TEXT, n == 0 ? "SHUTDOWNCMD renders to no command" :
				 "SHUTDOWNCMD text has an unclosed quote or a trailing backslash at byte %zu after substitution",
				 errpos + 1);
		e->kind = VM_FAULT;
		e->text = msg;
		e->len = (size_t)m < IMG_FAULT_TEXT ? (size_t)m : IMG_FAULT_TEXT - 1;
		vm->text.len += e->len + 1;
		return;
	}
	if (vm->an + (size_t)n + 1 > vm->acap) {
		/* a new array, as for the text: the effects' argv point into the old one until rebased */
		const char **old = vm->argv;
		size_t cap = vm->acap * 2;
		while (cap < vm->an + (size_t)n + 1)
			cap *= 2;
		vm->argv = xrealloc(NULL, cap * sizeof(*vm->argv));
		memcpy(vm->argv, old, vm->an * sizeof(*vm->argv));
		for (uint32_t i = 0; i < vm->neff; i++)
			if (vm->eff[i].argv)
				vm->eff[i].argv = vm->argv + (vm->eff[i].argv - old);
		free(old);
		vm->acap = cap;
		vm->st.grows++;
	}
	words = vm->text.p + words_at;	/* vm_text_room() may not move it: no call since */
	e->argv = vm->argv + vm->an;
	e->argc = (uint32_t)n;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(words);
		vm->argv[vm->an++] = words;
		words += l + 1;
	}
	vm->argv[vm->an++] = NULL;
	vm->text.len = (size_t)(words - vm->text.p);
}

/* Variable VAR of UPS, or NULL (the host told it is unknown). */
static const struct vm_value *vm_value_of(struct vm *vm, uint32_t ups, uint32_t var)
{
	const struct vm_value *v;

	if (ups >= vm->img->ups.n)	/* no UPS (an alert rule's run): unknown, and nothing to tell */
		return NULL;
	v = vm->host.value ? vm->host.value(vm->host.ctx, ups, var) : NULL;
	if (!v && vm->host.unknown)
		vm->host.unknown(vm->host.ctx, ups, var);
	return v;
}

/* Variable VAR of the UPS being run, or NULL (the host told it is unknown). */
static const struct vm_value *vm_value(struct vm *vm, uint32_t var)
{
	return vm_value_of(vm, vm->ups, var);
}

/* CMPNUM: a value that is no number compares false, whatever the operator. */
static uint32_t vm_cmpnum(const struct vm_value *v, uint32_t cmp, double k)
{
	double x;

	if (!v || isnan(v->num))
		return 0;
	x = v->num;
	switch (cmp) {
	case IMG_LT: return x < k;
	case IMG_LE: return x <= k;
	case IMG_GT: return x > k;
	case IMG_GE: return x >= k;
	case IMG_EQ: return x == k;
	default: return x != k;
	}
}

/* CMPTEXT: == or != on the exact bytes; an unknown value compares false. */
static uint32_t vm_cmptext(const struct plan_image *img, const struct vm_value *v, uint32_t cmp, uint32_t t)
{
	struct img_str s = img->ctexts.v[t];
	int eq;

	if (!v)
		return 0;
	eq = v->len == s.len && memcmp(v->text, img_bytes(img, s), s.len) == 0;
	return cmp == IMG_EQ ? (uint32_t)eq : (uint32_t)!eq;
}

/*
 * PVWITHOUT: the sum of POWERVAL of every UPS of the plan that does not
 * carry mark K (NUT upsmon's supply count: a critical UPS is marked, the
 * others supply), compared with the constant C.  Linear in the UPS of
 * the plan, without allocation.
 */
static uint32_t vm_pvwithout(const struct vm *vm, uint32_t k, uint32_t cmp, double c)
{
	const struct plan_image *img = vm->img;
	uint64_t sum = 0;
	struct vm_value v;

	for (uint32_t u = 0; u < img->ups.n; u++)
		if (!(vm->marks[u] >> k & 1u))
			sum += img->ups.v[u].powerval;
	v.text = "";
	v.len = 0;
	v.num = (double)sum;
	return vm_cmpnum(&v, cmp, c);
}

/* MARK (SET 1) or UNMARK (SET 0) mark K of the run's UPS: effect E, changed when it was not so. */
static void vm_mark(struct vm *vm, struct vm_effect *e, uint32_t k, int set)
{
	uint32_t *m = &vm->marks[vm->ups], bit = 1u << k;

	e->target = k;
	e->changed = set ? !(*m & bit) : !!(*m & bit);
	if (set)
		*m |= bit;
	else
		*m &= ~bit;
}

/* Run one handler from PC (its pc map entry LOC) for UPS; the verifier guaranteed every step. */
static void vm_exec(struct vm *vm, uint32_t pc, uint32_t loc, double time)
{
	const struct plan_image *img = vm->img;
	const uint32_t *code = img->code.v;
	uint32_t stack[IMG_MAX_STACK];
	uint32_t sp = 0;
	struct vm_effect *e;

	vm->loc = loc == IMG_NONE ? 0 : loc;
	vm->charge_len = -1;
	vm->last_tpl = IMG_NONE;	/* another UPS, another charge: render again */
	vm->st.runs++;
	for (;;) {
		uint32_t op = code[pc];

		vm->st.instructions++;
		switch (op) {
		case OP_HALT:
			return;
		case OP_STATE: {
			uint32_t pair = code[pc + 1];
			uint32_t bit = (vm->tables[vm->ups] >> ev_pair_table(pair)) & 1u;
			stack[sp++] = (pair & 1u) ? !bit : bit;
			break;
		}
		case OP_CMPNUM:
			stack[sp++] = vm_cmpnum(vm_value(vm, code[pc + 1]), code[pc + 2], img->consts.v[code[pc + 3]]);
			break;
		case OP_CMPNUMAT:
			stack[sp++] = vm_cmpnum(vm_value_of(vm, code[pc + 4], code[pc + 1]), code[pc + 2],
						img->consts.v[code[pc + 3]]);
			break;
		case OP_CMPTEXT:
			stack[sp++] = vm_cmptext(img, vm_value(vm, code[pc + 1]), code[pc + 2], code[pc + 3]);
			break;
		case OP_MATCH: {
			const struct vm_value *v = vm_value(vm, code[pc + 1]);
			stack[sp++] = v ? (uint32_t)rx_match(vm->rx[code[pc + 2]], v->text, v->len) : 0;
			break;
		}
		case OP_RUNNING:
			stack[sp++] = (uint32_t)!!tmr_running(vm->timers, code[pc + 1]);
			break;
		case OP_MARKED:
			stack[sp++] = vm->marks[vm->ups] >> code[pc + 1] & 1u;
			break;
		case OP_MARKEDAT:
			stack[sp++] = vm->marks[code[pc + 2]] >> code[pc + 1] & 1u;
			break;
		case OP_PVWITHOUT:
			stack[sp++] = vm_pvwithout(vm, code[pc + 1], code[pc + 2], img->consts.v[code[pc + 3]]);
			break;
		case OP_AND:
			sp--;
			stack[sp - 1] = stack[sp - 1] & stack[sp];
			break;
		case OP_OR:
			sp--;
			stack[sp - 1] = stack[sp - 1] | stack[sp];
			break;
		case OP_NOT:
			stack[sp - 1] = !stack[sp - 1];
			break;
		case OP_LEVEL:
			vm->level = stack[--sp];
			break;
		case OP_JUMPIFNOT:
			if (!stack[--sp]) {
				pc = code[pc + 1];
				continue;
			}
			break;
		case OP_NOTIFY:
		case OP_WALL:
		case OP_PRINT:
		case OP_EPRINT:
		case OP_NUTLOG:
		case OP_SHELLCMD:
			e = vm_effect(vm, op, pc);
			e->text = vm_render(vm, code[pc + 1], &e->len);
			break;
		case OP_SHUTDOWNCMD:
			e = vm_effect(vm, op, pc);
			e->text = vm_render(vm, code[pc + 1], &e->len);
			vm_argv(vm, e);
			break;
		case OP_SYSLOG:
			e = vm_effect(vm, op, pc);
			e->prio = code[pc + 1];
			e->text = vm_render(vm, code[pc + 2], &e->len);
			break;
		case OP_EMAIL:
			e = vm_effect(vm, op, pc);
			for (int k = 0; k < 4; k++)
				e->field[k] = vm_render(vm, code[pc + 1 + k], &e->flen[k]);
			break;
		case OP_SETFSD:
			e = vm_effect(vm, op, pc);
			e->target = code[pc + 1];
			break;
		case OP_DEBUG:
			e = vm_effect(vm, op, pc);
			e->level = code[pc + 1];
			break;
		case OP_STARTTIMER:
			e = vm_effect(vm, op, pc);
			e->target = code[pc + 1];
			e->seconds = img->consts.v[code[pc + 2]];
			if (e->seconds < vm->min_start)
				e->seconds = vm->min_start;
			e->deadline = time + e->seconds;
			e->was_running = tmr_start(vm->timers, e->target, e->deadline);
			break;
		case OP_CANCELTIMER:
			e = vm_effect(vm, op, pc);
			e->target = code[pc + 1];
			e->was_running = tmr_cancel(vm->timers, e->target);
			break;
		case OP_MARK:
		case OP_UNMARK:
			e = vm_effect(vm, op, pc);
			vm_mark(vm, e, code[pc + 1], op == OP_MARK);
			break;
		case OP_ALERT:
		case OP_RESOLVE:
		case OP_HOOKS:
			e = vm_effect(vm, op, pc);
			e->name = img_bytes(img, img->cstrs.v[code[pc + 1]]);
			e->name_len = img->cstrs.v[code[pc + 1]].len;
			if (op == OP_ALERT) {
				e->aux = img_bytes(img, img->cstrs.v[code[pc + 2]]);
				e->aux_len = img->cstrs.v[code[pc + 2]].len;
				e->text = vm_render(vm, code[pc + 3], &e->len);
			} else if (op == OP_HOOKS) {
				e->aux = vm->event;
				e->aux_len = vm->event_len;
				e->text = vm_render(vm, code[pc + 2], &e->len);
			}
			break;
		default: {
			/* not reachable in a verified image; report and stop this handler */
			char *msg = vm_text_room(vm, IMG_FAULT_TEXT);
			e = vm_effect(vm, VM_FAULT, pc);
			snprintf(msg, IMG_FAULT_TEXT, "unknown opcode %u", op);
			e->text = msg;
			e->len = strlen(msg);
			vm->text.len += e->len + 1;
			return;
		}
		}
		pc += vm_op_words[op];
	}
}

static void vm_reset(struct vm *vm)
{
	vm->last_tpl = IMG_NONE;
	vm->text.len = 0;
	vm->neff = 0;
	vm->an = 0;
}

uint32_t vm_run_event(struct vm *vm, const struct vm_event *ev)
{
	const struct plan_image *img = vm->img;
	uint32_t pc;

	vm_reset(vm);
	vm->min_start = 0;
	if (ev->ups >= img->ups.n || ev->pair >= EV_NPAIRS)
		return 0;
	pc = img->handlers.v[ev->ups * EV_NPAIRS + ev->pair];
	if (pc == IMG_NONE)
		return 0;
	vm->ups = ev->ups;
	vm->event = ev_pair_name(ev->pair);
	vm->event_len = strlen(vm->event);
	vm_exec(vm, pc, img_loc_find(img, pc), ev->time);
	return vm->neff;
}

int vm_level_test(struct vm *vm, uint32_t l)
{
	const struct plan_image *img = vm->img;
	const struct img_level *lv;

	if (l >= img->levels.n)
		return 0;
	lv = &img->levels.v[l];
	vm_reset(vm);
	vm->min_start = 0;
	vm->ups = lv->ups;
	vm->event = "BECOMES";
	vm->event_len = 7;
	vm->level = 0;
	vm_exec(vm, lv->test, 0, 0);	/* no actions (verified): no pc map needed */
	return (int)vm->level;
}

uint32_t vm_run_level(struct vm *vm, uint32_t l, int off, double time)
{
	const struct plan_image *img = vm->img;
	uint32_t pc;

	vm_reset(vm);
	vm->min_start = 0;
	if (l >= img->levels.n)
		return 0;
	pc = off ? img->levels.v[l].off : img->levels.v[l].on;
	if (pc == IMG_NONE)
		return 0;
	vm->ups = img->levels.v[l].ups;
	vm->event = off ? "CEASES" : "BECOMES";
	vm->event_len = strlen(vm->event);
	vm_exec(vm, pc, img_loc_find(img, pc), time);
	return vm->neff;
}

uint32_t vm_run_timeout(struct vm *vm, uint32_t t, double time)
{
	const struct plan_image *img = vm->img;
	size_t n;

	vm_reset(vm);
	vm->min_start = VM_MIN_REARM;
	if (t >= img->timers.n)
		return 0;
	n = img->timers.v[t].len;
	memcpy(vm->evbuf, "TO->", 4);
	memcpy(vm->evbuf + 4, img_bytes(img, img->timers.v[t]), n);
	vm->evbuf[4 + n] = '\0';
	vm->event = vm->evbuf;
	vm->event_len = 4 + n;
	for (uint32_t k = vm->timer_first[t]; k < vm->timer_first[t + 1]; k++) {
		vm->ups = img->tentries.v[k].ups;
		vm_exec(vm, img->tentries.v[k].pc, vm->tentry_loc[k], time);
	}
	return vm->neff;
}

/* %(e)s of alert rule R: "ALERT name FIRING" or "ALERT name RESOLVED" (in range: checked by the callers). */
static void vm_alert_event(struct vm *vm, uint32_t r, int firing)
{
	struct img_str n = vm->img->cstrs.v[vm->img->arules.v[r].name];

	vm->event_len = (size_t)sprintf(vm->evbuf, "ALERT %.*s %s", (int)n.len, img_bytes(vm->img, n),
					firing ? "FIRING" : "RESOLVED");
	vm->event = vm->evbuf;
}

uint32_t vm_run_alert(struct vm *vm, uint32_t r, int firing, double time)
{
	const struct plan_image *img = vm->img;
	uint32_t pc;

	vm_reset(vm);
	vm->min_start = 0;
	if (r >= img->arules.n)
		return 0;
	pc = firing ? img->arules.v[r].firing : img->arules.v[r].resolved;
	if (pc == IMG_NONE)
		return 0;
	vm->ups = IMG_NONE;	/* verified: the code reads nothing of a UPS of the run */
	vm_alert_event(vm, r, firing);
	vm_exec(vm, pc, img_loc_find(img, pc), time);
	return vm->neff;
}

uint32_t vm_render_shutdown(struct vm *vm, uint32_t pc, const struct vm_event *ev)
{
	const struct plan_image *img = vm->img;
	uint32_t lo = 0, hi = vm->nshutdowns, loc;
	struct vm_effect *e;

	vm_reset(vm);
	while (lo < hi) {	/* is PC one of the plan's SHUTDOWNCMDs? */
		uint32_t mid = lo + (hi - lo) / 2;
		if (vm->shutdowns[mid] < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == vm->nshutdowns || vm->shutdowns[lo] != pc)
		return 0;
	if (ev->pair >= VM_ALERT_PAIRS_BASE) {	/* an alert rule's: no UPS */
		uint32_t r = (ev->pair - VM_ALERT_PAIRS_BASE) / 2;
		if (r >= img->arules.n || ev->ups != IMG_NONE || ev->timer != IMG_NONE)
			return 0;
		vm_alert_event(vm, r, (ev->pair - VM_ALERT_PAIRS_BASE) % 2);
	} else if (ev->ups >= img->ups.n) {
		return 0;
	} else if (ev->timer != IMG_NONE) {
		size_t n;
		if (ev->timer >= img->timers.n)
			return 0;
		n = img->timers.v[ev->timer].len;
		memcpy(vm->evbuf, "TO->", 4);
		memcpy(vm->evbuf + 4, img_bytes(img, img->timers.v[ev->timer]), n);
		vm->evbuf[4 + n] = '\0';
		vm->event = vm->evbuf;
		vm->event_len = 4 + n;
	} else if (ev->pair >= VM_LEVEL_PAIRS_BASE) {
		uint32_t l = (ev->pair - VM_LEVEL_PAIRS_BASE) / 2, off = (ev->pair - VM_LEVEL_PAIRS_BASE) % 2;
		if (l >= img->levels.n || img->levels.v[l].ups != ev->ups)
			return 0;
		vm->event = off ? "CEASES" : "BECOMES";
		vm->event_len = strlen(vm->event);
	} else {
		if (ev->pair >= EV_NPAIRS)
			return 0;
		vm->event = ev_pair_name(ev->pair);
		vm->event_len = strlen(vm->event);
	}
	vm->ups = ev->ups;
	loc = img_loc_find(img, pc);
	vm->loc = loc == IMG_NONE ? 0 : loc;
	vm->charge_len = -1;
	e = vm_effect(vm, OP_SHUTDOWNCMD, pc);
	e->text = vm_render(vm, img->code.v[pc + 1], &e->len);
	vm_argv(vm, e);
	return 1;
}

uint32_t *vm_marks(struct vm *vm)
{
	return vm->marks;
}

const uint32_t *vm_marks_const(const struct vm *vm)
{
	return vm->marks;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* image.h - the plan image: bytecode, tables and source map that a compiled plan is made of. */
#ifndef UPSPLAN_IMAGE_H
#define UPSPLAN_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/*
 * A plan image is a set of flat arrays that refer to each other by index,
 * so that it can be written to a file and loaded back without pointer
 * fix-ups:
 *
 *   strings   one blob of bytes; a string is (offset, length) into it
 *   names     UPS, groups, timers, messages: strings
 *   templates each a run of parts: literal text, a %(k)s substitution, or
 *             a %(var:NAME)s (a variable of vars)
 *   consts    numbers (timer seconds)
 *   code      32-bit words: opcode, operands (base/opcodes.def)
 *   handlers  UPS x event pair -> entry pc, and per timer its TIMEOUT
 *             entries (one per UPS that has a TIMEOUT clause for it)
 *   pcmap     pc -> file, line, column of the action the code came from
 *   vars      names of the NUT variables conditions and texts read (OPK_VAR,
 *             TPL_VAR)
 *   uvars     (UPS, variable) pairs: which variables each UPS's rules read
 *   ctexts    texts that CMPTEXT compares with (OPK_TEXT)
 *   regexes   PCRE2 patterns of MATCH (OPK_RE), compiled when loaded
 *   levels    level rules (WHEN ups BECOMES cond FOR hold): UPS, the entry
 *             of the test (the condition, then LEVEL), of the actions
 *             when it fires and of the CEASES actions, the hold
 *   marks     names of the marks (MARK name): mark k is bit k of each
 *             UPS's mark set, so a plan has at most IMG_MAX_MARKS
 *   cstrs     constant strings of actions (OPK_STR): alert names and
 *             severities, hook directories
 *   amgrs     the Alertmanagers ALERT and RESOLVE send to (ALERTMANAGER)
 *   arules    alert rules (WHEN ALERT "name" FIRING | RESOLVED): the name
 *             (a cstrs index) and the entries of the two handlers
 */

#define IMG_MAGIC 0x4E4C5055u	/* "UPLN" little-endian */
#define IMG_VERSION 10u	/* 3: conditions on NUT variables (vars, uvars, ctexts, regexes); 4: level rules; 5: %(var:NAME)s parts;
			   6: NUMLOGINS (CMPNUMAT); 7: SHUTDOWNEXIT setting; 8: marks (MARK, UNMARK, MARKED, MARKEDAT, PVWITHOUT);
			   9: alerts and hooks (ALERT, RESOLVE, HOOKS; cstrs, amgrs); 10: alert rules (arules) */
#define IMG_NONE UINT32_MAX

/*
 * The variable slot of NUMLOGINS, upsd's count of the clients logged in to
 * a UPS: an entry of vars like any NUT variable (CMPNUM reads it), but the
 * host fills it from GET NUMLOGINS, not GET VAR.  Upper case: NUT's own
 * variable names are lower case, and the lexer reads the word as a keyword
 * in a condition, so no comparison of a NUT variable reaches this slot.
 */
#define IMG_VAR_NUMLOGINS "NUMLOGINS"

enum opk {
	OPK_NONE, OPK_OFF, OPK_PAIR, OPK_TPL, OPK_UPS, OPK_TIMER, OPK_NUM,
	OPK_PRIO, OPK_LEVEL, OPK_VAR, OPK_CMP, OPK_TEXT, OPK_RE, OPK_MARK, OPK_STR
};

/* Most mark names of a plan: a UPS's marks are one 32-bit set (E810). */
#define IMG_MAX_MARKS 32u

/* The comparisons of CMPNUM and CMPTEXT (OPK_CMP), in this order. */
enum img_cmp { IMG_LT, IMG_LE, IMG_GT, IMG_GE, IMG_EQ, IMG_NE, IMG_NCMP };

enum op {
#define OP(name, kind, a, b, c, d, in, out, meaning) OP_##name,
#include "base/opcodes.def"
#undef OP
	OP_COUNT
};

_Static_assert(OP_COUNT <= 256, "opcodes must fit in one byte");

struct op_info {
	const char *name;
	uint8_t kinds[4];	/* enum opk */
	uint8_t nops;		/* operand words */
	uint8_t action;		/* an ACTION row: an effect for the host */
	int8_t in, out;		/* stack effect */
	const char *meaning;
};

/* Description of opcode OP (NULL when OP is no opcode). */
const struct op_info *op_info(uint32_t op);

/* Operand words of an instruction whose operand kinds are A, B, C, D (opcodes.def). */
#define OP_NOPS(a, b, c, d) (((a) != OPK_NONE) + ((b) != OPK_NONE) + ((c) != OPK_NONE) + ((d) != OPK_NONE))

/* Longest text of %(c)s (battery.charge in whole percent, at most 1e9, or "999"). */
#define IMG_CHARGE_TEXT 24

struct img_str {
	uint32_t off, len;
};

/* Template part kinds: literal text, one substitution key, or %(var:NAME)s. */
enum tpl_kind {
	TPL_LIT, TPL_UPS, TPL_CHARGE, TPL_EVENT, TPL_BANNER, TPL_HOST, TPL_VAR
};

struct img_part {
	uint32_t kind;		/* enum tpl_kind */
	struct img_str text;	/* TPL_LIT: the text; TPL_VAR: off is the variable (index of vars), len 0 */
};

/*
 * %(var:NAME)s renders the value upsd gave, escaped (base/esc.h: a control
 * byte, a byte above 0x7e as \xNN, a backslash doubled) and cut to at most
 * IMG_VAR_TEXT bytes, ending in "..." when cut; a value upsd does not have
 * renders as IMG_VAR_UNKNOWN.  Never in a SHELLCMD or SHUTDOWNCMD template
 * (E871; the verifier refuses it too): the value comes from the network.
 */
#define IMG_VAR_TEXT 128u
#define IMG_VAR_UNKNOWN "(unknown)"

struct img_tpl {
	uint32_t first, count;	/* range in parts */
};

enum img_type { IMG_PRIMARY, IMG_SECONDARY, IMG_OBSERVER };

/*
 * How a group's upsd is reached: STARTTLS on upsd's port, TLS from the
 * first byte (a front end such as stunnel), or TLS NONE: plain TCP, only to
 * a loopback address (checked by the compiler and again by the daemon on
 * the connected socket).  Image version 2 had 0 and 1 only; the layout is
 * the same, and a reader that knows no IMG_TLS_NONE refuses the value.
 */
enum img_tls { IMG_TLS_STARTTLS, IMG_TLS_DIRECT, IMG_TLS_NONE };

struct img_ups {
	struct img_str name;
	uint32_t group;
	struct img_str host;
	uint32_t port;
	struct img_str user;
	struct img_str password;	/* see docs: stored, image file mode 0600 */
	uint32_t powerval;
	uint32_t type;		/* enum img_type */
	uint32_t lb[3];		/* LB1..LB3 thresholds, percent */
};

struct img_group {
	struct img_str name;
	struct img_str host;
	uint32_t port;
	struct img_str certfile;
	uint32_t minsupplies;
	uint32_t tls_mode;		/* enum img_tls */
	struct img_str certname;	/* name upsd's certificate must carry; empty: its host */
	struct img_str clientcert, clientkey;	/* client certificate and key files; empty: none */
};

/* A named message (LET, and the built-in hostname), for listings. */
struct img_msg {
	struct img_str name;
	uint32_t tpl;
};

/* One TIMEOUT entry: when TIMER expires, run PC with UPS as %(u)s. */
struct img_tentry {
	uint32_t timer, ups, pc;
};

struct img_loc {
	uint32_t pc, file, line, col;
};

/* UPS UPS's rules read NUT variable VAR (the host polls it). */
struct img_uvar {
	uint32_t ups, var;
};

/*
 * A level rule of UPS: after each poll of UPS the engine runs TEST (code
 * that only computes the condition, ending in LEVEL); when the value has
 * been 1 for consts[HOLD] seconds ON runs once, and OFF (IMG_NONE: none)
 * runs when the value is 0 again after ON ran.
 */
struct img_level {
	uint32_t ups, test, on, off, hold;
};

struct img_settings {
	double pollfreq, pollfreqalert;
	struct img_str smtp_server, smtp_user, smtp_password;
	uint32_t smtp_port;	/* 0: no SMTPSERVER */
	double shutdown_exit;	/* SHUTDOWNEXIT: IMG_SHUTDOWNEXIT_NO, 0 (yes: at once) or seconds after the SHUTDOWNCMD starts */
};

#define IMG_SHUTDOWNEXIT_NO (-1.0)

/*
 * An Alertmanager (ALERTMANAGER): its base URL, http(s)://host[:port][/prefix]
 * (the sender appends /api/v2/alerts; http:// only to a loopback host), the
 * CA file of an https:// one, and its authentication: a bearer token, or a
 * user and password (HTTP basic), or none (each empty when not set).  The
 * token and the password are secrets: never shown (disasm says "(set)").
 */
struct img_amgr {
	struct img_str url, cafile, bearer, user, password;
};

/*
 * The rules of one alert name (WHEN ALERT "name" FIRING | RESOLVED): NAME
 * a cstrs index, FIRING and RESOLVED handler entries (IMG_NONE: none).  A
 * run has no UPS: its code reads nothing of one (the verifier checks), and
 * %(e)s is "ALERT name FIRING" or "ALERT name RESOLVED".
 */
struct img_arule {
	uint32_t name, firing, resolved;
};

#define IMG_VEC(type) struct { type *v; uint32_t n, cap; }

struct plan_image {
	IMG_VEC(char) strings;
	IMG_VEC(struct img_str) files;		/* source file names */
	IMG_VEC(struct img_ups) ups;
	IMG_VEC(struct img_group) groups;
	IMG_VEC(struct img_str) timers;
	IMG_VEC(struct img_msg) msgs;
	IMG_VEC(struct img_part) parts;
	IMG_VEC(struct img_tpl) tpls;
	IMG_VEC(double) consts;
	IMG_VEC(uint32_t) code;
	IMG_VEC(uint32_t) handlers;	/* ups * EV_NPAIRS + pair -> pc, IMG_NONE */
	IMG_VEC(struct img_tentry) tentries;	/* sorted by timer, then ups */
	IMG_VEC(struct img_loc) pcmap;		/* sorted by pc */
	IMG_VEC(struct img_str) vars;		/* distinct NUT variable names */
	IMG_VEC(struct img_uvar) uvars;		/* sorted by UPS, then variable, no repeats */
	IMG_VEC(struct img_str) ctexts;		/* comparison texts */
	IMG_VEC(struct img_str) regexes;	/* pattern sources (UTF-8) */
	IMG_VEC(struct img_level) levels;	/* level rules, in file order */
	IMG_VEC(struct img_str) marks;		/* mark names; mark k is bit k (at most IMG_MAX_MARKS) */
	IMG_VEC(struct img_str) cstrs;		/* constant strings of actions (OPK_STR) */
	IMG_VEC(struct img_amgr) amgrs;		/* the Alertmanagers, in plan order */
	IMG_VEC(struct img_arule) arules;	/* alert rules, one per alert name, in plan order */
	struct img_settings settings;
};

/* Make room for NEED elements of size ELEM in the vector (*V, *CAP). */
void img_grow(void **v, uint32_t *cap, size_t elem, uint32_t need);

/* Append one zeroed element to image vector VEC and point P at it. */
#define IMG_PUSH(vec, p) \
	do { \
		img_grow((void **)&(vec).v, &(vec).cap, sizeof(*(vec).v), (vec).n + 1); \
		(p) = &(vec).v[(vec).n++]; \
		memset((p), 0, sizeof(*(p))); \
	} while (0)

/* Copy LEN bytes at S into the string blob (NUL-terminated there). */
struct img_str img_add_str(struct plan_image *img, const char *s, size_t len);

/*
 * Add a template for the text S (LEN bytes), already checked by the
 * semantic pass: %(u)s %(c)s %(e)s %(b)s %(h)s become substitution parts,
 * %% a literal percent sign.  Returns its index.  %(var:NAME)s becomes a
 * TPL_VAR part of the variable VAR(CTX, NAME, its length) returns;
 * without VAR (img_add_tpl()) it stays literal text.
 */
uint32_t img_add_tpl_vars(struct plan_image *img, const char *s, size_t len,
			  uint32_t (*var)(void *ctx, const char *name, size_t len), void *ctx);
uint32_t img_add_tpl(struct plan_image *img, const char *s, size_t len);

/*
 * Serialise IMG into a new buffer (*BUFP, *LENP bytes; free it): header
 * with magic number, format version and checksum, then the sections.
 */
void img_encode(const struct plan_image *img, unsigned char **bufp, size_t *lenp);

#define IMG_DECODE_NO_CHECKSUM 1	/* for the fuzzer: reach the verifier */

/*
 * Read the LEN bytes at BUF into IMG (overwritten).  Returns 0, or -1 with
 * a message in ERR (ERRLEN bytes) and IMG empty.  The result is not yet
 * verified: call img_verify() before running it.
 */
int img_decode(const unsigned char *buf, size_t len, int flags, struct plan_image *img,
	       char *err, size_t errlen);

/* Checksum of the LEN bytes at P, as stored in the image header. */
uint64_t img_checksum(const unsigned char *p, size_t len);

/*
 * Check that IMG is safe to run: every opcode and operand in range, jumps
 * forward to instruction starts inside their handler, stack depth
 * consistent and bounded, strings and names inside the blob, handler and
 * TIMEOUT tables pointing at handler entries, pc map sorted.  Returns 0,
 * or -1 with the first problem in ERR.
 */
int img_verify(const struct plan_image *img, char *err, size_t errlen);

/* Most values on the condition stack of any handler. */
#define IMG_MAX_STACK 16

/*
 * Bounds of one run (one handler, or every TIMEOUT clause of one timer),
 * checked by the compiler (E590) and the verifier, so that the buffers the
 * VM sizes for its largest run stay small: actions emitted, and bytes
 * rendered with every substitution counted at its longest possible value.
 */
#define IMG_MAX_RUN_ACTIONS 65536u
#define IMG_MAX_RUN_TEXT (64u << 20)
/* Longest %(h)s host name and %(b)s banner a host may pass to vm_new(). */
#define IMG_MAX_HOSTTEXT 320u

/*
 * Bounds of compiling a plan, so that no plan, however small, makes the
 * compiler (check, compile, disasm, simulate, a reload of the daemon)
 * take more than a bounded memory and time.  Messages substitute into
 * each other, so texts could grow exponentially with the plan: each text
 * is bounded while it is being built (E591), and so is all the text the
 * compiler builds (E592); what else the image holds grows linearly with
 * the plan, and the whole image is bounded too (E592 again), also when an image
 * file is read.  The unit test of the bounds compiles the engine with
 * smaller values, which is why they can be set from outside.
 *
 *   IMG_MAX_TEXT        bytes of one text with its messages substituted:
 *                       a LET message, the text of an action, an EMAIL
 *                       field, a value (PASSWORD, CERTFILE, ...)
 *   IMG_MAX_TEXT_WORK   bytes of text built for the whole plan: every
 *                       text made of several parts, or copied, counts
 *                       in full (one message used alone is shared)
 *   IMG_MAX_SIZE        bytes of a plan image, as written to a file
 */
#ifndef IMG_MAX_TEXT
#define IMG_MAX_TEXT (64u << 10)
#endif
#ifndef IMG_MAX_TEXT_WORK
#define IMG_MAX_TEXT_WORK (32u << 20)
#endif
#ifndef IMG_MAX_SIZE
#define IMG_MAX_SIZE (256u << 20)
#endif

/* Bytes IMG takes once written by img_encode(), from its element counts. */
uint64_t img_size(const struct plan_image *img);

/* Room for one fault message of the VM (a SHUTDOWNCMD that does not split, an unknown opcode). */
#define IMG_FAULT_TEXT 256

/*
 * What one run can cost.  TEXT is what the bounds (E590) count: every
 * text rendered, its NUL included, and a SHUTDOWNCMD's text twice (the
 * text and its words).  ROOM is the text buffer the VM needs: TEXT and,
 * per SHUTDOWNCMD, IMG_FAULT_TEXT more, should its words be a fault.
 */
struct img_cost {
	uint64_t actions;	/* effects queued */
	uint64_t text;		/* bytes of text */
	uint64_t room;		/* bytes of the VM's text buffer */
	uint64_t argv;		/* SHUTDOWNCMD argument slots, each vector's NULL included */
};

/* Longest value any substitution can take in IMG (names, event names, hosts). */
uint64_t img_subst_max(const struct plan_image *img);

/* Longest %(e)s of IMG: the name of an event pair, or TO-> and a timer's name. */
uint64_t img_event_max(const struct plan_image *img);

/* The longest text of each substitution, by enum tpl_kind ([TPL_LIT] unused). */
struct img_subst {
	uint64_t len[TPL_VAR + 1];
};

/*
 * The most bytes each template can render (its NUL included), substitution
 * K at S->len[K], or when S is NULL every one at img_subst_max() (what the
 * compiler and the verifier bound); an array of tpls.n values to free.  The
 * parts of the templates must be in range (verified).
 */
uint64_t *img_tpl_bounds(const struct plan_image *img, const struct img_subst *s);

/* Add to C the cost of the instruction at PC (operands in range), TB from img_tpl_bounds(). */
void img_op_cost(const struct plan_image *img, uint32_t pc, const uint64_t *tb, struct img_cost *c);

/* Add cost C to SUM (the runs of one timer's TIMEOUT clauses make one run). */
void img_cost_add(struct img_cost *sum, const struct img_cost *c);

/* Raise each field of MOST to that of C where C's is larger. */
void img_cost_max(struct img_cost *most, const struct img_cost *c);

/*
 * The TIMEOUT entries of IMG in code order: their indexes into tentries,
 * sorted by pc (an array of tentries.n to free).  A pass over the code
 * meets them in this order, so that it can note the cost of each clause's
 * run where it ends, with no search.
 */
uint32_t *img_tentries_by_pc(const struct plan_image *img);

/* NULL when C is within the bounds, or what exceeds them, as a phrase. */
const char *img_cost_excess(const struct img_cost *c, char *buf, size_t len);

/* Index of the last pc map entry at or before PC (the action PC belongs to), or IMG_NONE. */
uint32_t img_loc_find(const struct plan_image *img, uint32_t pc);

/* Free every array of IMG. */
void img_free(struct plan_image *img);

/*
 * The first byte of the LEN bytes at P that breaks the rule of alert names
 * and severities, [A-Za-z_][A-Za-z0-9_]* (a Prometheus label value any
 * tool can match), or -1 when none does (LEN 0: 0).
 */
static inline long img_ident_bad(const char *p, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9')))
			return (long)i;
	}
	return -1;
}

/* Pointer to the bytes of S (not NUL-terminated). */
static inline const char *img_bytes(const struct plan_image *img, struct img_str s)
{
	return img->strings.v + s.off;
}

#endif

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
 *   templates each a run of parts: literal text or a %(k)s substitution
 *   consts    numbers (timer seconds)
 *   code      32-bit words: opcode, operands (engine/opcodes.def)
 *   handlers  UPS x event pair -> entry pc, and per timer its TIMEOUT
 *             entries (one per UPS that has a TIMEOUT clause for it)
 *   pcmap     pc -> file, line, column of the action the code came from
 */

#define IMG_MAGIC 0x4E4C5055u	/* "UPLN" little-endian */
#define IMG_VERSION 1u
#define IMG_NONE UINT32_MAX

enum opk {
	OPK_NONE, OPK_OFF, OPK_PAIR, OPK_TPL, OPK_UPS, OPK_TIMER, OPK_NUM,
	OPK_PRIO, OPK_LEVEL
};

enum op {
#define OP(name, a, b, c, d, in, out, meaning) OP_##name,
#include "engine/opcodes.def"
#undef OP
	OP_COUNT
};

_Static_assert(OP_COUNT <= 256, "opcodes must fit in one byte");

struct op_info {
	const char *name;
	uint8_t kinds[4];	/* enum opk */
	uint8_t nops;		/* operand words */
	int8_t in, out;		/* stack effect */
	const char *meaning;
};

/* Description of opcode OP (NULL when OP is no opcode). */
const struct op_info *op_info(uint32_t op);

struct img_str {
	uint32_t off, len;
};

/* Template part kinds: literal text or one substitution key. */
enum tpl_kind {
	TPL_LIT, TPL_UPS, TPL_CHARGE, TPL_EVENT, TPL_BANNER, TPL_HOST
};

struct img_part {
	uint32_t kind;		/* enum tpl_kind */
	struct img_str text;	/* TPL_LIT only */
};

struct img_tpl {
	uint32_t first, count;	/* range in parts */
};

enum img_type { IMG_PRIMARY, IMG_SECONDARY, IMG_OBSERVER };

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
};

/* One TIMEOUT entry: when TIMER expires, run PC with UPS as %(u)s. */
struct img_tentry {
	uint32_t timer, ups, pc;
};

struct img_loc {
	uint32_t pc, file, line, col;
};

struct img_settings {
	double pollfreq, pollfreqalert;
	struct img_str smtp_server, smtp_user, smtp_password;
	uint32_t smtp_port;	/* 0: no SMTPSERVER */
};

#define IMG_VEC(type) struct { type *v; uint32_t n, cap; }

struct plan_image {
	IMG_VEC(char) strings;
	IMG_VEC(struct img_str) files;		/* source file names */
	IMG_VEC(struct img_ups) ups;
	IMG_VEC(struct img_group) groups;
	IMG_VEC(struct img_str) timers;
	IMG_VEC(struct img_part) parts;
	IMG_VEC(struct img_tpl) tpls;
	IMG_VEC(double) consts;
	IMG_VEC(uint32_t) code;
	IMG_VEC(uint32_t) handlers;	/* ups * EV_NPAIRS + pair -> pc, IMG_NONE */
	IMG_VEC(struct img_tentry) tentries;	/* sorted by timer, then ups */
	IMG_VEC(struct img_loc) pcmap;		/* sorted by pc */
	struct img_settings settings;
};

/* Free every array of IMG. */
void img_free(struct plan_image *img);

/* Pointer to the bytes of S (not NUL-terminated). */
static inline const char *img_bytes(const struct plan_image *img, struct img_str s)
{
	return img->strings.v + s.off;
}

#endif

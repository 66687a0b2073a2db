/* SPDX-License-Identifier: GPL-2.0-or-later */
/* symtab.h - string-keyed hash table (open addressing) mapping names to indexes. */
#ifndef UPSPLAN_SYMTAB_H
#define UPSPLAN_SYMTAB_H

#include <stddef.h>
#include <stdint.h>

struct symtab_slot {
	const char *key;	/* not owned: points into source text or static storage */
	uint32_t len;
	uint32_t hash;
	uint32_t value;
};

struct symtab {
	struct symtab_slot *slots;
	size_t cap, count;	/* cap is a power of two */
};

/* Initialise an empty table. */
void symtab_init(struct symtab *t);
/* Free the table (not the keys). */
void symtab_free(struct symtab *t);
/* Value of KEY, or -1 when absent. */
int64_t symtab_get(const struct symtab *t, const char *key, size_t len);
/* Insert or replace KEY -> VALUE; KEY must outlive the table. */
void symtab_put(struct symtab *t, const char *key, size_t len, uint32_t value);

#endif

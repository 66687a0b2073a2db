/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-symtab.c - unit tests of the symbol table: look-ups, and names chosen to collide do not pile into one chain. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/symtab.h"
#include "tests/unit/tap.h"

#define NNAMES 1500u
#define BITS 11u	/* the table of NNAMES names has 2^BITS slots */

/* Plain FNV-1a, the hash a plan author can compute. */
static uint32_t fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

int main(void)
{
	static char names[NNAMES][16];
	struct symtab t;
	uint64_t moved = 0;
	size_t n = 0, found = 0;

	/* names whose plain FNV-1a agrees in the bits that pick the slot */
	for (unsigned long i = 0; n < NNAMES; i++) {
		int len = snprintf(names[n], sizeof(names[n]), "m%lx", i);
		if ((fnv1a(names[n], (size_t)len) & ((1u << BITS) - 1)) == 0)
			n++;
	}
	symtab_init(&t);
	for (uint32_t i = 0; i < NNAMES; i++)
		symtab_put(&t, names[i], strlen(names[i]), i);
	is_int((long long)t.cap, 1LL << BITS, "%u names fill a table of %u slots", NNAMES, 1u << BITS);
	for (uint32_t i = 0; i < NNAMES; i++)
		found += symtab_get(&t, names[i], strlen(names[i])) == (int64_t)i;
	is_int((long long)found, NNAMES, "every name is found with its value");
	is_int(symtab_get(&t, "m", 1), -1, "a name not put is not found");
	/* how far each name sits from its home slot: the steps of its look-up */
	for (size_t i = 0; i < t.cap; i++)
		if (t.slots[i].key)
			moved += (i - (t.slots[i].hash & (t.cap - 1))) & (t.cap - 1);
	ok(moved < 20 * NNAMES, "names colliding under plain FNV-1a are spread: %llu steps in all (piled up: %u)",
	   (unsigned long long)moved, NNAMES * (NNAMES - 1) / 2);
	symtab_free(&t);
	return done_testing();
}

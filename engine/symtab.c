/* SPDX-License-Identifier: GPL-2.0-or-later */
/* symtab.c - string-keyed hash table (seeded FNV-1a, linear probing). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "engine/symtab.h"
#include "base/xalloc.h"

/*
 * A seed drawn once per process: a plan cannot be written with names
 * that all fall into one chain of the table, which would make every
 * look-up walk the chain (time quadratic in the number of names).  The
 * order of the slots is never shown, so nothing else depends on it.
 */
static uint32_t symtab_seed(void)
{
	static uint32_t seed;
	static int drawn;

	if (!drawn) {
		if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
			seed = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16);
		drawn = 1;
	}
	return seed;
}

/* FNV-1a from a seeded basis, then a final mix so that the low bits (the slot) depend on every byte. */
static uint32_t symtab_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u ^ symtab_seed();

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

void symtab_init(struct symtab *t)
{
	memset(t, 0, sizeof(*t));
}

void symtab_free(struct symtab *t)
{
	free(t->slots);
	symtab_init(t);
}

static struct symtab_slot *symtab_find(const struct symtab *t, const char *key,
				       size_t len, uint32_t h)
{
	size_t mask = t->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct symtab_slot *s = &t->slots[i];
		if (!s->key || (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0))
			return s;
	}
}

int64_t symtab_get(const struct symtab *t, const char *key, size_t len)
{
	struct symtab_slot *s;

	if (!t->cap)
		return -1;
	s = symtab_find(t, key, len, symtab_hash(key, len));
	return s->key ? (int64_t)s->value : -1;
}

static void symtab_grow(struct symtab *t)
{
	struct symtab old = *t;

	t->cap = old.cap ? old.cap * 2 : 8;
	t->count = 0;
	t->slots = xcalloc(t->cap, sizeof(*t->slots));
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key) {
			*symtab_find(t, old.slots[i].key, old.slots[i].len, old.slots[i].hash) = old.slots[i];
			t->count++;
		}
	free(old.slots);
}

void symtab_put(struct symtab *t, const char *key, size_t len, uint32_t value)
{
	uint32_t h = symtab_hash(key, len);
	struct symtab_slot *s;

	if ((t->count + 1) * 5 > t->cap * 4)	/* load factor 0.8 */
		symtab_grow(t);
	s = symtab_find(t, key, len, h);
	if (!s->key) {
		s->key = key;
		s->len = (uint32_t)len;
		s->hash = h;
		t->count++;
	}
	s->value = value;
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stdlib.c - the standard rule files for INCLUDE <name>: the installed directory first, the compiled-in copy as fallback. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/common/stdlib.h"
#include "grammar/parse.h"

#ifndef UPSPLAN_RULESDIR
#define UPSPLAN_RULESDIR "/usr/share/upsplan/rules"
#endif

const char *stdlib_text(const char *name)
{
	for (const struct stdlib_rule *r = stdlib_rules; r->name; r++)
		if (strcmp(r->name, name) == 0)
			return r->text;
	return NULL;
}

const char *stdlib_rules_dir(void)
{
	const char *env = getenv("UPSPLAN_RULES_DIR");

	if (env)
		return env[0] ? env : NULL;
	return UPSPLAN_RULESDIR;
}

const char *stdlib_includable(void)
{
	static char names[512];

	if (!names[0])
		for (const struct stdlib_rule *r = stdlib_rules; r->name; r++) {
			size_t len = strlen(names), klen;
			const char *key;

			if (!parse_placeholder(r->text, &key, &klen) && len + strlen(r->name) + 3 < sizeof(names))
				snprintf(names + len, sizeof(names) - len, "%s%s", len ? ", " : "", r->name);
		}
	return names;
}

void stdlib_include_setup(struct src_include *inc, size_t max,
			  int (*check)(void *arg, const struct src_file *f, const struct stat *st,
				       struct diag_queue *dq), void *arg)
{
	memset(inc, 0, sizeof(*inc));
	inc->rules_dir = stdlib_rules_dir();
	inc->builtin = stdlib_text;
	inc->rule_names = stdlib_includable();
	inc->check = check;
	inc->check_arg = arg;
	inc->max = max;
}

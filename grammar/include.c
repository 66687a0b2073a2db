/* SPDX-License-Identifier: GPL-2.0-or-later */
/* include.c - INCLUDE "file" and INCLUDE <rule file>: find, read, vet and parse the included file in place. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/diag.h"
#include "base/xalloc.h"
#include "grammar/parse-int.h"

/*
 * Files nested deeper than this are refused (E122): a real plan needs two
 * or three levels; sixteen leave room and keep a runaway chain (a file
 * including a copy of itself under another name) short.
 */
#define INC_MAX_DEPTH 16

/* The file of the include chain ending at F (F included) that is the file (DEV, INO), or NAME for a text in memory. */
static const struct src_file *inc_on_chain(const struct src_file *f, dev_t dev, ino_t ino, const char *name)
{
	for (; f; f = f->parent)
		if (f->ino ? f->dev == dev && f->ino == ino : ino == 0 && strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* Bytes of the opening (and closing) mark of the quoted text at S: 1, 2 (« ») or 3 (⎡ ⎦, ⸢ ⸥). */
static size_t inc_mark_len(const char *s)
{
	unsigned char c = (unsigned char)s[0];

	return c == 0xC2 ? 2 : c == 0xE2 ? 3 : 1;
}

/* Is NAME (LEN bytes) a plain file name: letters, digits, '.', '_', '-', not starting with '.'? */
static int inc_rule_name_ok(const char *name, size_t len)
{
	if (len == 0 || name[0] == '.')
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", name[i]))
			return 0;
	return 1;
}

/* The command that fills the template NAME in: migrate for NUT's upsmon policy, generate for the others. */
static const char *inc_template_tool(const char *name)
{
	static const struct { const char *name, *tool; } tools[] = {
		{ "nut-upsmon.rules", "upsplan migrate" },
	};

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(name, tools[i].name) == 0)
			return tools[i].tool;
	return "upsplan generate";
}

int parse_placeholder(const char *text, const char **key, size_t *klen)
{
	for (const char *at = strchr(text, '@'); at; at = strchr(at + 1, '@')) {
		size_t n = strspn(at + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");

		if (n && at[1 + n] == '@') {
			*key = at;
			*klen = n + 2;
			return 1;
		}
	}
	return 0;
}

/* INCLUDE <NAME>: the installed rule file, else the compiled-in copy; NULL with the diagnostic queued. */
static struct src_file *inc_rule_file(struct parse_ctx *pc, src_span arg, const char *name, struct stat *st)
{
	const struct src_include *inc = pc->reg->include;
	const char *names = inc && inc->rule_names ? inc->rule_names : NULL;
	const char *text;
	struct src_file *f;
	char err[1024];

	if (inc && inc->rules_dir) {
		size_t n = strlen(inc->rules_dir) + strlen(name) + 2;
		char *path = xrealloc(NULL, n);

		snprintf(path, n, "%s/%s", inc->rules_dir, name);
		f = src_load_stat(pc->reg, path, st, inc->max, err, sizeof(err));
		free(path);
		if (f)
			return f;
		if (errno != ENOENT) {	/* installed but unusable: never a silent fallback */
			diag_at(pc->dq, DIAG_INCLUDE_READ, arg, "cannot include <%s>: %s", name, err);
			return NULL;
		}
	}
	text = inc && inc->builtin ? inc->builtin(name) : NULL;
	if (!text) {
		struct diag_record *r = diag_at(pc->dq, DIAG_INCLUDE_RULES, arg, "there is no standard rule file <%s>",
						name);
		if (names)
			diag_note(pc->dq, r, 0, arg, "the standard rule files that can be included are: %s", names);
		else
			diag_note(pc->dq, r, 0, arg, "write INCLUDE \"%s\" to include a file of your own", name);
		return NULL;
	}
	size_t n = strlen(name) + 3;
	char *shown = xrealloc(NULL, n);

	snprintf(shown, n, "<%s>", name);
	f = src_add_text(pc->reg, shown, text, strlen(text));
	free(shown);
	if (!f)
		diag_at(pc->dq, DIAG_INCLUDE_READ, arg, "cannot include <%s>: the files read so far take 2 GiB", name);
	memset(st, 0, sizeof(*st));
	return f;
}

/* INCLUDE "PATH": relative to the directory of the including file; NULL with the diagnostic queued. */
static struct src_file *inc_path_file(struct parse_ctx *pc, src_span arg, const char *path, struct stat *st)
{
	const struct src_include *inc = pc->reg->include;
	const char *slash = strrchr(pc->file->name, '/');
	struct src_file *f;
	char err[1024], *full;
	size_t dl = path[0] != '/' && slash && pc->file->ino ? (size_t)(slash - pc->file->name) + 1 : 0;
	size_t n = dl + strlen(path) + 1;

	full = xrealloc(NULL, n);
	memcpy(full, pc->file->name, dl);
	memcpy(full + dl, path, n - dl);
	f = src_load_stat(pc->reg, full, st, inc ? inc->max : 0, err, sizeof(err));
	if (!f) {
		struct diag_record *r = diag_at(pc->dq, DIAG_INCLUDE_READ, arg, "cannot include: %s", err);

		if (errno == ENOENT && dl)
			diag_note(pc->dq, r, 0, arg, "a relative path is read from the directory of the file that "
				  "includes it: '%s' is '%s'", path, full);
	}
	free(full);
	return f;
}

void parse_include(struct parse_ctx *pc, src_span kw, src_span arg)
{
	const struct src_include *inc = pc->reg->include;
	const char *s = src_bytes(pc->reg, arg), *key;
	const struct src_file *again;
	struct diag_record *r;
	struct src_file *f;
	struct stat st;
	size_t m, klen;
	char *name;

	if (s[0] == '<') {
		m = 1;
	} else {
		const char *close;

		m = inc_mark_len(s);
		close = m == 1 ? s : m == 2 ? "\xC2\xBB" : (unsigned char)s[1] == 0x8E ? "\xE2\x8E\xA6" : "\xE2\xB8\xA5";
		if (arg.len < 2 * m || memcmp(s + arg.len - m, close, m) != 0)
			return;	/* not closed: the lexer said so */
	}
	name = xrealloc(NULL, arg.len - 2 * m + 1);
	memcpy(name, s + m, arg.len - 2 * m);
	name[arg.len - 2 * m] = '\0';
	if (pc->file->depth + 1 > INC_MAX_DEPTH) {
		r = diag_at(pc->dq, DIAG_INCLUDE_DEPTH, arg,
			    "INCLUDE nested more than %u files deep: the chain of files including each other is too long",
			    INC_MAX_DEPTH);
		diag_note(pc->dq, r, 0, arg, "include the files from fewer levels (a file that includes a copy of "
			  "itself makes such a chain)");
		goto fail;
	}
	if (s[0] == '<' && !inc_rule_name_ok(name, strlen(name))) {
		r = diag_at(pc->dq, DIAG_INCLUDE_RULES, arg, "'%.*s' is no standard rule file name", (int)arg.len, s);
		diag_note(pc->dq, r, 0, arg, "INCLUDE <name> names a file of the standard rules; "
			  "write INCLUDE \"path\" for a file of your own");
		goto fail;
	}
	if (!name[0]) {
		diag_at(pc->dq, DIAG_INCLUDE_READ, arg, "INCLUDE needs the path of a file");
		goto fail;
	}
	f = s[0] == '<' ? inc_rule_file(pc, arg, name, &st) : inc_path_file(pc, arg, name, &st);
	if (!f)
		goto fail;
	again = inc_on_chain(pc->file, f->dev, f->ino, f->name);
	if (again) {
		r = diag_at(pc->dq, DIAG_INCLUDE_CYCLE, arg, "'%s' includes itself: it is being read already", f->name);
		if (again->parent)
			diag_note(pc->dq, r, 1, (src_span){ again->incl_at, 7 }, "'%s' is included here", again->name);
		else
			diag_note(pc->dq, r, 0, arg, "'%s' is the plan itself", again->name);
		goto fail;
	}
	f->parent = pc->file;
	f->incl_at = kw.off;
	f->depth = pc->file->depth + 1;
	if (s[0] == '<' && parse_placeholder(f->text, &key, &klen)) {
		r = diag_at(pc->dq, DIAG_INCLUDE_TEMPLATE, arg,
			    "<%s> is a template of %s: it holds placeholders such as %.*s", name,
			    inc_template_tool(name), (int)klen, key);
		diag_note(pc->dq, r, 0, arg, "run %s for a plan made of it%s%s", inc_template_tool(name),
			  inc && inc->rule_names ? "; the rule files that can be included are: " : "",
			  inc && inc->rule_names ? inc->rule_names : "");
		goto fail;
	}
	if (inc && inc->check && f->ino && inc->check(inc->check_arg, f, &st, pc->dq) != 0)
		goto fail;	/* never parse what others could have written */
	free(name);
	pc->nerrors += parse_file(pc->reg, f, pc->plan, pc->dq);
	return;
fail:
	free(name);
	pc->nerrors++;
}

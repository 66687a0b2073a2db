/* SPDX-License-Identifier: GPL-2.0-or-later */
/* plan-file.c - plan sources and plan images on disk: load (compile or read+verify) and save (0600, atomic). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/loopback.h"
#include "engine/compile.h"
#include "runtime/common/exit-codes.h"
#include "runtime/common/plan-file.h"
#include "runtime/common/safe-file.h"
#include "runtime/common/stdlib.h"

/* Who may change a plan: root, and the user running upsplan (root again for a daemon started as root). */
static int pf_trusted(uid_t uid)
{
	return uid == 0 || uid == geteuid();
}

/* Who the write bits of MODE (group, others) let in. */
static const char *pf_writers(mode_t mode)
{
	if ((mode & S_IWGRP) && (mode & S_IWOTH))
		return "its group and every user";
	return mode & S_IWGRP ? "its group" : "every user";
}

/*
 * The directories of the real path of F, from its own up to /: each must
 * belong to a trusted user and be writable by nobody else, unless it is
 * sticky (/tmp: others may add files, not replace this one).  -1 with a
 * diagnostic on the first that is not.
 */
static int pf_dirs(const struct src_file *f, const struct stat *st, struct diag_queue *dq)
{
	src_span at = DIAG_FILE_SPAN(f);
	char real[PATH_MAX], who[300], *slash;
	struct diag_record *r;
	struct stat ds;

	if (!realpath(f->name, real)) {
		diag_at(dq, DIAG_PLAN_MODES, at, "cannot find the directories of '%s': %s", f->name, strerror(errno));
		return -1;
	}
	if (stat(real, &ds) != 0 || ds.st_dev != st->st_dev || ds.st_ino != st->st_ino) {
		diag_at(dq, DIAG_PLAN_MODES, at, "'%s' was replaced while it was read: try again", f->name);
		return -1;
	}
	while ((slash = strrchr(real, '/')) != NULL) {
		slash[slash == real] = '\0';	/* the parent; "/" stays "/" */
		if (lstat(real, &ds) != 0) {
			diag_at(dq, DIAG_PLAN_MODES, at, "cannot check directory '%s' of '%s': %s", real, f->name,
				strerror(errno));
			return -1;
		}
		if (!pf_trusted(ds.st_uid)) {
			r = diag_at(dq, DIAG_PLAN_MODES, at,
				    "directory '%s' belongs to %s, not to %s: its owner can replace the plan '%s'", real,
				    safe_user(ds.st_uid, who, sizeof(who)), geteuid() == 0 ? "root" : "root or you", f->name);
			diag_note(dq, r, 0, at, "keep the plan in a directory only root can change, such as /etc/nut, or run: chown root '%s'",
				  real);
			return -1;
		}
		if ((ds.st_mode & (S_IWGRP | S_IWOTH)) && !(ds.st_mode & S_ISVTX)) {
			r = diag_at(dq, DIAG_PLAN_MODES, at,
				    "directory '%s' can be changed by %s (mode %04o): they can replace the plan '%s'", real,
				    pf_writers(ds.st_mode), (unsigned)(ds.st_mode & 07777), f->name);
			diag_note(dq, r, 0, at, "keep the plan in a directory only root can change, such as /etc/nut, or run: chmod go-w '%s'",
				  real);
			return -1;
		}
		if (real[1] == '\0')
			break;
	}
	return 0;
}

int plan_file_modes(const struct src_file *f, const struct stat *st, struct diag_queue *dq)
{
	src_span at = DIAG_FILE_SPAN(f);
	struct diag_record *r;
	char who[300];

	if (pf_trusted(st->st_uid) && !(st->st_mode & (S_IWGRP | S_IWOTH)))
		return pf_dirs(f, st, dq);
	if (!pf_trusted(st->st_uid))
		r = diag_at(dq, DIAG_PLAN_MODES, at,
			    "'%s' belongs to %s, not to %s: whoever can change the plan chooses the commands the daemon runs",
			    f->name, safe_user(st->st_uid, who, sizeof(who)), geteuid() == 0 ? "root" : "root or you");
	else
		r = diag_at(dq, DIAG_PLAN_MODES, at,
			    "'%s' can be changed by %s (mode %04o): whoever can change the plan chooses the commands the daemon runs",
			    f->name, pf_writers(st->st_mode), (unsigned)(st->st_mode & 07777));
	diag_note(dq, r, 0, at, "run: chown root:nut '%s' && chmod 640 '%s'", f->name, f->name);
	return -1;
}

/* src_include.check: an included file gets the checks of the plan itself (E110). */
static int pf_include_modes(void *arg, const struct src_file *f, const struct stat *st, struct diag_queue *dq)
{
	(void)arg;
	return plan_file_modes(f, st, dq);
}

void plan_file_includes(struct src_registry *reg, struct src_include *inc, int strict_modes)
{
	stdlib_include_setup(inc, IMG_MAX_SIZE, strict_modes ? pf_include_modes : NULL, NULL);
	reg->include = inc;
}

static int load_image(const char *path, const struct src_file *f, struct plan_image *img, FILE *out)
{
	char err[512];

	if (img_decode((const unsigned char *)f->text, f->size, 0, img, err, sizeof(err)) != 0) {
		fprintf(out, "upsplan: error: '%s': %s\n", path, err);
		return EXIT_USAGE;
	}
	if (img_verify(img, err, sizeof(err)) != 0) {
		img_free(img);
		fprintf(out, "upsplan: error: '%s': %s; compile the plan again\n", path, err);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

/* A plan image starts with its magic number, in either byte order. */
static int is_image(const struct src_file *f)
{
	uint32_t m = IMG_MAGIC, swapped = __builtin_bswap32(IMG_MAGIC);

	return f->size >= 4 && (memcmp(f->text, &m, 4) == 0 || memcmp(f->text, &swapped, 4) == 0);
}

int plan_file_load(const char *path, const struct plan_file_opts *o, struct plan_image *img)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct sema_options sopt = { .check_file_mode = 1, .hostname = o->hostname, .host_check = lo_resolve };
	const struct src_file *f;
	struct src_include inc;
	struct stat st;
	char err[512];
	FILE *out = o->diag ? o->diag : stderr;
	int rc, image;

	memset(img, 0, sizeof(*img));
	src_init(&reg);
	plan_file_includes(&reg, &inc, o->strict_modes);
	/* read once: what is checked (owner, mode) is what is compiled or decoded */
	f = src_load_stat(&reg, path, &st, IMG_MAX_SIZE, err, sizeof(err));	/* a source or an image */
	if (!f) {
		fprintf(out, "upsplan: error: %s [%s]\n", err, diag_code_name(DIAG_IO));
		src_free(&reg);
		return EXIT_USAGE;
	}
	diag_init(&dq, &reg);
	dq.werror = o->werror;
	dq.refuse_hazards = o->refuse_hazards;
	if (o->disabled) {
		memcpy(dq.disabled, o->disabled, sizeof(dq.disabled));
		sopt.check_file_mode = !o->disabled[DIAG_FILE_MODE];
	}
	if (o->strict_modes)
		plan_file_modes(f, &st, &dq);
	image = is_image(f);
	if (image && !diag_failed(&dq))
		rc = load_image(path, f, img, out);
	else if (image)
		rc = EXIT_ERRORS;
	else
		rc = compile_plan(&reg, f, &dq, &sopt, img, err, sizeof(err));
	if (o->refuse_hazards && !o->werror)
		diag_note_hazards(&dq, "this warning changes what happens in an outage, so the plan is refused: "
				  "fix it, or give --allow-warnings to accept it");
	diag_render_gnu(&dq, out, (o->color ? DIAG_RENDER_COLOR : 0) | (o->no_source ? DIAG_RENDER_NOSOURCE : 0));
	diag_free(&dq);
	src_free(&reg);
	if (rc == 2 && !image)
		fprintf(out, "upsplan: internal error: the compiled plan '%s' failed verification: %s; please report this\n",
			path, err);
	return rc;
}

int plan_file_save(const char *path, const struct plan_image *img, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len, off = 0;
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	int fd;

	if (!tmp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);	/* mode 0600 */
	if (fd < 0) {
		snprintf(err, errlen, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	img_encode(img, &buf, &len);
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
			goto fail;
		}
		off += (size_t)w;
	}
	int bad = fchmod(fd, 0600) != 0 || fsync(fd) != 0;
	bad |= close(fd) != 0;
	fd = -1;
	if (bad) {
		snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		snprintf(err, errlen, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		goto fail;
	}
	free(buf);
	free(tmp);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(buf);
	free(tmp);
	return -1;
}

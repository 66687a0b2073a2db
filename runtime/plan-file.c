/* plan-file.c - plan sources and plan images on disk: load (compile or read+verify) and save (0600, atomic). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/compile.h"
#include "runtime/cli.h"
#include "runtime/plan-file.h"

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
	struct sema_options sopt = { .check_file_mode = 1, .hostname = o->hostname };
	const struct src_file *f;
	char err[512];
	FILE *out = o->diag ? o->diag : stderr;
	int rc, image;

	memset(img, 0, sizeof(*img));
	src_init(&reg);
	f = src_load(&reg, path, err, sizeof(err));
	if (!f) {
		fprintf(out, "upsplan: error: %s [%s]\n", err, diag_code_name(DIAG_IO));
		src_free(&reg);
		return EXIT_USAGE;
	}
	diag_init(&dq, &reg);
	image = is_image(f);
	if (image)
		rc = load_image(path, f, img, out);
	else
		rc = compile_plan(&reg, f, &dq, &sopt, img, err, sizeof(err));
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

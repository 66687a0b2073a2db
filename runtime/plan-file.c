/* plan-file.c - plan sources and plan images on disk: load (compile or read+verify) and save (0600, atomic). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/compile.h"
#include "runtime/cli.h"
#include "runtime/plan-file.h"

/* Read all of FD into a new buffer. */
static int read_all(int fd, unsigned char **bufp, size_t *lenp)
{
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	struct stat st;

	if (!buf)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size + 1 > cap) {
		cap = (size_t)st.st_size + 1;
		unsigned char *nb = realloc(buf, cap);
		if (!nb)
			goto fail;
		buf = nb;
	}
	for (;;) {
		ssize_t r;
		if (n == cap) {
			unsigned char *nb = realloc(buf, cap * 2);
			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*bufp = buf;
	*lenp = n;
	return 0;
fail:
	free(buf);
	return -1;
}

static int load_image(const char *path, int fd, struct plan_image *img, FILE *out)
{
	unsigned char *buf;
	size_t len;
	char err[512];

	if (read_all(fd, &buf, &len) != 0) {
		fprintf(out, "upsplan: error: cannot read '%s': %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (img_decode(buf, len, 0, img, err, sizeof(err)) != 0) {
		free(buf);
		fprintf(out, "upsplan: error: '%s': %s\n", path, err);
		return EXIT_USAGE;
	}
	free(buf);
	if (img_verify(img, err, sizeof(err)) != 0) {
		img_free(img);
		fprintf(out, "upsplan: error: '%s': %s; compile the plan again\n", path, err);
		return EXIT_USAGE;
	}
	return EXIT_CLEAN;
}

int plan_file_load(const char *path, const struct plan_file_opts *o, struct plan_image *img)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct sema_options sopt = { .check_file_mode = 1, .hostname = o->hostname };
	const struct src_file *f;
	unsigned char magic[4];
	char err[512];
	FILE *out = o->diag ? o->diag : stderr;
	int fd, rc;

	memset(img, 0, sizeof(*img));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = pread(fd, magic, sizeof(magic), 0);
		if (n == (ssize_t)sizeof(magic) && (memcmp(magic, &(uint32_t){ IMG_MAGIC }, 4) == 0 ||
		    memcmp(magic, &(uint32_t){ __builtin_bswap32(IMG_MAGIC) }, 4) == 0)) {
			rc = load_image(path, fd, img, out);
			close(fd);
			return rc;
		}
		close(fd);
	}
	src_init(&reg);
	f = src_load(&reg, path, err, sizeof(err));
	if (!f) {
		fprintf(out, "upsplan: error: %s [%s]\n", err, diag_code_name(DIAG_IO));
		src_free(&reg);
		return EXIT_USAGE;
	}
	diag_init(&dq, &reg);
	rc = compile_plan(&reg, f, &dq, &sopt, img, err, sizeof(err));
	diag_render_gnu(&dq, out, (o->color ? DIAG_RENDER_COLOR : 0) | (o->no_source ? DIAG_RENDER_NOSOURCE : 0));
	diag_free(&dq);
	src_free(&reg);
	if (rc == 2)
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

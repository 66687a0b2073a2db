/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.c - source registry: loads files, maps global offsets to file, line and column. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/source.h"
#include "base/xalloc.h"

void src_init(struct src_registry *reg)
{
	memset(reg, 0, sizeof(*reg));
	reg->next_base = 1;	/* offset 0 is never a valid location */
}

void src_free(struct src_registry *reg)
{
	for (size_t i = 0; i < reg->nfiles; i++) {
		free(reg->files[i]->name);
		free(reg->files[i]->text);
		free(reg->files[i]->lines);
		free(reg->files[i]->marks);
		free(reg->files[i]);
	}
	free(reg->files);
	src_init(reg);
}

static struct src_file *src_register(struct src_registry *reg, const char *name,
				     char *text, size_t size)
{
	struct src_file *f = xrealloc(NULL, sizeof(*f));
	size_t nl = strlen(name);

	f->name = xrealloc(NULL, nl + 1);
	memcpy(f->name, name, nl + 1);
	f->text = text;
	f->size = size;
	f->base = reg->next_base;
	f->lines = NULL;
	f->nlines = 0;
	f->marks = NULL;
	f->parent = NULL;
	f->incl_at = 0;
	f->depth = 0;
	f->dev = 0;
	f->ino = 0;
	/* one spare offset after the text for end-of-file locations */
	reg->next_base += (uint32_t)size + 2;
	reg->files = xrealloc(reg->files, (reg->nfiles + 1) * sizeof(*reg->files));
	reg->files[reg->nfiles++] = f;
	return f;
}

struct src_file *src_add_text(struct src_registry *reg, const char *name,
			      const char *text, size_t len)
{
	char *buf;

	if (len > UINT32_MAX / 2 || reg->next_base > UINT32_MAX / 2 - len)
		return NULL;
	buf = xrealloc(NULL, len + 2);
	memcpy(buf, text, len);
	buf[len] = buf[len + 1] = '\0';
	return src_register(reg, name, buf, len);
}

const char *src_kind(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO (named pipe)";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	case S_IFLNK:
		return "a symbolic link";
	default:
		return "not a regular file";
	}
}

/* "cannot read 'PATH': it is a FIFO (named pipe), not a regular file" into ERR; errno EINVAL. */
static int src_not_regular(const char *path, mode_t mode, char *err, size_t errlen)
{
	snprintf(err, errlen, "cannot read '%s': it is %s, not a regular file", path, src_kind(mode));
	errno = EINVAL;
	return -1;
}

int src_open_regular(const char *path, int extra, struct stat *st, char *err, size_t errlen)
{
	struct stat pre;
	int fd, e, fl;

	/* what is there, before opening: a device is not even opened (some act on open) */
	if (((extra & O_NOFOLLOW) ? lstat(path, &pre) : stat(path, &pre)) != 0) {
		e = errno;
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (!S_ISREG(pre.st_mode))
		return src_not_regular(path, pre.st_mode, err, errlen);
	/* without O_NONBLOCK, a FIFO put there since would block open() until a writer comes */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | extra);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, st) != 0) {
		e = errno;
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return src_not_regular(path, st->st_mode, err, errlen);
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int src_check_regular(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = src_open_regular(path, 0, &st, err, errlen);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* One read(2) of up to LEN bytes, again after a signal. */
static ssize_t src_read_some(int fd, char *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

char *src_read_fd(int fd, const struct stat *st, const char *path, size_t max, size_t *lenp, char *err,
		  size_t errlen)
{
	struct buf b = BUF_INIT;
	char probe;
	ssize_t n;
	int e = EFBIG;

	if ((uint64_t)st->st_size > max)
		goto too_large;
	buf_room(&b, (size_t)st->st_size + 1);	/* the text, then two NULs: the buffer's and one more */
	for (;;) {
		/* B.cap >= B.len + 2 throughout: room for the two NULs */
		size_t want = b.cap - b.len - 2;

		if (want > max - b.len)
			want = max - b.len;
		if (want == 0) {
			/* the room (the size fstat gave, or more) is read: is there more (a file growing)? */
			n = src_read_some(fd, &probe, 1);
			if (n == 0)
				break;
			if (n < 0)
				goto read_error;
			if (b.len >= max)
				goto too_large;
			buf_addc(&b, probe);
			buf_room(&b, (max - b.len < 65536 ? max - b.len : 65536) + 1);
			continue;
		}
		n = src_read_some(fd, b.p + b.len, want);
		if (n < 0)
			goto read_error;
		if (n == 0)
			break;
		b.len += (size_t)n;
	}
	close(fd);
	b.p[b.len] = b.p[b.len + 1] = '\0';
	*lenp = b.len;
	return buf_take(&b);
read_error:
	e = errno;
	snprintf(err, errlen, "cannot read '%s': %s", path, strerror(e));
	goto fail;
too_large:
	snprintf(err, errlen, "cannot read '%s': larger than the %zu bytes it may take", path, max);
fail:
	buf_free(&b);
	close(fd);
	errno = e;
	return NULL;
}

char *src_read_file(const char *path, size_t max, size_t *lenp, struct stat *st, char *err, size_t errlen)
{
	struct stat own;
	int fd = src_open_regular(path, 0, st ? st : &own, err, errlen);

	return fd < 0 ? NULL : src_read_fd(fd, st ? st : &own, path, max, lenp, err, errlen);
}

struct src_file *src_load_stat(struct src_registry *reg, const char *path, struct stat *st, size_t max,
			       char *err, size_t errlen)
{
	size_t room = UINT32_MAX / 2 - reg->next_base;
	char *buf;
	size_t got;

	if (reg->next_base > UINT32_MAX / 2) {
		snprintf(err, errlen, "cannot read '%s': the files read so far take 2 GiB", path);
		return NULL;
	}
	struct stat own;
	struct src_file *f;

	buf = src_read_file(path, max && max < room ? max : room, &got, st ? st : &own, err, errlen);
	if (!buf)
		return NULL;
	f = src_register(reg, path, buf, got);
	f->dev = (st ? st : &own)->st_dev;
	f->ino = (st ? st : &own)->st_ino;
	return f;
}

struct src_file *src_load(struct src_registry *reg, const char *path,
			  char *err, size_t errlen)
{
	return src_load_stat(reg, path, NULL, 0, err, errlen);
}

const struct src_file *src_file_at(const struct src_registry *reg, uint32_t off)
{
	size_t lo = 0, hi = reg->nfiles;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct src_file *f = reg->files[mid];
		if (off < f->base)
			hi = mid;
		else if (off > f->base + f->size + 1)
			lo = mid + 1;
		else
			return f;
	}
	return NULL;
}

const char *src_bytes(const struct src_registry *reg, src_span span)
{
	const struct src_file *f = src_file_at(reg, span.off);

	if (!f)
		return "";
	return f->text + (span.off - f->base);
}

static void src_index_lines(struct src_file *f)
{
	size_t n = 1, cap = 0;

	f->lines = xgrow(NULL, &cap, 64, sizeof(*f->lines));
	f->lines[0] = 0;
	for (const char *p = f->text, *end = f->text + f->size;
	     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) {
		f->lines = xgrow(f->lines, &cap, n + 1, sizeof(*f->lines));
		f->lines[n++] = (uint32_t)(p + 1 - f->text);
	}
	f->nlines = n;
}

size_t src_utf8_seq(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	if (len == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	n = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 && p[0] < 0xF0 ? 3 :
	    p[0] >= 0xC2 && p[0] < 0xE0 ? 2 : 0;
	if (n == 0 || n > len)
		return 0;
	for (size_t k = 1; k < n; k++)
		if ((p[k] & 0xC0) != 0x80)
			return 0;
	/* no overlong forms, no surrogates, nothing above U+10FFFF */
	if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0) ||
	    (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))
		return 0;
	return n;
}

uint32_t src_utf8_cp(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	switch (n) {
	case 1:
		return p[0];
	case 2:
		return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
	case 3:
		return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
	case 4:
		return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 | (uint32_t)(p[2] & 0x3F) << 6 |
		       (p[3] & 0x3F);
	default:
		return 0;
	}
}

size_t src_utf8_width(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; w++) {
		size_t n = src_utf8_seq(s + i, len - i);
		i += n ? n : 1;
	}
	return w;
}

/* Display width after the LEN bytes at S, starting at width W. */
static size_t src_width_from(size_t w, const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = src_utf8_seq(s + i, len - i);
		w = s[i] == '\t' ? (w / 8 + 1) * 8 : w + 1;
		i += n ? n : 1;
	}
	return w;
}

size_t src_display_width(const char *s, size_t len)
{
	return src_width_from(0, s, len);
}

/*
 * A column is the display width from the start of its line, so on a long
 * line each look-up would scan up to its offset, and looking up every
 * action of a line (the pc map, the diagnostics) would take time that
 * grows with the square of the line.  Lines longer than SRC_MARK bytes get
 * a checkpoint in every SRC_MARK-byte block of the file they cross: the
 * first character that starts in it, and the width before it.
 */
#define SRC_MARK 4096u

struct src_mark {
	uint32_t at;		/* file-relative offset of a character start; UINT32_MAX: none */
	uint32_t width;		/* display width from the start of its line to it */
};

static void src_mark_lines(struct src_file *f)
{
	size_t nm = f->size / SRC_MARK + 1;

	f->marks = xrealloc(NULL, nm * sizeof(*f->marks));
	for (size_t k = 0; k < nm; k++)
		f->marks[k].at = UINT32_MAX;
	for (size_t l = 0; l < f->nlines; l++) {
		size_t end = l + 1 < f->nlines ? f->lines[l + 1] : f->size, w = 0;

		if (end - f->lines[l] <= SRC_MARK)
			continue;
		for (size_t i = f->lines[l]; i < end;) {
			size_t n = src_utf8_seq(f->text + i, end - i);
			struct src_mark *m = &f->marks[i / SRC_MARK];
			if (m->at == UINT32_MAX)
				*m = (struct src_mark){ (uint32_t)i, (uint32_t)w };
			w = f->text[i] == '\t' ? (w / 8 + 1) * 8 : w + 1;
			i += n ? n : 1;
		}
	}
}

int src_position(const struct src_registry *reg, uint32_t off,
		 const struct src_file **file, unsigned *line, unsigned *col)
{
	struct src_file *f = (struct src_file *)src_file_at(reg, off);
	uint32_t rel, from;
	size_t lo, hi, w = 0;

	if (!f)
		return -1;
	if (!f->lines)
		src_index_lines(f);
	rel = off - f->base;
	if (rel > f->size)
		rel = (uint32_t)f->size;
	lo = 0;
	hi = f->nlines;
	while (hi - lo > 1) {	/* last line start <= rel */
		size_t mid = (lo + hi) / 2;
		if (f->lines[mid] <= rel)
			lo = mid;
		else
			hi = mid;
	}
	*file = f;
	*line = (unsigned)lo + 1;
	from = f->lines[lo];
	if (rel - from > SRC_MARK) {
		/* the checkpoint of REL's block, or of the one before when a character straddles */
		const struct src_mark *m;
		if (!f->marks)
			src_mark_lines(f);
		m = &f->marks[rel / SRC_MARK];
		if (m->at > rel)
			m--;
		if (m->at != UINT32_MAX && m->at >= from) {
			from = m->at;
			w = m->width;
		}
	}
	*col = (unsigned)src_width_from(w, f->text + from, rel - from) + 1;
	return 0;
}

const char *src_line(const struct src_file *file, unsigned line, size_t *len)
{
	struct src_file *f = (struct src_file *)file;
	const char *s, *e;

	if (!f->lines)
		src_index_lines(f);
	if (line == 0 || line > f->nlines)
		return NULL;
	s = f->text + f->lines[line - 1];
	e = line < f->nlines ? f->text + f->lines[line] - 1 : f->text + f->size;
	if (e > s && e[-1] == '\r')
		e--;
	*len = (size_t)(e - s);
	return s;
}

/* source.c - source registry: loads files, maps global offsets to file, line and column. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grammar/source.h"
#include "grammar/xalloc.h"

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

struct src_file *src_load(struct src_registry *reg, const char *path,
			  char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t size, got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot read '%s': it is a directory, give a plan file", path);
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read '%s': not a regular file", path);
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size > UINT32_MAX / 2 ||
	    reg->next_base > UINT32_MAX / 2 - (uint64_t)st.st_size) {
		snprintf(err, errlen, "cannot read '%s': larger than 2 GiB", path);
		close(fd);
		return NULL;
	}
	size = (size_t)st.st_size;
	buf = xrealloc(NULL, size + 2);
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;	/* file shrank while reading */
		got += (size_t)n;
	}
	close(fd);
	buf[got] = buf[got + 1] = '\0';
	return src_register(reg, path, buf, got);
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
	size_t n = 1, cap = 64;

	f->lines = xrealloc(NULL, cap * sizeof(*f->lines));
	f->lines[0] = 0;
	for (const char *p = f->text, *end = f->text + f->size;
	     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) {
		if (n == cap) {
			cap *= 2;
			f->lines = xrealloc(f->lines, cap * sizeof(*f->lines));
		}
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

size_t src_utf8_width(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len; w++) {
		size_t n = src_utf8_seq(s + i, len - i);
		i += n ? n : 1;
	}
	return w;
}

size_t src_display_width(const char *s, size_t len)
{
	size_t w = 0;

	for (size_t i = 0; i < len;) {
		size_t n = src_utf8_seq(s + i, len - i);
		w = s[i] == '\t' ? (w / 8 + 1) * 8 : w + 1;
		i += n ? n : 1;
	}
	return w;
}

int src_position(const struct src_registry *reg, uint32_t off,
		 const struct src_file **file, unsigned *line, unsigned *col)
{
	struct src_file *f = (struct src_file *)src_file_at(reg, off);
	uint32_t rel;
	size_t lo, hi;

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
	*col = (unsigned)src_display_width(f->text + f->lines[lo], rel - f->lines[lo]) + 1;
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

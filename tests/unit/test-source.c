/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-source.c - TAP tests of the source registry: loading, global offsets, lines, UTF-8 columns, long lines. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/source.h"
#include "tests/unit/tap.h"

/* Line and column of OFF, or 0/0 when src_position() fails; returns its result. */
static int pos(const struct src_registry *reg, uint32_t off, const struct src_file **f,
	       unsigned *line, unsigned *col)
{
	*line = *col = 0;
	*f = NULL;
	return src_position(reg, off, f, line, col);
}

/* Global offset of the first NEEDLE in file F. */
static uint32_t off_of(const struct src_file *f, const char *needle)
{
	const char *p = strstr(f->text, needle);

	if (!p) {
		fprintf(stderr, "test bug: '%s' not in %s\n", needle, f->name);
		abort();
	}
	return f->base + (uint32_t)(p - f->text);
}

static void test_add_text(void)
{
	struct src_registry reg;
	const struct src_file *a, *b, *f;
	const char ta[] = "LET x = 'y'\n";	/* 12 bytes */
	const char tb[] = "ab\0cd";		/* 5 bytes with a NUL inside */
	unsigned line, col;

	src_init(&reg);
	is_int(reg.nfiles, 0, "empty registry has no file");
	ok(src_file_at(&reg, 1) == NULL, "src_file_at in an empty registry is NULL");
	ok(pos(&reg, 1, &f, &line, &col) == -1, "src_position in an empty registry fails");

	a = src_add_text(&reg, "a.conf", ta, 12);
	b = src_add_text(&reg, "b.conf", tb, 5);
	ok(a != NULL && b != NULL, "src_add_text returns the files");
	is_int(reg.nfiles, 2, "two files registered");
	is_str(a->name, "a.conf", "first file's name");
	is_str(b->name, "b.conf", "second file's name");
	is_int(a->size, 12, "first file's size");
	is_int(b->size, 5, "second file's size (NUL inside kept)");
	ok(memcmp(a->text, ta, 12) == 0, "first file's text copied");
	ok(a->text != ta, "text is a copy, not the caller's buffer");
	ok(memcmp(b->text, tb, 5) == 0, "second file's text copied with its NUL");
	ok(a->text[12] == '\0' && a->text[13] == '\0', "text followed by two NUL bytes");
	ok(b->text[5] == '\0' && b->text[6] == '\0', "second text followed by two NUL bytes");

	/* global offsets: offset 0 is never valid; each file keeps one spare offset */
	is_int(a->base, 1, "first file's base is 1");
	is_int(b->base, 1 + 12 + 2, "second file's base follows the first plus 2");
	is_int(reg.next_base, 15 + 5 + 2, "next_base after both files");

	/* src_file_at boundaries */
	ok(src_file_at(&reg, 0) == NULL, "offset 0 is in no file");
	ok(src_file_at(&reg, 1) == a, "offset 1 (first byte) is in the first file");
	ok(src_file_at(&reg, 12) == a, "last byte of the first file");
	ok(src_file_at(&reg, 13) == a, "end of the first file (base + size)");
	ok(src_file_at(&reg, 14) == a, "spare offset after the first file");
	ok(src_file_at(&reg, 15) == b, "base of the second file");
	ok(src_file_at(&reg, 20) == b, "end of the second file");
	ok(src_file_at(&reg, 21) == b, "spare offset after the second file");
	ok(src_file_at(&reg, 22) == NULL, "past the last file");
	ok(src_file_at(&reg, UINT32_MAX) == NULL, "UINT32_MAX is in no file");

	/* src_bytes */
	is_mem(src_bytes(&reg, (src_span){ a->base + 4, 1 }), 1, "x", "src_bytes in the first file");
	is_mem(src_bytes(&reg, (src_span){ b->base + 3, 2 }), 2, "cd", "src_bytes in the second file");
	is_str(src_bytes(&reg, (src_span){ 0, 1 }), "", "src_bytes outside any file is \"\"");

	/* positions in both files */
	ok(pos(&reg, a->base, &f, &line, &col) == 0 && f == a, "position of the first byte");
	is_int(line, 1, "first byte: line 1");
	is_int(col, 1, "first byte: column 1");
	pos(&reg, a->base + 8, &f, &line, &col);
	is_int(line * 1000 + col, 1 * 1000 + 9, "quote of 'y' at 1:9");
	pos(&reg, a->base + 12, &f, &line, &col);
	is_int(line * 1000 + col, 2 * 1000 + 1, "end of file after the last newline is 2:1");
	pos(&reg, a->base + 13, &f, &line, &col);
	is_int(line * 1000 + col, 2 * 1000 + 1, "spare offset clamps to end of file (2:1)");
	ok(pos(&reg, b->base + 4, &f, &line, &col) == 0 && f == b, "position in the second file");
	is_int(line * 1000 + col, 1 * 1000 + 5, "second file: 'd' at 1:5 (NUL counts one column)");
	ok(pos(&reg, 22, &f, &line, &col) == -1, "position past the last file fails");
	ok(pos(&reg, 0, &f, &line, &col) == -1, "position of offset 0 fails");

	src_free(&reg);
	is_int(reg.nfiles, 0, "src_free empties the registry");
	is_int(reg.next_base, 1, "src_free resets next_base to 1");
}

static void test_lines(void)
{
	struct src_registry reg;
	const struct src_file *f, *g, *r;
	const char *s;
	size_t len = 99;
	unsigned line, col;
	/* no newline at the end of the last line */
	const char lf[] = "POLLFREQ 5\n\nGROUP g\nHOST h";
	/* CRLF line ends */
	const char crlf[] = "POLLFREQ 5\r\nGROUP g\r\nHOST h\r\n";

	src_init(&reg);
	f = src_add_text(&reg, "lf.conf", lf, strlen(lf));
	g = src_add_text(&reg, "crlf.conf", crlf, strlen(crlf));

	pos(&reg, off_of(f, "GROUP"), &r, &line, &col);
	is_int(line * 1000 + col, 3 * 1000 + 1, "GROUP after an empty line at 3:1");
	pos(&reg, off_of(f, "g\n"), &r, &line, &col);
	is_int(line * 1000 + col, 3 * 1000 + 7, "group name at 3:7");
	pos(&reg, off_of(f, "h"), &r, &line, &col);
	is_int(line * 1000 + col, 4 * 1000 + 6, "last line without newline: 'h' at 4:6");
	pos(&reg, f->base + (uint32_t)f->size, &r, &line, &col);
	is_int(line * 1000 + col, 4 * 1000 + 7, "end of file without final newline at 4:7");
	pos(&reg, off_of(f, "\n\n") + 1, &r, &line, &col);
	is_int(line * 1000 + col, 2 * 1000 + 1, "the newline of the empty line is at 2:1");
	pos(&reg, off_of(f, "\n"), &r, &line, &col);
	is_int(line * 1000 + col, 1 * 1000 + 11, "the newline ending line 1 is at 1:11");
	is_int(f->nlines, 4, "four lines indexed");

	s = src_line(f, 1, &len);
	is_mem(s, len, "POLLFREQ 5", "src_line 1 without its newline");
	s = src_line(f, 2, &len);
	ok(s != NULL && len == 0, "src_line 2 is empty");
	s = src_line(f, 4, &len);
	is_mem(s, len, "HOST h", "src_line of the last line without newline");
	ok(src_line(f, 5, &len) == NULL, "src_line past the last line is NULL");
	ok(src_line(f, 0, &len) == NULL, "src_line 0 is NULL");

	/* CRLF */
	pos(&reg, off_of(g, "GROUP"), &r, &line, &col);
	ok(r == g, "CRLF file found");
	is_int(line * 1000 + col, 2 * 1000 + 1, "CRLF: GROUP at 2:1");
	pos(&reg, off_of(g, "h\r"), &r, &line, &col);
	is_int(line * 1000 + col, 3 * 1000 + 6, "CRLF: 'h' at 3:6");
	pos(&reg, off_of(g, "\r\nGROUP"), &r, &line, &col);
	is_int(line * 1000 + col, 1 * 1000 + 11, "CRLF: the CR is the last column of line 1");
	pos(&reg, g->base + (uint32_t)g->size, &r, &line, &col);
	is_int(line * 1000 + col, 4 * 1000 + 1, "CRLF: end of file after the last CRLF at 4:1");
	s = src_line(g, 1, &len);
	is_mem(s, len, "POLLFREQ 5", "CRLF: src_line strips CR and LF");
	s = src_line(g, 3, &len);
	is_mem(s, len, "HOST h", "CRLF: src_line of the last CRLF line");
	s = src_line(g, 4, &len);
	ok(s != NULL && len == 0, "CRLF: line 4 after the final CRLF is empty");
	ok(src_line(g, 5, &len) == NULL, "CRLF: no line 5");

	src_free(&reg);
}

static void test_lone_cr(void)
{
	struct src_registry reg;
	const struct src_file *f, *r;
	const char *s;
	size_t len = 99;
	unsigned line, col;
	const char t[] = "A\rB\r";	/* CR alone is no line end */

	src_init(&reg);
	f = src_add_text(&reg, "cr.conf", t, 4);
	pos(&reg, f->base + 2, &r, &line, &col);
	is_int(line * 1000 + col, 1 * 1000 + 3, "lone CR: B still on line 1, column 3");
	s = src_line(f, 1, &len);
	is_mem(s, len, "A\rB", "lone CR: only the CR before the end is stripped");
	src_free(&reg);
}

static void test_utf8_columns(void)
{
	struct src_registry reg;
	const struct src_file *f, *r;
	const char *s;
	size_t len;
	unsigned line, col;
	/* « » are 2 bytes each, ⎡ ⎦ 3 bytes each */
	const char t[] = "LET a = 'x'\nLET m = \xC2\xAB" "ab\xC2\xBB \xE2\x8E\xA1" "c\xE2\x8E\xA6 Z\n"
			 "\xFF\xFE Q\n";

	src_init(&reg);
	f = src_add_text(&reg, "u.conf", t, strlen(t));
	pos(&reg, off_of(f, "Z"), &r, &line, &col);
	is_int(line, 2, "UTF-8 line: Z on line 2");
	is_int(col, 18, "UTF-8 line: Z at column 18 (code points, not bytes: byte 23)");
	pos(&reg, off_of(f, "ab"), &r, &line, &col);
	is_int(col, 10, "after \xC2\xAB: column 10");
	pos(&reg, off_of(f, "c\xE2"), &r, &line, &col);
	is_int(col, 15, "after \xE2\x8E\xA1: column 15");
	pos(&reg, off_of(f, "\xE2\x8E\xA6"), &r, &line, &col);
	is_int(col, 16, "closing \xE2\x8E\xA6 at column 16");
	pos(&reg, off_of(f, "Q"), &r, &line, &col);
	is_int(line * 1000 + col, 3 * 1000 + 4, "invalid bytes count one column each: Q at 3:4");
	s = src_line(f, 2, &len);
	is_int(len, 24, "UTF-8 line is 24 bytes");
	is_int(src_utf8_width(s, len), 18, "UTF-8 line is 18 code points");
	src_free(&reg);
}

static void test_utf8_helpers(void)
{
	is_int(src_utf8_width("", 0), 0, "width of nothing is 0");
	is_int(src_utf8_width("abc", 3), 3, "ASCII width");
	is_int(src_utf8_width("\xC2\xAB\xE2\x8E\xA1" "a", 6), 3, "width of \xC2\xAB\xE2\x8E\xA1" "a is 3");
	is_int(src_utf8_width("\xF0\x9F\x98\x80", 4), 1, "4-byte sequence is one code point");
	is_int(src_utf8_width("\xFF\xFE", 2), 2, "each invalid byte counts one");
	is_int(src_utf8_width("\xE2\x8E", 2), 2, "truncated sequence: each byte counts one");
	is_int(src_utf8_width("\xC2\xAB", 1), 1, "sequence cut by LEN counts one");
	is_int(src_utf8_width("a\0b", 3), 3, "NUL counts one");
	is_int(src_utf8_seq("a", 1), 1, "seq: ASCII is 1");
	is_int(src_utf8_seq("\xC2\xAB", 2), 2, "seq: \xC2\xAB is 2");
	is_int(src_utf8_seq("\xE2\x8E\xA1", 3), 3, "seq: \xE2\x8E\xA1 is 3");
	is_int(src_utf8_seq("\xF0\x9F\x98\x80", 4), 4, "seq: 4 bytes");
	is_int(src_utf8_seq("\xE2\x8E\xA1", 2), 0, "seq: cut by LEN is 0");
	is_int(src_utf8_seq("\xC0\x80", 2), 0, "seq: overlong C0 80 is 0");
	is_int(src_utf8_seq("\x80", 1), 0, "seq: lone continuation byte is 0");
	is_int(src_utf8_seq("\xF5\x80\x80\x80", 4), 0, "seq: F5 lead byte is 0");
	is_int(src_utf8_seq("\xC2" "A", 2), 0, "seq: bad continuation is 0");
	is_int(src_utf8_seq("", 0), 0, "seq: empty is 0");
}

static void test_load(void)
{
	struct src_registry reg;
	const struct src_file *f, *r;
	char path[] = "/tmp/upsplan-test-source-XXXXXX";
	char dir[] = "/tmp/upsplan-test-dir-XXXXXX";
	char missing[64];
	char err[512];
	const char body[] = "POLLFREQ 5\r\nGROUP \xC2\xAB" "x\xC2\xBB\n";
	unsigned line, col;
	FILE *fp;
	int fd;

	src_init(&reg);
	fd = mkstemp(path);
	ok(fd >= 0, "temp file created");
	fp = fdopen(fd, "w");
	fwrite(body, 1, strlen(body), fp);
	fclose(fp);

	err[0] = '\0';
	f = src_load(&reg, path, err, sizeof(err));
	ok(f != NULL, "src_load of a temp file");
	if (!f) {
		diag("error: %s", err);
		unlink(path);
		src_free(&reg);
		return;
	}
	is_str(f->name, path, "loaded file's name is the path");
	is_int(f->size, strlen(body), "loaded size");
	ok(memcmp(f->text, body, strlen(body)) == 0, "loaded bytes");
	ok(f->text[f->size] == '\0' && f->text[f->size + 1] == '\0', "loaded text ends with two NULs");
	is_int(f->base, 1, "loaded file's base is 1");
	pos(&reg, off_of(f, "x"), &r, &line, &col);
	is_int(line * 1000 + col, 2 * 1000 + 8, "loaded CRLF UTF-8 file: x at 2:8");
	ok(r == f, "position names the loaded file");

	/* a missing path */
	snprintf(missing, sizeof(missing), "%s.missing", path);
	err[0] = '\0';
	ok(src_load(&reg, missing, err, sizeof(err)) == NULL, "src_load of a missing path fails");
	ok(strstr(err, missing) != NULL, "missing path: message names the path");
	ok(strstr(err, "No such file") != NULL, "missing path: message gives the reason");
	diag("%s", err);

	/* a directory */
	ok(mkdtemp(dir) != NULL, "temp directory created");
	err[0] = '\0';
	ok(src_load(&reg, dir, err, sizeof(err)) == NULL, "src_load of a directory fails");
	ok(strstr(err, dir) != NULL, "directory: message names the path");
	ok(strstr(err, "directory") != NULL, "directory: message says it is a directory");
	diag("%s", err);

	/* a second load gets the next base */
	f = src_load(&reg, path, err, sizeof(err));
	ok(f != NULL && f->base == 1 + strlen(body) + 2, "second load of the same path gets a new base");
	is_int(reg.nfiles, 2, "failed loads register nothing");

	/* an empty file */
	fp = fopen(path, "w");
	fclose(fp);
	f = src_load(&reg, path, err, sizeof(err));
	ok(f != NULL && f->size == 0 && f->text[0] == '\0', "empty file loads");
	if (f) {
		pos(&reg, f->base, &r, &line, &col);
		is_int(line * 1000 + col, 1 * 1000 + 1, "empty file: its base is 1:1");
		ok(src_file_at(&reg, f->base + 1) == f, "empty file owns its spare offset");
		ok(src_file_at(&reg, f->base + 2) == NULL, "nothing after the empty file");
	}

	unlink(path);
	rmdir(dir);
	src_free(&reg);
}

/* The one reader of files: never waits on a FIFO, refuses what is not a regular file, bounds the size. */
static void test_read_file(void)
{
	char dir[] = "/tmp/upsplan-test-read-XXXXXX", fifo[64], file[64], link[64], err[512];
	struct stat st;
	size_t len = 0;
	char *text;
	FILE *fp;
	time_t t0;
	int fd;

	ok(mkdtemp(dir) != NULL, "read: temp directory created");
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(file, sizeof(file), "%s/file", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	ok(mkfifo(fifo, 0600) == 0, "read: FIFO created");
	t0 = time(NULL);
	err[0] = '\0';
	ok(src_read_file(fifo, 1024, &len, NULL, err, sizeof(err)) == NULL, "read: a FIFO is refused");
	ok(time(NULL) - t0 <= 1, "read: ... at once (no writer waited for)");
	ok(strstr(err, fifo) && strstr(err, "it is a FIFO (named pipe), not a regular file"), "read: FIFO: the message says what it is");
	diag("%s", err);
	ok(src_read_file("/dev/null", 1024, &len, NULL, err, sizeof(err)) == NULL &&
	   strstr(err, "'/dev/null': it is a character device"), "read: /dev/null is refused, a character device");
	ok(src_read_file(dir, 1024, &len, NULL, err, sizeof(err)) == NULL && strstr(err, "it is a directory"),
	   "read: a directory is refused");

	fp = fopen(file, "w");
	fputs("0123456789", fp);
	fclose(fp);
	text = src_read_file(file, 10, &len, &st, err, sizeof(err));
	ok(text && len == 10 && memcmp(text, "0123456789", 11) == 0 && text[11] == '\0',
	   "read: a file of MAX bytes is read, two NULs after it");
	ok(S_ISREG(st.st_mode) && st.st_size == 10, "read: its status is given");
	free(text);
	ok(src_read_file(file, 9, &len, NULL, err, sizeof(err)) == NULL && strstr(err, "larger than the 9 bytes it may take"),
	   "read: a file over MAX bytes is refused");
	ok(symlink(file, link) == 0, "read: symbolic link created");
	text = src_read_file(link, 64, &len, NULL, err, sizeof(err));
	ok(text && len == 10, "read: a symbolic link is followed by default");
	free(text);
	err[0] = '\0';
	fd = src_open_regular(link, O_NOFOLLOW, &st, err, sizeof(err));
	ok(fd < 0 && strstr(err, "it is a symbolic link"), "read: ... not with O_NOFOLLOW");
	if (fd >= 0)
		close(fd);
	unlink(link);
	unlink(file);
	unlink(fifo);
	rmdir(dir);
}

/*
 * Columns on long lines come from checkpoints (every 4 kB of a long line):
 * they must equal the width counted from the start of the line, for
 * offsets anywhere, around the checkpoints too, with tabs, multi-byte,
 * invalid and cut UTF-8 sequences, and two long lines sharing a block.
 */
static void test_long_lines(void)
{
	static const char *const bits[] = {
		"a", "\t", "\xC2\xAB", "\xE2\x8E\xA1", "\xF0\x9F\x98\x80", "\xFF", "\x80", "\xE2\x8E", " x ", "\t\t"
	};
	char *t = malloc(200000);
	size_t n = 0, bad = 0, checked = 0;
	uint32_t seed = 12345;
	struct src_registry reg;
	const struct src_file *f, *r;
	unsigned line, col;

	for (int l = 0; l < 5; l++) {
		/* short, long, long, short, long */
		size_t want = l == 0 || l == 3 ? 40 : 30000 + 7000 * (size_t)l;
		for (size_t start = n; n - start < want;) {
			const char *b;
			seed = seed * 1103515245u + 12345u;
			b = bits[(seed >> 16) % (sizeof(bits) / sizeof(bits[0]))];
			memcpy(t + n, b, strlen(b));
			n += strlen(b);
		}
		t[n++] = '\n';
	}
	src_init(&reg);
	f = src_add_text(&reg, "long.conf", t, n);
	for (size_t off = 0, ls = 0, seen = 0, want_line = 1; off < n;
	     off += (off % 4096 < 6 || off % 4096 > 4090) ? 1 : 37) {
		for (; seen < off; seen++)	/* the line of OFF and its start */
			if (t[seen] == '\n') {
				want_line++;
				ls = seen + 1;
			}
		pos(&reg, f->base + (uint32_t)off, &r, &line, &col);
		checked++;
		if (line != want_line || col != src_display_width(t + ls, off - ls) + 1)
			bad++;
	}
	ok(checked > 3000 && bad == 0, "long lines: %zu offsets, %zu with another line or column than counted from the line start",
	   checked, bad);
	src_free(&reg);
	free(t);
}

int main(void)
{
	test_add_text();
	test_lines();
	test_lone_cr();
	test_utf8_columns();
	test_utf8_helpers();
	test_load();
	test_read_file();
	test_long_lines();
	return done_testing();
}

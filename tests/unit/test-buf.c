/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-buf.c - unit tests of the growable buffer and of xgrow(): append, printf, consume, take, growth, no wrapped sizes. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "tests/unit/tap.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_SANITIZED 1
#endif
#endif

/*
 * Run F in a child with its standard error in a pipe: 1 when the child
 * died without F returning (xalloc's abort, or a sanitizer's report), and
 * its first bytes of standard error in ERR.
 */
static int dies(void (*f)(void), char *err, size_t errlen)
{
	int p[2], status;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	err[0] = '\0';
	if (pipe(p) != 0)
		return 0;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 2);
		f();
		_exit(0);	/* F returned: a buffer of a wrapped size */
	}
	close(p[1]);
	while (got + 1 < errlen && (n = read(p[0], err + got, errlen - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return 0;
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void grow_wrapping(void)
{
	size_t cap = 0;
	void *v = xgrow(NULL, &cap, SIZE_MAX / 8 + 2, 16);	/* need * elem wraps to 16 */

	free(v);
}

static void room_wrapping(void)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "x");
	buf_room(&b, SIZE_MAX);	/* len + n + 1 wraps to 1 */
	buf_free(&b);
}

int main(void)
{
	struct buf b = BUF_INIT;
	char err[512], *s;
	size_t cap = 0, len;
	int *v = NULL, same = 1;

	/* appending */
	buf_add(&b, "ab", 2);
	buf_adds(&b, "cd");
	buf_addc(&b, 'e');
	buf_add(&b, "", 0);
	is_int((long long)b.len, 5, "add, adds, addc: 5 bytes");
	is_str(b.p, "abcde", "they are NUL-terminated in order");
	buf_add(&b, "f\0g", 3);
	is_int((long long)b.len, 8, "add copies a NUL byte with the rest");
	ok(memcmp(b.p, "abcdef\0g", 9) == 0, "... and the terminating NUL follows");

	/* printf */
	buf_reset(&b);
	is_int((long long)b.len, 0, "reset empties");
	is_str(b.p, "", "... and leaves an empty string");
	buf_addf(&b, "%s=%d;", "n", 42);
	buf_addf(&b, "%05.1f|%-3s|", 2.5, "x");
	is_str(b.p, "n=42;002.5|x  |", "addf appends formatted text");
	len = b.len;
	buf_addf(&b, "%s", "");
	is_int((long long)b.len, (long long)len, "addf of an empty text adds nothing");
	buf_reset(&b);
	buf_addf(&b, "%0300d", 7);
	ok(b.len == 300 && b.p[299] == '7' && b.p[0] == '0' && b.p[300] == '\0',
	   "addf of 300 bytes into a buffer of less grows it");

	/* consuming */
	buf_reset(&b);
	buf_adds(&b, "line one\nline two\n");
	buf_consume(&b, 9);
	is_str(b.p, "line two\n", "consume drops the first bytes");
	is_int((long long)b.len, 9, "... and keeps the length of the rest");
	buf_consume(&b, 0);
	is_str(b.p, "line two\n", "consume of 0 bytes keeps all");
	buf_consume(&b, 100);
	ok(b.len == 0 && b.p[0] == '\0', "consume of more than there is empties");
	buf_adds(&b, "again");
	is_str(b.p, "again", "an emptied buffer takes new bytes");

	/* room */
	buf_reset(&b);
	s = buf_room(&b, 1000);
	ok(s == b.p && b.cap >= 1001 && b.len == 0, "room: 1000 bytes and a NUL, nothing added");
	memcpy(s, "xyz", 3);
	b.len += 3;
	buf_adds(&b, "!");
	is_str(b.p, "xyz!", "bytes written into the room count once len says so");

	/* taking */
	s = buf_take(&b);
	is_str(s, "xyz!", "take hands over the string");
	ok(b.p == NULL && b.len == 0 && b.cap == 0, "... and leaves the buffer empty");
	free(s);
	s = buf_take(&b);
	is_str(s, "", "take of a buffer never added to gives an empty string to free");
	free(s);

	/* many appends */
	for (int i = 0; i < 100000; i++)
		buf_addf(&b, "%d,", i % 10);
	is_int((long long)b.len, 200000, "100,000 appends: 200,000 bytes");
	for (size_t i = 0; i < b.len; i += 2)
		if (b.p[i] != (char)('0' + (i / 2) % 10) || b.p[i + 1] != ',')
			same = 0;
	ok(same && b.p[b.len] == '\0', "... each in its place, NUL-terminated");
	ok(b.cap >= b.len + 1 && b.cap <= 2 * (b.len + 1), "... in at most twice the room they need");
	buf_free(&b);
	ok(b.p == NULL && b.len == 0 && b.cap == 0, "free leaves the buffer empty");
	buf_free(&b);
	ok(1, "free of an empty buffer is harmless");

	/* arrays */
	v = xgrow(NULL, &cap, 1, sizeof(*v));
	is_int((long long)cap, 16, "xgrow: at least 16 elements");
	same = 1;
	for (size_t i = 0; i < 100000; i++) {
		v = xgrow(v, &cap, i + 1, sizeof(*v));
		v[i] = (int)i;
	}
	for (size_t i = 0; i < 100000; i++)
		if (v[i] != (int)i)
			same = 0;
	ok(same, "xgrow keeps the elements while growing to 100,000");
	is_int((long long)cap, 131072, "... doubling: 131,072 of room");
	ok(xgrow(v, &cap, 10, sizeof(*v)) == v && cap == 131072, "a need already met changes nothing");
	free(v);

	/* sizes that would wrap around end the program, never a short buffer */
	ok(dies(grow_wrapping, err, sizeof(err)), "xgrow of elements whose bytes wrap: the program ends");
#ifndef TEST_SANITIZED
	ok(strstr(err, "out of memory") != NULL, "... with \"out of memory\"");
#else
	ok(1, "# SKIP the sanitizer's allocator reports it");
#endif
	ok(dies(room_wrapping, err, sizeof(err)), "buf_room of bytes whose count wraps: the program ends");
#ifndef TEST_SANITIZED
	ok(strstr(err, "out of memory") != NULL, "... with \"out of memory\"");
#else
	ok(1, "# SKIP the sanitizer's allocator reports it");
#endif
	return done_testing();
}

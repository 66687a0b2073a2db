/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-escape.c - TAP tests of log_esc() (the escaping of every byte from the network) and of log_msg()'s own neutralising of control bytes. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/daemon/log.h"
#include "tests/unit/tap.h"

static void esc(const char *in, size_t len, size_t cap, const char *want, const char *name)
{
	char out[256];

	memset(out, '#', sizeof(out));
	log_esc(out, cap, in, len);
	is_str(out, want, "%s", name);
	ok(strlen(out) < cap, "%s: within the %zu bytes given", name, cap);
}

/* log_msg() (foreground: standard error) of FMT with ARG, as written. */
static void logged(const char *fmt, const char *arg, char *out, size_t len)
{
	char path[] = "/tmp/test-escape.XXXXXX";
	int fd = mkstemp(path), save = dup(2);
	ssize_t n;

	fflush(stderr);
	dup2(fd, 2);
	log_msg(LOG_NOTICE, fmt, arg);
	fflush(stderr);
	dup2(save, 2);
	close(save);
	n = pread(fd, out, len - 1, 0);
	out[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);
}

int main(void)
{
	char out[256], big[600];

	plan(18);
	esc("OL CHRG", 7, 64, "OL CHRG", "printable ASCII as it is");
	esc("a\\b", 3, 64, "a\\\\b", "a backslash doubled");
	esc("OL\x1b[2J\r\n\t", 9, 64, "OL\\x1b[2J\\x0d\\x0a\\x09", "ESC, CR, LF and tab as \\xNN");
	esc("O\0L", 3, 64, "O\\x00L", "a NUL byte as \\x00, the bytes after it kept");
	esc("\x7f\xc2\x9b\xff", 4, 64, "\\x7f\\xc2\\x9b\\xff", "DEL and bytes above 0x7e (UTF-8, C1 CSI) as \\xNN");
	esc("abcdefghij", 10, 8, "abcd...", "a text too long is cut and ends with ...");
	esc("\x1b\x1b\x1b", 3, 9, "\\x1b...", "an escape is never cut in half");
	memset(big, '\x1b', sizeof(big));
	log_esc(out, 200, big, sizeof(big));
	ok(strlen(out) == 199 && strcmp(out + 196, "...") == 0, "600 escaped bytes: 49 of them and ... in 200 bytes (%zu)",
	   strlen(out));
	ok(log_esc(out, 1, "x", 1) == out && out[0] == '\0', "a buffer of one byte gets an empty text");
	logged("text: %s", "a\x1b]0;x\x07\rb", out, sizeof(out));
	is_str(out, "upsplan: text: a\\x1b]0;x\\x07\\x0db\n", "log_msg: control bytes as \\xNN (a second line of defence)");
	logged("%s", "line 1\n\tline 2 caf\xc3\xa9 \\", out, sizeof(out));
	is_str(out, "upsplan: line 1\n\tline 2 caf\xc3\xa9 \\\n", "log_msg: line feeds, tabs, UTF-8 and backslashes of the plan's texts kept");
	return done_testing();
}

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* esc.c - the one escaping of untrusted bytes (from upsd, a peer, a plan) for logs, terminals, mail and traces. */
#include "config.h"

#include <string.h>

#include "base/esc.h"

size_t esc_bytes(char *out, size_t outlen, const char *s, size_t len, int all)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (outlen == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		char e[4];
		size_t n = 1;

		e[0] = (char)ch;
		if (all && ch == '\\') {
			e[1] = '\\';
			n = 2;
		} else if (ch == 0x7f || (ch < 0x20 && (all || (ch != '\n' && ch != '\t'))) || (all && ch > 0x7e)) {
			e[0] = '\\';
			e[1] = 'x';
			e[2] = hex[ch >> 4];
			e[3] = hex[ch & 15];
			n = 4;
		}
		/* room for this, and for "..." when more follows */
		if (o + n + (i + 1 < len ? 3 : 0) > outlen - 1) {
			for (int k = 0; k < 3 && o + 1 < outlen; k++)
				out[o++] = '.';
			break;
		}
		memcpy(out + o, e, n);
		o += n;
	}
	out[o] = '\0';
	return o;
}

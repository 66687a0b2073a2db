/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nutname.c - which UPS and upsd user names NUT can serve (see nutname.h). */
#include "config.h"

#include "base/nutname.h"

/*
 * NUT reads ups.conf and upsd.users with its parseconf (a blank, '#' and
 * '=' end a word: [a=b] is no section), names a driver's socket after the
 * UPS in its state directory (no '/'), writes the UPS name unquoted in its
 * replies (VAR ups var "value": no blank, '"' or '\\'), and its clients
 * split ups@host at the first '@'.  upsplan sends upsd printable ASCII only.
 */
size_t nutname_bad(const char *name, size_t len, int user, const char **why)
{
	const char *w = NULL;
	size_t i;

	for (i = 0; i < len && !w; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == ' ' || c == '\t')
			w = "a blank ends a word in NUT's files and in upsd's protocol";
		else if (c < 0x20 || c == 0x7f)
			w = "a control character cannot be part of a word of upsd's protocol";
		else if (c > 0x7f)
			w = "upsplan sends upsd printable ASCII only";
		else if (c == '"' || c == '\\')
			w = user ? "upsd.users reads it as a quote or an escape, never as part of the name"
				 : "upsd writes the UPS name unquoted in its replies, so it could not be read back";
		else if (c == '#')
			w = "'#' starts a comment in NUT's files and in upsd's protocol";
		else if (c == '=')
			w = "'=' is a word of its own in NUT's files: [a=b] declares nothing";
		else if (c == '@' && !user)
			w = "NUT's clients read ups@host, splitting at the first '@'";
		else if (c == '/' && !user)
			w = "a driver's socket is a file named after the UPS, in upsd's state directory";
	}
	if (why)
		*why = w;
	if (len == 0)
		return 0;
	return w ? i - 1 : len;
}

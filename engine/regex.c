/* SPDX-License-Identifier: GPL-2.0-or-later */
/* regex.c - the language's regular expressions: PCRE2 compile (with the JIT), bounded matches on pre-allocated match data. */
#include "config.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/regex.h"
#include "base/xalloc.h"

struct rx {
	pcre2_code *code;
	pcre2_match_data *md;		/* allocated with the pattern: a match allocates nothing */
	pcre2_match_context *mc;	/* the limits */
	int jit;
};

struct rx *rx_compile(const char *p, size_t len, int flags, char *err, size_t errlen, size_t *erroff)
{
	int ec = 0;
	PCRE2_SIZE off = 0;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)p, len, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C,
					 &ec, &off, NULL);
	struct rx *r;

	if (!code) {
		PCRE2_UCHAR msg[256];
		if (pcre2_get_error_message(ec, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "PCRE2 error %d", ec);
		snprintf(err, errlen, "%s", (const char *)msg);
		*erroff = off > len ? len : off;
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->code = code;
	r->jit = (flags & RX_JIT) && pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	r->md = pcre2_match_data_create_from_pattern(code, NULL);
	r->mc = pcre2_match_context_create(NULL);
	if (!r->md || !r->mc)
		xalloc_fail();
	pcre2_set_match_limit(r->mc, RX_MATCH_LIMIT);
	pcre2_set_depth_limit(r->mc, RX_DEPTH_LIMIT);
	return r;
}

int rx_search(struct rx *r, const char *s, size_t len)
{
	/* JIT code: pcre2_jit_match() skips pcre2_match()'s checks, none of which applies (no options; invalid UTF is matched) */
	int rc = r->jit ? pcre2_jit_match(r->code, (PCRE2_SPTR)s, len, 0, 0, r->md, r->mc) :
		 pcre2_match(r->code, (PCRE2_SPTR)s, len, 0, 0, r->md, r->mc);

	return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

int rx_match(struct rx *r, const char *s, size_t len)
{
	return rx_search(r, s, len) > 0;
}

int rx_jit(const struct rx *r)
{
	return r->jit;
}

int rx_jit_available(void)
{
	uint32_t jit = 0;

	return pcre2_config(PCRE2_CONFIG_JIT, &jit) >= 0 && jit;
}

void rx_free(struct rx *r)
{
	if (!r)
		return;
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mc);
	pcre2_code_free(r->code);
	free(r);
}

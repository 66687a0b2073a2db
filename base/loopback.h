/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loopback.h - is an address, a host text or a host name loopback only (TLS NONE: plain TCP to upsd on this machine only)? */
#ifndef UPSPLAN_LOOPBACK_H
#define UPSPLAN_LOOPBACK_H

#include <stddef.h>
#include <sys/socket.h>

/*
 * 1 when SA is a loopback address: IPv4 127.0.0.0/8, IPv6 ::1, or an
 * IPv4-mapped IPv6 address of 127.0.0.0/8 (::ffff:127.x.y.z, what an IPv6
 * socket connected to 127.0.0.1 reports); 0 for anything else.
 */
int lo_addr_is_loopback(const struct sockaddr *sa, size_t salen);

/*
 * HOST as a literal address (brackets and an IPv6 zone allowed):
 * 1 loopback, 0 an address that is not loopback, -1 not an address (a
 * host name: lo_resolve() decides).
 */
int lo_text_is_loopback(const char *host);

/*
 * Resolve HOST (a name or an address) and judge every address it gives:
 * 1 when all are loopback; 0 when one is not (MSG names it); -1 when it
 * cannot be resolved (MSG says why).  MSG gets a NUL-terminated text in
 * any case but 1.
 */
int lo_resolve(const char *host, char *msg, size_t msglen);

/* The numeric text of SA into BUF (at least 64 bytes), "?" when it has none. */
const char *lo_addr_text(const struct sockaddr *sa, size_t salen, char *buf, size_t len);

#endif

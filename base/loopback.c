/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loopback.c - loopback-only checks of addresses and host names, for TLS NONE (see loopback.h). */
#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "base/loopback.h"

static int lo_v4(const unsigned char *a)
{
	return a[0] == 127;
}

static int lo_v6(const unsigned char *a)
{
	static const unsigned char one[16] = { [15] = 1 };
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (memcmp(a, one, 16) == 0)
		return 1;
	return memcmp(a, mapped, 12) == 0 && lo_v4(a + 12);
}

int lo_addr_is_loopback(const struct sockaddr *sa, size_t salen)
{
	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in))
		return lo_v4((const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr);
	if (sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6))
		return lo_v6(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
	return 0;
}

int lo_text_is_loopback(const char *host)
{
	char buf[300], *zone;
	unsigned char addr[16];
	size_t n = strlen(host);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, host, n + 1);
	if (n > 2 && buf[0] == '[' && buf[n - 1] == ']') {
		memmove(buf, buf + 1, n - 2);
		buf[n - 2] = '\0';
	}
	zone = strchr(buf, '%');
	if (zone && strchr(buf, ':'))
		*zone = '\0';
	if (inet_pton(AF_INET6, buf, addr) == 1)
		return lo_v6(addr);
	/* only the dotted quad: "127.1" or "0x7f.1" are names to getaddrinfo's eyes here */
	if (inet_pton(AF_INET, buf, addr) == 1)
		return lo_v4(addr);
	return -1;
}

const char *lo_addr_text(const struct sockaddr *sa, size_t salen, char *buf, size_t len)
{
	if (getnameinfo(sa, (socklen_t)salen, buf, (socklen_t)len, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(buf, len, "?");
	return buf;
}

int lo_resolve(const char *host, char *msg, size_t msglen)
{
	struct addrinfo hints, *res = NULL;
	char name[300], a[INET6_ADDRSTRLEN + 80];
	size_t n = strlen(host);
	int rc, lit = lo_text_is_loopback(host);

	if (lit >= 0) {
		if (!lit)
			snprintf(msg, msglen, "%s is not a loopback address", host);
		return lit;
	}
	if (n >= sizeof(name)) {
		snprintf(msg, msglen, "the host name is too long");
		return -1;
	}
	memcpy(name, host, n + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(msg, msglen, "'%s' cannot be resolved (%s), so it cannot be shown to be loopback only", host,
			 rc != 0 ? gai_strerror(rc) : "no address");
		if (res)
			freeaddrinfo(res);
		return -1;
	}
	for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if (!lo_addr_is_loopback(ai->ai_addr, ai->ai_addrlen)) {
			snprintf(msg, msglen, "'%s' resolves to %s, which is not a loopback address", host,
				 lo_addr_text(ai->ai_addr, ai->ai_addrlen, a, sizeof(a)));
			freeaddrinfo(res);
			return 0;
		}
	}
	freeaddrinfo(res);
	return 1;
}

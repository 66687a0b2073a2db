/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-loopback.c - TAP tests of the loopback-only checks of TLS NONE: socket addresses, host texts, resolution, a connected socket's peer. */
#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/loopback.h"
#include "tests/unit/tap.h"

/* lo_addr_is_loopback() of the numeric address TEXT (IPv4 or IPv6). */
static int addr_lo(const char *text)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, text, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		return lo_addr_is_loopback((struct sockaddr *)&sin, sizeof(sin));
	}
	if (inet_pton(AF_INET6, text, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		return lo_addr_is_loopback((struct sockaddr *)&sin6, sizeof(sin6));
	}
	return -1;
}

static void test_addresses(void)
{
	static const struct {
		const char *addr;
		int lo;
	} cases[] = {
		{ "127.0.0.1", 1 }, { "127.1.2.3", 1 }, { "127.255.255.254", 1 }, { "::1", 1 },
		{ "::ffff:127.0.0.1", 1 }, { "::ffff:127.9.8.7", 1 },
		{ "10.0.0.1", 0 }, { "192.168.1.20", 0 }, { "192.168.0.127", 0 }, { "128.0.0.1", 0 },
		{ "0.0.0.0", 0 }, { "::", 0 }, { "::2", 0 }, { "::ffff:10.0.0.1", 0 }, { "::127.0.0.1", 0 },
		{ "fe80::1", 0 }, { "2001:db8::1", 0 }, { "64:ff9b::7f00:1", 0 },
	};
	struct sockaddr_in sin;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(addr_lo(cases[i].addr), cases[i].lo, "socket address %s: %s", cases[i].addr,
		       cases[i].lo ? "loopback" : "not loopback");
	ok(!lo_addr_is_loopback(NULL, 0), "no address: not loopback");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	ok(!lo_addr_is_loopback((struct sockaddr *)&sin, sizeof(sin) - 1), "a short IPv4 address: not loopback");
	sin.sin_family = AF_UNIX;
	ok(!lo_addr_is_loopback((struct sockaddr *)&sin, sizeof(sin)), "another family: not loopback");
}

static void test_texts(void)
{
	static const struct {
		const char *host;
		int lo;
	} cases[] = {
		{ "127.0.0.1", 1 }, { "127.1.2.3", 1 }, { "::1", 1 }, { "[::1]", 1 }, { "::ffff:127.0.0.1", 1 },
		{ "[::ffff:127.0.0.1]", 1 }, { "::1%lo", 1 }, { "10.0.0.1", 0 }, { "192.168.7.8", 0 },
		{ "[2001:db8::1]", 0 }, { "::ffff:192.168.1.1", 0 }, { "localhost", -1 }, { "ups.example", -1 },
		{ "127.1", -1 }, { "", -1 },
	};
	char msg[300];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(lo_text_is_loopback(cases[i].host), cases[i].lo, "host text '%s': %s", cases[i].host,
		       cases[i].lo > 0 ? "loopback" : cases[i].lo == 0 ? "an address, not loopback" : "a name");
	is_int(lo_resolve("127.0.0.5", msg, sizeof(msg)), 1, "resolve 127.0.0.5: loopback");
	is_int(lo_resolve("10.1.1.1", msg, sizeof(msg)), 0, "resolve 10.1.1.1: not loopback");
	is_str(msg, "10.1.1.1 is not a loopback address", "... and says so");
	/* RFC 6761: .invalid never resolves, whatever the resolver */
	is_int(lo_resolve("upsd.invalid", msg, sizeof(msg)), -1, "resolve upsd.invalid: cannot tell");
	ok(strstr(msg, "'upsd.invalid' cannot be resolved") == msg, "... and says so: %s", msg);
}

/*
 * What the daemon does once connected: the peer of a TCP connection to a
 * listener on ADDR (family FAMILY) judged by lo_addr_is_loopback(); -1 when
 * the listener cannot be made.
 */
static int peer_lo(int family, const void *addr)
{
	struct sockaddr_storage ss, peer;
	socklen_t len = sizeof(ss), plen = sizeof(peer);
	int l, c, rc = -1;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)&ss)->sin_addr, addr, 4);
	else
		memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, addr, 16);
	l = socket(family, SOCK_STREAM, 0);
	if (l < 0)
		return -1;
	if (bind(l, (struct sockaddr *)&ss, family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) != 0 ||
	    listen(l, 1) != 0 || getsockname(l, (struct sockaddr *)&ss, &len) != 0) {
		close(l);
		return -1;
	}
	c = socket(family, SOCK_STREAM, 0);
	if (c >= 0 && connect(c, (struct sockaddr *)&ss, len) == 0 &&
	    getpeername(c, (struct sockaddr *)&peer, &plen) == 0)
		rc = lo_addr_is_loopback((struct sockaddr *)&peer, plen);
	if (c >= 0)
		close(c);
	close(l);
	return rc;
}

static void test_peers(void)
{
	struct in_addr lo4 = { htonl(0x7f000001) };
	struct ifaddrs *ifa = NULL;
	int done = 0;

	is_int(peer_lo(AF_INET, &lo4), 1, "connected to 127.0.0.1: the peer is loopback");
	if (peer_lo(AF_INET6, &in6addr_loopback) < 0)
		ok(1, "# SKIP no IPv6 loopback here");
	else
		is_int(peer_lo(AF_INET6, &in6addr_loopback), 1, "connected to ::1: the peer is loopback");
	/* an address of this machine that is not loopback: a connection to it is refused in plain text */
	if (getifaddrs(&ifa) == 0) {
		for (const struct ifaddrs *i = ifa; i && !done; i = i->ifa_next) {
			const struct sockaddr_in *a = (const struct sockaddr_in *)i->ifa_addr;
			int r;
			if (!a || a->sin_family != AF_INET || lo_addr_is_loopback(i->ifa_addr, sizeof(*a)))
				continue;
			r = peer_lo(AF_INET, &a->sin_addr);
			if (r < 0)
				continue;
			is_int(r, 0, "connected to this machine's %s: the peer is not loopback", inet_ntoa(a->sin_addr));
			done = 1;
		}
		freeifaddrs(ifa);
	}
	if (!done)
		ok(1, "# SKIP this machine has no IPv4 address but loopback");
}

int main(void)
{
	test_addresses();
	test_texts();
	test_peers();
	return done_testing();
}

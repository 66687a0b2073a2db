## SPDX-License-Identifier: GPL-2.0-or-later
## tests/daemon/local.mk - integration tests of the daemon against real NUT peers: the peers library, its C helpers and its self-test.
##
## tests/daemon/peers.sh      sourced by the TAP scripts: dummy-ups, upsd
##                            (STARTTLS), stunnel front ends, a silent server
## tests/daemon/freeport      prints free TCP ports of 127.0.0.1
## tests/daemon/silent-server accepts connections, never answers
## tests/daemon/img-rehost    moves a compiled plan to another HOST
## tests/daemon/nut-probe     NUT client: plain, STARTTLS or direct TLS
## tests/daemon/sd-listen     a NOTIFY_SOCKET that records what it gets
## tests/daemon/mkutmp        adds a login to a utmp file (NOTIFY tests)
## tests/daemon/hooks-driver  runs HOOKS directories as the daemon does
## tests/daemon/http-poke     a hostile HTTP client (--metrics, --webhook tests)
## tests/daemon/daemon-lib.sh sourced by the run-*.sh tests: upsplan run
##                            started, waited for and stopped
## tests/daemon/run-*.sh      upsplan run against those peers

check_PROGRAMS += tests/daemon/freeport tests/daemon/silent-server tests/daemon/nut-probe tests/daemon/sd-listen tests/daemon/mkutmp \
	tests/daemon/img-rehost tests/daemon/hooks-driver tests/daemon/http-poke
tests_daemon_hooks_driver_SOURCES = tests/daemon/hooks-driver.c
tests_daemon_hooks_driver_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
tests_daemon_hooks_driver_LDADD = $(DAEMON_LIBS)
tests_daemon_http_poke_SOURCES = tests/daemon/http-poke.c
tests_daemon_sd_listen_SOURCES = tests/daemon/sd-listen.c
tests_daemon_mkutmp_SOURCES = tests/daemon/mkutmp.c
tests_daemon_freeport_SOURCES = tests/daemon/freeport.c
tests_daemon_img_rehost_SOURCES = tests/daemon/img-rehost.c
tests_daemon_img_rehost_LDADD = engine/libengine.a grammar/libgrammar.a $(BASE_LIBS) -lm
tests_daemon_silent_server_SOURCES = tests/daemon/silent-server.c
tests_daemon_nut_probe_SOURCES = tests/daemon/nut-probe.c
tests_daemon_nut_probe_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_daemon_nut_probe_LDADD = $(OPENSSL_LIBS)

# where peers.sh finds the helpers (the build tree, also in make distcheck)
AM_TESTS_ENVIRONMENT += \
	PEERS_BINDIR='$(abs_top_builddir)/tests/daemon'; export PEERS_BINDIR;

TESTS += \
	tests/daemon/peers-selftest.sh \
	tests/daemon/run-outage.sh \
	tests/daemon/run-alerts.sh \
	tests/daemon/run-plain.sh \
	tests/daemon/run-conditions.sh \
	tests/daemon/run-level.sh \
	tests/daemon/run-numlogins.sh \
	tests/daemon/run-numlogins-replies.sh \
	tests/daemon/run-names.sh \
	tests/daemon/run-tls.sh \
	tests/daemon/run-tls-setup.sh \
	tests/daemon/run-reload.sh \
	tests/daemon/run-reload-bomb.sh \
	tests/daemon/run-include.sh \
	tests/daemon/run-poller.sh \
	tests/daemon/run-keepalive.sh \
	tests/daemon/run-state.sh \
	tests/daemon/run-marks.sh \
	tests/daemon/run-pidfile.sh \
	tests/daemon/run-startup.sh \
	tests/daemon/run-killpower.sh \
	tests/daemon/run-hazards.sh \
	tests/daemon/run-shutexit.sh \
	tests/daemon/run-hooks.sh \
	tests/daemon/run-hooks-live.sh \
	tests/daemon/run-control.sh \
	tests/daemon/run-metrics.sh \
	tests/daemon/run-metrics-listvar.sh \
	tests/daemon/run-webhook.sh

EXTRA_DIST += \
	tests/daemon/run-metrics.sh \
	tests/daemon/run-webhook.sh \
	tests/daemon/run-metrics-listvar.sh \
	tests/daemon/peers.sh \
	tests/daemon/run-hooks.sh \
	tests/daemon/run-hooks-live.sh \
	tests/daemon/run-shutexit.sh \
	tests/daemon/run-control.sh \
	tests/daemon/peers-selftest.sh \
	tests/daemon/daemon-lib.sh \
	tests/daemon/run-alerts.sh \
	tests/daemon/run-outage.sh \
	tests/daemon/run-plain.sh \
	tests/daemon/run-conditions.sh \
	tests/daemon/run-level.sh \
	tests/daemon/run-numlogins.sh \
	tests/daemon/run-numlogins-replies.sh \
	tests/daemon/run-names.sh \
	tests/daemon/run-tls.sh \
	tests/daemon/run-tls-setup.sh \
	tests/daemon/run-reload.sh \
	tests/daemon/run-reload-bomb.sh \
	tests/daemon/run-include.sh \
	tests/daemon/run-poller.sh \
	tests/daemon/run-keepalive.sh \
	tests/daemon/run-state.sh \
	tests/daemon/run-marks.sh \
	tests/daemon/run-pidfile.sh \
	tests/daemon/run-startup.sh \
	tests/daemon/run-killpower.sh \
	tests/daemon/run-hazards.sh

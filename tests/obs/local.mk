## SPDX-License-Identifier: GPL-2.0-or-later
## tests/obs/local.mk - tests of runtime/obs/ against a real Alertmanager: the client (am-client driver) and the webhook receiver (wh-server driver, unit tests).
##
## tests/obs/obs-lib.sh     sourced by the TAP scripts: prometheus-alertmanager,
##                          python3 receivers (http, https, 500, garbage, hang)
## tests/obs/am-client      drives runtime/obs/alertmgr from standard input
## tests/obs/alertmgr.sh    the client against real Alertmanagers and receivers
## tests/obs/test-webhook   unit tests of the webhook parser and the token check
## tests/obs/wh-server      evhttp listener printing what runtime/obs/webhook gets
## tests/obs/webhook.sh     wh-server against a real Alertmanager and bad clients
check_PROGRAMS += tests/obs/am-client tests/obs/wh-server tests/obs/test-webhook
tests_obs_wh_server_SOURCES = tests/obs/wh-server.c
tests_obs_wh_server_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
tests_obs_wh_server_LDADD = $(OBS_LIBS)
tests_obs_test_webhook_SOURCES = tests/obs/test-webhook.c tests/unit/tap.h
tests_obs_test_webhook_LDADD = $(OBS_LIBS)
tests_obs_am_client_SOURCES = tests/obs/am-client.c
tests_obs_am_client_CPPFLAGS = $(AM_CPPFLAGS) $(LIBEVENT_CFLAGS)
tests_obs_am_client_LDADD = $(OBS_LIBS)

AM_TESTS_ENVIRONMENT += \
	OBS_BINDIR='$(abs_top_builddir)/tests/obs'; export OBS_BINDIR; \
	FREEPORT='$(abs_top_builddir)/tests/daemon/freeport'; export FREEPORT;

TESTS += \
	tests/obs/test-webhook \
	tests/obs/alertmgr.sh \
	tests/obs/webhook.sh

EXTRA_DIST += \
	tests/obs/obs-lib.sh \
	tests/obs/receiver.py \
	tests/obs/alertmgr.sh \
	tests/obs/webhook.sh

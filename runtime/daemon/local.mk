## SPDX-License-Identifier: GPL-2.0-or-later
## runtime/daemon/local.mk - the daemon's library (upsd connections, TLS, NUT protocol, actions, privilege separation, state, log), linked by upsplan and the tests.
noinst_LIBRARIES += runtime/daemon/libdaemon.a
runtime_daemon_libdaemon_a_SOURCES = \
	runtime/daemon/actions.c runtime/daemon/actions.h \
	runtime/daemon/alerts.c runtime/daemon/alerts.h \
	runtime/daemon/bev-out.c runtime/daemon/bev-out.h \
	runtime/daemon/child.c runtime/daemon/child.h \
	runtime/daemon/control.c runtime/daemon/control.h runtime/daemon/control-int.h \
	runtime/daemon/control-json.c runtime/daemon/control-sock.c \
	runtime/daemon/daemon.c runtime/daemon/daemon.h runtime/daemon/daemon-int.h runtime/daemon/daemon-ps.c \
	runtime/daemon/desktop.c runtime/daemon/desktop.h \
	runtime/daemon/dm-metrics.c runtime/daemon/dm-metrics.h \
	runtime/daemon/dm-plan.c \
	runtime/daemon/dm-webhook.c runtime/daemon/dm-webhook.h \
	runtime/daemon/fdlimit.c runtime/daemon/fdlimit.h \
	runtime/daemon/hooks.c runtime/daemon/hooks.h \
	runtime/daemon/log.c runtime/daemon/log.h \
	runtime/daemon/nut-proto.c runtime/daemon/nut-proto.h \
	runtime/daemon/privsep.c runtime/daemon/privsep.h runtime/daemon/privsep-int.h \
	runtime/daemon/privsep-frames.c runtime/daemon/privsep-frames.def runtime/daemon/privsep-plan.c \
	runtime/daemon/privsep-reload.c runtime/daemon/privsep-root.c \
	runtime/daemon/sdnotify.c runtime/daemon/sdnotify.h \
	runtime/daemon/statefile.c runtime/daemon/statefile.h runtime/daemon/statefile-int.h runtime/daemon/statefile-read.c \
	runtime/daemon/tls.c runtime/daemon/tls.h \
	runtime/daemon/upsd-conn.c runtime/daemon/upsd-conn.h runtime/daemon/upsd-conn-int.h \
	runtime/daemon/upsd-io.c runtime/daemon/upsd-list.c runtime/daemon/upsd-poller.c runtime/daemon/upsd-reply.c \
	runtime/daemon/workdir.c runtime/daemon/workdir.h
runtime_daemon_libdaemon_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
# the daemon and what it needs below it
DAEMON_LIBS = runtime/daemon/libdaemon.a runtime/obs/libobs.a runtime/mail/libmail.a $(COMMON_LIBS) \
	$(LIBEVENT_LIBS) $(OPENSSL_LIBS) $(JANSSON_LIBS)

## SPDX-License-Identifier: GPL-2.0-or-later
## runtime/daemon.mk - the daemon's library (upsd connections, TLS, actions, privilege separation), linked by upsplan and the tests; and upsplan-mail, the helper that sends its mail with libcurl.
noinst_LIBRARIES += runtime/libdaemon.a
runtime_libdaemon_a_SOURCES = \
	runtime/actions.c runtime/actions.h \
	runtime/child.c runtime/child.h \
	runtime/daemon.c runtime/daemon.h runtime/daemon-int.h runtime/daemon-ps.c runtime/monotonic.h \
	runtime/fdlimit.c runtime/fdlimit.h \
	runtime/log.c runtime/log.h \
	runtime/mail-job.c runtime/mail-job.h \
	runtime/nut-proto.c runtime/nut-proto.h \
	runtime/privsep.c runtime/privsep.h runtime/privsep-int.h runtime/privsep-frames.c runtime/privsep-frames.def \
	runtime/privsep-root.c \
	runtime/safe-file.c runtime/safe-file.h \
	runtime/desktop.c runtime/desktop.h \
	runtime/sdnotify.c runtime/sdnotify.h \
	runtime/statefile.c runtime/statefile.h \
	runtime/tls.c runtime/tls.h \
	runtime/upsd-conn.c runtime/upsd-conn.h runtime/upsd-conn-int.h \
	runtime/upsd-io.c runtime/upsd-reply.c
runtime_libdaemon_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
DAEMON_LIBS = runtime/libdaemon.a $(LIBEVENT_LIBS) $(OPENSSL_LIBS) $(JANSSON_LIBS)

# the mail helper: libcurl (and its two dozen libraries) only in the short
# process that sends one mail, never in the daemon
pkglibexec_PROGRAMS = upsplan-mail
upsplan_mail_SOURCES = runtime/mail-main.c runtime/email.c runtime/email.h runtime/mail-job.c runtime/mail-job.h
upsplan_mail_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCURL_CFLAGS) $(OPENSSL_CFLAGS)
upsplan_mail_LDADD = base/libbase.a $(LIBCURL_LIBS) $(OPENSSL_LIBS)

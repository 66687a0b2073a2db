## runtime/daemon.mk - the daemon's library (upsd connections, TLS, actions, mail, privilege separation), linked by upsplan and the tests.
noinst_LIBRARIES += runtime/libdaemon.a
runtime_libdaemon_a_SOURCES = \
	runtime/actions.c runtime/actions.h \
	runtime/daemon.c runtime/daemon.h \
	runtime/email.c runtime/email.h \
	runtime/log.c runtime/log.h \
	runtime/nut-proto.c runtime/nut-proto.h \
	runtime/privsep.c runtime/privsep.h \
	runtime/desktop.c runtime/desktop.h \
	runtime/sdnotify.c runtime/sdnotify.h \
	runtime/tls.c runtime/tls.h \
	runtime/upsd-conn.c runtime/upsd-conn.h
runtime_libdaemon_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) $(LIBCURL_CFLAGS)
DAEMON_LIBS = runtime/libdaemon.a $(LIBEVENT_LIBS) $(LIBCURL_LIBS) $(OPENSSL_LIBS)

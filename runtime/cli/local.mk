## SPDX-License-Identifier: GPL-2.0-or-later
## runtime/cli/local.mk - the upsplan command: its subcommands (libcli.a) and main().
noinst_LIBRARIES += runtime/cli/libcli.a
runtime_cli_libcli_a_SOURCES = \
	runtime/cli/cli.c runtime/cli/cli.h \
	runtime/cli/cmd-check.c \
	runtime/cli/cmd-compile.c \
	runtime/cli/cmd-ctl.c \
	runtime/cli/cmd-fsd.c \
	runtime/cli/cmd-generate.c \
	runtime/cli/cmd-migrate.c \
	runtime/cli/cmd-run.c \
	runtime/cli/cmd-simulate.c \
	runtime/cli/cmd-status.c \
	runtime/cli/ctl-client.c runtime/cli/ctl-client.h \
	runtime/cli/cmd-tls-setup.c \
	runtime/cli/tls-files.c runtime/cli/tls-files.h \
	runtime/cli/tls-install.c runtime/cli/tls-install.h \
	runtime/cli/tls-pki.c runtime/cli/tls-pki.h
runtime_cli_libcli_a_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) \
	-DUPSPLAN_MAIL_HELPER='"$(pkglibexecdir)/upsplan-mail"' \
	-DUPSPLAN_ALERT_HELPER='"$(pkglibexecdir)/upsplan-alert"'

upsplan_SOURCES = runtime/cli/main.c
upsplan_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
upsplan_LDADD = runtime/cli/libcli.a runtime/sim/libsim.a runtime/migrate/libmigrate.a $(DAEMON_LIBS)

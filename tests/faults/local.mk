## SPDX-License-Identifier: GPL-2.0-or-later
## tests/faults/local.mk - the fault campaign: upsplan run against a hostile upsd (hostile replies, TLS and TCP faults, drops), the back-off, the open files limit, the escaping of what servers send.
##
## tests/faults/hostile-upsd        test-only upsd (STARTTLS, OpenSSL) for any
##                                  UPS name, misbehaving as its mode says (-h)
## tests/faults/emfile-shim.so      LD_PRELOAD library: chosen TCP sockets
##                                  fail with EMFILE
## tests/faults/reset-shim.so       LD_PRELOAD library: writes on TCP sockets
##                                  fail with ECONNRESET while a flag file exists
## tests/faults/test-escape         unit test (TAP) of log_esc() and of
##                                  log_msg()'s neutralising of control bytes
## tests/faults/faults-lib.sh       sourced by the scripts: the hostile upsd,
##                                  one daemon per fault case, its checks
## tests/faults/run-hostile-lines.sh   hostile reply lines
## tests/faults/run-hostile-tls.sh     TLS and TCP faults, renegotiation
## tests/faults/run-tls-words.sh       each TLS failure in words (CERTFILE,
##                                     answer in clear, certificates)
## tests/faults/run-backoff.sh         LOGIN then a drop: the back-off
## tests/faults/run-fdlimit.sh         RLIMIT_NOFILE, a local EMFILE
## tests/faults/run-reset.sh           a reset met while writing a poll

check_PROGRAMS += tests/faults/hostile-upsd
tests_faults_hostile_upsd_SOURCES = tests/faults/hostile-upsd.c
tests_faults_hostile_upsd_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_faults_hostile_upsd_LDADD = $(OPENSSL_LIBS)

check_PROGRAMS += tests/faults/test-escape
tests_faults_test_escape_SOURCES = tests/faults/test-escape.c tests/unit/tap.h
tests_faults_test_escape_LDADD = runtime/daemon/libdaemon.a base/libbase.a

# no sanitizer: the library is loaded first, before ASan's runtime
check_PROGRAMS += tests/faults/emfile-shim.so
tests_faults_emfile_shim_so_SOURCES = tests/faults/emfile-shim.c
tests_faults_emfile_shim_so_CFLAGS = $(WARN_CFLAGS) -fPIC
tests_faults_emfile_shim_so_LDFLAGS = -shared
tests_faults_emfile_shim_so_LDADD = -ldl
check_PROGRAMS += tests/faults/reset-shim.so
tests_faults_reset_shim_so_SOURCES = tests/faults/reset-shim.c
tests_faults_reset_shim_so_CFLAGS = $(WARN_CFLAGS) -fPIC
tests_faults_reset_shim_so_LDFLAGS = -shared
tests_faults_reset_shim_so_LDADD = -ldl

# where faults-lib.sh finds hostile-upsd and the shim (the build tree)
AM_TESTS_ENVIRONMENT += \
	FAULTS_BINDIR='$(abs_top_builddir)/tests/faults'; export FAULTS_BINDIR;

TESTS += \
	tests/faults/test-escape$(EXEEXT) \
	tests/faults/run-hostile-lines.sh \
	tests/faults/run-hostile-tls.sh \
	tests/faults/run-tls-words.sh \
	tests/faults/run-backoff.sh \
	tests/faults/run-fdlimit.sh \
	tests/faults/run-reset.sh

EXTRA_DIST += \
	tests/faults/faults-lib.sh \
	tests/faults/run-hostile-lines.sh \
	tests/faults/run-hostile-tls.sh \
	tests/faults/run-tls-words.sh \
	tests/faults/run-backoff.sh \
	tests/faults/run-fdlimit.sh \
	tests/faults/run-reset.sh

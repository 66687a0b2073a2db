## tests/faults/local.mk - the fault campaign: upsplan run against a hostile upsd (hostile replies, TLS and TCP faults, drops), the back-off, the open files limit, the escaping of what servers send.
##
## tests/faults/hostile-upsd        test-only upsd (STARTTLS, OpenSSL) for any
##                                  UPS name, misbehaving as its mode says (-h)
## tests/faults/faults-lib.sh       sourced by the scripts: the hostile upsd,
##                                  one daemon per fault case, its checks

check_PROGRAMS += tests/faults/hostile-upsd
tests_faults_hostile_upsd_SOURCES = tests/faults/hostile-upsd.c
tests_faults_hostile_upsd_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_faults_hostile_upsd_LDADD = $(OPENSSL_LIBS)

EXTRA_DIST += tests/faults/faults-lib.sh

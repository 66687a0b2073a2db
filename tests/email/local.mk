## SPDX-License-Identifier: GPL-2.0-or-later
## tests/email/local.mk - EMAIL: upsplan-mail (runtime/mail/mail-main.c, email.c) against a fake SMTP server (TLS, STARTTLS, AUTH), TAP.
##
## tests/email/fake-smtp   test-only SMTP server on 127.0.0.1 (OpenSSL)
## tests/email/email.sh    the TAP script: throwaway CAs and certificates
##                         made with the openssl CLI, then each case as a
##                         mail job on upsplan-mail's standard input;
##                         EMAIL_SEND_WRAPPER='valgrind ...' runs the helper
##                         under a checker
check_PROGRAMS += tests/email/fake-smtp
tests_email_fake_smtp_SOURCES = tests/email/fake-smtp.c
tests_email_fake_smtp_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_email_fake_smtp_LDADD = $(OPENSSL_LIBS)

TESTS += tests/email/email.sh
EXTRA_DIST += tests/email/email.sh

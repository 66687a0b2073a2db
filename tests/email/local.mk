## tests/email/local.mk - EMAIL actions: runtime/email.c against a fake SMTP server (TLS, STARTTLS, AUTH), TAP.
##
## tests/email/fake-smtp   test-only SMTP server on 127.0.0.1 (OpenSSL)
## tests/email/email-send  sends one mail with email_send() (runtime/email.c
##                         compiled in); EMAIL_SEND_WRAPPER='valgrind ...'
##                         runs it under a checker
## tests/email/email.sh    the TAP script (also runs upsplan-mail, the daemon's helper):
##                         throwaway CAs and certificates
##                         made with the openssl CLI, then each case
check_PROGRAMS += tests/email/fake-smtp tests/email/email-send
tests_email_fake_smtp_SOURCES = tests/email/fake-smtp.c
tests_email_fake_smtp_CPPFLAGS = $(AM_CPPFLAGS) $(OPENSSL_CFLAGS)
tests_email_fake_smtp_LDADD = $(OPENSSL_LIBS)
tests_email_email_send_SOURCES = tests/email/email-send.c runtime/email.c runtime/email.h
tests_email_email_send_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCURL_CFLAGS)
tests_email_email_send_LDADD = $(LIBCURL_LIBS)

TESTS += tests/email/email.sh
EXTRA_DIST += tests/email/email.sh

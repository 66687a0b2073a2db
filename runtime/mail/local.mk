## SPDX-License-Identifier: GPL-2.0-or-later
## runtime/mail/local.mk - mail: the job the daemon hands over (libmail.a) and upsplan-mail, the helper that sends it with libcurl.
noinst_LIBRARIES += runtime/mail/libmail.a
runtime_mail_libmail_a_SOURCES = \
	runtime/mail/email.c runtime/mail/email.h \
	runtime/mail/message.c runtime/mail/message.h \
	runtime/mail/mail-job.c runtime/mail/mail-job.h
runtime_mail_libmail_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCURL_CFLAGS) $(OPENSSL_CFLAGS)

# the mail helper: libcurl (and its two dozen libraries) only in the short
# process that sends one mail, never in the daemon (which links only
# mail-job.o of libmail.a); no jansson either: what it uses of base/ writes no JSON
pkglibexec_PROGRAMS = upsplan-mail
upsplan_mail_SOURCES = runtime/mail/mail-main.c
upsplan_mail_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCURL_CFLAGS) $(OPENSSL_CFLAGS)
upsplan_mail_LDADD = runtime/mail/libmail.a base/libbase.a $(LIBCURL_LIBS) $(OPENSSL_LIBS)

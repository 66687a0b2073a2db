## SPDX-License-Identifier: GPL-2.0-or-later
## runtime/obs/local.mk - observability (libobs.a): the Alertmanager client and the Alertmanager webhook receiver.
noinst_LIBRARIES += runtime/obs/libobs.a
runtime_obs_libobs_a_SOURCES = \
	runtime/obs/alertmgr.c runtime/obs/alertmgr.h \
	runtime/obs/curlev.c runtime/obs/curlev.h \
	runtime/obs/webhook.c runtime/obs/webhook.h
runtime_obs_libobs_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCURL_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS)
# what a program using libobs.a links with it
OBS_LIBS = runtime/obs/libobs.a $(LIBCURL_LIBS) $(LIBEVENT_LIBS) $(BASE_LIBS) $(OPENSSL_LIBS)

## SPDX-License-Identifier: GPL-2.0-or-later
## runtime/obs/local.mk - what others can see of the daemon and what it sends them (libobs.a): the hardened HTTP listener, the Prometheus exposition writer, the Alertmanager webhook receiver, and the Alertmanager client (libcurl: only for the helper program that sends alerts, never linked into upsplan).
noinst_LIBRARIES += runtime/obs/libobs.a
runtime_obs_libobs_a_SOURCES = \
	runtime/obs/httpd.c runtime/obs/httpd.h \
	runtime/obs/metrics.c runtime/obs/metrics.h \
	runtime/obs/alertmgr.c runtime/obs/alertmgr.h \
	runtime/obs/curlev.c runtime/obs/curlev.h \
	runtime/obs/webhook.c runtime/obs/webhook.h
runtime_obs_libobs_a_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCURL_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS) $(OPENSSL_CFLAGS)
# what a program using the Alertmanager client links with libobs.a
OBS_LIBS = runtime/obs/libobs.a $(LIBCURL_LIBS) $(LIBEVENT_LIBS) $(BASE_LIBS) $(OPENSSL_LIBS)

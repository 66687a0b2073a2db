## SPDX-License-Identifier: GPL-2.0-or-later
## runtime/obs/local.mk - what others can see of the daemon and what it sends them (libobs.a): the hardened HTTP listener, the Prometheus exposition writer, the Alertmanager webhook receiver, the Alertmanager client; and upsplan-alert, the helper that sends the daemon's alerts (libcurl only there, never in upsplan).
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

# the ALERT/RESOLVE sender the daemon starts: libcurl only in it, never in
# the daemon (two dozen libraries and about 4.7 MB of every daemon's RSS)
pkglibexec_PROGRAMS += upsplan-alert
upsplan_alert_SOURCES = runtime/obs/alert-main.c
upsplan_alert_CPPFLAGS = $(AM_CPPFLAGS) $(LIBCURL_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
upsplan_alert_LDADD = $(OBS_LIBS) $(JANSSON_LIBS)

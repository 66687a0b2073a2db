/* SPDX-License-Identifier: GPL-2.0-or-later */
/* curlev.h - libcurl's multi interface driven by a libevent loop (its socket and timer callbacks): transfers that never block the loop. */
#ifndef UPSPLAN_CURLEV_H
#define UPSPLAN_CURLEV_H

#include <curl/curl.h>

struct event_base;
struct cev;

/* called on the loop when a transfer ended (RC: its result); the easy handle is still in the multi */
typedef void cev_done_fn(void *arg, CURL *easy, CURLcode rc);

/* A multi handle on BASE; DONE(ARG, ...) for each finished transfer. */
struct cev *cev_new(struct event_base *base, cev_done_fn *done, void *arg);

/* The multi handle: curl_multi_add_handle() starts a transfer, curl_multi_remove_handle() ends one. */
CURLM *cev_multi(struct cev *c);

/* Frees C (remove its transfers first).  NULL: nothing. */
void cev_free(struct cev *c);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dm-metrics.h - upsplan run --metrics: the monitoring process's Prometheus endpoint, and the counters the daemon feeds it. */
#ifndef UPSPLAN_DM_METRICS_H
#define UPSPLAN_DM_METRICS_H

#include <stdint.h>

struct daemon;

/* Upper bounds of upsplan_poll_duration_seconds, seconds. */
#define DM_MX_BUCKETS { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 }

/*
 * With --metrics, listen on its address (in the monitoring process, after
 * the drop of privileges) and serve GET /metrics.  0, or -1 (logged) when
 * the address cannot be bound; without --metrics, 0 and nothing listens.
 */
int dm_mx_start(struct daemon *d);
/* Stop listening and free what the metrics hold. */
void dm_mx_stop(struct daemon *d);

/* What the daemon tells the metrics (each does nothing without --metrics). */
/* A plan runs now (at the start, after a reload): its UPS and upsd. */
void dm_mx_plan(struct daemon *d);
/* A reload was taken up (OK 1) or refused. */
void dm_mx_reload(struct daemon *d, int ok);
/* A poll of UPS ended: ANSWERED or not. */
void dm_mx_poll(struct daemon *d, uint32_t ups, int answered);
/* An action of effect kind KIND (an opcode of base/opcodes.def) was carried out. */
void dm_mx_action(struct daemon *d, uint32_t kind);
/* A SHUTDOWNCMD: RESULT "requested", "succeeded", "failed" or "refused". */
void dm_mx_shutdown(struct daemon *d, const char *result);
/* SETFSD: sent (OK 1) or not. */
void dm_mx_setfsd(struct daemon *d, int ok);
/* --webhook: an alert received, RESULT "ran", "same", "unknown" or "ignored"; an answer of status CODE. */
void dm_mx_webhook_alert(struct daemon *d, const char *result);
void dm_mx_webhook_request(struct daemon *d, int code);

#endif

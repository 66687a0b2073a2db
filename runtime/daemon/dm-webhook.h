/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dm-webhook.h - upsplan run --webhook: Alertmanager's notifications received by the monitoring process, each alert handed to the plan's WHEN ALERT rules. */
#ifndef UPSPLAN_DM_WEBHOOK_H
#define UPSPLAN_DM_WEBHOOK_H

struct daemon;

/* The path Alertmanager's webhook_configs url names. */
#define DM_WH_PATH "/hook"

/*
 * With --webhook, read the token file and the TLS certificate and key (in
 * the monitoring process, as its user), listen on the address and serve
 * POST DM_WH_PATH.  0, or -1 (logged, with the fix) when a file cannot
 * be read or the address cannot be bound; without --webhook (or with
 * --check-only), 0 and nothing listens.
 */
int dm_wh_start(struct daemon *d);
/* Stop listening and free what the webhook holds. */
void dm_wh_stop(struct daemon *d);

#endif

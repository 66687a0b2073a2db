/* SPDX-License-Identifier: GPL-2.0-or-later */
/* control-int.h - what the files of the control socket share: the JSON documents it answers with. */
#ifndef UPSPLAN_CONTROL_INT_H
#define UPSPLAN_CONTROL_INT_H

#include <jansson.h>

struct daemon;

/* The answer to "status": the daemon, its plan, every UPS, the running timers, the last actions (docs/status.md). */
json_t *ctl_json_status(struct daemon *d);

/* The running timers: an array of {name, seconds_left, clauses} (docs/status.md). */
json_t *ctl_json_timers(struct daemon *d);

#endif

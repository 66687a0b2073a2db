/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sim-trace.h - the simulator's output: one line per event, expiry and action (text or JSON Lines), and --expect comparison. */
#ifndef UPSPLAN_SIM_TRACE_H
#define UPSPLAN_SIM_TRACE_H

#include <stdio.h>

#include "engine/engine.h"

struct sim_trace {
	const struct plan_image *img;
	const struct vm *vm;
	int json;
	FILE *out;		/* stdout, or a memory stream when comparing */
	char *buf;
	size_t len;
	char event[300];	/* the event the next actions belong to */
	size_t event_len;
	char *line;		/* the line being built */
	size_t ln, lcap;
	int ups_width;		/* of the UPS column: the longest display name */
	unsigned long lines;
	size_t capture_max;	/* kept in memory at most (then it differs anyway), 0: nothing kept */
	size_t kept;
	int overflow;		/* more than capture_max came: not kept */
};

/*
 * Start a trace of IMG (display names from VM), written to OUT.
 * CAPTURE_MAX above 0 keeps it in memory for sim_trace_close() instead,
 * at most about that many bytes: the size of the trace it is compared
 * with and some, as a longer trace differs anyway (a scenario whose
 * timers run without end must not take the memory of the machine).
 */
int sim_trace_open(struct sim_trace *tr, const struct plan_image *img, const struct vm *vm, int json,
		   size_t capture_max, FILE *out);
/* One engine trace record. */
void sim_trace_line(struct sim_trace *tr, const struct eng_trace *t);
/* Write out the lines built so far (the daemon's trace, line by line). */
void sim_trace_flush(struct sim_trace *tr);
/* A note of the simulator itself at TIME. */
void sim_trace_note(struct sim_trace *tr, double time, const char *msg);
/* The last line: the scenario ended at TIME. */
void sim_trace_end(struct sim_trace *tr, double time);
/*
 * Finish: without EXPECT the trace is already written; with it, compare
 * with the file EXPECT and print the differences on stderr.  Returns the
 * exit status (0 same, 1 different, 2 EXPECT unreadable).
 */
int sim_trace_close(struct sim_trace *tr, const char *expect);

#endif

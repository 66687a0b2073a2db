/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bev-out.h - what is queued on a bufferevent, written straight to its descriptor just before it is freed. */
#ifndef UPSPLAN_BEV_OUT_H
#define UPSPLAN_BEV_OUT_H

#include <event2/bufferevent.h>

/*
 * Write what is queued on BEV's output to its descriptor for at most
 * SECONDS (0: what the descriptor takes now); for a bufferevent about to
 * be freed, whose loop will not write it any more.  The output is thawed
 * first: a socket bufferevent freezes its start for its own writes, and
 * evbuffer_write() fails on it until then.
 */
void bev_write_out(struct bufferevent *bev, double seconds);

#endif

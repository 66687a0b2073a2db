/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privsep-int.h - what the files of the root parent share and nobody else uses. */
#ifndef UPSPLAN_PRIVSEP_INT_H
#define UPSPLAN_PRIVSEP_INT_H

/*
 * NUT's POWERDOWNFLAG at PATH (NULL: none), written into a new file
 * (O_EXCL, beside PATH) renamed onto PATH: whatever is at PATH (a link
 * planted there, another user's file) is replaced, never written through.
 */
void ps_write_powerdownflag(const char *path);

#endif

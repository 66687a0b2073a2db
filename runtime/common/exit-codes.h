/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exit-codes.h - the exit status of every upsplan command, and of the functions that end one. */
#ifndef UPSPLAN_EXIT_CODES_H
#define UPSPLAN_EXIT_CODES_H

#define EXIT_CLEAN 0	/* done; nothing to report */
#define EXIT_ERRORS 1	/* errors in the plan or the scenario, or a different trace */
#define EXIT_USAGE 2	/* usage, I/O or memory error */

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* statefile-int.h - what statefile.c and statefile-read.c share. */
#ifndef UPSPLAN_STATEFILE_INT_H
#define UPSPLAN_STATEFILE_INT_H

#include <stddef.h>

/* The names of enum sf_shutdown in the file. */
extern const char *const sf_shut_names[3];

/* The message FMT into ERR (LEN bytes); -1. */
int sf_err(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* workdir.h - paths made absolute against the directory upsplan run started in, since the daemon leaves it for /. */
#ifndef UPSPLAN_WORKDIR_H
#define UPSPLAN_WORKDIR_H

#include <stddef.h>

/*
 * Make *PATH absolute against the working directory of now (the first
 * call records it, for wd_resolve()): a relative *PATH is replaced by a
 * string this module keeps for the life of the process; NULL, an empty or
 * an absolute path stays as it is.  The path is joined, not resolved: a
 * symbolic link in it is followed as it would have been (a plan behind a
 * link is checked and read through it at every reload).  Returns 0, or
 * -1 with the message in ERR (the directory cannot be found).
 */
int wd_absolute(const char **path, char *err, size_t errlen);

/*
 * PATH, or when it is relative and a start directory was recorded, that
 * directory joined with it in BUF (LEN bytes; PATH when it does not fit):
 * for the files a plan names (CERTFILE, CLIENTCERT, CLIENTKEY), read
 * after the daemon left its directory.
 */
const char *wd_resolve(const char *path, char *buf, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.h - source registry: file texts in one global offset space, line/column lookup. */
#ifndef UPSPLAN_SOURCE_H
#define UPSPLAN_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * A location is a byte range in one global offset space shared by every
 * loaded file (each file gets a base offset, as clang's SourceLocation).
 * Eight bytes per location keep the AST of a 10,000-UPS plan small; the
 * registry turns an offset back into file, line and column (1-based, the
 * column counting display columns) when a diagnostic is rendered.
 */
typedef struct src_span {
	uint32_t off;		/* global offset of the first byte */
	uint32_t len;		/* bytes */
} src_span;

struct src_file {
	char *name;		/* as given on the command line */
	char *text;		/* file bytes, followed by two NUL bytes */
	size_t size;		/* bytes, without the trailing NULs */
	uint32_t base;		/* global offset of text[0] */
	uint32_t *lines;	/* offsets (file-relative) of line starts, lazy */
	size_t nlines;
	struct src_mark *marks;	/* column checkpoints of long lines, lazy (src_position) */
	/* the include chain: NULL parent for a file named on the command line */
	const struct src_file *parent;	/* the file whose INCLUDE read this one */
	uint32_t incl_at;	/* global offset of that INCLUDE keyword */
	unsigned depth;		/* INCLUDEs between the main file and this one */
	dev_t dev;		/* device and inode of the file read (0, 0: a text in memory) */
	ino_t ino;
};

struct diag_queue;

/*
 * How INCLUDE finds and vets the files it reads (set by the program; the
 * grammar reads files only through it and src_load_stat).
 */
struct src_include {
	/* INCLUDE <name>: the directory of the installed rule files; NULL: none */
	const char *rules_dir;
	/* the compiled-in copy of rule file NAME, the fallback; NULL: none */
	const char *(*builtin)(const char *name);
	/* the names of the rule files, for messages ("messages.rules, ..."); NULL: none */
	const char *rule_names;
	/*
	 * Each file read by INCLUDE, after it was read (status ST): 0 when it
	 * may be used, else -1 with the diagnostic queued in DQ (E110); NULL:
	 * no check.
	 */
	int (*check)(void *arg, const struct src_file *f, const struct stat *st, struct diag_queue *dq);
	void *check_arg;
	size_t max;		/* bytes of one included file (0: the registry's limit) */
};

struct src_registry {
	struct src_file **files;
	size_t nfiles;
	uint32_t next_base;
	const struct src_include *include;	/* NULL: INCLUDE reads files, no rule files, no check */
};

/* Initialise an empty registry. */
void src_init(struct src_registry *reg);
/* Free every file of the registry. */
void src_free(struct src_registry *reg);

/*
 * Read PATH into the registry (with src_read_file).  On failure returns
 * NULL and writes a message naming the path and the reason into ERR (size
 * ERRLEN).
 */
struct src_file *src_load(struct src_registry *reg, const char *path,
			  char *err, size_t errlen);
/*
 * src_load, and the status of the file read (its owner and mode) in ST; a
 * file of more than MAX bytes (0: no limit but the registry's) is refused
 * unread, errno EFBIG.
 */
struct src_file *src_load_stat(struct src_registry *reg, const char *path, struct stat *st, size_t max,
			       char *err, size_t errlen);

/*
 * Every file upsplan reads is opened here.  Open PATH read-only (plus the
 * open(2) flags EXTRA, e.g. O_NOFOLLOW) without ever blocking: anything
 * but a regular file is refused before it is opened (a device may act on
 * open) and again after (fstat of what was opened), since open() of a FIFO
 * would wait for a writer.  Returns the descriptor (close-on-exec,
 * blocking mode) with its status in ST, or -1 with errno set and a message
 * in ERR naming PATH and what it is ("it is a FIFO (named pipe), not a
 * regular file").
 */
int src_open_regular(const char *path, int extra, struct stat *st, char *err, size_t errlen);

/*
 * 0 when PATH can be opened as src_open_regular opens it, for a file
 * another program opens later (libcurl's CA file) or that is read later
 * (--utmp): -1 with the message in ERR.
 */
int src_check_regular(const char *path, char *err, size_t errlen);

/*
 * Read all of FD (from src_open_regular, status ST) and close it: a new
 * buffer holding the bytes and two NULs, the length in *LENP.  More than
 * MAX bytes is an error.  NULL with errno and a message in ERR on failure.
 */
char *src_read_fd(int fd, const struct stat *st, const char *path, size_t max, size_t *lenp, char *err,
		  size_t errlen);

/* src_open_regular (no EXTRA) then src_read_fd; the file's status in ST when not NULL. */
char *src_read_file(const char *path, size_t max, size_t *lenp, struct stat *st, char *err, size_t errlen);

/* What the file type of MODE is, for messages: "a directory", "a FIFO (named pipe)", ... */
const char *src_kind(mode_t mode);

/* Add an in-memory text (copied) under NAME; used by tests and the fuzzer. */
struct src_file *src_add_text(struct src_registry *reg, const char *name,
			      const char *text, size_t len);

/* The file that holds global offset OFF, or NULL. */
const struct src_file *src_file_at(const struct src_registry *reg, uint32_t off);

/* Pointer to the bytes of SPAN (not NUL-terminated). */
const char *src_bytes(const struct src_registry *reg, src_span span);

/* Display columns of the LEN bytes at S: one per code point, tab stops every 8 (GNU). */
size_t src_display_width(const char *s, size_t len);

/*
 * Resolve OFF to its file, 1-based line and 1-based column (display
 * columns: one per code point, tab stops every 8, as the GNU coding
 * standards ask).  Returns 0, or -1 when OFF lies in no file.
 */
int src_position(const struct src_registry *reg, uint32_t off,
		 const struct src_file **file, unsigned *line, unsigned *col);

/* Text of line LINE (1-based) of FILE without its line end; NULL if none. */
const char *src_line(const struct src_file *file, unsigned line, size_t *len);

/* Length (1-4) of the valid UTF-8 sequence at S, within LEN bytes, or 0 if invalid. */
size_t src_utf8_seq(const char *s, size_t len);

/* The code point of the valid UTF-8 sequence of N bytes at S (N from src_utf8_seq). */
uint32_t src_utf8_cp(const char *s, size_t n);

/* Number of code points in the LEN bytes at S (each invalid byte counts one). */
size_t src_utf8_width(const char *s, size_t len);

#endif

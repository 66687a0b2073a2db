/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tls-install.c - what tls-setup does to the system beside its files: upsd's TLS library from its ELF, NSS tools without a shell, upsd.conf. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/cli/tls-install.h"
#include "runtime/daemon/child.h"

/* ---------------------------------------------------------------- upsd's TLS library */

#define TLSI_ELF_MAX (64L << 20)	/* upsd is ~100 KiB; a bigger file is not it */

/* the whole file PATH (at most TLSI_ELF_MAX bytes) into *DATA, its size in *LEN */
static int tlsi_slurp(const char *path, unsigned char **data, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TLSI_ELF_MAX) {
		snprintf(err, errlen, "%s is not a program (give --nss or --pem)", path);
		close(fd);
		return -1;
	}
	*data = malloc((size_t)st.st_size + 1);
	if (!*data) {
		snprintf(err, errlen, "out of memory reading %s", path);
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return 0;
}

/* 1 when [OFF, OFF + SIZE) lies inside LEN bytes */
static int tlsi_inside(size_t len, unsigned long long off, unsigned long long size)
{
	return off <= len && size <= len - off;
}

/* the field of an ELF structure at P, of the 32- or 64-bit layout */
#define TLSI_F(is64, p, type, field) ((is64) ? (unsigned long long)((const Elf64_##type *)(const void *)(p))->field \
				      : (unsigned long long)((const Elf32_##type *)(const void *)(p))->field)

/* where the dynamic section and its string table lie in the file (offsets and sizes) */
struct tlsi_dyn {
	unsigned long long doff, dsize, soff, ssize;
};

/* from the section headers: 1 found, 0 none (or no section headers), -1 not sound */
static int tlsi_dyn_sections(const unsigned char *d, size_t len, int is64, struct tlsi_dyn *dyn)
{
	unsigned long long shoff = TLSI_F(is64, d, Ehdr, e_shoff), shnum = TLSI_F(is64, d, Ehdr, e_shnum);
	unsigned long long ent = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr), align = is64 ? 8 : 4;

	if (shnum == 0)
		return 0;	/* stripped of them (sstrip): the program headers tell */
	if (TLSI_F(is64, d, Ehdr, e_shentsize) != ent || shoff % align || !tlsi_inside(len, shoff, shnum * ent))
		return -1;
	for (unsigned long long i = 0; i < shnum; i++) {
		const unsigned char *s = d + shoff + i * ent, *l;
		unsigned long long link = TLSI_F(is64, s, Shdr, sh_link);

		if (TLSI_F(is64, s, Shdr, sh_type) != SHT_DYNAMIC)
			continue;
		if (link >= shnum)
			return -1;
		l = d + shoff + link * ent;
		dyn->doff = TLSI_F(is64, s, Shdr, sh_offset);
		dyn->dsize = TLSI_F(is64, s, Shdr, sh_size);
		dyn->soff = TLSI_F(is64, l, Shdr, sh_offset);
		dyn->ssize = TLSI_F(is64, l, Shdr, sh_size);
		return 1;
	}
	return 0;
}

/* the file offset of the address VADDR by the PT_LOAD program headers; -1 when none maps it */
static long long tlsi_vaddr_off(const unsigned char *d, int is64, unsigned long long phoff, unsigned long long phnum,
				unsigned long long vaddr)
{
	unsigned long long ent = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

	for (unsigned long long i = 0; i < phnum; i++) {
		const unsigned char *p = d + phoff + i * ent;
		unsigned long long va = TLSI_F(is64, p, Phdr, p_vaddr), fsz = TLSI_F(is64, p, Phdr, p_filesz);

		if (TLSI_F(is64, p, Phdr, p_type) == PT_LOAD && vaddr >= va && vaddr - va < fsz)
			return (long long)(TLSI_F(is64, p, Phdr, p_offset) + (vaddr - va));
	}
	return -1;
}

/* from the program headers (PT_DYNAMIC, its DT_STRTAB and DT_STRSZ): 1 found, 0 none, -1 not sound */
static int tlsi_dyn_segments(const unsigned char *d, size_t len, int is64, struct tlsi_dyn *dyn)
{
	unsigned long long phoff = TLSI_F(is64, d, Ehdr, e_phoff), phnum = TLSI_F(is64, d, Ehdr, e_phnum);
	unsigned long long ent = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr), align = is64 ? 8 : 4;
	unsigned long long dent = is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn), strtab = 0, strsz = 0;
	long long off;

	if (phnum == 0)
		return 0;
	if (TLSI_F(is64, d, Ehdr, e_phentsize) != ent || phoff % align || !tlsi_inside(len, phoff, phnum * ent))
		return -1;
	for (unsigned long long i = 0; i < phnum; i++) {
		const unsigned char *p = d + phoff + i * ent;

		if (TLSI_F(is64, p, Phdr, p_type) == PT_DYNAMIC) {
			dyn->doff = TLSI_F(is64, p, Phdr, p_offset);
			dyn->dsize = TLSI_F(is64, p, Phdr, p_filesz);
			break;
		}
		if (i + 1 == phnum)
			return 0;
	}
	if (dyn->doff % align || !tlsi_inside(len, dyn->doff, dyn->dsize))
		return -1;
	for (unsigned long long at = 0; at + dent <= dyn->dsize; at += dent) {
		const unsigned char *e = d + dyn->doff + at;
		unsigned long long tag = TLSI_F(is64, e, Dyn, d_tag);

		if (tag == DT_NULL)
			break;
		if (tag == DT_STRTAB)
			strtab = TLSI_F(is64, e, Dyn, d_un.d_val);
		else if (tag == DT_STRSZ)
			strsz = TLSI_F(is64, e, Dyn, d_un.d_val);
	}
	off = tlsi_vaddr_off(d, is64, phoff, phnum, strtab);
	if (!strtab || off < 0)
		return -1;
	dyn->soff = (unsigned long long)off;
	dyn->ssize = strsz;
	return 1;
}

/*
 * The DT_NEEDED names of the ELF image D (LEN bytes, this machine's byte
 * order; the dynamic section found by the section headers, else by the
 * program headers) into the TLS library found: TLSI_NSS, TLSI_OPENSSL,
 * TLSI_NONE; -1 when it is not an ELF program of this machine, -2 when it
 * has no dynamic section (static, or headers stripped): no telling.
 */
static int tlsi_elf_lib(const unsigned char *d, size_t len)
{
	struct tlsi_dyn dyn = { 0, 0, 0, 0 };
	int is64, lib = TLSI_NONE, found;
	unsigned long long dent;

	if (len < sizeof(Elf64_Ehdr) || memcmp(d, ELFMAG, SELFMAG) != 0)
		return -1;
	is64 = d[EI_CLASS] == ELFCLASS64;
	if (!is64 && d[EI_CLASS] != ELFCLASS32)
		return -1;
	dent = is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
	/* headers are read in place: the buffer is malloc's, aligned for them */
	found = tlsi_dyn_sections(d, len, is64, &dyn);
	if (found == 0)
		found = tlsi_dyn_segments(d, len, is64, &dyn);
	if (found <= 0)
		return found < 0 ? -1 : -2;
	if (dyn.doff % (is64 ? 8 : 4) || !tlsi_inside(len, dyn.doff, dyn.dsize) || !tlsi_inside(len, dyn.soff, dyn.ssize))
		return -1;
	for (unsigned long long at = 0; at + dent <= dyn.dsize; at += dent) {
		const unsigned char *e = d + dyn.doff + at;
		unsigned long long tag = TLSI_F(is64, e, Dyn, d_tag), val = TLSI_F(is64, e, Dyn, d_un.d_val);
		const char *name;

		if (tag == DT_NULL)
			break;
		if (tag != DT_NEEDED || val >= dyn.ssize || !memchr(d + dyn.soff + val, '\0', dyn.ssize - val))
			continue;
		name = (const char *)d + dyn.soff + val;
		if (strncmp(name, "libnss3.so", 10) == 0)
			lib = TLSI_NSS;
		else if (strncmp(name, "libssl.so", 9) == 0 && lib == TLSI_NONE)
			lib = TLSI_OPENSSL;
	}
	return lib;
}

int tlsi_detect(const char *path, char *found, size_t foundlen, char *err, size_t errlen)
{
	/* Debian's /sbin/upsd is a shell script that runs /lib/nut/upsd */
	static const char *const places[] = {
		"/lib/nut/upsd", "/usr/lib/nut/upsd", "/usr/libexec/nut/upsd", "/usr/sbin/upsd", "/sbin/upsd",
		"/usr/local/ups/sbin/upsd", "/usr/local/sbin/upsd",
	};
	unsigned char *data = NULL;
	size_t len = 0;
	int lib;

	if (!path) {
		for (size_t i = 0; i < sizeof(places) / sizeof(places[0]) && !path; i++) {
			unsigned char head[4];
			int fd = open(places[i], O_RDONLY | O_CLOEXEC);

			if (fd < 0)
				continue;
			if (read(fd, head, 4) == 4 && memcmp(head, ELFMAG, SELFMAG) == 0)
				path = places[i];
			close(fd);
		}
		if (!path) {
			snprintf(err, errlen, "found no upsd program (looked in /lib/nut, /usr/lib/nut, /usr/sbin ...): "
				 "give --upsd=PATH, or --nss (Debian's nut-server) or --pem (an OpenSSL build)");
			return -1;
		}
	}
	snprintf(found, foundlen, "%s", path);
	if (tlsi_slurp(path, &data, &len, err, errlen) != 0)
		return -1;
	lib = tlsi_elf_lib(data, len);
	free(data);
	if (lib == -2)
		snprintf(err, errlen, "cannot tell which TLS library %s uses (it links no library, or its headers "
			 "are stripped): give --nss or --pem", path);
	else if (lib < 0)
		snprintf(err, errlen, "%s is not an ELF program of this machine (a script? give the program it runs "
			 "with --upsd=PATH, or --nss or --pem)", path);
	return lib < 0 ? -1 : lib;
}

/* ---------------------------------------------------------------- programs */

/* DIR/NAME into BUF when it is an executable file: 1, else 0 */
static int tlsi_program_in(const char *dir, size_t dlen, const char *name, char *buf)
{
	struct stat st;

	/* an empty or relative entry would be the working directory: not for a root tool */
	if (dlen == 0 || dir[0] != '/' || dlen + 1 + strlen(name) >= PATH_MAX)
		return 0;
	snprintf(buf, PATH_MAX, "%.*s/%s", (int)dlen, dir, name);
	return stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0;
}

int tlsi_find_program(const char *name, char *buf, char *err, size_t errlen)
{
	const char *path = getenv("PATH"), *only = getenv("UPSPLAN_NSS_TOOLS");
	struct stat st;
	int found = 0;

	if (only && *only) {
		found = tlsi_program_in(only, strlen(only), name, buf);
	} else {
		found = tlsi_program_in("/usr/bin", 8, name, buf);	/* Debian's libnss3-tools, before PATH */
		if (!path || !*path)
			path = "/usr/local/bin:/usr/bin:/bin";
		for (const char *p = path; !found; p = strchr(p, ':') + 1) {
			found = tlsi_program_in(p, strcspn(p, ":"), name, buf);
			if (!strchr(p, ':'))
				break;
		}
	}
	if (!found) {
		snprintf(err, errlen, "no %s in %s: the NSS database is made with certutil and pk12util (apt-get "
			 "install libnss3-tools)", name, only && *only ? only : "/usr/bin nor on PATH");
		buf[0] = '\0';
		return -1;
	}
	/* root runs it on the keys: only a program root alone can change */
	if (geteuid() == 0 && (stat(buf, &st) != 0 || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		snprintf(err, errlen, "refusing to run %s as root: it is %s; use /usr/bin/%s (apt-get install "
			 "libnss3-tools), or chown root and chmod go-w it", buf,
			 st.st_uid != 0 ? "not root's" : "writable by group or others", name);
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

int tlsi_run(const char *prog, char *const argv[], char *out, size_t len)
{
	extern char **environ;
	size_t got = 0;
	int p[2], status;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) != 0) {
		snprintf(out, len, "cannot run %s: %s", prog, strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(out, len, "cannot run %s: %s", prog, strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		child_setup(CHILD_NULL, p[1], p[1]);
		execve(prog, argv, environ);
		dprintf(STDERR_FILENO, "cannot run %s: %s", prog, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		char sink[512];
		ssize_t n;

		if (got + 1 < len)
			n = read(p[0], out + got, len - 1 - got);
		else
			n = read(p[0], sink, sizeof(sink));	/* keep the start; let it finish */
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got + 1 < len)
			got += (size_t)n;
	}
	close(p[0]);
	out[got] = '\0';
	while (got > 0 && (out[got - 1] == '\n' || out[got - 1] == ' '))
		out[--got] = '\0';
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(out, len, "cannot wait for %s: %s", prog, strerror(errno));
			return -1;
		}
	}
	if (WIFSIGNALED(status)) {
		snprintf(out + got, len - got, "%skilled by signal %d", got ? "; " : "", WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status);
}

/* ---------------------------------------------------------------- upsd.conf */

#define TLSI_CONF_MAX (1L << 20)	/* upsd.conf is a few KiB */

/*
 * LINE (up to its end or '\n') as NUT's parser splits it: words separated
 * by blanks, "quoted" words with \-escapes, '#' outside quotes starts a
 * comment; into OUT (LEN bytes) as the words separated by '\n'.  The number
 * of words (0: a blank or comment line).
 */
static int tlsi_words(const char *line, char *out, size_t len)
{
	size_t at = 0;
	int words = 0;

	out[0] = '\0';
	for (const char *p = line; *p && *p != '\n';) {
		if (*p == ' ' || *p == '\t' || *p == '\r') {
			p++;
			continue;
		}
		if (*p == '#')
			break;
		if (words && at + 1 < len)
			out[at++] = '\n';
		words++;
		if (*p == '"') {
			for (p++; *p && *p != '\n' && *p != '"'; p++) {
				if (*p == '\\' && p[1] && p[1] != '\n')
					p++;
				if (at + 1 < len)
					out[at++] = *p;
			}
			if (*p == '"')
				p++;
		} else {
			for (; *p && *p != '\n' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#'; p++)
				if (at + 1 < len)
					out[at++] = *p;
		}
	}
	out[at] = '\0';
	return words;
}

/* FILE's contents (a regular file, not a link) into *TEXT; its stat into ST */
static int tlsi_conf_read(const char *file, char **text, struct stat *st, char *err, size_t errlen)
{
	size_t got = 0;
	int fd;

	if (lstat(file, st) != 0) {
		snprintf(err, errlen, "cannot read %s: %s%s", file, strerror(errno),
			 errno == ENOENT ? " (is nut-server installed? give --upsd-conf=FILE)" : "");
		return -1;
	}
	if (!S_ISREG(st->st_mode) || st->st_size > TLSI_CONF_MAX) {
		snprintf(err, errlen, "%s is %s: give --upsd-conf with upsd.conf itself", file,
			 S_ISLNK(st->st_mode) ? "a symbolic link" : S_ISREG(st->st_mode) ? "too big" : "not a file");
		return -1;
	}
	fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(*text = malloc((size_t)st->st_size + 1))) {
		snprintf(err, errlen, "cannot read %s: %s", file, fd < 0 ? strerror(errno) : "out of memory");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (got < (size_t)st->st_size) {
		ssize_t n = read(fd, *text + got, (size_t)st->st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", file, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	/* a short text written back would lose the rest of upsd.conf */
	if (got != (size_t)st->st_size) {
		snprintf(err, errlen, "cannot read %s: read %zu of its %lld bytes (is it being changed?)", file, got,
			 (long long)st->st_size);
		goto fail;
	}
	close(fd);
	(*text)[got] = '\0';
	return 0;
fail:
	close(fd);
	free(*text);
	*text = NULL;
	return -1;
}

int tlsi_conf_check(const char *file, const char *const *lines, size_t n, int *present, char *err, size_t errlen)
{
	struct stat st;
	char *text = NULL, *have, *want;
	size_t wlen = 1;
	int rc = 0, lineno = 0;

	for (size_t i = 0; i < n; i++) {
		present[i] = 0;
		if (strlen(lines[i]) + 1 > wlen)
			wlen = strlen(lines[i]) + 1;
	}
	if (tlsi_conf_read(file, &text, &st, err, errlen) != 0)
		return -1;
	/* the words of a line are never longer than the line: no line is cut, however long */
	have = malloc((size_t)st.st_size + 1);
	want = malloc(wlen);
	if (!have || !want) {
		snprintf(err, errlen, "out of memory reading %s", file);
		rc = -1;
	}
	for (const char *l = text; *l && rc == 0; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		lineno++;
		if (tlsi_words(l, have, (size_t)st.st_size + 1) == 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			size_t kw = strcspn(lines[i], " ");

			tlsi_words(lines[i], want, wlen);
			if (strncmp(have, want, kw) != 0 || (have[kw] != '\n' && have[kw] != '\0'))
				continue;
			if (strcmp(have, want) == 0) {
				present[i] = 1;
				continue;
			}
			/* the value is not shown: a CERTIDENT holds a password */
			snprintf(err, errlen, "%s:%d sets %.*s already, to another value: remove that line (or "
				 "comment it out) and run again, or leave out --apply and edit %s by hand",
				 file, lineno, (int)kw, lines[i], file);
			rc = -1;
			break;
		}
	}
	free(have);
	free(want);
	free(text);
	return rc;
}

/* the rename into FILE's directory on disk (best effort: the new file itself is synced) */
static void tlsi_sync_dir(const char *file)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(file, '/');
	int fd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == file ? 1 : (int)(slash - file), file);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int tlsi_conf_apply(const char *file, const char *const *lines, size_t n, const int *present, char *backup,
		    char *err, size_t errlen)
{
	char tmp[PATH_MAX], stamp[64], *text = NULL;
	struct stat st;
	time_t now = time(NULL);
	struct tm tm;
	size_t len;
	int fd, any = 0, rc = -1;
	FILE *f;

	backup[0] = '\0';
	for (size_t i = 0; i < n; i++)
		any |= !present[i];
	if (!any)
		return 0;
	if (tlsi_conf_read(file, &text, &st, err, errlen) != 0)
		return -1;
	if (snprintf(tmp, sizeof(tmp), "%s.upsplan-new", file) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: the name is too long", file);
		free(text);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s%s", tmp, strerror(errno),
			 errno == EEXIST ? " (left by an interrupted run? remove it)" : "");
		free(text);
		return -1;
	}
	if (fchown(fd, st.st_uid, st.st_gid) != 0 || fchmod(fd, st.st_mode & 07777) != 0) {
		snprintf(err, errlen, "cannot give %s the owner and mode of %s: %s", tmp, file, strerror(errno));
		goto fail;
	}
	f = fdopen(fd, "w");
	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	len = (size_t)st.st_size;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M UTC", &tm);
	fwrite(text, 1, len, f);
	fprintf(f, "%s\n# TLS: added by upsplan tls-setup on %s\n", len && text[len - 1] != '\n' ? "\n" : "", stamp);
	for (size_t i = 0; i < n; i++)
		if (!present[i])
			fprintf(f, "%s\n", lines[i]);
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		fclose(f);
		goto fail;
	}
	if (fclose(f) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	/* the old file stays as the backup (a second name of the same inode) */
	for (int k = 0; k < 100; k++) {
		if (k == 0)
			snprintf(backup, PATH_MAX, "%s.upsplan-bak", file);
		else
			snprintf(backup, PATH_MAX, "%s.upsplan-bak.%d", file, k);
		if (link(file, backup) == 0)
			break;
		if (errno != EEXIST || k == 99) {
			snprintf(err, errlen, "cannot keep a backup of %s as %s: %s", file, backup, strerror(errno));
			backup[0] = '\0';
			goto fail;
		}
	}
	if (rename(tmp, file) != 0) {
		snprintf(err, errlen, "cannot replace %s: %s", file, strerror(errno));
		unlink(backup);
		backup[0] = '\0';
		goto fail;
	}
	tlsi_sync_dir(file);
	rc = 0;
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(text);
	return rc;
}

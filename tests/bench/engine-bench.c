/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine-bench.c - engine benchmark: handler runs per second without allocation, steady polls of a hold-time rule, compiling versus loading an image, upssched's rate. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/compile.h"
#include "engine/engine.h"
#include "engine/events.h"
#include "engine/regex.h"
#include "engine/vm.h"
#include "grammar/ast.h"
#include "base/source.h"

extern char **environ;

/*
 * Allocation counter: with glibc the program's own malloc, calloc, realloc
 * and free take the place of the library's (every caller, the engine and
 * libc itself, goes through them) and pass on to glibc's allocator.  Not
 * under a sanitizer, which has its own allocator.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define BENCH_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define BENCH_SANITIZED 1
#endif

static int counting;
static unsigned long nalloc;

#if defined(__GLIBC__) && !defined(BENCH_SANITIZED)
#define BENCH_COUNT_ALLOC 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

void *malloc(size_t n)
{
	if (counting)
		nalloc++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	if (counting)
		nalloc++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	if (counting)
		nalloc++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	if (counting)
		nalloc++;
	__libc_free(p);
}
#endif

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this thread: the rate of a loop on a machine that others load too. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The 1-minute load average, for the reader of the figures. */
static const char *load_text(void)
{
	static char text[32];
	double l[1];

	if (getloadavg(l, 1) == 1)
		snprintf(text, sizeof(text), "%.2f", l[0]);
	else
		snprintf(text, sizeof(text), "?");
	return text;
}

static double peak_rss_mb(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)ru.ru_maxrss / 1024.0;	/* Linux: kilobytes */
}

static int usage(void)
{
	fputs("usage: engine-bench handler PLAN [SECONDS]\n"
	      "       engine-bench level PLAN [SECONDS]\n"
	      "       engine-bench compile PLAN IMAGE [RUNS]\n"
	      "       engine-bench load IMAGE [RUNS]\n"
	      "       engine-bench peer UPSSCHED SECONDS [sh]\n", stderr);
	return 2;
}

/* Compile the plan source PATH into IMG; diagnostics on stderr.  Returns 0 on success. */
static int compile_file(const char *path, struct plan_image *img)
{
	struct src_registry reg;
	struct diag_queue dq;
	struct sema_options o = { .hostname = "bench" };
	const struct src_file *f;
	char err[512];
	int rc;

	src_init(&reg);
	f = src_load(&reg, path, err, sizeof(err));
	if (!f) {
		fprintf(stderr, "engine-bench: %s\n", err);
		src_free(&reg);
		return -1;
	}
	diag_init(&dq, &reg);
	rc = compile_plan(&reg, f, &dq, &o, img, err, sizeof(err));
	if (rc != 0) {
		diag_render_gnu(&dq, stderr, 0);
		if (rc == 2)
			fprintf(stderr, "engine-bench: %s: compiled image fails verification: %s\n", path, err);
	}
	diag_free(&dq);
	src_free(&reg);
	return rc;
}

static const char *bench_getvar(void *ctx, uint32_t ups, const char *name)
{
	(void)ctx;
	(void)ups;
	return strcmp(name, "battery.charge") == 0 ? "87.5" : NULL;
}

/* The variables conditions read, by index of the image's vars: battery.runtime 240 s, ups.alarm an overheat; the others unknown. */
static struct vm_value *bench_values;

static const struct vm_value *bench_value(void *ctx, uint32_t ups, uint32_t var)
{
	(void)ctx;
	(void)ups;
	return bench_values[var].text ? &bench_values[var] : NULL;
}

static void bench_set_values(const struct plan_image *img)
{
	static const struct { const char *name, *text; double num; } known[] = {
		{ "battery.runtime", "240", 240 }, { "ups.alarm", "Overheat, fan failure", NAN },
	};

	bench_values = calloc(img->vars.n + 1, sizeof(*bench_values));
	if (!bench_values)
		abort();
	for (uint32_t v = 0; v < img->vars.n; v++)
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (strlen(known[k].name) == img->vars.v[v].len &&
			    memcmp(known[k].name, img_bytes(img, img->vars.v[v]), img->vars.v[v].len) == 0)
				bench_values[v] = (struct vm_value){ known[k].text, strlen(known[k].text), known[k].num };
}

static uint32_t find_ups(const struct plan_image *img, const char *name)
{
	for (uint32_t i = 0; i < img->ups.n; i++)
		if (strcmp(img_bytes(img, img->ups.v[i].name), name) == 0)
			return i;
	return IMG_NONE;
}

/* Part a and b: the None->LB handler of UPS-1 in a loop. */
static int bench_handler(const char *path, double seconds)
{
	static const uint32_t want[4] = { OP_NOTIFY, OP_NUTLOG, OP_WALL, OP_STARTTIMER };
	struct plan_image img;
	struct vm_host host = { NULL, bench_getvar, bench_value, NULL };
	struct tmr_heap timers;
	uint32_t *tables, ups, n;
	int pair = ev_pair_index(SW_NONE, SW_LB);
	struct vm *vm;
	const struct vm_effect *e;
	uint64_t runs = 0, effects = 0, sink = 0;
	unsigned long allocs;
	double t0, c0, el, cpu;
	int ok = 1;

	if (compile_file(path, &img) != 0)
		return 1;
	ups = find_ups(&img, "UPS-1");
	if (ups == IMG_NONE || pair < 0 || strcmp(ev_pair_name((unsigned)pair), "None->LB") != 0 ||
	    img.handlers.v[ups * EV_NPAIRS + (uint32_t)pair] == IMG_NONE) {
		fprintf(stderr, "engine-bench: %s has no handler of UPS-1 for None->LB\n", path);
		img_free(&img);
		return 1;
	}
	tables = calloc(img.ups.n + 1, sizeof(*tables));
	if (!tables)
		abort();
	bench_set_values(&img);
	tmr_init(&timers, img.timers.n);
	vm = vm_new(&img, &host, tables, &timers, "bench", "nut@bench");

	struct vm_event ev = { .ups = ups, .pair = (uint32_t)pair, .timer = IMG_NONE, .time = 0 };
	n = vm_run_event(vm, &ev);	/* warm-up: the first run touches every buffer */
	e = vm_effects(vm);
	if (n != 4)
		ok = 0;
	for (uint32_t i = 0; ok && i < 4; i++)
		if (e[i].kind != want[i])
			ok = 0;
	if (!ok) {
		fprintf(stderr, "engine-bench: the handler of UPS-1 None->LB has %u effects, not NOTIFY NUTLOG WALL STARTTIMER\n", n);
		goto out;
	}
	printf("handler: UPS-1 None->LB of %s (pair %d), %u actions: %s %s %s %s; battery.charge \"87.5\"%s\n",
	       path, pair, n, vm_effect_name(e[0].kind), vm_effect_name(e[1].kind),
	       vm_effect_name(e[2].kind), vm_effect_name(e[3].kind),
	       img.vars.n ? ", battery.runtime \"240\", ups.alarm \"Overheat, fan failure\"" : "");
	if (img.regexes.n)
		printf("  %u pattern(s), compiled %s\n", img.regexes.n,
		       rx_jit_available() ? "by PCRE2's JIT" : "for PCRE2's interpreter (no JIT here)");
	printf("  WALL text: \"%s\"\n", e[2].text);

	nalloc = 0;
	counting = 1;
	t0 = now();
	c0 = cpu_now();
	do {
		for (int i = 0; i < 4096; i++) {
			ev.time = (double)runs;
			n = vm_run_event(vm, &ev);
			e = vm_effects(vm);
			for (uint32_t k = 0; k < n; k++)
				sink += e[k].len + (e[k].text ? (unsigned char)e[k].text[0] : 0);
			effects += n;
			runs++;
		}
		el = now() - t0;
	} while (el < seconds);
	cpu = cpu_now() - c0;
	counting = 0;
	allocs = nalloc;

	/* the rate counts the CPU time the loop had: the machine may be shared (wall clock shown too) */
	if (cpu <= 0)
		cpu = el;
	double rate = (double)runs / cpu;
	printf("  handler runs: %llu in %.2f s of CPU (%.2f s wall, load %s): %.0f runs/s, %.1f ns/run, %.0f effects/s; "
	       "wall clock %.0f runs/s (checksum %llu)\n",
	       (unsigned long long)runs, cpu, el, load_text(), rate, cpu * 1e9 / (double)runs, (double)effects / cpu,
	       (double)runs / el, (unsigned long long)(sink % 1000));
#ifdef BENCH_COUNT_ALLOC
	printf("  allocations in the timed loop: %lu malloc/calloc/realloc/free calls (%.6f per run); VM buffer growths: %llu\n",
	       allocs, (double)allocs / (double)runs, (unsigned long long)vm_get_stats(vm)->grows);
	printf("target: %.0f runs/s >= 2000000 (%.2fx): %s; allocations %lu == 0: %s; growths %llu == 0: %s\n",
	       rate, rate / 2e6, rate >= 2e6 ? "PASS" : "MISS", allocs, allocs == 0 ? "PASS" : "MISS",
	       (unsigned long long)vm_get_stats(vm)->grows, vm_get_stats(vm)->grows == 0 ? "PASS" : "MISS");
#else
	(void)allocs;
	printf("  allocations in the timed loop: not counted (needs glibc, no sanitizer); VM buffer growths: %llu\n",
	       (unsigned long long)vm_get_stats(vm)->grows);
	printf("target: %.0f runs/s >= 2000000 (%.2fx): %s; growths %llu == 0: %s\n", rate, rate / 2e6,
	       rate >= 2e6 ? "PASS" : "MISS",
	       (unsigned long long)vm_get_stats(vm)->grows, vm_get_stats(vm)->grows == 0 ? "PASS" : "MISS");
#endif
out:
	vm_free(vm);
	tmr_free(&timers);
	free(tables);
	free(bench_values);
	bench_values = NULL;
	img_free(&img);
	return ok ? 0 : 1;
}

/* What the engine tells the level benchmark: level rules fired, actions. */
struct level_count {
	unsigned long fired, effects;
};

static void level_trace(void *ctx, const struct eng_trace *t)
{
	struct level_count *c = ctx;

	if (t->kind == ENG_LEVEL)
		c->fired++;
	else if (t->kind == ENG_EFFECT)
		c->effects++;
}

/*
 * One phase of the level benchmark: polls of UPS-1 with battery.runtime
 * RUNTIME (status OL), each followed by eng_expire() as the daemon's loop
 * does, the clock advancing STEP seconds a poll, for SECONDS.  Prints
 * polls/s (CPU time), timer operations, firings, actions and allocator
 * calls; returns 1 when the phase is steady (no timer operation, no
 * firing, no allocation).
 */
static int level_phase(struct engine *e, uint32_t ups, struct level_count *c, const char *what, const char *runtime,
		       double *clock, double step, double seconds)
{
	char counted[32];
	const char *vars[1] = { runtime };
	struct st_poll p = { 1, "OL", "100", vars, 1 };
	uint64_t changes = e->timers.changes, polls = 0;
	unsigned long fired = c->fired, effects = c->effects, allocs;
	double t0, c0, el, cpu;

	nalloc = 0;
	counting = 1;
	t0 = now();
	c0 = cpu_now();
	do {
		for (int i = 0; i < 4096; i++) {
			eng_poll(e, ups, &p, *clock);
			eng_expire(e, *clock);
			*clock += step;
			polls++;
		}
		el = now() - t0;
	} while (el < seconds);
	cpu = cpu_now() - c0;
	counting = 0;
	allocs = nalloc;
	if (cpu <= 0)
		cpu = el;
	changes = e->timers.changes - changes;
	fired = c->fired - fired;
	effects = c->effects - effects;
#ifdef BENCH_COUNT_ALLOC
	snprintf(counted, sizeof(counted), "%lu", allocs);
#else
	snprintf(counted, sizeof(counted), "not counted");
	allocs = 0;
#endif
	printf("  %s: %llu polls in %.2f s of CPU: %.0f polls/s, %.1f ns/poll; timer operations %llu, firings %lu, "
	       "actions %lu, allocator calls %s\n",
	       what, (unsigned long long)polls, cpu, (double)polls / cpu, cpu * 1e9 / (double)polls,
	       (unsigned long long)changes, fired, effects, counted);
	return changes == 0 && fired == 0 && allocs == 0;
}

/*
 * Hold-time rules while the value is steady: PLAN's first level rule is
 * on UPS-1 and reads battery.runtime < 300 with a hold of at least 10 s.
 * Phases: false and steady; true and steady during the hold (the hold
 * armed once before the phase); fired (the hold over) and steady.  Each
 * must start or cancel no timer, fire nothing and allocate nothing.  Then
 * the rule's test alone, its share of a poll.
 */
static int bench_level(const char *path, double seconds)
{
	struct plan_image img;
	struct level_count c = { 0, 0 };
	struct eng_host host = { &c, level_trace };
	struct engine e;
	const char *vars[1] = { "240" };
	struct st_poll p = { 1, "OL", "100", vars, 1 };
	double clock = 1000, hold, deadline;
	uint32_t ups;
	int steady = 1;

	if (compile_file(path, &img) != 0)
		return 1;
	ups = find_ups(&img, "UPS-1");
	if (img.levels.n == 0 || ups == IMG_NONE || img.levels.v[0].ups != ups ||
	    (hold = img.consts.v[img.levels.v[0].hold]) < 10) {
		fprintf(stderr, "engine-bench: %s has no level rule on UPS-1 with a hold of 10 s or more\n", path);
		img_free(&img);
		return 1;
	}
	eng_init(&e, &img, &host, "bench", "nut@bench");
	printf("level rule: the first of %s (UPS-1, hold %g s), %u rule(s); a poll: eng_poll() with status OL and "
	       "battery.runtime, then eng_expire()\n", path, hold, img.levels.n);
	vars[0] = "1200";
	eng_poll(&e, ups, &p, clock);	/* the first poll keeps the status and the value: not counted */
	vars[0] = "240";
	steady &= level_phase(&e, ups, &c, "false, steady (runtime 1200)", "1200", &clock, 5, seconds / 3);
	eng_poll(&e, ups, &p, clock);	/* true: the hold starts */
	if (!eng_next_deadline(&e, &deadline) || deadline != clock + hold) {
		fprintf(stderr, "engine-bench: the rule's hold did not start when its condition turned true\n");
		steady = 0;
	}
	/* during the hold: the clock moves a microsecond a poll, so that the hold is not over */
	steady &= level_phase(&e, ups, &c, "holding, steady (runtime 240)", "240", &clock, 1e-6, seconds / 3);
	if (clock >= deadline) {
		fprintf(stderr, "engine-bench: the hold was over during the holding phase\n");
		steady = 0;
	}
	clock = deadline;
	eng_expire(&e, clock);
	printf("  the hold over: fired %lu time(s)\n", c.fired);
	if (c.fired != 1)
		steady = 0;
	steady &= level_phase(&e, ups, &c, "fired, steady (runtime 240)", "240", &clock, 5, seconds / 3);
	/* the rule's share of a poll: its test alone (vm_level_test(), as eng_poll() runs it) */
	{
		uint64_t tests = 0, sink = 0;
		double t0 = now(), c0 = cpu_now(), el, cpu;

		do {
			for (int i = 0; i < 4096; i++)
				sink += (uint64_t)vm_level_test(e.vm, 0);
			tests += 4096;
			el = now() - t0;
		} while (el < seconds / 3);
		cpu = cpu_now() - c0;
		if (cpu <= 0)
			cpu = el;
		printf("  the rule's test alone: %.1f ns (value %s)\n", cpu * 1e9 / (double)tests,
		       sink == tests ? "true" : "?");
	}
	printf("  VM buffer growths: %llu; load %s\n", (unsigned long long)vm_get_stats(e.vm)->grows, load_text());
	printf("target: a steady value costs no timer operation, no firing, no allocation: %s\n", steady ? "PASS" : "MISS");
	eng_free(&e);
	img_free(&img);
	return 0;
}

static int write_file(const char *path, const unsigned char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			return -1;
		}
		off += (size_t)w;
	}
	return close(fd);
}

static int read_file(const char *path, unsigned char **bufp, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned char *buf;
	size_t off = 0;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		abort();
	while (off < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + off, (size_t)st.st_size - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	*bufp = buf;
	*lenp = off;
	return 0;
}

/* Part c, first half: source to image file, in process. */
static int bench_compile(const char *path, const char *out, int runs)
{
	double best = 0;
	size_t size = 0;

	for (int r = 0; r < runs; r++) {
		struct plan_image img;
		unsigned char *buf;
		size_t len;
		double t0 = now();

		if (compile_file(path, &img) != 0)
			return 1;
		img_encode(&img, &buf, &len);
		if (write_file(out, buf, len) != 0) {
			fprintf(stderr, "engine-bench: cannot write '%s': %s\n", out, strerror(errno));
			return 1;
		}
		double el = now() - t0;
		free(buf);
		img_free(&img);
		if (r == 0 || el < best)
			best = el;
		size = len;
	}
	printf("compile: %.4f s (best of %d: read source, compile_plan, img_encode, write), image %zu bytes, peak RSS %.1f MB\n",
	       best, runs, size, peak_rss_mb());
	return 0;
}

/* Part c, second half: image file back to a verified image, then a VM for it. */
static int bench_load(const char *path, int runs)
{
	double best = 0, best_vm = 0;
	size_t size = 0;
	char err[512];

	for (int r = 0; r < runs; r++) {
		struct plan_image img;
		struct vm_host host = { NULL, bench_getvar, NULL, NULL };
		struct tmr_heap timers;
		unsigned char *buf;
		uint32_t *tables;
		size_t len;
		double t0 = now();

		if (read_file(path, &buf, &len) != 0) {
			fprintf(stderr, "engine-bench: cannot read '%s': %s\n", path, strerror(errno));
			return 1;
		}
		if (img_decode(buf, len, 0, &img, err, sizeof(err)) != 0 ||
		    img_verify(&img, err, sizeof(err)) != 0) {
			fprintf(stderr, "engine-bench: '%s': %s\n", path, err);
			free(buf);
			return 1;
		}
		double el = now() - t0;
		free(buf);
		size = len;

		t0 = now();
		tables = calloc(img.ups.n + 1, sizeof(*tables));
		if (!tables)
			abort();
		tmr_init(&timers, img.timers.n);
		struct vm *vm = vm_new(&img, &host, tables, &timers, "bench", "nut@bench");
		double elvm = now() - t0;

		vm_free(vm);
		tmr_free(&timers);
		free(tables);
		img_free(&img);
		if (r == 0 || el < best)
			best = el;
		if (r == 0 || elvm < best_vm)
			best_vm = elvm;
	}
	printf("load: %.4f s (best of %d: read image, img_decode, img_verify), image %zu bytes, peak RSS %.1f MB\n",
	       best, runs, size, peak_rss_mb());
	printf("vm_new: %.4f s (best of %d: timer heap, state tables and a VM for the loaded image)\n", best_vm, runs);
	return 0;
}

/*
 * Part d: NUT's way to run a handler is upsmon starting NOTIFYCMD (here
 * upssched) once per event, with UPSNAME and NOTIFYTYPE in its
 * environment; upssched reads upssched.conf from NUT_CONFPATH (the
 * current directory) and runs the matching AT ... EXECUTE rule through
 * CMDSCRIPT.  VIA_SH: through /bin/sh -c, as upsmon's system() does.
 */
static int bench_peer(const char *upssched, double seconds, int via_sh)
{
	char confpath[4096], conf_env[4200], path_env[4200];
	const char *p = getenv("PATH");
	char *env[] = { conf_env, "UPSNAME=UPS-1@localhost", "NOTIFYTYPE=LOWBATT", path_env, NULL };
	char cmd[4200];
	char *argv_exec[] = { (char *)upssched, NULL };
	char *argv_sh[] = { "sh", "-c", cmd, NULL };
	posix_spawn_file_actions_t fa;
	unsigned long n = 0;
	double t0, el;

	if (!getcwd(confpath, sizeof(confpath)))
		return 1;
	snprintf(conf_env, sizeof(conf_env), "NUT_CONFPATH=%s", confpath);
	snprintf(path_env, sizeof(path_env), "PATH=%s", p ? p : "/usr/sbin:/usr/bin:/sbin:/bin");
	snprintf(cmd, sizeof(cmd), "%s \"UPS UPS-1@localhost battery is low\"", upssched);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = now();
	do {
		pid_t pid;
		int st, rc;

		rc = via_sh ? posix_spawn(&pid, "/bin/sh", &fa, NULL, argv_sh, env) :
		     posix_spawn(&pid, upssched, &fa, NULL, argv_exec, env);
		if (rc != 0) {
			fprintf(stderr, "engine-bench: cannot start %s: %s\n", upssched, strerror(rc));
			return 1;
		}
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				return 1;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "engine-bench: %s failed (status %d)\n", upssched, st);
			return 1;
		}
		n++;
		el = now() - t0;
	} while (el < seconds || n < 10);
	posix_spawn_file_actions_destroy(&fa);
	printf("peer: %lu upssched invocations in %.2f s (%s): %.1f invocations/s, %.3f ms each\n",
	       n, el, via_sh ? "through /bin/sh -c, as upsmon's NOTIFYCMD" : "direct exec",
	       (double)n / el, el * 1e3 / (double)n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "handler") == 0 && (argc == 3 || argc == 4))
		return bench_handler(argv[2], argc == 4 ? atof(argv[3]) : 1.5);
	if (strcmp(argv[1], "level") == 0 && (argc == 3 || argc == 4))
		return bench_level(argv[2], argc == 4 ? atof(argv[3]) : 1.5);
	if (strcmp(argv[1], "compile") == 0 && (argc == 4 || argc == 5))
		return bench_compile(argv[2], argv[3], argc == 5 && atoi(argv[4]) > 0 ? atoi(argv[4]) : 3);
	if (strcmp(argv[1], "load") == 0 && (argc == 3 || argc == 4))
		return bench_load(argv[2], argc == 4 && atoi(argv[3]) > 0 ? atoi(argv[3]) : 3);
	if (strcmp(argv[1], "peer") == 0 && (argc == 4 || argc == 5))
		return bench_peer(argv[2], atof(argv[3]), argc == 5 && strcmp(argv[4], "sh") == 0);
	return usage();
}

/* privsep.c - the root parent of the daemon: a small blocking loop that runs only the plan's own shutdown commands. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "engine/timers.h"
#include "engine/vm.h"
#include "grammar/xalloc.h"
#include "runtime/log.h"
#include "runtime/monotonic.h"
#include "runtime/actions.h"
#include "runtime/desktop.h"
#include "runtime/privsep.h"
#include "runtime/sdnotify.h"

#define PS_FLAG_MAGIC "upsmon-shutdown-file\n"	/* NUT's POWERDOWNFLAG content */
#define PS_FRAME_WAIT_MS 2000	/* the longest wait for the rest of a frame */
#define PS_DESKTOP_BURST 30	/* NOTIFY texts shown per minute at most */

int ps_write_frame(int fd, uint32_t kind, const void *payload, size_t len)
{
	struct ps_hdr h = { kind, (uint32_t)len };
	const char *parts[2] = { (const char *)&h, payload };
	size_t lens[2] = { sizeof(h), len };

	for (int i = 0; i < 2; i++) {
		size_t off = 0;
		while (off < lens[i]) {
			ssize_t w = write(fd, parts[i] + off, lens[i] - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
			off += (size_t)w;
		}
	}
	return 0;
}

/*
 * Read LEN bytes of a frame from the child: 0; -1 at its end or on an
 * error; -2 when the rest takes more than PS_FRAME_WAIT_MS (a child that
 * stalls in the middle of a frame cannot block this process).
 */
static int ps_read_full(int fd, void *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		struct pollfd p = { fd, POLLIN, 0 };
		int ready = poll(&p, 1, PS_FRAME_WAIT_MS);
		ssize_t r;
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready == 0)
			return -2;
		if (ready < 0)
			return -1;
		r = read(fd, (char *)buf + off, len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

void ps_clear_powerdownflag(const char *path)
{
	char buf[64];
	int fd;
	ssize_t n;

	if (!path)
		return;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n == (ssize_t)strlen(PS_FLAG_MAGIC) && memcmp(buf, PS_FLAG_MAGIC, (size_t)n) == 0) {
		if (unlink(path) == 0)
			log_msg(LOG_INFO, "POWERDOWNFLAG %s removed", path);
	} else {
		log_msg(LOG_WARNING, "POWERDOWNFLAG %s exists but is not upsmon's flag: left alone", path);
	}
}

static void ps_write_powerdownflag(const char *path)
{
	int fd;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, PS_FLAG_MAGIC, strlen(PS_FLAG_MAGIC)) != (ssize_t)strlen(PS_FLAG_MAGIC)) {
		log_msg(LOG_ERR, "cannot write POWERDOWNFLAG %s: %s", path, strerror(errno));
	} else {
		log_msg(LOG_NOTICE, "POWERDOWNFLAG %s written", path);
	}
	if (fd >= 0)
		close(fd);
}

int ps_drop(uid_t uid, gid_t gid, const char *user, char *err, size_t errlen)
{
	if (initgroups(user, gid) != 0) {
		snprintf(err, errlen, "initgroups(%s): %s", user, strerror(errno));
		return -1;
	}
	if (setgid(gid) != 0 || setuid(uid) != 0) {
		snprintf(err, errlen, "cannot become user %s: %s", user, strerror(errno));
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "root privileges could be regained after dropping them to %s", user);
		return -1;
	}
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid) {
		snprintf(err, errlen, "the user or group did not change as asked");
		return -1;
	}
	return 0;
}

int ps_compile(const char *path, const struct plan_file_opts *po, struct plan_image *img)
{
	struct plan_file_opts o = *po;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	o.color = 0;
	o.diag = open_memstream(&buf, &len);
	rc = plan_file_load(path, &o, img);
	if (o.diag) {
		fclose(o.diag);
		for (char *line = buf, *nl; line && *line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			if (*line)
				log_msg(rc ? LOG_ERR : LOG_WARNING, "%s", line);
		}
		free(buf);
	}
	return rc;
}

/* The parent's plan: an image, and a VM that only ever renders SHUTDOWNCMDs. */
struct ps_plan {
	uint32_t gen;		/* 0 the first plan, then one more per reload */
	struct plan_image img;
	struct tmr_heap timers;
	uint32_t *tables;
	struct vm *vm;
	char charge[32];
};

static const char *ps_getvar(void *ctx, uint32_t ups, const char *name)
{
	struct ps_plan *p = ctx;

	(void)ups;
	return strcmp(name, "battery.charge") == 0 && p->charge[0] ? p->charge : NULL;
}

static void ps_plan_init(struct ps_plan *p, const struct ps_parent_cfg *cfg)
{
	struct vm_host h = { p, ps_getvar };

	tmr_init(&p->timers, p->img.timers.n);
	p->tables = xcalloc((size_t)p->img.ups.n + 1, sizeof(uint32_t));
	p->vm = vm_new(&p->img, &h, p->tables, &p->timers, cfg->hostname, cfg->banner);
}

static void ps_plan_free(struct ps_plan *p)
{
	vm_free(p->vm);
	free(p->tables);
	tmr_free(&p->timers);
	img_free(&p->img);
}

/* A shutdown command waiting or running. */
struct ps_job {
	char **argv;
	uint32_t pc;
	pid_t pid;
	double started;		/* monotonic seconds: a clock step at boot neither kills it nor lets it run on */
	int killed;
};

/* The shutdown commands of the parent: the first runs, the others wait. */
struct ps_queue {
	struct ps_job jobs[8];
	unsigned n;
	int flag_written;	/* POWERDOWNFLAG written for the shutdown under way */
};

static void ps_reply(int fd, uint32_t pc, int status, const char *msg)
{
	struct ps_done d;

	memset(&d, 0, sizeof(d));
	d.status = status;
	d.pc = pc;
	snprintf(d.msg, sizeof(d.msg), "%s", msg);
	if (ps_write_frame(fd, PS_DONE, &d, sizeof(d)) != 0)
		log_msg(LOG_ERR, "cannot answer the monitoring process: %s", strerror(errno));
}

/* Start J; -1 when it cannot be (fork failed). */
static int ps_start_job(struct ps_job *j, const struct ps_parent_cfg *cfg, int *flag_written)
{
	if (!*flag_written) {
		ps_write_powerdownflag(cfg->powerdownflag);
		*flag_written = 1;
	}
	j->pid = fork();
	if (j->pid < 0) {
		log_msg(LOG_ERR, "SHUTDOWNCMD %s: cannot start it: fork: %s", j->argv[0], strerror(errno));
		j->pid = 0;
		return -1;
	}
	if (j->pid == 0) {
		sigset_t none;
		int devnull = open("/dev/null", O_RDWR);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int s = 1; s < NSIG; s++)	/* the daemon ignores SIGPIPE: an exec would keep that */
			signal(s, SIG_DFL);
		setsid();	/* its own session, like every command the daemon runs */
		dup2(devnull, 0);
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		execv(j->argv[0], j->argv);
		fprintf(stderr, "upsplan: cannot run %s: %s\n", j->argv[0], strerror(errno));
		_exit(127);
	}
	j->started = rt_monotonic();
	return 0;
}

static void ps_free_job(struct ps_job *j)
{
	for (char **p = j->argv; p && *p; p++)
		free(*p);
	free(j->argv);
	memset(j, 0, sizeof(*j));
}

/*
 * The first job ended with exit status CODE (-1: it could not start): tell
 * the child, drop it and start the next one that can start.  When the last
 * one failed, no shutdown is under way: the POWERDOWNFLAG goes, or the next
 * ordinary reboot would cut the UPS's power.
 */
static void ps_job_done(int fd, struct ps_queue *q, int code, const struct ps_parent_cfg *cfg)
{
	for (;;) {
		if (fd >= 0)
			ps_reply(fd, q->jobs[0].pc, code, code == -1 ? "cannot start it (fork failed)" : "");
		ps_free_job(&q->jobs[0]);
		memmove(q->jobs, q->jobs + 1, (q->n - 1) * sizeof(q->jobs[0]));
		memset(&q->jobs[--q->n], 0, sizeof(q->jobs[0]));
		if (!q->n)
			break;
		if (ps_start_job(&q->jobs[0], cfg, &q->flag_written) == 0)
			return;
		code = -1;
	}
	if (code != 0 && q->flag_written) {
		log_msg(LOG_WARNING, "no SHUTDOWNCMD under way after a failed one: POWERDOWNFLAG withdrawn");
		ps_clear_powerdownflag(cfg->powerdownflag);
		q->flag_written = 0;
	}
}

/* The child asked for a shutdown: render it from our own plan, or refuse. */
static int ps_take_request(int fd, struct ps_plan *p, const struct ps_shutdown *rq, struct ps_job *j)
{
	struct vm_event ev = { rq->ups, rq->pair, rq->timer, 0 };
	const struct vm_effect *e;

	if (rq->gen != p->gen) {
		log_msg(LOG_ERR, "the monitoring process asked for a SHUTDOWNCMD of plan %u, this process has plan %u: refused",
			rq->gen, p->gen);
		ps_reply(fd, rq->pc, -1, "the plans of the two processes differ");
		return -1;
	}

	memcpy(p->charge, rq->charge, sizeof(p->charge));
	p->charge[sizeof(p->charge) - 1] = '\0';
	if (vm_render_shutdown(p->vm, rq->pc, &ev) != 1) {
		log_msg(LOG_ERR, "the monitoring process asked for code offset %u, which is not a SHUTDOWNCMD of the plan: refused",
			rq->pc);
		ps_reply(fd, rq->pc, -1, "not a SHUTDOWNCMD of the plan");
		return -1;
	}
	e = vm_effects(p->vm);
	if (e->kind != OP_SHUTDOWNCMD || e->argc == 0) {
		log_msg(LOG_ERR, "SHUTDOWNCMD at offset %u: %s", rq->pc, e->text);
		ps_reply(fd, rq->pc, -1, e->text);
		return -1;
	}
	j->argv = xcalloc((size_t)e->argc + 1, sizeof(char *));
	for (uint32_t i = 0; i < e->argc; i++)
		j->argv[i] = xstrdup(e->argv[i]);
	j->pc = rq->pc;
	if (j->argv[0][0] != '/') {
		log_msg(LOG_ERR, "SHUTDOWNCMD %s: the command must be an absolute path (it runs as root, without PATH search)",
			j->argv[0]);
		ps_reply(fd, rq->pc, -1, "not an absolute path");
		ps_free_job(j);
		return -1;
	}
	return 0;
}

/*
 * A notification from the child for the service manager, which only hears
 * this process (its main PID).  Only the states the daemon sends pass: a
 * compromised child cannot send MAINPID= or the like.
 */
static void ps_relay_notify(const char *text)
{
	if (strcmp(text, "READY=1") == 0 || strcmp(text, "STOPPING=1") == 0 || strcmp(text, "WATCHDOG=1") == 0 ||
	    (strncmp(text, "STATUS=", 7) == 0 && !strchr(text, '\n')))
		sd_notify_status(text);
	else
		log_msg(LOG_ERR, "the monitoring process sent an unexpected notification: ignored");
}

/* NOTIFY: the configured command, with TEXT, as the user of each graphical session. */
static void ps_desktop(const struct ps_parent_cfg *cfg, const char *text)
{
	/* a flood of texts (a compromised child) must not make this process fork without end */
	static double window;
	static unsigned shown;

	if (rt_monotonic() - window >= 60) {
		window = rt_monotonic();
		shown = 0;
	}
	if (++shown > PS_DESKTOP_BURST) {
		if (shown == PS_DESKTOP_BURST + 1)
			log_msg(LOG_WARNING, "NOTIFY: more than %d texts in a minute: the others of this minute are not shown",
				PS_DESKTOP_BURST);
		return;
	}
	struct dt_session s[DT_MAX_SESSIONS];
	int n = dt_sessions(cfg->utmp, s, DT_MAX_SESSIONS);
	char **argv = act_words(cfg->notify);
	unsigned timeout = cfg->notify_timeout >= 1 ? (unsigned)cfg->notify_timeout : 1;

	if (!argv) {
		log_msg(LOG_ERR, "NOTIFY: the command '%s' is empty or malformed", cfg->notify);
		return;
	}
	if (n == 0)
		log_debug(1, "NOTIFY: nobody is logged in to a graphical session");
	for (int i = 0; i < n; i++) {
		pid_t pid = dt_notify(&s[i], argv, text, timeout);
		if (pid < 0)
			log_msg(LOG_ERR, "NOTIFY for %s: fork: %s", s[i].user, strerror(errno));
		else
			log_debug(1, "NOTIFY for %s on %s: pid %ld", s[i].user, s[i].display[0] ? s[i].display : "its session bus",
				  (long)pid);
	}
	act_free_words(argv);
}

int ps_parent(int fd, pid_t child, struct plan_image *img, const struct ps_parent_cfg *cfg)
{
	/* the plan the child runs; one sent, not yet taken up (the VMs point into them: never copied) */
	struct ps_plan plans[2], *plan = &plans[0], *pending = &plans[1];
	struct ps_queue q;
	struct ps_job *jobs = q.jobs;
	int have_pending = 0, sfd, status = 0;
	sigset_t mask;

	memset(plans, 0, sizeof(plans));
	memset(&q, 0, sizeof(q));
	plan->img = *img;	/* the parent owns it from now on */
	memset(img, 0, sizeof(*img));
	ps_plan_init(plan, cfg);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		log_msg(LOG_ERR, "signalfd: %s", strerror(errno));
		kill(child, SIGTERM);
		ps_plan_free(plan);
		return 1;
	}
	for (;;) {
		struct pollfd pfd[2] = { { fd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		/* once the child has ended, its last frames (STOPPING=1) are still read, briefly */
		int timeout = q.n ? 1000 : child < 0 ? 200 : -1, nready;

		if (fd < 0)
			pfd[0].events = 0;
		nready = poll(pfd, 2, timeout);
		if (nready < 0 && errno != EINTR)
			break;
		/* time limits of the running shutdown command */
		if (q.n && jobs[0].pid > 0 && rt_monotonic() - jobs[0].started > cfg->timeout) {
			kill(jobs[0].pid, jobs[0].killed ? SIGKILL : SIGTERM);
			if (!jobs[0].killed)
				log_msg(LOG_ERR, "SHUTDOWNCMD %s: still running after %.0f s: stopped", jobs[0].argv[0],
					cfg->timeout);
			jobs[0].killed = 1;
			jobs[0].started = rt_monotonic() - cfg->timeout + 5;
		}
		if (pfd[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				switch (si.ssi_signo) {
				case SIGTERM:
				case SIGINT:
				case SIGUSR1:
					kill(child, (int)si.ssi_signo);
					break;
				case SIGHUP: {
					struct plan_image ni;
					unsigned char *buf, *frame;
					size_t len;
					uint32_t gen = plan->gen + 1;
					if (have_pending) {
						log_msg(LOG_WARNING,
							"SIGHUP: the monitoring process has not yet taken up the plan of the last one: ignored, send it again");
						break;
					}
					log_msg(LOG_NOTICE, "SIGHUP: compiling %s again", cfg->plan);
					if (ps_compile(cfg->plan, &cfg->po, &ni) != 0) {
						log_msg(LOG_ERR, "%s has errors: the running plan is kept", cfg->plan);
						break;
					}
					/* the child says whether it could use it (PS_ACK): until then, both keep the old one */
					img_encode(&ni, &buf, &len);
					frame = xrealloc(NULL, len + sizeof(gen));
					memcpy(frame, &gen, sizeof(gen));
					memcpy(frame + sizeof(gen), buf, len);
					free(buf);
					if (fd < 0 || ps_write_frame(fd, PS_IMAGE, frame, len + sizeof(gen)) != 0) {
						log_msg(LOG_ERR, "cannot pass the new plan on: the running plan is kept");
						img_free(&ni);
					} else {
						pending->gen = gen;
						pending->img = ni;
						ps_plan_init(pending, cfg);
						have_pending = 1;
					}
					free(frame);
					break;
				}
				case SIGCHLD: {
					pid_t pid;
					int st;
					while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
						if (pid == child) {
							status = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
							if (!WIFEXITED(st))
								log_msg(LOG_ERR, "the monitoring process died (signal %d)",
									WIFSIGNALED(st) ? WTERMSIG(st) : 0);
							child = -1;
							continue;
						}
						if (q.n && pid == jobs[0].pid) {
							int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
							log_msg(code ? LOG_ERR : LOG_NOTICE, "SHUTDOWNCMD %s ended with status %d",
								jobs[0].argv[0], code);
							ps_job_done(fd, &q, code, cfg);
						}
					}
					break;
				}
				}
			}
		}
		if (child < 0 && (fd < 0 || nready == 0))
			break;
		if (fd >= 0 && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			struct ps_hdr h;
			struct ps_shutdown rq;
			int r = ps_read_full(fd, &h, sizeof(h));
			if (r == -1) {
				close(fd);	/* the child is ending; wait for its SIGCHLD */
				fd = -1;
				continue;
			}
			if (r == -2)
				h.kind = 0;	/* an incomplete frame: malformed, below */
			if (h.kind == PS_DESKTOP && h.len <= PS_DESKTOP_MAX) {
				char text[PS_DESKTOP_MAX + 1];
				if (ps_read_full(fd, text, h.len) == 0) {
					text[h.len] = '\0';
					ps_desktop(cfg, text);
					continue;
				}
			}
			if (h.kind == PS_ACK && h.len == sizeof(struct ps_ack)) {
				struct ps_ack ack;
				if (ps_read_full(fd, &ack, sizeof(ack)) == 0) {
					if (!have_pending || ack.gen != pending->gen) {
						log_msg(LOG_ERR, "the monitoring process took up plan %u, which was not sent: ignored",
							ack.gen);
					} else if (ack.ok) {
						struct ps_plan *old = plan;
						ps_plan_free(old);
						memset(old, 0, sizeof(*old));
						plan = pending;
						pending = old;
						have_pending = 0;
					} else {
						log_msg(LOG_ERR, "the monitoring process cannot use the new plan: the running plan is kept");
						ps_plan_free(pending);
						memset(pending, 0, sizeof(*pending));
						have_pending = 0;
					}
					continue;
				}
			}
			if (h.kind == PS_NOTIFY && h.len <= PS_NOTIFY_MAX) {
				char text[PS_NOTIFY_MAX + 1];
				if (ps_read_full(fd, text, h.len) == 0) {
					text[h.len] = '\0';
					ps_relay_notify(text);
					continue;
				}
			}
			if (h.kind != PS_SHUTDOWN || h.len != sizeof(rq) || ps_read_full(fd, &rq, sizeof(rq)) != 0) {
				log_msg(LOG_ERR, "the monitoring process sent a malformed request: stopping it");
				kill(child, SIGTERM);
				close(fd);
				fd = -1;
				continue;
			}
			if (q.n == sizeof(q.jobs) / sizeof(q.jobs[0])) {
				ps_reply(fd, rq.pc, -1, "too many shutdown commands at once");
				continue;
			}
			if (ps_take_request(fd, plan, &rq, &jobs[q.n]) == 0 && ++q.n == 1 &&
			    ps_start_job(&jobs[0], cfg, &q.flag_written) != 0)
				ps_job_done(fd, &q, -1, cfg);
		}
	}
	/* wait for the shutdown commands still running: they matter more than a quick exit */
	while (q.n) {
		int st;
		pid_t pid = waitpid(jobs[0].pid, &st, WNOHANG);
		if (pid == 0) {
			if (!jobs[0].killed && rt_monotonic() - jobs[0].started > cfg->timeout) {
				log_msg(LOG_ERR, "SHUTDOWNCMD %s: still running after %.0f s: stopped", jobs[0].argv[0],
					cfg->timeout);
				kill(jobs[0].pid, SIGTERM);
				jobs[0].killed = 1;
				jobs[0].started = rt_monotonic() - cfg->timeout + 5;
			} else if (jobs[0].killed && rt_monotonic() - jobs[0].started > cfg->timeout) {
				kill(jobs[0].pid, SIGKILL);
			}
			poll(NULL, 0, 100);
			continue;
		}
		if (pid < 0 && errno == EINTR)
			continue;
		ps_job_done(-1, &q, pid < 0 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st), cfg);
	}
	if (fd >= 0)
		close(fd);
	close(sfd);
	if (have_pending)
		ps_plan_free(pending);
	ps_plan_free(plan);
	return status;
}

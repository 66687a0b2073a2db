/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privsep.c - the root parent of the daemon: a small loop that runs only the plan's own shutdown commands, and starts the monitoring child again when it dies. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "runtime/daemon/actions.h"
#include "runtime/daemon/child.h"
#include "runtime/daemon/daemon.h"
#include "runtime/daemon/desktop.h"
#include "runtime/daemon/log.h"
#include "runtime/common/monotonic.h"
#include "runtime/daemon/privsep.h"
#include "runtime/daemon/privsep-int.h"
#include "runtime/daemon/sdnotify.h"

#define PS_FRAME_WAIT 2.0	/* seconds the rest of a frame may take */
#define PS_WRITE_WAIT 5.0	/* seconds the child may read nothing of what this process sends */
#define PS_KILL_GRACE 5.0	/* seconds from SIGTERM to SIGKILL: a child that misbehaves, a SHUTDOWNCMD past its limit */
#define PS_STOP_GRACE 15.0	/* seconds a child has to stop when the daemon stops (its LOGOUTs take 3) */
#define PS_DESKTOP_BURST 30	/* NOTIFY texts shown per minute at most */
#define PS_DRAIN_MAX 64		/* frames read from a child that has ended */
#define PS_RESTART_FIRST 1.0	/* seconds before a died child is started again, doubling ... */
#define PS_RESTART_MAX 30.0	/* ... up to this */
#define PS_RESTART_CALM 600.0	/* a child that ran this long died of something new: the back-off starts over */

/*
 * The only way this process signals a process: one it started and has
 * not reaped (the child or the SHUTDOWNCMD), never a pid <= 0 (-1 would
 * signal every process).
 */
static void ps_signal(const struct ps_proc *c, int sig)
{
	if (c->pid > 0)
		kill(c->pid, sig);
}

/* The time-out of every process this one stops: SIG now, SIGKILL GRACE seconds later unless it has ended (ps_stop_late()). */
static void ps_stop(struct ps_proc *c, int sig, double grace)
{
	if (c->pid <= 0)
		return;
	ps_signal(c, sig);
	c->kill_at = rt_monotonic() + grace;
}

/* C was told to stop and its grace is over at NOW: SIGKILL (logged as WHAT, unless NULL). */
static void ps_stop_late(struct ps_proc *c, double now, const char *what)
{
	if (c->pid <= 0 || c->kill_at <= 0 || now < c->kill_at)
		return;
	if (what)
		log_msg(LOG_ERR, "%s did not stop: killed", what);
	ps_signal(c, SIGKILL);
	c->kill_at = 0;
}

static void ps_close_fd(struct ps_parent *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->rxlen = 0;
}

/* The child misbehaved (WHY): nothing more is read from it, it is stopped (then killed) and started again. */
static void ps_misbehaved(struct ps_parent *p, const char *why)
{
	log_msg(LOG_ERR, "the monitoring process %s: stopping it", why);
	ps_close_fd(p);
	if (p->child.pid <= 0 || p->misbehaved)
		return;
	p->misbehaved = 1;
	ps_stop(&p->child, SIGTERM, PS_KILL_GRACE);
}

/* Send a frame to the child; a child that reads nothing of it for PS_WRITE_WAIT misbehaves.  0, or -1. */
int ps_send(struct ps_parent *p, uint32_t kind, const void *payload, size_t len)
{
	struct ps_hdr h = { kind, (uint32_t)len };
	struct iovec v[2] = { { &h, sizeof(h) }, { (void *)payload, len } };
	struct msghdr m;
	double deadline = rt_monotonic() + PS_WRITE_WAIT;

	memset(&m, 0, sizeof(m));
	m.msg_iov = v;
	m.msg_iovlen = 2;
	while (p->fd >= 0 && v[0].iov_len + v[1].iov_len > 0) {
		ssize_t w = sendmsg(p->fd, &m, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pfd = { p->fd, POLLOUT, 0 };
			double left = deadline - rt_monotonic();
			if (left <= 0) {
				ps_misbehaved(p, "does not read what this process sends");
				return -1;
			}
			poll(&pfd, 1, (int)(left * 1000) + 1);
			continue;
		}
		if (w < 0) {
			log_msg(LOG_ERR, "cannot write to the monitoring process: %s", strerror(errno));
			ps_close_fd(p);
			return -1;
		}
		deadline = rt_monotonic() + PS_WRITE_WAIT;	/* it reads: a large plan may take long */
		for (int i = 0; i < 2; i++) {
			size_t k = (size_t)w < v[i].iov_len ? (size_t)w : v[i].iov_len;
			v[i].iov_base = (char *)v[i].iov_base + k;
			v[i].iov_len -= k;
			w -= (ssize_t)k;
		}
	}
	return p->fd >= 0 ? 0 : -1;
}

/*
 * Tell the child how the SHUTDOWNCMD at PC ended: the child running now,
 * also when another one asked for it (it died meanwhile): the latches of
 * the two processes must agree, or a failed command would keep a later
 * one from running.
 */
static void ps_reply(struct ps_parent *p, uint32_t pc, int status, const char *msg)
{
	struct ps_done d;

	if (p->child.pid <= 0)
		return;
	memset(&d, 0, sizeof(d));
	d.status = status;
	d.pc = pc;
	snprintf(d.msg, sizeof(d.msg), "%s", msg);
	ps_send(p, PS_DONE, &d, sizeof(d));
}

static void ps_free_job(struct ps_job *j)
{
	for (char **a = j->argv; a && *a; a++)
		free(*a);
	free(j->argv);
	memset(j, 0, sizeof(*j));
}

/*
 * The job ended with exit status CODE (PS_DONE_FAILED: it could not
 * start).  When it failed, no shutdown is under way: the POWERDOWNFLAG
 * goes, or the next ordinary reboot would cut the UPS's power.
 */
static void ps_job_done(struct ps_parent *p, int code)
{
	struct ps_job *j = &p->job;

	if (code == 0)
		p->shut_done = 1;
	ps_reply(p, j->pc, code, code == PS_DONE_FAILED ? "cannot start it" : "");
	if (code != 0 && j->flag_written) {
		log_msg(LOG_WARNING, "no SHUTDOWNCMD under way after a failed one: POWERDOWNFLAG withdrawn");
		ps_clear_powerdownflag(p->cfg->powerdownflag);
	}
	ps_free_job(j);
}

/* Start the job (POWERDOWNFLAG first); -1 when it cannot be. */
static int ps_start_job(struct ps_parent *p)
{
	struct ps_job *j = &p->job;

	/* as upsmon, which shuts down only for a UPS on battery or FSD: a UPS
	 * told to power off with the mains present cuts its other loads */
	if (j->power_failing) {
		ps_write_powerdownflag(p->cfg->powerdownflag);
		j->flag_written = p->cfg->powerdownflag != NULL;
	} else if (p->cfg->powerdownflag) {
		log_msg(LOG_WARNING, "POWERDOWNFLAG %s not written: the UPS of this SHUTDOWNCMD is neither on "
			"battery nor FSD, so it must not power off its outlets", p->cfg->powerdownflag);
	}
	j->proc.pid = fork();
	if (j->proc.pid < 0) {
		log_msg(LOG_ERR, "SHUTDOWNCMD %s: cannot start it: fork: %s", j->argv[0], strerror(errno));
		j->proc.pid = 0;
		return -1;
	}
	if (j->proc.pid == 0) {
		child_setup(CHILD_NULL, CHILD_KEEP, CHILD_KEEP);	/* its output goes where the daemon's does */
		execv(j->argv[0], j->argv);
		fprintf(stderr, "upsplan: cannot run %s: %s\n", j->argv[0], strerror(errno));
		_exit(127);
	}
	j->started = rt_monotonic();
	return 0;
}

/* The time limit of the running job, at NOW: it is stopped (SIGTERM, then SIGKILL PS_KILL_GRACE later). */
static void ps_job_limit(struct ps_parent *p, double now)
{
	struct ps_job *j = &p->job;

	if (j->proc.pid <= 0 || j->killed || now - j->started <= p->cfg->timeout)
		return;
	log_msg(LOG_ERR, "SHUTDOWNCMD %s: still running after %.0f s: stopped", j->argv[0], p->cfg->timeout);
	ps_stop(&j->proc, SIGTERM, PS_KILL_GRACE);
	j->killed = 1;
}

/* The child asked for a shutdown: render it from our own plan into the job, or refuse (-1). */
static int ps_take_request(struct ps_parent *p, const struct ps_shutdown *rq)
{
	const char *why = NULL;

	if (ps_plan_render(p->plan, rq, &p->job.argv, &why) == 0) {
		p->job.pc = rq->pc;
		p->job.power_failing = rq->power_failing == 1;
		return 0;
	}
	ps_reply(p, rq->pc, PS_DONE_FAILED, why);
	return -1;
}

static void ps_on_shutdown(struct ps_parent *p, const struct ps_frame *f)
{
	struct ps_shutdown rq;

	memcpy(&rq, f->payload, sizeof(rq));
	if (p->job.proc.pid > 0 || p->shut_done) {
		log_msg(LOG_WARNING, "a SHUTDOWNCMD %s: the one asked for at offset %u is not run",
			p->shut_done ? "succeeded already" : "runs", rq.pc);
		ps_reply(p, rq.pc, p->shut_done ? PS_DONE_SUCCEEDED : PS_DONE_LATCHED,
			 p->shut_done ? "a SHUTDOWNCMD succeeded already" : "a SHUTDOWNCMD runs");
		return;
	}
	if (ps_take_request(p, &rq) == 0 && ps_start_job(p) != 0)
		ps_job_done(p, PS_DONE_FAILED);
}

static void ps_on_notify(struct ps_parent *p, const struct ps_frame *f)
{
	char text[PS_NOTIFY_MAX + 1];

	memcpy(text, f->payload, f->len);	/* a state the daemon sends: ps_frame_take checked */
	text[f->len] = '\0';
	if (strcmp(text, "READY=1") == 0) {
		p->child_ready = 1;
		/*
		 * A SHUTDOWNCMD succeeded in this boot: a new child may not know
		 * (no state file, or its outcome came while no child ran), and
		 * would stay logged in to upsd (SHUTDOWNEXIT) and run rules.
		 */
		if (p->shut_done)
			ps_reply(p, 0, 0, "");
		if (p->fsd_pending) {
			p->fsd_pending = 0;
			log_msg(LOG_NOTICE, "SIGUSR2 (operator FSD): passed on late, now that the monitoring process is ready");
			ps_signal(&p->child, SIGUSR2);
		}
	}
	sd_notify_status(text);
}

/* NOTIFY: the configured command, with the text, as the user of each graphical session. */
static void ps_on_desktop(struct ps_parent *p, const struct ps_frame *f)
{
	const struct ps_parent_cfg *cfg = p->cfg;
	char text[PS_DESKTOP_MAX + 1];
	struct dt_session s[DT_MAX_SESSIONS];
	unsigned timeout = cfg->notify_timeout >= 1 ? (unsigned)cfg->notify_timeout : 1;
	char **argv;
	int n;

	/* a flood of texts (a compromised child) must not make this process fork without end */
	if (rt_monotonic() - p->desktop_window >= 60) {
		p->desktop_window = rt_monotonic();
		p->desktop_shown = 0;
	}
	if (++p->desktop_shown > PS_DESKTOP_BURST) {
		if (p->desktop_shown == PS_DESKTOP_BURST + 1)
			log_msg(LOG_WARNING, "NOTIFY: more than %d texts in a minute: the others of this minute are not shown",
				PS_DESKTOP_BURST);
		return;
	}
	memcpy(text, f->payload, f->len);
	text[f->len] = '\0';
	argv = act_words(cfg->notify);
	if (!argv) {
		log_msg(LOG_ERR, "NOTIFY: the command '%s' is empty or malformed", cfg->notify);
		return;
	}
	n = dt_sessions(cfg->utmp, s, DT_MAX_SESSIONS);
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


/*
 * The dispatch table: the handler of each kind, by its number, made from
 * privsep-frames.def (a kind added there without a handler here does not
 * compile).  The kinds the parent sends have none: ps_frame_take()
 * refuses them, as it refuses a length or payload the kind never has.
 */
typedef void ps_handler_fn(struct ps_parent *p, const struct ps_frame *f);

#define ps_on_SHUTDOWN ps_on_shutdown
#define ps_on_DONE NULL
#define ps_on_IMAGE NULL
#define ps_on_NOTIFY ps_on_notify
#define ps_on_DESKTOP ps_on_desktop
#define ps_on_ACK ps_on_ack
#define ps_on_RELOAD ps_on_reload
#define ps_on_REFUSED NULL

static ps_handler_fn *const ps_handlers[] = {
#define PS_FRAME(id, num, dir, min, max, meaning) [num] = ps_on_##id,
#include "runtime/daemon/privsep-frames.def"
#undef PS_FRAME
};

/* Hand the frame F (ps_frame_take() took it: checked) to its kind's handler. */
static void ps_dispatch(struct ps_parent *p, const struct ps_frame *f)
{
	ps_handler_fn *h = f->kind < sizeof(ps_handlers) / sizeof(ps_handlers[0]) ? ps_handlers[f->kind] : NULL;

	if (h)
		h(p, f);
}

/* Handle every whole frame in rx; keep a partial one. */
static void ps_take_frames(struct ps_parent *p)
{
	size_t off = 0;

	while (p->fd >= 0) {
		struct ps_frame f;
		const char *why = NULL;
		long n = ps_frame_take(p->rx + off, p->rxlen - off, PS_TO_PARENT, &f, &why);
		if (n == 0)
			break;
		if (n < 0) {
			char what[160];
			struct ps_hdr h;
			memcpy(&h, p->rx + off, sizeof(h));
			snprintf(what, sizeof(what), "sent a malformed frame (kind %u, %u bytes: %s)", h.kind, h.len, why);
			ps_misbehaved(p, what);
			return;
		}
		off += (size_t)n;
		ps_dispatch(p, &f);
	}
	if (p->fd < 0)
		return;
	if (off > 0) {
		memmove(p->rx, p->rx + off, p->rxlen - off);
		p->rxlen -= off;
		p->rx_since = rt_monotonic();
	}
}

/* Read what the child sent (without waiting) and handle the whole frames: 1 when bytes came, 0 when none, -1 at its end. */
static int ps_read_input(struct ps_parent *p)
{
	ssize_t r;

	do {
		r = read(p->fd, p->rx + p->rxlen, sizeof(p->rx) - p->rxlen);
	} while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (r <= 0) {
		ps_close_fd(p);	/* the child is ending; its SIGCHLD follows */
		return -1;
	}
	if (p->rxlen == 0)
		p->rx_since = rt_monotonic();
	p->rxlen += (size_t)r;
	ps_take_frames(p);
	return 1;
}


/*
 * Start a monitoring child on the plan the parent has: a new socket, the
 * user dropped to, dm_run().  0, or -1 when it cannot be started.
 */
static int ps_start_child(struct ps_parent *p)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		log_msg(LOG_ERR, "socketpair: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		struct dm_options o = *p->o;
		struct plan_image img = p->plan->img;	/* this process's copy: the child owns it */
		sigset_t none;
		char err[256];

		close(sv[0]);
		close(p->sfd);
		if (p->cfg->close_fd >= 0)
			close(p->cfg->close_fd);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);	/* the parent's signals are blocked for its signalfd */
		dm_hold_signals(SIG_BLOCK);	/* USR1 passed on before dm_run() handles it waits */
		if (ps_drop(p->cfg->uid, p->cfg->gid, p->cfg->user, err, sizeof(err)) != 0) {
			log_msg(LOG_ERR, "%s: stopping", err);
			_exit(1);
		}
		/* by the child, before it connects: first in the log, whatever the connections say */
		log_msg(LOG_INFO, "monitoring as user %s (pid %ld); SHUTDOWNCMDs run from here (pid %ld)", p->cfg->user,
			(long)getpid(), (long)getppid());
		o.privsep_fd = sv[1];
		o.gen = p->plan->gen;
		_exit(dm_run(&img, &o));
	}
	close(sv[1]);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	p->fd = sv[0];
	p->rxlen = 0;
	p->child.pid = pid;
	p->child.kill_at = 0;
	p->child_since = rt_monotonic();
	p->child_ready = 0;
	p->misbehaved = 0;
	return 0;
}

/*
 * The child ended with wait status ST.  What it wrote before is read
 * without waiting (its last STOPPING=1); then it is started again if it
 * died after it was ready (or was stopped for misbehaving), unless the
 * daemon is stopping; otherwise the daemon ends with its status.
 */
static void ps_child_gone(struct ps_parent *p, int st)
{
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	double now = rt_monotonic();

	p->child.pid = -1;
	p->child.kill_at = 0;
	for (int i = 0; i < PS_DRAIN_MAX && p->fd >= 0 && ps_read_input(p) > 0; i++)
		;
	ps_close_fd(p);
	if (p->have_pending) {	/* it never said whether it took the plan up: the next child gets it again */
		ps_drop_pending(p);
		p->hup_queued = 1;
	}
	if (p->stopping) {
		/*
		 * The SIGTERM passed on may come before the child handles it: a
		 * death by it is a stop too.  So is an exit of a child this process
		 * had cut off (misbehaved): its status then only says that its
		 * socket closed under it before the SIGTERM landed.  A child killed
		 * after the grace (deaf to SIGTERM) is no clean stop, cut off or not.
		 */
		if (p->misbehaved && code >= 0)
			p->status = 0;
		else
			p->status = code >= 0 ? code : WTERMSIG(st) == SIGTERM || WTERMSIG(st) == SIGINT ? 0 : 1;
		return;
	}
	if (WIFSIGNALED(st))
		log_msg(LOG_ERR, "the monitoring process died (signal %d)", WTERMSIG(st));
	if ((code == 0 && !p->misbehaved) || (!p->child_ready && !p->misbehaved)) {
		if (code != 0)
			log_msg(LOG_ERR, "the monitoring process ended before it was ready (%s %d): stopping",
				code >= 0 ? "status" : "signal", code >= 0 ? code : WTERMSIG(st));
		p->status = code >= 0 ? code : 1;
		return;
	}
	if (now - p->child_since >= PS_RESTART_CALM)
		p->restart_wait = PS_RESTART_FIRST;
	p->restart_at = now + p->restart_wait;
	log_msg(LOG_CRIT, "the monitoring process ended (%s %d): starting it again in %.0f s with the plan it ran%s",
		code >= 0 ? "status" : "signal", code >= 0 ? code : WTERMSIG(st), p->restart_wait,
		p->o->state_file ? "; its state file keeps the timers" : "; without a state file its timers start afresh");
	p->restart_wait = p->restart_wait * 2 > PS_RESTART_MAX ? PS_RESTART_MAX : p->restart_wait * 2;
}

static void ps_reap(struct ps_parent *p)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == p->child.pid) {
			ps_child_gone(p, st);
		} else if (p->job.proc.pid > 0 && pid == p->job.proc.pid) {
			int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			log_msg(code ? LOG_ERR : LOG_NOTICE, "SHUTDOWNCMD %s ended with status %d", p->job.argv[0], code);
			ps_job_done(p, code);
		}
		/* else a NOTIFY command of a desktop user */
	}
}

/* SIGTERM or SIGINT (SIG): the daemon stops; the child, told the same, has PS_STOP_GRACE before SIGKILL. */
static void ps_on_stop(struct ps_parent *p, int sig)
{
	if (!p->stopping && p->child.pid > 0) {
		/* a child deaf to it (compromised) must not keep the daemon from stopping */
		log_msg(LOG_NOTICE, "signal %d: stopping (the monitoring process has %.0f s)", sig, PS_STOP_GRACE);
		ps_stop(&p->child, sig, PS_STOP_GRACE);
	} else {
		ps_signal(&p->child, sig);
	}
	p->stopping = 1;
	p->restart_at = 0;
}

/* A signal came (the signalfd is readable): TERM and INT stop, USR1 and USR2 are passed on, HUP reloads, CHLD reaps. */
static void ps_on_signal(struct ps_parent *p)
{
	struct signalfd_siginfo si;

	if (read(p->sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	switch (si.ssi_signo) {
	case SIGTERM:
	case SIGINT:
		ps_on_stop(p, (int)si.ssi_signo);
		break;
	case SIGUSR1:
		if (p->child.pid > 0)
			ps_signal(&p->child, SIGUSR1);
		else
			log_msg(LOG_NOTICE, "state: no monitoring process runs now%s", p->restart_at ? ": it is started again soon" : "");
		break;
	case SIGUSR2:	/* operator FSD: the monitoring process runs the plan's TIMEOUT fsd clauses */
		ps_reap(p);	/* a child that died (its SIGCHLD not read yet) would never get it */
		if (p->stopping) {
			log_msg(LOG_NOTICE, "SIGUSR2 (operator FSD) ignored: the daemon is stopping");
		} else if (p->child.pid > 0 && p->child_ready) {
			ps_signal(&p->child, SIGUSR2);
		} else if (!p->fsd_pending) {	/* as NUT's upsmon -c fsd, never lost: kept for the next child */
			p->fsd_pending = 1;
			log_msg(LOG_NOTICE, "SIGUSR2 (operator FSD): the monitoring process is not %s: passed on "
				"when it is ready", p->child.pid > 0 ? "ready yet" : "running (it is started again)");
		}
		break;
	case SIGHUP:
		ps_reload(p);
		break;
	case SIGCHLD:
		ps_reap(p);
		break;
	}
}

/* Block the signals the parent takes and open its signalfd for them: the descriptor, or -1 (logged). */
static int ps_signals_open(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD };
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&mask, sigs[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	fd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (fd < 0)
		log_msg(LOG_ERR, "signalfd: %s", strerror(errno));
	return fd;
}

/* Milliseconds poll() may wait: until the next deadline of the job, a partial frame, a SIGKILL or a restart. */
static int ps_wait_ms(const struct ps_parent *p)
{
	double now = rt_monotonic(), next = -1;
	double at[] = {
		p->job.proc.pid > 0 && !p->job.killed ? p->job.started + p->cfg->timeout + 0.001 : 0,
		p->job.proc.kill_at,
		p->rxlen > 0 ? p->rx_since + PS_FRAME_WAIT : 0,
		p->child.kill_at,
		p->restart_at,
	};

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		if (at[i] > 0 && (next < 0 || at[i] < next))
			next = at[i];
	if (next < 0)
		return -1;
	return next <= now ? 0 : (int)((next - now) * 1000) + 1;
}

/* The back-off ended at NOW: a new child, then the SIGHUP that waited for one; or another try after the back-off. */
static void ps_restart(struct ps_parent *p, double now)
{
	p->restart_at = 0;
	if (ps_start_child(p) != 0) {
		p->restart_at = now + p->restart_wait;
		return;
	}
	if (p->hup_queued) {
		p->hup_queued = 0;
		ps_reload(p);
	}
}

/* What is due by now: the job's time limit, a frame that stalls, the SIGKILL of a process told to stop, a restart. */
static void ps_on_time(struct ps_parent *p)
{
	double now = rt_monotonic();

	ps_job_limit(p, now);
	ps_stop_late(&p->job.proc, now, NULL);
	if (p->fd >= 0 && p->rxlen > 0 && now - p->rx_since > PS_FRAME_WAIT)
		ps_misbehaved(p, "stopped in the middle of a frame");
	ps_stop_late(&p->child, now, "the monitoring process");
	if (p->restart_at > 0 && now >= p->restart_at)
		ps_restart(p, now);
}

/* The parent's loop, while a child or a job runs or a restart is due: a signal, the child's frames, the deadlines. */
static void ps_loop(struct ps_parent *p)
{
	while (p->child.pid > 0 || p->restart_at > 0 || p->job.proc.pid > 0) {
		struct pollfd pfd[2] = { { p->sfd, POLLIN, 0 }, { p->fd, POLLIN, 0 } };

		if (poll(pfd, p->fd >= 0 ? 2 : 1, ps_wait_ms(p)) < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			ps_signal(&p->child, SIGTERM);
			p->status = 1;
			break;
		}
		if (pfd[0].revents & POLLIN)
			ps_on_signal(p);
		if (p->fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
			ps_read_input(p);
		ps_on_time(p);
	}
}

int ps_run(struct plan_image *img, const struct dm_options *o, const struct ps_parent_cfg *cfg)
{
	struct ps_parent p;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.o = o;
	p.fd = -1;
	p.child.pid = -1;
	p.restart_wait = PS_RESTART_FIRST;
	p.plan = &p.plans[0];
	p.pending = &p.plans[1];
	p.plan->img = *img;	/* the parent owns it from now on */
	memset(img, 0, sizeof(*img));
	ps_plan_init(p.plan, cfg);
	p.sfd = ps_signals_open();
	if (p.sfd < 0 || ps_start_child(&p) != 0)
		p.status = 1;
	else
		ps_loop(&p);
	ps_close_fd(&p);
	if (p.sfd >= 0)
		close(p.sfd);
	ps_drop_pending(&p);
	ps_plan_free(p.plan);
	return p.status;
}

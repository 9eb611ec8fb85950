/*
 * master.c — the master's loop: policy over the process table.
 *
 * The master never serves a client.  It sleeps in ppoll(2) on the workers'
 * channels with its signals unblocked only there, wakes on a signal, a
 * channel message or a timer, and then reconciles what runs with what
 * should run:
 *
 *  - `target` workers of the current timetable generation exist, counting
 *    those starting, ready, and dead ones waiting for their respawn;
 *  - a worker that dies unexpectedly is respawned into the same slot at
 *    once, unless workers keep dying early (more than CRASH_DEATHS within
 *    CRASH_WINDOW_MS), in which case respawns wait 100 ms, doubling up to
 *    5 s, until a worker started since has stayed up STABLE_MS.  "Early"
 *    is before readiness, or within STABLE_MS after it by a crash (a
 *    fault signal or an error exit): a worker that faults on its first
 *    request, or on its first write to the stats segment, would otherwise
 *    be respawned at once for ever, since each one does say it is ready;
 *  - a worker that exits with EXIT_FATAL is not respawned (fewer workers;
 *    none left means the master gives up).
 *
 * Reload (SIGHUP): the new timetable is loaded and validated first; a bad
 * one changes nothing.  A good one becomes generation g+1: new workers are
 * forked on it, and once all of them are ready the old ones are told to
 * retire.  The reload is complete, and counted, once every old worker has
 * reported that it stopped accepting: from then on every new connection
 * reaches the new timetable.
 *
 * Stop (SIGINT, SIGTERM): SIGTERM to every worker, which answer what they
 * have read, say "* shutdown" and exit; stragglers are killed after
 * STOP_DEADLINE_MS.  A second signal kills them at once.
 *
 * Sessions across workers (route.c): nicknames, messages, session lists
 * and kicks all go through the master over the workers' channels.  The
 * master is the one process that talks to every worker, and a channel is
 * a SOCK_SEQPACKET socketpair that keeps order and, with its bounded queue,
 * drops nothing silently (what does not fit is answered ERR 503 to whoever
 * asked): so a sender's messages reach each recipient in the order sent,
 * whichever worker either is on, and a nickname is unique because one
 * process decides it.  Whatever waits on a worker waits at most 2 s
 * (route.c), and a worker's end is told to the routing exactly once,
 * whether its exit or its channel's end is seen first.  A session that
 * asked (NAME, MSG, WHO) answers nothing else until the master's answer
 * comes back, which keeps its replies in order.  The operator's commands
 * (control.c: the control socket and the console) use the same routes.
 * A shared-memory mailbox was the alternative; it would need a lock or a
 * lock-free queue per recipient, and a way to wake the recipient, which
 * the channels give.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ipc/channel.h"
#include "ipc/log.h"
#include "ipc/stats.h"
#include "master/control.h"
#include "master/notify.h"
#include "master/process.h"
#include "master/trainsrv.h"
#include "worker/access.h"
#include "worker/engine.h"

#define CRASH_DEATHS		10	/* more than this many ... */
#define CRASH_WINDOW_MS		5000	/* ... early deaths within this */
#define STABLE_MS		1000	/* ready this long: not an early death */
#define BACKOFF_MIN_MS		100
#define BACKOFF_MAX_MS		5000
#define STOP_DEADLINE_MS	10000	/* then SIGKILL */
#define RETIRE_DEADLINE_MS	10000
#define TICK_MS			1000
#define RELOAD_SHOW_ERRORS	20	/* errors an operator's reload prints */

static struct {
	struct config		*cfg;
	int			 lfd;
	struct tt		*tt;		/* current generation's timetable */
	unsigned		 gen;
	unsigned		 target;
	struct st_segment	*seg;
	int			 stopping;
	int64_t			 stop_deadline;
	int			 reloading;	/* 1: new gen starting, 2: old retiring */
	int			 reload_again;	/* a SIGHUP came during a reload */
	int64_t			 deaths[CRASH_DEATHS + 1];	/* early deaths, ring */
	unsigned		 ndeaths;
	int64_t			 last_death;	/* ms, the last early death */
	int64_t			 backoff;	/* 0: respawn at once */
	int64_t			 shutdown_at;	/* ms; operator's "shutdown N" */
	int			 ready_told;	/* READY=1 sent after start-up */
	/*
	 * Operators waiting for a reload's outcome (control.c).  `next`: it
	 * asked while another reload was under way, so its answer is the
	 * outcome of the reload queued behind that one.
	 */
	struct {
		route_reply_fn	 fn;	/* NULL: free */
		void		*ctx;
		int		 next;
	}			 waiters[CTL_CLIENTS + 1];
	int64_t			 status_at;	/* ms, the last STATUS= check */
} M;

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child, right after fork: become a worker. */
static void
m_worker_body(unsigned slot, int chan, void *arg)
{
	struct worker_args wa;

	(void)arg;
	close(M.seg->fd);	/* the owner lock stays the master's */
	M.seg->fd = -1;
	ctl_forget();
	notify_forget();
	wa.lfd = M.lfd;
	wa.slot = slot;
	wa.generation = M.gen;
	wa.master = getppid();
	wa.tt = M.tt;
	wa.seg = M.seg;
	wa.cfg = M.cfg;
	worker_main(&wa, chan);
}

static void
m_spawn(unsigned slot)
{
	if (proc_spawn(slot, M.gen, m_worker_body, NULL) == -1) {
		procs[slot].state = PROC_PENDING;
		procs[slot].gen = M.gen;
		procs[slot].respawn_at = now_ms() + 1000;
		return;
	}
	log_debug("spawned worker %u (pid %ld, generation %u)", slot,
	    (long)procs[slot].pid, M.gen);
}

/* Workers of the current generation that count toward the target. */
static unsigned
m_live(void)
{
	unsigned i, n = 0;

	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].gen == M.gen && (procs[i].state == PROC_PENDING ||
		    procs[i].state == PROC_STARTING || procs[i].state == PROC_READY))
			n++;
	return n;
}

static unsigned
m_count(enum proc_state st, int current_gen)
{
	unsigned i, n = 0;

	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].state == st && (!current_gen || procs[i].gen == M.gen))
			n++;
	return n;
}

/* Requests served so far, by every worker that ever held a slot. */
static unsigned long long
m_requests(void)
{
	unsigned long long n = 0;
	unsigned i, k;

	for (i = 0; i < ST_SLOTS; i++)
		for (k = 0; k < ST_CMD_MAX; k++)
			n += ST_GET(M.seg->slots[i].cmd[k]);
	return n;
}

/*
 * What systemctl status shows (STATUS=): at most once a second, and only
 * when it changed (notify_status), so a busy server sends one datagram a
 * second at most.
 */
static void
m_notify_status(void)
{
	unsigned ready = m_count(PROC_READY, 1);
	int64_t t = now_ms();

	if (!notify_enabled() || !M.ready_told ||
	    t - M.status_at < TICK_MS)
		return;
	M.status_at = t;
	notify_status("%u worker%s ready, generation %u, %llu request%s%s",
	    ready, plural(ready), M.gen, m_requests(),
	    plural(m_requests()),
	    M.stopping ? "; stopping" : M.reloading ? "; reloading" : "");
}

/* READY=1 once every worker of the first generation is ready. */
static void
m_notify_ready(void)
{
	if (M.ready_told || M.stopping || M.reloading ||
	    m_count(PROC_READY, 1) < M.target)
		return;
	M.ready_told = 1;
	notify_send("READY=1\nSTATUS=%u worker%s ready, generation %u",
	    M.target, plural(M.target), M.gen);
}

static void
m_retire(unsigned slot)
{
	struct proc *p = &procs[slot];

	if (p->state == PROC_PENDING) {
		p->state = PROC_FREE;
		return;
	}
	if (ch_send(&p->ch, CH_RETIRE, slot, 0, 0, NULL, 0) == -1)
		kill(p->pid, SIGTERM);
	p->state = PROC_RETIRING;
	p->left = 0;
	p->since = now_ms();
	p->deadline = p->since + RETIRE_DEADLINE_MS;
}

/* One fewer worker: the highest slot of the current generation. */
static void
m_retire_one(void)
{
	int i;

	for (i = PROC_MAX - 1; i >= 0; i--)
		if (procs[i].gen == M.gen && (procs[i].state == PROC_PENDING ||
		    procs[i].state == PROC_STARTING || procs[i].state == PROC_READY)) {
			log_info("retiring worker %d (pid %ld)", i, (long)procs[i].pid);
			m_retire(i);
			return;
		}
}

static void
m_publish_timetable(void)
{
	struct st_header *h = M.seg->hdr;

	st_begin_update(h);
	ST_SET(h->trains, tt_ntrains(M.tt));
	ST_SET(h->legs, tt_nlegs(M.tt));
	ST_SET(h->stations, tt_nstations(M.tt));
	ST_SET(h->loaded_at, (int64_t)time(NULL));
	ST_SET(h->generation, M.gen);
	st_end_update(h);
}

/* Once it has stopped accepting, a retiring worker may say goodbye. */
static void
m_leave(unsigned slot)
{
	struct proc *p = &procs[slot];

	if (p->state != PROC_RETIRING || p->left)
		return;
	p->left = 1;
	if (ch_send(&p->ch, CH_LEAVE, slot, 0, 0, NULL, 0) == -1)
		kill(p->pid, SIGTERM);
}

/*
 * Whether a worker that has stopped accepting may leave at once.  One
 * worker fewer (or an older one retired before the reload's new workers
 * are all ready): others of its kind accept, so its clients may reconnect
 * now.  A worker that a reload retires waits for the whole old generation
 * (m_reload_progress), or its clients could reconnect to an old one.
 */
static int
m_leaves_alone(const struct proc *p)
{
	return p->gen == M.gen || M.reloading != 2;
}

/* Tell the operators waiting on this reload its outcome. */
static void
m_reload_answer(const char *text)
{
	unsigned i;

	for (i = 0; i < sizeof M.waiters / sizeof M.waiters[0]; i++)
		if (M.waiters[i].fn != NULL && !M.waiters[i].next) {
			route_reply_fn fn = M.waiters[i].fn;

			M.waiters[i].fn = NULL;
			fn(M.waiters[i].ctx, text, strlen(text));
		}
}

/*
 * The reload finishes once no older worker accepts connections; only then
 * do the old workers tell their clients to reconnect, so that no client can
 * reconnect to a worker that is about to retire.  An old worker retired
 * before its CH_READY arrived counts too: it listens before it says so.
 */
static void
m_reload_progress(void)
{
	unsigned i;

	if (M.reloading == 1 && m_count(PROC_READY, 1) >= M.target &&
	    m_count(PROC_STARTING, 1) == 0 && m_count(PROC_PENDING, 1) == 0) {
		for (i = 0; i < PROC_MAX; i++)
			if (procs[i].gen != M.gen && (procs[i].state == PROC_READY ||
			    procs[i].state == PROC_STARTING ||
			    procs[i].state == PROC_PENDING))
				m_retire(i);
		M.reloading = 2;
	}
	if (M.reloading != 2)
		return;
	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].gen != M.gen && procs[i].state != PROC_FREE &&
		    procs[i].accepting)
			return;
	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].gen != M.gen)
			m_leave(i);
	M.reloading = 0;
	m_publish_timetable();
	ST_ADD(M.seg->hdr->reload_successes, 1);
	atomic_fetch_add_explicit(&M.seg->hdr->reload_attempts, 1,
	    memory_order_release);
	log_info("reload complete: generation %u, %u train%s, %u leg%s, "
	    "%u station%s", M.gen, tt_ntrains(M.tt), plural(tt_ntrains(M.tt)),
	    tt_nlegs(M.tt), plural(tt_nlegs(M.tt)), tt_nstations(M.tt),
	    plural(tt_nstations(M.tt)));
	M.ready_told = 1;
	notify_send("READY=1\nSTATUS=reloaded: generation %u, %u trains",
	    M.gen, tt_ntrains(M.tt));
	{
		char ok[96];

		snprintf(ok, sizeof ok, "OK 1\nreloaded: generation %u, %u "
		    "train%s\n", M.gen, tt_ntrains(M.tt),
		    plural(tt_ntrains(M.tt)));
		m_reload_answer(ok);
	}
}

/*
 * A refused reload, for the operators waiting on it: "ERR 422", then the
 * first RELOAD_SHOW_ERRORS of the loader's file:line errors, one a line
 * (trainsrv -t lists them all).
 */
static void
m_reload_refused(const char *errors, unsigned nerrors)
{
	static char text[RELOAD_SHOW_ERRORS * 512 + 256];
	const char *line = errors, *nl;
	size_t n;
	unsigned shown = 0;
	int len;

	n = (size_t)snprintf(text, sizeof text, "ERR 422 reload failed (%u "
	    "error%s); still serving generation %u\n", nerrors,
	    plural(nerrors), M.gen);
	for (; line != NULL && *line != '\0' && shown < RELOAD_SHOW_ERRORS;
	    line = nl == NULL ? NULL : nl + 1, shown++) {
		nl = strchr(line, '\n');
		len = nl == NULL ? (int)strlen(line) : (int)(nl - line);
		if (len > 500)
			len = 500;
		n += (size_t)snprintf(text + n, sizeof text - n, "%.*s\n", len,
		    line);
	}
	if (nerrors > shown)
		snprintf(text + n, sizeof text - n, "and %u more: trainsrv -t -f "
		    "%s lists them all\n", nerrors - shown, M.cfg->timetable);
	m_reload_answer(text);
}

static void
m_reload(const char *why)
{
	struct tt *tt;
	char *errors, *line, *next;
	unsigned nerrors, i;

	if (M.reloading) {
		M.reload_again = 1;
		return;
	}
	log_info("%s: reloading %s", why, M.cfg->timetable);
	/* Whoever waits, waits for this attempt now. */
	for (i = 0; i < sizeof M.waiters / sizeof M.waiters[0]; i++)
		M.waiters[i].next = 0;
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		notify_send("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
		    (unsigned long long)ts.tv_sec * 1000000ULL +
		    (unsigned long long)ts.tv_nsec / 1000, M.cfg->timetable);
	}
	if ((tt = tt_load(M.cfg->timetable, &errors, &nerrors)) == NULL) {
		m_reload_refused(errors, nerrors);
		for (line = errors; line != NULL && *line != '\0'; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			log_warn("reload: %s", line);
		}
		free(errors);
		atomic_fetch_add_explicit(&M.seg->hdr->reload_attempts, 1,
		    memory_order_release);
		log_warn("reload failed (%u error%s); still serving generation %u",
		    nerrors, plural(nerrors), M.gen);
		notify_send("READY=1\nSTATUS=reload failed (%u error%s); still "
		    "serving generation %u", nerrors, plural(nerrors),
		    M.gen);
		return;
	}
	/* Workers of the old generation keep their own copy-on-write view;
	 * the master needs only the new one, to fork from. */
	tt_free(M.tt);
	M.tt = tt;
	M.gen++;
	M.reloading = 1;
}

/* Respawn, start and retire until the current generation has `target`. */
static void
m_scale(void)
{
	unsigned i, live;
	int64_t now = now_ms();
	int slot;

	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].state == PROC_PENDING && procs[i].respawn_at <= now) {
			if (procs[i].gen == M.gen)
				m_spawn(i);
			else
				procs[i].state = PROC_FREE;
		}
	for (live = m_live(); live < M.target; live++) {
		if ((slot = proc_free_slot()) == -1)
			break;	/* retiring workers hold every slot; next tick */
		m_spawn(slot);
	}
	for (; live > M.target; live--)
		m_retire_one();
}

/* What should run, then how far the reload has got. */
static void
m_reconcile(void)
{
	if (M.stopping)
		return;
	m_scale();
	m_reload_progress();
	if (!M.reloading && M.reload_again) {
		M.reload_again = 0;
		m_reload("queued reload");
	}
	/*
	 * A reload that just started (queued) or retired an old generation
	 * changed what should run: act on it in this pass.  Nothing else may
	 * wake the master before its next tick.
	 */
	m_scale();
}

/*
 * Whether an unplanned death counts for the crash-loop guard: before
 * readiness, whatever killed it; shortly after, only a crash.  An
 * operator's SIGKILL or SIGTERM of a fresh worker is no crash loop.
 */
static int
m_is_early(const struct proc *p, int status)
{
	int sig;

	if (p->state == PROC_STARTING)
		return 1;
	if (p->state != PROC_READY || now_ms() - p->since >= STABLE_MS)
		return 0;
	if (WIFEXITED(status))
		return WEXITSTATUS(status) != 0;
	sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT ||
	    sig == SIGILL || sig == SIGFPE;
}

/* Record an early death; turn the crash-loop guard on if needed. */
static void
m_early_death(void)
{
	int64_t now = now_ms(), oldest;

	M.last_death = now;
	M.deaths[M.ndeaths++ % (CRASH_DEATHS + 1)] = now;
	if (M.ndeaths <= CRASH_DEATHS)
		return;
	oldest = M.deaths[M.ndeaths % (CRASH_DEATHS + 1)];
	if (now - oldest > CRASH_WINDOW_MS)
		return;
	M.backoff = M.backoff == 0 ? BACKOFF_MIN_MS :
	    (M.backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : M.backoff * 2);
	log_warn("workers keep dying early (%d in %d s): respawns "
	    "delayed by %lld ms", CRASH_DEATHS + 1, CRASH_WINDOW_MS / 1000,
	    (long long)M.backoff);
}

/*
 * A worker's channel is done: closed, and the routing told, exactly once
 * per worker whichever comes first, its end-of-file (m_channel) or its
 * reaping (m_worker_exited): a worker killed while the master was stopped
 * is reaped before its EOF is ever read, and must free its nicknames too.
 */
static void
m_channel_gone(unsigned slot)
{
	struct proc *p = &procs[slot];

	if (p->ch.fd == -1)
		return;
	ch_close(&p->ch);
	p->accepting = 0;
	route_worker_gone(slot);
}

static void
m_worker_exited(unsigned slot, pid_t pid, int status)
{
	struct proc *p = &procs[slot];
	struct st_slot *s = &M.seg->slots[slot];
	char why[96];
	int planned = M.stopping || p->state == PROC_RETIRING ||
	    p->state == PROC_STOPPING || p->gen != M.gen;

	m_channel_gone(slot);
	ST_SET(s->conns, 0);
	ST_SET(s->accepting, 0);
	ST_SET(s->exited_at, (int64_t)time(NULL));
	/*
	 * A worker that left as told (a reload replaced it, or there are
	 * fewer workers now) is no death: its slot holds no worker any more,
	 * and only its counters stay, in the totals.  An alert on dead
	 * workers must not fire on every reload.
	 */
	ST_SET(s->state, planned && !M.stopping ? ST_UNUSED : ST_DEAD);
	proc_status(status, why, sizeof why);
	if (planned) {
		log_debug("worker %u (pid %ld) %s", slot, (long)pid, why);
		p->state = PROC_FREE;
		return;
	}
	log_warn("worker %u (pid %ld) %s", slot, (long)pid, why);
	if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_FATAL) {
		log_warn("worker %u failed at start-up; not respawned", slot);
		p->state = PROC_FREE;
		if (M.target > 0)
			M.target--;
		return;
	}
	if (m_is_early(p, status))
		m_early_death();
	p->state = PROC_PENDING;
	p->respawn_at = now_ms() + M.backoff;
	ST_ADD(M.seg->hdr->respawns, 1);
}

static void
m_channel(unsigned slot)
{
	struct proc *p = &procs[slot];
	static struct ch_msg m;
	int r = 0;

	while (p->ch.fd != -1 && (r = ch_recv(p->ch.fd, &m)) == 1) {
		switch (m.cmd) {
		case CH_READY:
			if (p->state == PROC_STARTING) {
				p->state = PROC_READY;
				p->since = now_ms();
			}
			break;
		case CH_RETIRED:
			p->accepting = 0;
			if (m_leaves_alone(p))
				m_leave(slot);
			break;
		default:
			route_message(slot, &m);
			break;
		}
	}
	if (r == 0 || (r == -1 && errno != EAGAIN)) {
		/* The worker is gone or going: wait for SIGCHLD. */
		m_channel_gone(slot);
	}
}

/*
 * The crash-loop guard stands down once a worker that became ready after
 * the last early death has stayed up STABLE_MS: workers that were already
 * running say nothing about whether new ones survive.
 */
static void
m_stable(void)
{
	int64_t now = now_ms();
	unsigned i;

	if (M.ndeaths == 0)
		return;
	for (i = 0; i < PROC_MAX; i++) {
		const struct proc *p = &procs[i];

		if (p->state == PROC_READY && p->since > M.last_death &&
		    now - p->since >= STABLE_MS)
			break;
	}
	if (i == PROC_MAX)
		return;
	if (M.backoff != 0)
		log_info("worker %u is up; respawns no longer delayed", i);
	M.backoff = 0;
	M.ndeaths = 0;
}

static void
m_stop(void)
{
	unsigned i;

	if (M.stopping) {
		log_warn("second stop signal: killing the workers now");
		proc_signal_all(SIGKILL);
		return;
	}
	log_info("stopping: workers finish what they have read, then exit");
	M.stopping = 1;
	notify_send("STOPPING=1\nSTATUS=stopping: workers finish what they "
	    "have read");
	for (i = 0; i < sizeof M.waiters / sizeof M.waiters[0]; i++)
		M.waiters[i].next = 0;
	m_reload_answer("ERR 503 stopping: the reload did not complete\n");
	/* No new connection may queue behind workers that no longer accept. */
	close(M.lfd);
	M.lfd = -1;
	if (M.cfg->http_fd != -1) {
		close(M.cfg->http_fd);
		M.cfg->http_fd = -1;
	}
	M.stop_deadline = now_ms() + STOP_DEADLINE_MS;
	for (i = 0; i < PROC_MAX; i++) {
		if (procs[i].state == PROC_PENDING)
			procs[i].state = PROC_FREE;
		else if (procs[i].state != PROC_FREE) {
			kill(procs[i].pid, SIGTERM);
			procs[i].state = PROC_STOPPING;
		}
	}
}

static void
m_deadlines(void)
{
	int64_t now = now_ms();
	unsigned i;

	for (i = 0; i < PROC_MAX; i++) {
		struct proc *p = &procs[i];

		if (p->state < PROC_STARTING || p->pid <= 0)
			continue;
		if ((M.stopping && now >= M.stop_deadline) ||
		    (p->state == PROC_RETIRING && now >= p->deadline)) {
			log_warn("worker %u (pid %ld) past its deadline: SIGKILL",
			    i, (long)p->pid);
			kill(p->pid, SIGKILL);
			p->deadline = now + STOP_DEADLINE_MS;
		}
	}
	if (M.stopping && now >= M.stop_deadline)
		M.stop_deadline = now + STOP_DEADLINE_MS;
}

/*
 * SIGUSR1: the access log was rotated.  The file is created again, the
 * workers' own, then each worker opens it (worker.c); the old one gets
 * what they had buffered.
 */
static void
m_reopen(void)
{
	char err[512];
	unsigned i;

	if (M.cfg->access_log == NULL)
		return;
	if (access_prepare(M.cfg->access_log, M.cfg->uid, M.cfg->gid, err,
	    sizeof err) == -1) {
		log_warn("SIGUSR1: %s; the workers keep the old file", err);
		return;
	}
	log_info("SIGUSR1: reopening the access log %s", M.cfg->access_log);
	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].state >= PROC_STARTING && procs[i].pid > 0)
			kill(procs[i].pid, SIGUSR1);
}

static void
m_signals(void)
{
	if (sig_child) {
		sig_child = 0;
		proc_reap(m_worker_exited);
	}
	if (sig_stop) {
		sig_stop = 0;
		m_stop();
	}
	if (sig_reload) {
		sig_reload = 0;
		if (!M.stopping)
			m_reload("SIGHUP");
	}
	if (sig_reopen) {
		sig_reopen = 0;
		m_reopen();
	}
	while (sig_more > 0 && !M.stopping) {
		sig_more--;
		if (M.target < TRAINSRV_MAX_WORKERS)
			M.target++;
		log_info("SIGTTIN: %u worker%s", M.target, plural(M.target));
	}
	while (sig_fewer > 0 && !M.stopping) {
		sig_fewer--;
		if (M.target > 1)
			M.target--;
		log_info("SIGTTOU: %u worker%s", M.target, plural(M.target));
	}
	ST_SET(M.seg->hdr->workers_target, M.target);
}

/* When the loop must wake up next, in ms from now. */
static int
m_timeout(void)
{
	int64_t now = now_ms(), next = now + TICK_MS, d;
	unsigned i;

	for (i = 0; i < PROC_MAX; i++) {
		if (procs[i].state == PROC_PENDING && procs[i].respawn_at < next)
			next = procs[i].respawn_at;
		if (procs[i].state == PROC_RETIRING && procs[i].deadline < next)
			next = procs[i].deadline;
		/* The crash-loop guard looks again when a worker turns stable. */
		if (M.ndeaths != 0 && procs[i].state == PROC_READY &&
		    procs[i].since > M.last_death &&
		    procs[i].since + STABLE_MS < next)
			next = procs[i].since + STABLE_MS;
	}
	if (M.stopping && M.stop_deadline < next)
		next = M.stop_deadline;
	/* Session lists, kicks and control clients wait a bounded time. */
	if ((d = route_deadline()) != 0 && d < next)
		next = d;
	if ((d = ctl_deadline()) != 0 && d < next)
		next = d;
	return next <= now ? 0 : (int)(next - now);
}

static int
m_alive(void)
{
	unsigned i;

	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].state != PROC_FREE)
			return 1;
	return 0;
}

static int
m_wait(const sigset_t *unblocked)
{
	struct pollfd pfd[PROC_MAX + CTL_POLLFDS];
	unsigned slots[PROC_MAX], n = 0, i, nctl;
	struct timespec ts;
	int ms = m_timeout(), r;

	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].ch.fd != -1) {
			pfd[n].fd = procs[i].ch.fd;
			pfd[n].events = POLLIN | (ch_pending(&procs[i].ch) ? POLLOUT : 0);
			slots[n++] = i;
		}
	nctl = ctl_pollfds(pfd + n, CTL_POLLFDS);
	if (M.shutdown_at != 0) {
		int64_t d = M.shutdown_at - now_ms();
		if (d < ms)
			ms = d < 0 ? 0 : (int)d;
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	r = ppoll(pfd, n + nctl, &ts, unblocked);
	if (r == -1 && errno != EINTR) {
		log_warn("ppoll: %s", strerror(errno));
		return -1;
	}
	for (i = 0; r > 0 && i < n; i++) {
		if (pfd[i].revents & POLLOUT && procs[slots[i]].ch.fd != -1 &&
		    ch_flush(&procs[slots[i]].ch) == -1)
			log_warn("channel to worker %u: %s", slots[i], strerror(errno));
		if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
			m_channel(slots[i]);
	}
	route_round_end();
	if (r > 0)
		ctl_events(pfd + n, nctl);
	return 0;
}

/*
 * Operator commands (control.c) land here.  A reload answers fn once its
 * outcome is known: at once when the file is refused, else when the new
 * generation serves; a reload asked during another waits for the one
 * queued behind it.
 */
void
master_reload_wait(route_reply_fn fn, void *ctx)
{
	static const char stopping[] = "ERR 503 stopping: no reload\n",
	    busy[] = "ERR 503 busy: too many reloads waiting\n";
	unsigned i;

	if (M.stopping) {
		if (fn != NULL)
			fn(ctx, stopping, sizeof stopping - 1);
		return;
	}
	for (i = 0; fn != NULL && i < sizeof M.waiters / sizeof M.waiters[0]; i++)
		if (M.waiters[i].fn == NULL) {
			M.waiters[i].fn = fn;
			M.waiters[i].ctx = ctx;
			M.waiters[i].next = M.reloading != 0;
			break;
		}
	if (fn != NULL && i == sizeof M.waiters / sizeof M.waiters[0]) {
		fn(ctx, busy, sizeof busy - 1);
		return;
	}
	m_reload("operator");
}

void
master_reload(void)
{
	master_reload_wait(NULL, NULL);
}

/* An operator that went away before its reload's outcome. */
void
master_reload_cancel(void *ctx)
{
	unsigned i;

	for (i = 0; i < sizeof M.waiters / sizeof M.waiters[0]; i++)
		if (M.waiters[i].fn != NULL && M.waiters[i].ctx == ctx)
			M.waiters[i].fn = NULL;
}

unsigned
master_set_workers(unsigned n)
{
	if (n >= 1 && n <= TRAINSRV_MAX_WORKERS && !M.stopping) {
		M.target = n;
		ST_SET(M.seg->hdr->workers_target, M.target);
		log_info("operator: %u worker%s", n, plural(n));
	}
	return M.target;
}

void
master_shutdown_in(unsigned seconds)
{
	if (M.stopping)
		return;
	M.shutdown_at = now_ms() + (int64_t)seconds * 1000;
	if (M.shutdown_at == 0)
		M.shutdown_at = 1;
	log_info("operator: shutdown in %u s", seconds);
}

const struct st_segment *
master_segment(void)
{
	return M.seg;
}

/*
 * A testing aid, documented in trainsrv(8): TRAINSRV_TEST_CHANNEL_SOFT
 * lowers the channels' soft bound (bytes, 4096 and up), so that the tests
 * can reach it with a few hundred messages instead of 48 MB.  Set before
 * the first fork: master and workers use the same.
 */
static void
m_test_knobs(void)
{
	const char *s = getenv("TRAINSRV_TEST_CHANNEL_SOFT");
	unsigned long v;
	char *end;

	if (s == NULL)
		return;
	v = strtoul(s, &end, 10);
	if (*s != '\0' && *end == '\0' && v >= 4096 && v <= CH_QUEUE_SOFT) {
		ch_soft = v;
		log_info("testing: channel soft bound %lu bytes", v);
	} else
		log_warn("TRAINSRV_TEST_CHANNEL_SOFT=%s ignored (4096 to %d)", s,
		    CH_QUEUE_SOFT);
}

int
master_run(struct config *cfg, int lfd, struct tt *tt, struct st_segment *seg)
{
	sigset_t unblocked;
	memset(&M, 0, sizeof M);
	M.cfg = cfg;
	M.lfd = lfd;
	M.tt = tt;
	M.gen = 1;
	M.target = cfg->workers;
	M.seg = seg;
	if (sig_master_setup(&unblocked) == -1) {
		log_warn("sigaction: %s", strerror(errno));
		return 1;
	}
	m_test_knobs();
	if (notify_init() == -1)
		log_warn("systemd will not hear that trainsrv is ready");
	proc_init();
	m_publish_timetable();
	ST_SET(seg->hdr->workers_target, M.target);
	st_publish(seg);
	if (ctl_open(cfg, seg->hdr->port) == -1)
		return 1;
	for (;;) {
		m_signals();
		route_tick(now_ms());
		ctl_tick(now_ms());
		if (M.shutdown_at != 0 && now_ms() >= M.shutdown_at && !M.stopping) {
			M.shutdown_at = 0;
			m_stop();
		}
		m_deadlines();
		m_stable();
		m_reconcile();
		m_notify_ready();
		m_notify_status();
		if (M.stopping ? !m_alive() : M.target == 0)
			break;
		if (m_wait(&unblocked) == -1)
			break;
	}
	if (M.lfd != -1)
		close(M.lfd);
	ctl_close();
	if (!M.stopping) {
		log_warn("no worker could start; exiting");
		proc_signal_all(SIGKILL);
		while (wait(NULL) > 0 || errno == EINTR)
			;
		return 1;
	}
	log_info("stopped");
	return 0;
}

/*
 * worker.c — a worker's event loop.
 *
 * One epoll set holds the shared listening socket, the channel to the
 * master and every connection, so one worker serves thousands of sessions
 * and an idle one costs a small struct, not a process.
 *
 * Accepting is balanced between workers through the stats segment: a
 * worker holding clearly more than its share of the open connections steps
 * back for a few milliseconds (removing the listening socket from its epoll
 * set) so that another worker takes the next ones.  Without it the worker
 * that wakes first accepts a whole burst; EPOLLEXCLUSIVE makes that worse,
 * since it wakes the same waiter again and again.  A worker that backs off
 * for more than BALANCE_MAX_MS accepts anyway, so a stuck peer never
 * leaves a connection waiting.
 *
 * Retiring (reload, one worker fewer) is two commands from the master:
 * CH_RETIRE drops the listening socket and is acknowledged, CH_LEAVE comes
 * once every retiring worker has stopped accepting.  Leaving (CH_LEAVE, or
 * SIGTERM for a graceful stop, which first accepts what waits in the
 * backlog): read and answer every request already sent, then "* reload" or
 * "* shutdown" on every connection, close them politely, exit.  If the
 * master dies, its channel reads EOF (and PR_SET_PDEATHSIG sends SIGTERM):
 * the worker closes everything and exits at once.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ipc/channel.h"
#include "ipc/log.h"
#include "ipc/stats.h"
#include "master/trainsrv.h"
#include "worker/access.h"
#include "worker/session.h"
#include "worker/worker.h"

#define ACCEPT_BATCH		32	/* accepts per wake-up */
#define ACCEPT_PAUSE_MS		100	/* after EMFILE or the connection cap */
#define BALANCE_PAUSE_MS	5
#define BALANCE_MAX_MS		50
#define SWEEP_MS		250
#define EVENTS_MAX		128

struct worker			w;
static volatile sig_atomic_t	w_term;
static volatile sig_atomic_t	w_reopen;	/* SIGUSR1: the access log */
static int			 w_retire;	/* stop accepting, keep serving */
static const char		*w_request;	/* leave with this notice */
static pid_t			 w_master;
static int			 w_fault_accept;	/* testing: see w_test_fault */

static void
w_on_term(int sig)
{
	(void)sig;
	w_term = 1;
}

static void
w_on_usr1(int sig)
{
	(void)sig;
	w_reopen = 1;
}

/*
 * Ctrl-C in a terminal reaches the whole process group: only the master
 * decides, so workers ignore the job-control and terminal signals.  SIGTERM
 * stays blocked except inside epoll_pwait.
 */
static int
w_signals(sigset_t *waitmask)
{
	static const int ignored[] = {
		SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE
	};
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	for (i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		if (sigaction(ignored[i], &sa, NULL) == -1)
			return -1;
	sa.sa_handler = SIG_DFL;
	if (sigaction(SIGCHLD, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = w_on_term;
	if (sigaction(SIGTERM, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = w_on_usr1;
	if (sigaction(SIGUSR1, &sa, NULL) == -1)
		return -1;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGUSR1);
	sigemptyset(waitmask);
	return sigprocmask(SIG_SETMASK, &block, NULL);
}

static int
w_epoll_add(int fd, void *tag)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.ptr = tag;
	return epoll_ctl(w.epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void
w_listen(int on)
{
	if (on == w.listening || w.lfd == -1)
		return;
	if (on ? w_epoll_add(w.lfd, &w.lfd) :
	    epoll_ctl(w.epfd, EPOLL_CTL_DEL, w.lfd, NULL)) {
		log_warn("epoll_ctl (listening socket): %s", strerror(errno));
		return;
	}
	/* The HTTP port (-H) follows the line port. */
	if (w.hfd != -1 && (on ? w_epoll_add(w.hfd, &w.hfd) :
	    epoll_ctl(w.epfd, EPOLL_CTL_DEL, w.hfd, NULL)))
		log_warn("epoll_ctl (HTTP socket): %s", strerror(errno));
	w.listening = on;
	if (on)
		ST_SET(w.slot->accepting, ACCEPT_LISTENING);
}

static void
w_pause(int ms, enum st_accept why)
{
	w_listen(0);
	w.accept_resume = w.now + ms;
	ST_SET(w.slot->accepting, why);
}

/*
 * May this worker take one more connection, given everyone's share?  A
 * worker steps back only while another one is listening: if all backed off
 * at once, nobody would accept.
 */
static int
w_fair(void)
{
	uint64_t total = 0, fair, slack;
	unsigned i, willing = 0, listening = 0;
	uint32_t a;

	for (i = 0; i < ST_SLOTS; i++) {
		if ((a = ST_GET(w.seg->slots[i].accepting)) == ACCEPT_NO)
			continue;
		willing++;
		total += ST_GET(w.seg->slots[i].conns);
		if (a == ACCEPT_LISTENING && i != w.slot_index)
			listening++;
	}
	if (willing <= 1 || listening == 0)
		return 1;
	fair = (total + willing - 1) / willing;
	slack = fair / 8 > 2 ? fair / 8 : 2;
	return w.nconns <= fair + slack;
}

/* Whether to accept now; pauses accepting when not. */
static int
w_may_accept(void)
{
	if (w.nconns >= w.max_conns) {
		w_pause(ACCEPT_PAUSE_MS, ACCEPT_NO);
		return 0;
	}
	if (w_fair()) {
		w.balance_since = 0;
		return 1;
	}
	if (w.balance_since == 0)
		w.balance_since = w.now;
	if (w.now - w.balance_since >= BALANCE_MAX_MS)
		return 1;
	w_pause(BALANCE_PAUSE_MS, ACCEPT_BACKOFF);
	return 0;
}

static void
w_accept_on(int lfd, int drain)
{
	static int64_t warned;
	struct sockaddr_storage peer;
	socklen_t plen;
	struct conn *c;
	int fd, i;

	for (i = 0; drain || i < ACCEPT_BATCH; i++) {
		if (!drain && !w_may_accept())
			return;
		plen = sizeof peer;
		fd = accept4(lfd, (struct sockaddr *)&peer, &plen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (w.now - warned > 1000) {
				log_warn("accept: %s", strerror(errno));
				warned = w.now;
			}
			/* EMFILE and friends: back off instead of spinning. */
			w_pause(ACCEPT_PAUSE_MS, ACCEPT_NO);
			return;
		}
		if (w_fault_accept)
			_exit(70);	/* testing: a crash right after ready */
		if ((c = conn_new(fd, &peer, lfd == w.hfd)) != NULL &&
		    w.leaving != NULL)
			conn_retire(c, w.leaving);
	}
}

/* Accept on the line port, and on the HTTP port when there is one. */
static void
w_accept(int drain)
{
	w_accept_on(w.lfd, drain);
	if (w.hfd != -1)
		w_accept_on(w.hfd, drain);
}

/*
 * Stop accepting for good, first taking what waits in the backlog so that
 * no connection is left there unaccepted.  A retiring worker serves them
 * until it is told to leave, which happens only once no retiring worker
 * accepts any more: their clients then reconnect to a worker that stays.
 */
static void
w_stop_accepting(void)
{
	if (w.lfd == -1)
		return;
	ST_SET(w.slot->accepting, ACCEPT_NO);
	ST_SET(w.slot->state, ST_EXITING);
	w_accept(1);
	w_listen(0);
	close(w.lfd);
	w.lfd = -1;
	if (w.hfd != -1)
		close(w.hfd);
	w.hfd = -1;
	if (ch_send(&w.ch, CH_RETIRED, w.slot_index, 0, 0, NULL, 0) == -1 &&
	    errno != EPIPE)
		log_warn("channel: %s", strerror(errno));
}

/* Say goodbye on every connection; exit once they are all closed. */
static void
w_leave(const char *notice)
{
	struct conn *c, *next;

	if (w.leaving != NULL)
		return;
	w_stop_accepting();
	w.leaving = notice;
	for (c = w.conns; c != NULL; c = next) {
		next = c->next;
		conn_retire(c, notice);
	}
	log_debug("leaving (%s), %u connections to close", notice, w.nconns);
}

/* The master is gone: nobody will reap us gracefully; go now. */
static void __attribute__((noreturn))
w_orphan(void)
{
	while (w.conns != NULL)
		conn_close(w.conns);
	access_flush();
	log_info("master gone; exiting");
	exit(0);
}

static void
w_channel(uint32_t events)
{
	static struct ch_msg m;
	int r;

	if ((events & EPOLLOUT) && ch_flush(&w.ch) == -1)
		w_orphan();
	while ((r = ch_recv(w.ch.fd, &m)) == 1) {
		if (m.cmd == CH_RETIRE)
			w_retire = 1;
		else if (m.cmd == CH_LEAVE)
			w_request = "* reload";
		else
			session_channel(&m);
	}
	if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		w_orphan();
}

/* Watch the channel for room while messages wait to go to the master. */
static void
w_channel_watch(void)
{
	static int watching_out;
	struct epoll_event ev;
	int want = ch_pending(&w.ch);

	if (want == watching_out)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN | (want ? EPOLLOUT : 0);
	ev.data.ptr = &w.ch;
	if (epoll_ctl(w.epfd, EPOLL_CTL_MOD, w.ch.fd, &ev) == 0)
		watching_out = want;
}

static int
w_timeout(void)
{
	int64_t next = -1;

	if (w.ready != NULL)
		return 0;	/* connections to go on with: no sleep */
	if (w.conns != NULL || w.leaving != NULL)
		next = SWEEP_MS;
	else if (w.lfd == -1)
		next = -1;	/* retired and idle: wait for the word to leave */
	if (!w.listening && w.lfd != -1 && w.leaving == NULL) {
		int64_t d = w.accept_resume - w.now;
		if (d < 1)
			d = 1;
		if (next == -1 || d < next)
			next = d;
	}
	return (int)next;
}

/*
 * An event may name a connection that an earlier event of the same batch
 * closed (a routed answer flushed into a reset socket, a kick): it is still
 * allocated, marked dead, and conn_event ignores it; conn_reap frees it
 * once the turn is over.
 */
static void
w_events(const struct epoll_event *ev, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (ev[i].data.ptr == &w.hfd) {
			if (w.listening)
				w_accept_on(w.hfd, 0);
		} else if (ev[i].data.ptr == &w.lfd) {
			if (w.listening)
				w_accept_on(w.lfd, 0);
		} else if (ev[i].data.ptr == &w.ch)
			w_channel(ev[i].events);
		else
			conn_event(ev[i].data.ptr, ev[i].events);
	}
}

static void
w_init(const struct worker_args *wa, int chan)
{
	struct rlimit rl;

	memset(&w, 0, sizeof w);
	w.tt = wa->tt;
	w.seg = wa->seg;
	w.slot = &wa->seg->slots[wa->slot];
	w.slot_index = wa->slot;
	w.lfd = wa->lfd;
	w.hfd = wa->cfg->http_fd;
	ch_init(&w.ch, chan);
	w.idle_ms = (int64_t)wa->cfg->idle_timeout * 1000;
	w.now = now_ms();
	w.max_conns = 1000;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 64)
		w.max_conns = rl.rlim_cur == RLIM_INFINITY ? 1000000 :
		    (unsigned)(rl.rlim_cur - 32);
	ST_SET(w.slot->pid, (uint32_t)getpid());
	ST_SET(w.slot->generation, wa->generation);
	ST_SET(w.slot->started_at, (int64_t)time(NULL));
	/* Gauges: a killed predecessor in this slot left its values. */
	ST_SET(w.slot->conns, 0);
	ST_SET(w.slot->nicknames, 0);
	ST_SET(w.slot->state, ST_STARTING);
	ST_ADD(w.slot->workers, 1);
}

/* Become the unprivileged user before serving anyone (the master stays root). */
static int
w_drop_privileges(const struct config *cfg)
{
	if (cfg->uid == 0)
		return 0;
	if (setgroups(1, &cfg->gid) == -1 || setgid(cfg->gid) == -1 ||
	    setuid(cfg->uid) == -1) {
		log_warn("cannot become user %s: %s", cfg->user, strerror(errno));
		return -1;
	}
	if (setuid(0) != -1) {
		log_warn("still able to regain root after dropping it");
		return -1;
	}
	return 0;
}

/*
 * A testing aid, documented in trainsrv(8): TRAINSRV_TEST_FAIL_START makes
 * every worker die before it is ready ("crash"), on its first connection,
 * after it said it was ready ("crash-accept"), or fail at start-up for
 * good ("fatal"), so that the tests can drive the crash-loop guard and the
 * "no worker could start" path through the real binary.
 */
static void
w_test_fault(void)
{
	const char *f = getenv("TRAINSRV_TEST_FAIL_START");

	if (f == NULL)
		return;
	if (strcmp(f, "crash") == 0)
		_exit(70);
	if (strcmp(f, "fatal") == 0)
		exit(EXIT_FATAL);
	if (strcmp(f, "crash-accept") == 0)
		w_fault_accept = 1;
}

void
worker_main(const struct worker_args *wa, int chan)
{
	static char role[32];
	struct epoll_event ev[EVENTS_MAX];
	sigset_t waitmask;
	int64_t next_sweep = 0;
	int n;

	snprintf(role, sizeof role, "worker %u", wa->slot);
	log_init(role);
	w_master = wa->master;
	/*
	 * Opened while still root, so the log may sit in any directory root
	 * can reach; a reopen (SIGUSR1) is the workers' own, and needs one
	 * they can search.
	 */
	if (wa->cfg->access_log != NULL && access_open(wa->cfg->access_log) == -1)
		exit(EXIT_FATAL);
	if (w_drop_privileges(wa->cfg) == -1)
		exit(EXIT_FATAL);
	/* After the uid change, which clears the parent-death signal. */
	if (w_signals(&waitmask) == -1 || prctl(PR_SET_PDEATHSIG, SIGTERM) == -1) {
		log_warn("signals: %s", strerror(errno));
		exit(EXIT_FATAL);
	}
	if (getppid() != w_master)
		exit(0);
	w_init(wa, chan);
	w_test_fault();
	if ((w.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    w_epoll_add(w.ch.fd, &w.ch) == -1) {
		log_warn("epoll: %s", strerror(errno));
		exit(EXIT_FATAL);
	}
	w_listen(1);
	ST_SET(w.slot->state, ST_IDLE);
	session_init();
	if (ch_send(&w.ch, CH_READY, w.slot_index, 0, 0, NULL, 0) == -1)
		w_orphan();
	for (;;) {
		n = epoll_pwait(w.epfd, ev, EVENTS_MAX, w_timeout(), &waitmask);
		if (n == -1 && errno != EINTR) {
			log_warn("epoll_wait: %s", strerror(errno));
			exit(1);
		}
		w.now = now_ms();
		if (n > 0)
			w_events(ev, n);
		conn_run_ready();
		/* Acted on after the events, as they may close connections. */
		if (w_term) {
			w_term = 0;
			if (getppid() != w_master)
				w_orphan();
			w_request = "* shutdown";
		}
		if (w_retire) {
			w_retire = 0;
			w_stop_accepting();
		}
		if (w_reopen) {
			w_reopen = 0;
			if (wa->cfg->access_log != NULL)
				access_open(wa->cfg->access_log);
		}
		if (w_request != NULL)
			w_leave(w_request);
		if (!w.listening && w.lfd != -1 && w.now >= w.accept_resume)
			w_listen(1);
		if (w.now >= next_sweep) {
			conn_sweep();
			next_sweep = w.now + SWEEP_MS;
		}
		w_channel_watch();
		/* The turn is over: no event left names a closed connection. */
		conn_reap();
		access_flush();	/* one write per turn, whatever it served */
		if (w.leaving != NULL && w.nconns == 0 && !ch_pending(&w.ch))
			break;
	}
	access_flush();
	log_debug("exiting");
	exit(0);
}

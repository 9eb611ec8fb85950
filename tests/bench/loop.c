/*
 * loop.c — the connections of trainsrv-bench and the epoll loop that drives
 * them, one loop per thread.
 *
 * Closed loop: each active connection keeps up to P requests outstanding
 * and sends the next one only when a reply comes back, so the rate measured
 * is what the server sustains, not what we push.  Sockets are non-blocking
 * and level-triggered; after each read we top the pipeline up and write
 * everything in one write(2): at P=1 a request costs one read, one write and
 * a share of one epoll_wait.
 *
 * A request is not lost with its connection: on "* reload", EOF, a reset or
 * a timeout the connection is reopened and every request without a reply
 * is sent again, at most --retries times; after that it has failed.  A
 * reply that breaks the protocol is a wrong reply and never retried: the
 * server answered, wrongly.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ipc/wire.h"
#include "tests/bench/bench.h"

#define LOOP_EVENTS	256
#define LOOP_TICK_MS	50		/* longest epoll_wait: stop, deadline */
#define SWEEP_NS	100000000ULL	/* timeouts and retries, every 100 ms */
#define IDLE_CONNECTING	256		/* idle connects in flight at once */
#define RBUF_ACTIVE	16384
#define RBUF_IDLE	512
#define RBUF_MAX	(4 << 20)	/* a longer line is a wrong reply */
#define BACKOFF_MIN_MS	10
#define BACKOFF_MAX_MS	500

enum conn_state {
	CS_INIT,		/* not started yet: the sweep leaves it alone */
	CS_WAIT,		/* not connected; connect again at retry_at */
	CS_CONNECTING,		/* non-blocking connect in flight */
	CS_GREETING,		/* connected, waiting for the greeting */
	CS_READY,
	CS_DONE,		/* -n: no more tickets, nothing pending */
	CS_DEAD			/* gave up: could not connect for a timeout */
};

enum lost_why { LOST_RESET, LOST_NOTICE, LOST_TIMEOUT, LOST_WRONG };

/* A request issued and not yet finished. */
struct pending {
	uint32_t	 req;		/* index into the mix */
	uint32_t	 tries;		/* times sent */
	uint64_t	 t_first;	/* ns: first issued, latency runs from here */
	uint64_t	 deadline;	/* ns: reply due (once sent) */
};

struct conn {
	struct worker	*w;
	int		 fd;
	unsigned	 gen;		/* bumped per socket: stale events */
	enum conn_state	 state;
	int		 idle;		/* holds a connection, sends nothing */
	int		 alive;		/* a line came on this socket */
	int		 wantout;	/* EPOLLOUT registered */
	int		 queued;	/* on the idle start queue */
	size_t		 next_req;	/* where it is in the mix */

	struct pending	*q;		/* ring of P */
	size_t		 qhead, qlen;	/* all pending */
	size_t		 qsent;		/* the first qsent were sent on fd */

	long		 remaining;	/* data lines to come; -1: a status */
	int		 bad;		/* the reply being read failed a check */

	char		*rbuf;
	size_t		 rlen, rcap;
	char		*wbuf;
	size_t		 wlen, woff, wcap;

	uint64_t	 conn_deadline;	/* connect (and greeting) due */
	uint64_t	 retry_at;	/* CS_WAIT */
	uint64_t	 fail_since;	/* first of consecutive failures */
	int		 backoff_ms;
	struct conn	*qnext;		/* idle start queue */
};

struct worker {
	struct shared	*sh;
	const struct bench_opts *o;
	const struct mix *mix;
	int		 id;
	int		 epfd;
	struct conn	*conns;
	int		 nactive, nidle;	/* active first, then idle */
	int		 ndead;
	int		 ndone;		/* -n: active connections done */
	int		 idle_connecting;
	struct conn	*sq_head, *sq_tail;	/* idle conns to connect */
	struct pending	*scratch;		/* P entries for requeueing */
	uint64_t	 last_sweep;
	struct counters	 c;
	struct hist	 h;
	double		 cpu_s;
};

static void	conn_begin(struct conn *, uint64_t);
static void	conn_lost(struct conn *, enum lost_why, uint64_t);

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL) {
		perror("trainsrv-bench: calloc");
		exit(1);
	}
	return p;
}

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int
conn_waits_greeting(const struct conn *c)
{
	/* Idle connections and --reconnect read the greeting first. */
	return !c->w->mix->raw && (c->idle || c->w->o->reconnect);
}

static struct pending *
conn_at(struct conn *c, size_t i)
{
	return &c->q[(c->qhead + i) % (size_t)c->w->o->pipeline];
}

static void
conn_epoll(struct conn *c, int op, uint32_t events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = c;
	if (epoll_ctl(c->w->epfd, op, c->fd, &ev) == -1) {
		perror("trainsrv-bench: epoll_ctl");
		exit(1);
	}
}

static void
conn_want_out(struct conn *c, int on)
{
	if (c->wantout == on)
		return;
	c->wantout = on;
	conn_epoll(c, EPOLL_CTL_MOD, EPOLLIN | (on ? EPOLLOUT : 0));
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1 && close(c->fd) == -1 && errno != EINTR)
		perror("trainsrv-bench: close");
	c->fd = -1;
	c->gen++;
	c->wantout = 0;
	c->rlen = 0;
	c->wlen = c->woff = 0;
	c->remaining = -1;
	c->bad = 0;
	c->qsent = 0;
	c->alive = 0;
}

/* One request finished, whatever its outcome: for -n, count it. */
static void
conn_finish_one(struct conn *c)
{
	atomic_fetch_add_explicit(&c->w->sh->done, 1, memory_order_relaxed);
}

static void
conn_pop(struct conn *c)
{
	c->qhead = (c->qhead + 1) % (size_t)c->w->o->pipeline;
	c->qlen--;
	if (c->qsent > 0)
		c->qsent--;
}

/* A -n ticket, or 0 when the run has issued all it may. */
static int
conn_ticket(struct conn *c)
{
	const struct shared *sh = c->w->sh;

	if (c->w->o->nreq == 0)
		return 1;
	return atomic_fetch_add_explicit(&c->w->sh->issued, 1,
	    memory_order_relaxed) < sh->opts->nreq;
}

static void
conn_issue(struct conn *c, uint64_t now)
{
	struct pending *p;

	c->qlen++;
	p = conn_at(c, c->qlen - 1);
	p->req = (uint32_t)c->next_req;
	p->tries = 0;
	p->t_first = now;
	p->deadline = 0;
	c->next_req = (c->next_req + 1) % c->w->mix->n;
}

/* -n: no tickets left and nothing pending; the connection has done its share. */
static void
conn_set_done(struct conn *c)
{
	conn_close(c);
	c->state = CS_DONE;
	c->w->ndone++;
}

/* Issue requests until P are outstanding (never with --reconnect). */
static void
conn_fill(struct conn *c, uint64_t now)
{
	if (c->idle || c->w->o->reconnect || bench_stop)
		return;
	while (c->qlen < (size_t)c->w->o->pipeline && conn_ticket(c))
		conn_issue(c, now);
	if (c->qlen == 0 && c->w->o->nreq > 0)
		conn_set_done(c);
}

/* Write what is buffered; a short write waits for EPOLLOUT. */
static void
conn_write(struct conn *c, uint64_t now)
{
	ssize_t n;

	while (c->woff < c->wlen) {
		n = write(c->fd, c->wbuf + c->woff, c->wlen - c->woff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			conn_want_out(c, 1);
			return;
		}
		if (n == -1) {
			conn_lost(c, LOST_RESET, now);
			return;
		}
		c->woff += (size_t)n;
	}
	c->wlen = c->woff = 0;
	conn_want_out(c, 0);
}

/* Send every pending request not yet sent on this socket. */
static void
conn_flush(struct conn *c, uint64_t now)
{
	const struct req *r;
	struct pending *p;
	size_t need;

	if (c->state != CS_READY || c->qsent == c->qlen)
		return;
	for (; c->qsent < c->qlen; c->qsent++) {
		p = conn_at(c, c->qsent);
		r = &c->w->mix->reqs[p->req];
		need = c->wlen + r->len;
		if (need > c->wcap) {
			c->wcap = need * 2;
			if ((c->wbuf = realloc(c->wbuf, c->wcap)) == NULL) {
				perror("trainsrv-bench: realloc");
				exit(1);
			}
		}
		memcpy(c->wbuf + c->wlen, r->line, r->len);
		c->wlen += r->len;
		if (++p->tries > 1)
			c->w->c.resent++;
		p->deadline = now + c->w->sh->timeout_ns;
	}
	conn_write(c, now);
}

static void
conn_ready(struct conn *c, uint64_t now)
{
	if (c->idle) {
		c->w->idle_connecting--;
		c->state = CS_READY;
		c->fail_since = 0;
		c->backoff_ms = 0;
		return;
	}
	c->state = CS_READY;
	conn_fill(c, now);
	conn_flush(c, now);
}

static void
conn_startq_push(struct conn *c)
{
	struct worker *w = c->w;

	if (c->queued)
		return;
	c->queued = 1;
	c->qnext = NULL;
	if (w->sq_tail != NULL)
		w->sq_tail->qnext = c;
	else
		w->sq_head = c;
	w->sq_tail = c;
}

/* Give up on a connection: its pending requests have failed. */
static void
conn_die(struct conn *c)
{
	struct worker *w = c->w;

	while (c->qlen > 0) {
		w->c.failed++;
		conn_finish_one(c);
		conn_pop(c);
	}
	c->state = CS_DEAD;
	w->c.dead++;
	if (!c->idle)
		w->ndead++;
}

/*
 * The server is not serving (connect refused or timed out, or the socket
 * closed before a line came): retry after a doubling pause, and give up
 * once it has failed for a whole timeout.
 */
static void
conn_backoff(struct conn *c, uint64_t now)
{
	struct worker *w = c->w;

	if (c->fail_since == 0)
		c->fail_since = now;
	if (now - c->fail_since >= w->sh->timeout_ns) {
		conn_die(c);
		return;
	}
	c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : BACKOFF_MIN_MS;
	if (c->backoff_ms > BACKOFF_MAX_MS)
		c->backoff_ms = BACKOFF_MAX_MS;
	c->state = CS_WAIT;
	c->retry_at = now + (uint64_t)c->backoff_ms * 1000000ULL;
}

static void
conn_connect_failed(struct conn *c, uint64_t now)
{
	c->w->c.connect_errors++;
	if (c->idle && (c->state == CS_CONNECTING || c->state == CS_GREETING))
		c->w->idle_connecting--;
	conn_close(c);
	conn_backoff(c, now);
}

static void
conn_connected(struct conn *c, uint64_t now)
{
	socklen_t sl = sizeof(int);
	int err = 0, one = 1;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &sl) == -1)
		err = errno;
	if (err != 0) {
		conn_connect_failed(c, now);
		return;
	}
	/* Pipelined top-ups must not wait for Nagle. */
	if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		perror("trainsrv-bench: TCP_NODELAY");
	c->w->c.connects++;
	conn_want_out(c, 0);
	if (conn_waits_greeting(c))
		c->state = CS_GREETING;
	else
		conn_ready(c, now);
}

/* Open a socket and start connecting; CS_CONNECTING or a failure. */
static void
conn_start(struct conn *c, uint64_t now)
{
	const struct shared *sh = c->w->sh;

	c->queued = 0;
	c->fd = socket(sh->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1) {
		perror("trainsrv-bench: socket");
		c->w->c.connect_errors++;
		conn_backoff(c, now);
		return;
	}
	c->state = CS_CONNECTING;
	c->conn_deadline = now + sh->timeout_ns;
	if (c->idle)
		c->w->idle_connecting++;
	c->wantout = 1;
	conn_epoll(c, EPOLL_CTL_ADD, EPOLLIN | EPOLLOUT);
	if (connect(c->fd, (const struct sockaddr *)&sh->addr, sh->addrlen) == -1) {
		if (errno == EINPROGRESS || errno == EINTR)
			return;
		conn_connect_failed(c, now);
		return;
	}
	conn_connected(c, now);
}

/*
 * (Re)open a connection.  With --reconnect each connection carries one
 * request, issued here so its latency includes connecting.  Idle sockets
 * wait their turn on the start queue, so that 10,000 of them do not
 * overflow the server's listen backlog at once.
 */
static void
conn_begin(struct conn *c, uint64_t now)
{
	if (c->idle) {
		c->state = CS_WAIT;
		c->retry_at = now;
		conn_startq_push(c);
		return;
	}
	if (c->w->o->reconnect && c->qlen == 0) {
		if (bench_stop || !conn_ticket(c)) {
			conn_set_done(c);
			return;
		}
		conn_issue(c, now);
	}
	conn_start(c, now);
}

/*
 * The socket is gone (or no longer trusted): requests sent on it and not
 * answered are sent again on a new one, unless they have been sent
 * retries + 1 times already.
 */
static void
conn_lost(struct conn *c, enum lost_why why, uint64_t now)
{
	struct worker *w = c->w;
	struct pending *keep = w->scratch, *p;
	size_t i, nkeep = 0, sent = c->qsent;
	int was_alive = c->alive;

	if (why == LOST_RESET)
		w->c.resets++;
	/* A reply cut short after it proved wrong is a wrong reply. */
	if (sent > 0 && c->remaining > 0 && c->bad) {
		w->c.wrong++;
		conn_finish_one(c);
		conn_pop(c);
		sent--;
	}
	for (i = 0; i < c->qlen; i++) {
		p = conn_at(c, i);
		if (i < sent && p->tries > (uint32_t)w->o->retries) {
			w->c.failed++;
			conn_finish_one(c);
			continue;
		}
		keep[nkeep++] = *p;
	}
	for (i = 0; i < nkeep; i++)
		c->q[i] = keep[i];
	c->qhead = 0;
	c->qlen = nkeep;
	if (c->idle && (c->state == CS_CONNECTING || c->state == CS_GREETING))
		w->idle_connecting--;
	conn_close(c);
	/* Lost before a single line: the server is not serving; back off. */
	if (!was_alive && why == LOST_RESET) {
		conn_backoff(c, now);
		return;
	}
	c->fail_since = 0;
	c->backoff_ms = 0;
	conn_begin(c, now);
}

static int
conn_err_index(long code)
{
	switch (code) {
	case WIRE_EBADREQ:	return E400;
	case WIRE_ENOTFOUND:	return E404;
	case WIRE_ETOOLONG:	return E413;
	case WIRE_EINTERNAL:	return E500;
	case WIRE_ESHUTDOWN:	return E503;
	default:		return EOTHER;
	}
}

/*
 * The reply at the head is complete.  Returns 1 when the connection was
 * closed (--reconnect), so no more of the buffer is read.
 */
static int
conn_reply_done(struct conn *c, uint64_t now, long errcode)
{
	struct worker *w = c->w;
	struct pending *p = conn_at(c, 0);

	if (c->bad)
		w->c.wrong++;
	else {
		w->c.requests++;
		if (errcode != 0) {
			w->c.errors++;
			w->c.err_code[conn_err_index(errcode)]++;
		}
		hist_add(&w->h, (now - p->t_first + 500) / 1000);
	}
	conn_finish_one(c);
	conn_pop(c);
	c->remaining = -1;
	c->bad = 0;
	if (w->o->reconnect) {
		conn_close(c);
		conn_begin(c, now);
		return 1;
	}
	return 0;
}

/* A line from a server that is not speaking the trainsrv protocol. */
static int
conn_line_raw(struct conn *c, const char *line, uint64_t now)
{
	if (c->qsent == 0) {
		c->w->c.wrong++;	/* nobody asked */
		conn_lost(c, LOST_WRONG, now);
		return 1;
	}
	return conn_reply_done(c, now, line[0] == '-' ? -1 : 0);
}

static int
conn_is_retire(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return (len == 8 && memcmp(line, "* reload", 8) == 0) ||
	    (len == 10 && memcmp(line, "* shutdown", 10) == 0);
}

/* One line (LF removed).  Returns 1 when the socket was closed. */
static int
conn_line(struct conn *c, const char *line, size_t len, uint64_t now)
{
	struct worker *w = c->w;
	const struct req *r;
	enum wire_kind k;
	long n = 0;

	if (w->mix->raw)
		return conn_line_raw(c, line, now);
	if (c->remaining > 0) {
		r = &w->mix->reqs[conn_at(c, 0)->req];
		if (check_line(r, line, len) != 0)
			c->bad = 1;
		if (--c->remaining == 0)
			return conn_reply_done(c, now, 0);
		return 0;
	}
	k = wire_status(line, len, &n);
	if (k == WIRE_NOTICE) {
		if (conn_is_retire(line, len)) {
			w->c.reloads++;
			conn_lost(c, LOST_NOTICE, now);
			return 1;
		}
		if (c->state == CS_GREETING)
			conn_ready(c, now);
		return 0;
	}
	if (k == WIRE_BAD || c->qsent == 0 || c->state != CS_READY) {
		w->c.wrong++;
		if (c->qsent > 0) {
			conn_finish_one(c);
			conn_pop(c);
		}
		conn_lost(c, LOST_WRONG, now);
		return 1;
	}
	if (k == WIRE_ERR)
		return conn_reply_done(c, now, n);
	r = &w->mix->reqs[conn_at(c, 0)->req];
	c->bad = check_count(r, n) != 0;
	c->remaining = n;
	if (n == 0)
		return conn_reply_done(c, now, 0);
	return 0;
}

/* Make room to read: at least want bytes free. */
static int
conn_rbuf_room(struct conn *c, size_t want)
{
	size_t cap = c->rcap ? c->rcap : (c->idle ? RBUF_IDLE : RBUF_ACTIVE);

	while (cap - c->rlen < want)
		cap *= 2;
	if (cap > RBUF_MAX)
		return -1;
	if (cap != c->rcap) {
		if ((c->rbuf = realloc(c->rbuf, cap)) == NULL) {
			perror("trainsrv-bench: realloc");
			exit(1);
		}
		c->rcap = cap;
	}
	return 0;
}

/* Read what the socket has, act on every complete line, top up. */
static void
conn_read(struct conn *c)
{
	unsigned gen = c->gen;
	size_t off, want = c->idle ? 128 : 4096;
	uint64_t now;
	ssize_t n;
	char *nl;
	int full;

	for (;;) {
		if (conn_rbuf_room(c, want) == -1) {
			c->w->c.wrong++;	/* a line longer than anyone's */
			conn_lost(c, LOST_WRONG, now_ns());
			return;
		}
		n = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		now = now_ns();
		if (n <= 0) {
			conn_lost(c, LOST_RESET, now);
			return;
		}
		full = (size_t)n == c->rcap - c->rlen;
		c->rlen += (size_t)n;
		c->alive = 1;
		for (off = 0; off < c->rlen; off = (size_t)(nl - c->rbuf) + 1) {
			nl = memchr(c->rbuf + off, '\n', c->rlen - off);
			if (nl == NULL)
				break;
			if (conn_line(c, c->rbuf + off, (size_t)(nl - c->rbuf) - off,
			    now) != 0 || c->gen != gen)
				return;
		}
		if (off > 0) {
			memmove(c->rbuf, c->rbuf + off, c->rlen - off);
			c->rlen -= off;
		}
		if (c->state == CS_READY) {
			conn_fill(c, now);
			conn_flush(c, now);
			if (c->gen != gen)
				return;
		}
		/* Level-triggered: a short read means the socket is drained. */
		if (!full)
			break;
	}
}

static void
conn_event(struct conn *c, uint32_t ev)
{
	unsigned gen = c->gen;

	if (c->state == CS_CONNECTING) {
		conn_connected(c, now_ns());
		return;
	}
	if (c->fd == -1)
		return;
	if ((ev & EPOLLOUT) && c->woff < c->wlen) {
		conn_write(c, now_ns());
		if (c->gen != gen || c->fd == -1)
			return;
	}
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_read(c);
}

/* Timeouts, due retries: every SWEEP_NS, over every connection. */
static void
worker_sweep(struct worker *w, uint64_t now)
{
	struct conn *c;
	int i;

	w->last_sweep = now;
	for (i = 0; i < w->nactive + w->nidle; i++) {
		c = &w->conns[i];
		switch (c->state) {
		case CS_CONNECTING:
		case CS_GREETING:
			if (now >= c->conn_deadline)
				conn_connect_failed(c, now);
			break;
		case CS_READY:
			if (c->qsent > 0 && now >= conn_at(c, 0)->deadline) {
				w->c.timeouts++;
				conn_lost(c, LOST_TIMEOUT, now);
			}
			break;
		case CS_WAIT:
			if (now >= c->retry_at) {
				if (c->idle)
					conn_startq_push(c);
				else
					conn_start(c, now);
			}
			break;
		default:
			break;
		}
	}
}

/* Start queued idle connections, a bounded number in flight. */
static void
worker_pump(struct worker *w, uint64_t now)
{
	struct conn *c;

	while (w->sq_head != NULL && w->idle_connecting < IDLE_CONNECTING) {
		c = w->sq_head;
		w->sq_head = c->qnext;
		if (w->sq_head == NULL)
			w->sq_tail = NULL;
		c->queued = 0;
		if (c->state == CS_WAIT)
			conn_start(c, now);
	}
}

/* One turn: sweep when due, wait at most timeout_ms, handle events. */
static void
worker_poll(struct worker *w, int timeout_ms)
{
	struct epoll_event ev[LOOP_EVENTS];
	uint64_t now = now_ns();
	int n, i;

	if (now - w->last_sweep >= SWEEP_NS)
		worker_sweep(w, now);
	worker_pump(w, now);
	n = epoll_wait(w->epfd, ev, LOOP_EVENTS, timeout_ms);
	if (n == -1) {
		if (errno == EINTR)
			return;
		perror("trainsrv-bench: epoll_wait");
		exit(1);
	}
	for (i = 0; i < n; i++)
		conn_event(ev[i].data.ptr, ev[i].events);
}

struct worker *
worker_new(struct shared *sh, int id, int active, int first, int idle)
{
	struct worker *w = xcalloc(1, sizeof(*w));
	struct conn *c;
	int i;

	w->sh = sh;
	w->o = sh->opts;
	w->mix = sh->mix;
	w->id = id;
	w->nactive = active;
	w->nidle = idle;
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("trainsrv-bench: epoll_create1");
		exit(1);
	}
	w->conns = xcalloc((size_t)(active + idle) + 1, sizeof(*w->conns));
	w->scratch = xcalloc((size_t)w->o->pipeline, sizeof(*w->scratch));
	for (i = 0; i < active + idle; i++) {
		c = &w->conns[i];
		c->w = w;
		c->fd = -1;
		c->remaining = -1;
		c->state = CS_INIT;
		c->idle = i >= active;
		if (!c->idle) {
			c->q = xcalloc((size_t)w->o->pipeline, sizeof(*c->q));
			/* Spread the connections over the mix. */
			c->next_req = ((size_t)(first + i) * 7919) % sh->mix->n;
		}
	}
	return w;
}

/*
 * Open the idle connections before the measured run; returns when all are
 * open (greeting read), or at the deadline, or on SIGINT.
 */
int
worker_idle_setup(struct worker *w, uint64_t deadline_ns)
{
	uint64_t now = now_ns();
	int i;

	for (i = w->nactive; i < w->nactive + w->nidle; i++)
		conn_begin(&w->conns[i], now);
	while (!bench_stop && now < deadline_ns &&
	    worker_idle_open(w) + w->c.dead < (uint64_t)w->nidle) {
		worker_poll(w, LOOP_TICK_MS);
		now = now_ns();
	}
	return worker_idle_open(w);
}

int
worker_idle_open(const struct worker *w)
{
	int i, n = 0;

	for (i = w->nactive; i < w->nactive + w->nidle; i++)
		if (w->conns[i].state == CS_READY)
			n++;
	return n;
}

static double
thread_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) == -1)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Is the run over for this thread? */
static int
worker_over(struct worker *w, uint64_t now)
{
	const struct shared *sh = w->sh;

	if (bench_stop || (sh->end_ns != 0 && now >= sh->end_ns))
		return 1;
	if (w->o->nreq != 0 && atomic_load(&w->sh->done) >= w->o->nreq)
		return 1;
	/* Every connection gave up, or did its share of -n. */
	return w->ndead + w->ndone >= w->nactive;
}

void
worker_run(struct worker *w)
{
	const struct shared *sh = w->sh;
	uint64_t now = now_ns(), left;
	double cpu0 = thread_cpu();
	int i, tmo;

	for (i = 0; i < w->nactive; i++)
		conn_begin(&w->conns[i], now);
	while (!worker_over(w, now)) {
		tmo = LOOP_TICK_MS;
		if (sh->end_ns != 0) {
			left = (sh->end_ns - now + 999999) / 1000000;
			if (left < (uint64_t)tmo)
				tmo = (int)left;
		}
		worker_poll(w, tmo);
		now = now_ns();
	}
	for (i = 0; i < w->nactive; i++)
		w->c.unfinished += w->conns[i].qlen;
	w->cpu_s = thread_cpu() - cpu0;
}

void
worker_result(const struct worker *w, struct counters *c, struct hist *h,
    double *cpu_s)
{
	counters_merge(c, &w->c);
	hist_merge(h, &w->h);
	*cpu_s = w->cpu_s;
}

void
worker_free(struct worker *w)
{
	int i;

	for (i = 0; i < w->nactive + w->nidle; i++) {
		if (w->conns[i].fd != -1)
			close(w->conns[i].fd);
		free(w->conns[i].q);
		free(w->conns[i].rbuf);
		free(w->conns[i].wbuf);
	}
	close(w->epfd);
	free(w->conns);
	free(w->scratch);
	free(w);
}

void
counters_merge(struct counters *to, const struct counters *from)
{
	int i;

	to->requests += from->requests;
	to->errors += from->errors;
	for (i = 0; i < E_NCODES; i++)
		to->err_code[i] += from->err_code[i];
	to->wrong += from->wrong;
	to->resets += from->resets;
	to->reloads += from->reloads;
	to->timeouts += from->timeouts;
	to->resent += from->resent;
	to->failed += from->failed;
	to->connect_errors += from->connect_errors;
	to->connects += from->connects;
	to->unfinished += from->unfinished;
	to->dead += from->dead;
}

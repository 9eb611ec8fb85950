/*
 * conn.c — one client connection: non-blocking reads, request lines,
 * replies, backpressure, timeouts and the lingering close.
 *
 * Memory: an idle connection owns no buffer.  Input is read into the
 * worker's read buffer and answered from there; only an incomplete line (or
 * lines held back by backpressure) is copied into the connection's own
 * buffer.  Replies are built in the worker's write buffer and sent at once;
 * only what the socket would not take is copied into the connection's
 * output buffer.  So 10,000 idle sessions cost 10,000 small structs.
 *
 * Backpressure: requests are answered CONN_OUT_CHUNK of replies at a time,
 * and only while the socket takes all of them; the requests left wait in
 * the connection's buffer until it does (EPOLLOUT), and nothing more is read
 * while they wait or while more than CONN_OUT_HIGH bytes are unsent.  Past
 * CONN_OUT_MAX (a client that never reads one huge reply) it is closed.
 *
 * Closing politely: the last reply or notice is sent, the write side is shut
 * down, and what the client still sends is read and discarded for at most
 * CONN_LINGER_MS, so that it gets our last words instead of a reset.
 *
 * Lifetime: one epoll_wait batch may hold several events for a connection,
 * and the handling of one event (a routed answer, a notice, a kick) may
 * close a connection that a later event of the batch names.  So conn_close
 * never frees: it closes the socket, unlinks the connection from the list,
 * the session table and the count (exactly once: a second close does
 * nothing), marks it CONN_DEAD and puts it on w.dead; every entry point
 * ignores a dead connection, and conn_reap frees them once the loop turn is
 * over and no event of the batch is left.
 *
 * No stall, no spin: whenever a connection could make progress by itself
 * (complete lines buffered, all output taken by the socket, not waiting for
 * the master), it is answered now, not when the next event comes, since none
 * may come: the client may have sent everything and be waiting for the
 * replies.  Lines are answered CONN_OUT_CHUNK of output at a time, going on
 * while the socket takes it all, and nothing more is read while lines wait:
 * a client that sends and never reads pins little more than a chunk.
 * And epoll watches for input only while there is room to read it into,
 * since level-triggered EPOLLIN or EPOLLRDHUP that cannot be read would
 * fire for ever.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ipc/log.h"
#include "ipc/stats.h"
#include "ipc/wire.h"
#include "master/trainsrv.h"
#include "worker/access.h"
#include "worker/engine.h"
#include "worker/http.h"
#include "worker/proto.h"
#include "worker/session.h"
#include "worker/worker.h"

static const char	greeting[] = "* trainsrv " TRAINSRV_VERSION " ready; type HELP\n";

static int	conn_push(struct conn *);
static void	conn_ready(struct conn *);

static size_t
conn_pending(const struct conn *c)
{
	return c->out.len - c->out_off;
}

/* Where replies for c go: behind its unsent output, or the worker's buffer. */
struct buf *
conn_out(struct conn *c)
{
	return conn_pending(c) > 0 ? &c->out : &w.wbuf;
}

static size_t
conn_out_len(const struct conn *c)
{
	return conn_pending(c) + w.wbuf.len;
}

static void
conn_count(void)
{
	ST_SET(w.slot->conns, w.nconns);
	if (w.leaving == NULL)
		ST_SET(w.slot->state, w.nconns > 0 ? ST_BUSY : ST_IDLE);
}

/* c->in is full: nothing more can be read until its lines are answered. */
static int
conn_in_full(const struct conn *c)
{
	return c->in != NULL && c->in_len == c->in_cap;
}

/* Complete lines wait in c->in (held back by backpressure or a wait);
 * on an HTTP connection, a complete request head (http_conn.c). */
static int
conn_backlog(const struct conn *c)
{
	if (c->in != NULL && c->http)
		return http_conn_backlog(c);
	return c->in != NULL && memchr(c->in, '\n', c->in_len) != NULL;
}

/*
 * Can c go on by itself: is it open, not waiting for the master, all its
 * output taken by the socket, with a complete line buffered or the client's
 * end-of-file still to act on?  (With output unsent, EPOLLOUT will come.)
 */
static int
conn_more(const struct conn *c)
{
	return c->state == CONN_OPEN && !c->waiting && conn_pending(c) == 0 &&
	    (c->peer_eof || conn_backlog(c));
}

static void
conn_watch(struct conn *c)
{
	struct epoll_event ev;
	uint32_t want = 0;

	if (c->state == CONN_DEAD)
		return;
	if (!c->peer_eof && !conn_in_full(c))
		want |= EPOLLRDHUP;
	if (c->state == CONN_LINGER)
		want |= EPOLLIN;
	else {
		/*
		 * Not while lines wait: they are answered first, so that the
		 * unsent output of a client that does not read stays small.
		 */
		if (c->state == CONN_OPEN && !c->peer_eof && !c->waiting &&
		    conn_pending(c) < CONN_OUT_HIGH && !conn_backlog(c))
			want |= EPOLLIN;
		if (conn_pending(c) > 0)
			want |= EPOLLOUT;
	}
	if (want == c->events)
		return;
	memset(&ev, 0, sizeof ev);
	ev.events = want;
	ev.data.ptr = c;
	if (epoll_ctl(w.epfd, EPOLL_CTL_MOD, c->fd, &ev) == -1)
		log_warn("conn_watch: epoll_ctl: %s", strerror(errno));
	c->events = want;
}

/*
 * Close c now, free it at the end of the loop turn (see the top of the
 * file).  Closing twice does nothing, so the count never goes wrong.
 */
void
conn_close(struct conn *c)
{
	if (c->state == CONN_DEAD)
		return;
	session_close(c);
	if (close(c->fd) == -1)	/* also leaves the epoll set */
		log_warn("conn_close: close: %s", strerror(errno));
	c->fd = -1;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w.conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c->in);
	c->in = NULL;
	c->in_len = c->in_cap = 0;
	buf_free(&c->out);
	c->out_off = 0;
	c->waiting = 0;
	c->state = CONN_DEAD;
	c->dead_next = w.dead;
	w.dead = c;
	if (w.nconns == 0)
		log_warn("conn_close: connection count already 0");
	else
		w.nconns--;
	conn_count();
}

/*
 * Free the connections closed during this loop turn: no event names them
 * now, and none is left on the ready list.
 */
void
conn_reap(void)
{
	struct conn *c, **pp;

	w.ready_tail = NULL;
	for (pp = &w.ready; (c = *pp) != NULL;)
		if (c->state == CONN_DEAD) {
			*pp = c->ready_next;
			c->ready = 0;
		} else {
			w.ready_tail = c;
			pp = &c->ready_next;
		}
	while ((c = w.dead) != NULL) {
		w.dead = c->dead_next;
		free(c);
	}
}

struct conn *
conn_new(int fd, const struct sockaddr_storage *peer, int http)
{
	struct epoll_event ev;
	struct conn *c;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		close(fd);
		return NULL;
	}
	c->fd = fd;
	c->state = CONN_OPEN;
	c->http = http;
	c->last_active = w.now;
	c->events = EPOLLIN | EPOLLRDHUP;
	memset(&ev, 0, sizeof ev);
	ev.events = c->events;
	ev.data.ptr = c;
	if (epoll_ctl(w.epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		log_warn("conn_new: epoll_ctl: %s", strerror(errno));
		close(fd);
		free(c);
		return NULL;
	}
	if ((c->next = w.conns) != NULL)
		c->next->prev = c;
	w.conns = c;
	w.nconns++;
	ST_ADD(w.slot->accepted, 1);
	session_open(c, peer);
	conn_count();
	if (!c->http)	/* HTTP: the client speaks first */
		buf_append(&w.wbuf, greeting, sizeof greeting - 1);
	return conn_push(c) == -1 ? NULL : c;
}

/* Send what we can; returns the bytes sent, or -1 when the peer is gone. */
static ssize_t
conn_send(struct conn *c, const char *p, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = send(c->fd, p + off, len - off, MSG_NOSIGNAL);
		if (n > 0)
			off += n;
		else if (n == -1 && errno == EINTR)
			continue;
		else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		else
			return -1;
	}
	ST_ADD(w.slot->bytes_out, off);
	return off;
}

/* The write side is done: shut it, then read and discard for a while.
 * Returns -1 when c was closed instead. */
static int
conn_linger(struct conn *c)
{
	if (c->peer_eof || shutdown(c->fd, SHUT_WR) == -1) {
		conn_close(c);
		return -1;
	}
	c->state = CONN_LINGER;
	c->deadline = w.now + CONN_LINGER_MS;
	conn_watch(c);
	return 0;
}

/* Send w.wbuf (c's replies) or c's own output.  -1: c was closed. */
static int
conn_push(struct conn *c)
{
	ssize_t n;

	if (c->state == CONN_DEAD) {
		w.wbuf.len = 0;
		return -1;
	}
	if (w.wbuf.len > 0) {
		n = conn_send(c, w.wbuf.p, w.wbuf.len);
		if (n >= 0 && (size_t)n < w.wbuf.len &&
		    buf_append(&c->out, w.wbuf.p + n, w.wbuf.len - n) == -1)
			n = -1;
		w.wbuf.len = 0;
	} else if (conn_pending(c) > 0) {
		n = conn_send(c, c->out.p + c->out_off, conn_pending(c));
		if (n > 0)
			c->out_off += n;
		/*
		 * Replies are appended behind what is unsent: drop what was
		 * sent once it outweighs the rest (each byte moves at most
		 * once on average), or the buffer would grow with all that a
		 * slow reader was ever sent.
		 */
		if (c->out_off > 0 && c->out_off >= conn_pending(c)) {
			memmove(c->out.p, c->out.p + c->out_off, conn_pending(c));
			c->out.len -= c->out_off;
			c->out_off = 0;
		}
	} else
		n = 0;
	if (n == -1) {
		conn_close(c);
		return -1;
	}
	if (conn_pending(c) > CONN_OUT_MAX) {
		ST_ADD(w.slot->overflows, 1);
		conn_close(c);
		return -1;
	}
	if (conn_pending(c) == 0) {
		buf_free(&c->out);
		c->out_off = 0;
		if (c->state == CONN_CLOSING)
			return conn_linger(c);
	}
	conn_watch(c);
	return 0;
}

/*
 * Stop reading; what is queued still goes out, with notice (a line such as
 * "* reload") after it, then the lingering close.  The caller flushes.
 */
void
conn_leave(struct conn *c, const char *notice)
{
	if (c->state != CONN_OPEN)
		return;
	if (notice != NULL && !c->http)	/* no notice in an HTTP stream */
		buf_printf(conn_out(c), "%s\n", notice);
	else if (notice != NULL && c->in_len > 0)
		http_conn_leave(c, notice);	/* 408 for a started request */
	c->state = CONN_CLOSING;
	c->deadline = w.now + CONN_FLUSH_MS;
	free(c->in);
	c->in = NULL;
	c->in_len = c->in_cap = 0;
}

static int64_t
conn_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
conn_answer(struct conn *c, char *line, size_t len,
    const struct tt_hint *hint)
{
	int64_t t0, dt;
	size_t before = conn_out(c)->len;
	char cmd[17];

	/*
	 * One clock reading per request: a request's time runs from the end of
	 * the one before it in the same batch (w.clock), so pipelined requests
	 * cost one clock_gettime each, not two.
	 */
	t0 = w.clock != 0 ? w.clock : conn_usec();

	c->requests++;
	if (access_enabled())	/* the parser splits the line in place */
		access_command(cmd, sizeof cmd, line, len);
	w.current = c;
	switch (proto_request(w.tt, w.slot, line, len, hint, conn_out(c))) {
	case PROTO_QUIT:
		conn_leave(c, NULL);
		break;
	case PROTO_WAIT:
		c->waiting = 1;	/* answered when the master's answer comes */
		break;
	case PROTO_CONTINUE:
		break;
	}
	w.current = NULL;
	w.clock = conn_usec();
	if ((dt = w.clock - t0) < 0)
		dt = 0;
	ST_ADD(w.slot->lat[st_lat_bucket((uint64_t)dt)], 1);
	ST_ADD(w.slot->lat_sum, (uint64_t)dt);
	if (access_enabled())
		access_log(w.slot_index, c->id, cmd, conn_out(c)->p + before,
		    conn_out(c)->len - before, dt);
}

static void
conn_too_long(struct conn *c)
{
	proto_error(w.slot, conn_out(c), WIRE_ETOOLONG,
	    "line too long (max %d bytes)", CONN_LINE_MAX);
	conn_leave(c, NULL);
}

#define CONN_HINTS	16	/* pipelined requests prefetched together */

/* The read-ahead's hints, each with the offset of its line in the data. */
struct conn_hints {
	struct tt_hint	h[CONN_HINTS];
	size_t		at[CONN_HINTS];
	size_t		n;
	size_t		next;		/* the next one to hand out */
};

/*
 * Pipelined requests: before answering them, tell the engine what the next
 * ones will read (tt_prefetch), so that their cache misses, most of a NEXT
 * request's time, overlap instead of following one another; each request
 * then gets its hint, which saves it the station lookups.  Not for a lone
 * request, which would pay for the hint and gain nothing.
 */
static void
conn_prefetch(const char *data, size_t len, struct conn_hints *hs)
{
	const char *p = data, *end = data + len, *nl;
	size_t lines = 0;

	hs->n = hs->next = 0;
	if ((nl = memchr(p, '\n', len)) == NULL ||
	    memchr(nl + 1, '\n', (size_t)(end - nl - 1)) == NULL)
		return;
	for (; lines < CONN_HINTS && p < end &&
	    (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
		lines++;
		if (nl - p <= CONN_LINE_MAX &&
		    proto_hint(w.tt, p, (size_t)(nl - p), &hs->h[hs->n])) {
			hs->at[hs->n] = (size_t)(p - data);
			hs->n++;
		}
	}
	if (hs->n > 1)
		tt_prefetch(w.tt, hs->h, hs->n);
}

/* The hint for the line at offset off, if the read-ahead made one. */
static const struct tt_hint *
conn_hint(struct conn_hints *hs, size_t off)
{
	while (hs->next < hs->n && hs->at[hs->next] < off)
		hs->next++;
	if (hs->next < hs->n && hs->at[hs->next] == off)
		return &hs->h[hs->next++];
	return NULL;
}

/*
 * Answer the complete lines of data[0..len); returns how many bytes were
 * used.  Stops once c's unsent output reaches mark (SIZE_MAX when a retiring
 * worker answers everything it has read).
 */
static size_t
conn_lines(struct conn *c, char *data, size_t len, size_t mark)
{
	struct conn_hints hs;
	size_t off = 0, ll;
	char *nl;

	if (c->http)
		return http_conn_input(c, data, len, mark);
	w.clock = 0;
	conn_prefetch(data, len, &hs);
	while (c->state == CONN_OPEN && !c->waiting &&
	    conn_out_len(c) < mark) {
		if ((nl = memchr(data + off, '\n', len - off)) == NULL)
			break;
		ll = nl - (data + off);
		if (ll > 0 && data[off + ll - 1] == '\r')
			ll--;
		if (ll > CONN_LINE_MAX) {
			conn_too_long(c);
			return len;
		}
		data[off + ll] = '\0';
		conn_answer(c, data + off, ll, conn_hint(&hs, off));
		off = nl - data + 1;
	}
	if (off > 0)
		ST_SET(w.slot->last_request, (int64_t)time(NULL) * 1000);
	return off;
}

/* Keep the unused input rest[0..len) in c's own buffer. */
static int
conn_keep(struct conn *c, const char *rest, size_t len, int advanced)
{
	size_t cap = c->http ? HTTP_HEAD_MAX :
	    CONN_LINE_MAX + 2;		/* a full line, CR and LF */

	if (len == 0 || c->state != CONN_OPEN) {
		free(c->in);
		c->in = NULL;
		c->in_len = c->in_cap = 0;
		c->line_start = 0;
		return 0;
	}
	if (c->in == NULL) {
		if (len > cap)
			cap = len;
		if ((c->in = malloc(cap)) == NULL)
			return -1;
		c->in_cap = cap;
		memcpy(c->in, rest, len);
	} else if (rest != c->in)
		memmove(c->in, rest, len);
	c->in_len = len;
	if (advanced || c->line_start == 0)
		c->line_start = w.now;
	return 0;
}

/*
 * Answer what data[0..len) holds, CONN_OUT_CHUNK of replies at a time, keep
 * the rest, send the replies; again while the socket takes them all and
 * complete lines are left (conn_more), so that lines held back never wait
 * for an event that will not come.  Bounded: no read happens here, and each
 * turn answers a line.
 */
static void
conn_input(struct conn *c, char *data, size_t len)
{
	size_t used;
	unsigned chunks = 0;

	for (;;) {
		used = conn_lines(c, data, len, CONN_OUT_CHUNK);
		if (conn_keep(c, data + used, len - used, used > 0) == -1) {
			w.wbuf.len = 0;
			conn_close(c);
			return;
		}
		if (c->state == CONN_OPEN && !c->http &&
		    c->in_len > CONN_LINE_MAX + 1 &&
		    memchr(c->in, '\n', c->in_len) == NULL) {
			c->in_len = 0;
			conn_too_long(c);
		}
		if (c->state == CONN_OPEN && c->peer_eof && !c->waiting &&
		    conn_out_len(c) < CONN_OUT_HIGH && !conn_backlog(c)) {
			/* The client is done sending; its last line may lack the LF. */
			if (c->in_len > 0 && c->in_len <= CONN_LINE_MAX && !c->http) {
				c->in[c->in_len] = '\0';
				conn_answer(c, c->in, c->in_len, NULL);
			}
			conn_leave(c, NULL);
		}
		if (conn_push(c) == -1 || !conn_more(c))
			return;
		if (++chunks == CONN_TURN_CHUNKS) {
			conn_ready(c);
			return;
		}
		data = c->in != NULL ? c->in : w.rbuf;
		len = c->in_len;
	}
}

static void
conn_read(struct conn *c)
{
	char *data = c->in ? c->in : w.rbuf;
	size_t len = c->in ? c->in_len : 0;
	size_t room = c->in ? c->in_cap - c->in_len : sizeof w.rbuf;
	ssize_t n;

	if (room == 0) {	/* not watched while full: resynchronise */
		conn_watch(c);
		return;
	}
	do
		n = read(c->fd, data + len, room);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			conn_close(c);
		return;
	}
	if (n == 0)
		c->peer_eof = 1;
	ST_ADD(w.slot->bytes_in, n);
	c->last_active = w.now;
	conn_input(c, data, len + n);
}

/* Lingering: read and throw away until EOF, an error or the deadline. */
static void
conn_discard(struct conn *c)
{
	ssize_t n;
	int i;

	for (i = 0; i < 4; i++) {
		n = read(c->fd, w.rbuf, sizeof w.rbuf);
		if (n > 0) {
			ST_ADD(w.slot->bytes_in, n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		conn_close(c);
		return;
	}
}

/*
 * Fairness: a connection gets at most CONN_TURN_CHUNKS chunks of replies per
 * loop turn.  A client that pipelines thousands of requests, and whose
 * socket takes megabytes, would otherwise hold the worker for seconds, away
 * from its other clients and from accepting; it joins the ready queue
 * instead.  Each loop turn serves the CONN_READY_TURN oldest of the queue
 * and then looks at the events again (w_timeout is 0 while the queue is not
 * empty): with hundreds of such clients, a turn still stays short, and a
 * new request waits one short turn, not a pass over all of them.
 */
static void
conn_ready(struct conn *c)
{
	if (c->ready)
		return;
	c->ready = 1;
	c->ready_next = NULL;
	if (w.ready_tail != NULL)
		w.ready_tail->ready_next = c;
	else
		w.ready = c;
	w.ready_tail = c;
}

/* Go on with the oldest connections of the ready queue. */
void
conn_run_ready(void)
{
	struct conn *c;
	unsigned n;

	for (n = 0; n < CONN_READY_TURN && (c = w.ready) != NULL; n++) {
		if ((w.ready = c->ready_next) == NULL)
			w.ready_tail = NULL;
		c->ready = 0;
		if (conn_more(c))
			conn_resume(c);
	}
}

/* Answer what c has buffered, now that backpressure or a wait has lifted. */
void
conn_resume(struct conn *c)
{
	if (c->state == CONN_DEAD)
		return;
	if (c->state == CONN_OPEN && (c->in_len > 0 || c->peer_eof))
		conn_input(c, c->in != NULL ? c->in : w.rbuf, c->in_len);
	else
		conn_push(c);
}

/*
 * Send what is queued for c (a notice, a kick's last words...).  If that
 * lifts the backpressure, the lines it held back are answered now: no other
 * event may come for them.  -1: c was closed.
 */
int
conn_flush(struct conn *c)
{
	if (conn_push(c) == -1)
		return -1;
	if (conn_more(c))
		conn_resume(c);
	return c->state == CONN_DEAD ? -1 : 0;
}

/*
 * Read what the client has already sent and answer its complete requests,
 * backpressure or not; bounded, since a client could send forever.
 */
static void
conn_slurp(struct conn *c)
{
	char *data;
	size_t len, room, used;
	ssize_t n;
	int i;

	for (i = 0; i < 8 && c->state == CONN_OPEN && !c->peer_eof; i++) {
		data = c->in ? c->in : w.rbuf;
		len = c->in ? c->in_len : 0;
		room = c->in ? c->in_cap - c->in_len : sizeof w.rbuf;
		if (room == 0)
			break;
		do
			n = read(c->fd, data + len, room);
		while (n == -1 && errno == EINTR);
		if (n == -1)
			break;
		if (n == 0)
			c->peer_eof = 1;
		ST_ADD(w.slot->bytes_in, n);
		len += n;
		used = conn_lines(c, data, len, SIZE_MAX);
		if (conn_keep(c, data + used, len - used, used > 0) == -1)
			break;
	}
}

/*
 * The worker is leaving: answer every complete request the client has sent
 * so far (a partial line is dropped: with no reply, the client resends it),
 * then say notice and close politely.
 */
void
conn_retire(struct conn *c, const char *notice)
{
	if (c->state == CONN_DEAD)
		return;
	if (c->state == CONN_OPEN && c->in_len > 0)
		conn_lines(c, c->in, c->in_len, SIZE_MAX);
	conn_slurp(c);
	conn_leave(c, notice);
	/*
	 * A client that does not read its last replies must not keep the
	 * worker past the master's stop deadline (a SIGKILL, and no "*
	 * shutdown" for anyone): it gets less time than usual.
	 */
	if (c->state == CONN_CLOSING && c->deadline > w.now + CONN_LEAVE_MS)
		c->deadline = w.now + CONN_LEAVE_MS;
	conn_push(c);
}

void
conn_event(struct conn *c, uint32_t events)
{
	if (c->state == CONN_DEAD)
		return;		/* closed earlier in this batch */
	if (c->state == CONN_LINGER) {
		conn_discard(c);
		return;
	}
	if (events & EPOLLOUT) {
		if (conn_push(c) == -1)
			return;
		if (conn_more(c)) {
			conn_resume(c);
			return;
		}
	}
	/*
	 * An error, or a hang-up of both directions (a reset; not a client's
	 * half-close, which is EPOLLRDHUP): nobody can read our replies any
	 * more, and EPOLLHUP, always reported, would wake us for ever.
	 */
	if (events & (EPOLLERR | EPOLLHUP)) {
		conn_close(c);
		return;
	}
	if (c->state == CONN_OPEN && (events & (EPOLLIN | EPOLLRDHUP)))
		conn_read(c);
	else if (events & EPOLLRDHUP) {
		/* Closing and the client is done sending: stop watching that. */
		c->peer_eof = 1;
		conn_watch(c);
	}
}

/* Timeouts: a line must complete, a session must not idle forever, and
 * last words must leave in time. */
void
conn_sweep(void)
{
	struct conn *c, *next;

	for (c = w.conns; c != NULL; c = next) {
		next = c->next;
		if (c->state != CONN_OPEN) {
			if (w.now >= c->deadline)
				conn_close(c);
			continue;
		}
		if ((c->line_start != 0 && w.now - c->line_start >
		    CONN_LINE_DEADLINE_MS && conn_pending(c) == 0 && c->in != NULL &&
		    (c->http || memchr(c->in, '\n', c->in_len) == NULL)) ||
		    w.now - c->last_active > w.idle_ms) {
			ST_ADD(w.slot->timeouts, 1);
			conn_leave(c, "* timeout");
			conn_push(c);
		}
	}
}

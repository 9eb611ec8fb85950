/*
 * http_conn.c — HTTP framing for a worker's connections accepted on the
 * HTTP port (c->http): conn.c hands such a connection's input here instead
 * of cutting it into lines.  Heads are parsed one after another
 * (pipelining), each answered into the connection's output like a line
 * request, timed into the same latency histogram.
 *
 * Requests are answered while the connection's unsent output is under
 * mark (conn.c's CONN_OUT_CHUNK, or SIZE_MAX when the worker retires).
 * A draining worker (retiring or stopping) answers every complete request
 * it has read; the last one says Connection: close and the connection
 * closes after it.  A refused request (http_parse's error) closes too: its
 * end cannot be known.
 */
#include <string.h>
#include <time.h>

#include "ipc/stats.h"
#include "worker/http.h"
#include "worker/http_api.h"
#include "worker/worker.h"

static int64_t
http_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Count the request that started at t0 (µs) in the latency histogram. */
static void
http_timed(int64_t t0)
{
	int64_t dt;

	w.clock = http_usec();
	if ((dt = w.clock - t0) < 0)
		dt = 0;
	ST_ADD(w.slot->lat[st_lat_bucket((uint64_t)dt)], 1);
	ST_ADD(w.slot->lat_sum, (uint64_t)dt);
}

/* A complete request head, or one already refused, waits in c->in. */
int
http_conn_backlog(const struct conn *c)
{
	struct http_req r;
	size_t used;

	return c->in != NULL && http_parse(c->in, c->in_len, &r, &used) !=
	    HTTP_INCOMPLETE;
}

size_t
http_conn_input(struct conn *c, char *data, size_t len, size_t mark)
{
	struct http_ctx ctx;
	struct http_req r, next;
	enum http_parse st;
	size_t off = 0, used, nused;
	int64_t t0;

	ctx.tt = w.tt;
	ctx.slot = w.slot;
	ctx.seg = w.seg;
	ctx.draining = w.lfd == -1 || w.leaving != NULL;
	ctx.hold = 0;
	w.clock = 0;
	while (c->state == CONN_OPEN && off < len &&
	    c->out.len - c->out_off + w.wbuf.len < mark) {
		st = http_parse(data + off, len - off, &r, &used);
		if (st == HTTP_INCOMPLETE)
			break;
		t0 = w.clock != 0 ? w.clock : http_usec();
		c->requests++;
		if (st == HTTP_ERROR) {
			http_answer_error(&ctx, &r, conn_out(c));
			conn_leave(c, NULL);
			http_timed(t0);
			off = len;
			break;
		}
		ctx.hold = ctx.draining && http_parse(data + off + used,
		    len - off - used, &next, &nused) == HTTP_COMPLETE;
		if (http_answer(&ctx, &r, conn_out(c)))
			conn_leave(c, NULL);
		http_timed(t0);
		off += used;
	}
	if (off > 0)
		ST_SET(w.slot->last_request, (int64_t)time(NULL) * 1000);
	return off;
}

/*
 * c is closed by the worker (notice is what a line client would be told)
 * with part of a request read: a timeout is answered 408, closing; for
 * anything else (a reload, a kick) the client resends on a new connection.
 */
void
http_conn_leave(struct conn *c, const char *notice)
{
	struct http_ctx ctx;

	if (strcmp(notice, "* timeout") != 0)
		return;
	ctx.tt = w.tt;
	ctx.slot = w.slot;
	ctx.seg = w.seg;
	ctx.draining = 0;
	ctx.hold = 0;
	http_answer_status(&ctx, 408, "the request did not arrive in time",
	    conn_out(c));
}

/*
 * fuzz_conn.c — libFuzzer harness for a worker's connection state machine:
 * the real worker/conn.c and worker/session.c, in process, on real sockets.
 *
 * The harness plays the worker's event loop, the clients and the master at
 * once.  Each client is one end of an AF_UNIX socketpair whose other end,
 * non-blocking, is handed to conn_new(); the connections sit in a real epoll
 * set; the channel to the master is a real SOCK_SEQPACKET pair whose far end
 * the harness reads.  The input is a program of one-byte operations:
 *
 *   open a connection (its send buffer maybe tiny, so that sends are
 *   partial and EAGAIN comes), a client writes raw bytes or a pipeline of N
 *   copies of a request line, reads some of the replies, half-closes,
 *   closes (with replies unread: the server's next send or read fails with
 *   ECONNRESET, as after a TCP reset); one epoll batch, handled in order
 *   with routed answers, notices and kicks from the master slipped between
 *   its events as the fuzzer chooses (the order in which a real batch may
 *   hold them); the master reads its requests; time passes and the sweep
 *   runs; the worker retires.
 *
 * After every operation the invariants hold: the connection count equals
 * the list and the stats gauge (never below zero), no closed connection is
 * left in the list, none is stalled (open, not waiting, all its output
 * sent, with a complete line or an end-of-file not acted on: no event would
 * ever come for it), none waits for input it has no room for or reads more
 * while lines wait; and no epoll batch repeats itself without anything happening (a
 * spin).  ASan catches a freed connection touched later in a batch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <stdarg.h>

#include "ipc/channel.h"
#include "ipc/log.h"
#include "ipc/stats.h"
#include "worker/buf.h"
#include "worker/engine.h"
#include "worker/proto.h"
#include "worker/session.h"
#include "worker/worker.h"
#include "tests/fuzz/common.h"

#define FCONN_SLOTS	4
#define FCONN_QUEUE	32	/* requests the master has not answered yet */
#define FCONN_BATCH	16

struct worker	w;	/* what worker.c defines in the server */

/*
 * ipc/log.c's interface, silent: a kick or a timeout is logged, and
 * thousands of runs must not flood the output.  Each line is still
 * formatted, so that a bad argument shows under the sanitizers.
 */
static void
fconn_log(const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof line, fmt, ap);
}

void log_init(const char *role) { (void)role; }
void log_set_verbose(int v) { (void)v; }
int log_verbose(void) { return 0; }
#define FCONN_LOG(name)							\
void									\
name(const char *fmt, ...)						\
{									\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	fconn_log(fmt, ap);						\
	va_end(ap);							\
}
FCONN_LOG(log_info)
FCONN_LOG(log_warn)
FCONN_LOG(log_debug)

static const char fconn_timetable[] =
    "17564;Valence;Grenoble;6:15;7:31;17.60;REDUC\n"
    "17566;Valence;Grenoble;6:45;7:55;17.60;\n"
    "17524;Grenoble;Valence;16:30;17:45;17.60;\n"
    "86181;Valence;Montelimar;12:30;12:56;9.80;REDUC\n"
    "9862;Valence;Paris Gare de Lyon;15:15;17:49;87.60;\n";

/* Request lines for pipelines: HELP's reply is about 1 KB. */
static const char *const fconn_lines[] = {
	"HELP", "PING", "WHO", "NAME ann", "NAME bob", "MSG @all hi",
	"MSG @ann hey", "NEXT Valence;Grenoble;07:00", "ALL Valence;Grenoble",
	"STATIONS", "ECHO x", "QUIT", "NOPE", "HELP\r",
};
#define FCONN_NLINES	(sizeof fconn_lines / sizeof fconn_lines[0])

/* The master's answers: whole, or in two parts. */
static const char *const fconn_answers[] = {
	"OK 0\n", "ERR 409 nickname taken\n", "OK 1\n", "OK 2\n1;ann;x;0;t;1\n2;;y;0;t;2\n",
	"ERR 503 busy\n",
};
#define FCONN_NANSWERS	(sizeof fconn_answers / sizeof fconn_answers[0])

static struct tt	*fconn_tt;
static struct st_slot	 fconn_slot;
static int		 fconn_client[FCONN_SLOTS];	/* -1: none */
static uint64_t		 fconn_id[FCONN_SLOTS];
static int		 fconn_master = -1;
static uint64_t		 fconn_queue[FCONN_QUEUE];	/* session ids */
static size_t		 fconn_queued;
static char		 fconn_pipe[64 * 1024];

struct fconn_in {
	const uint8_t	*p, *end;
};

static unsigned
fconn_byte(struct fconn_in *in)
{
	return in->p < in->end ? *in->p++ : 0;
}

static const struct tt *
fconn_load(void)
{
	char *errors = NULL;
	unsigned nerrors = 0;

	if (fconn_tt == NULL &&
	    (fconn_tt = tt_load_mem("fuzz_conn", fconn_timetable,
	    sizeof fconn_timetable - 1, &errors, &nerrors)) == NULL) {
		fprintf(stderr, "fuzz_conn: timetable: %s", errors ? errors : "?\n");
		abort();
	}
	return fconn_tt;
}

static struct conn *
fconn_find(uint64_t id)
{
	struct conn *c;

	for (c = w.conns; c != NULL; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static size_t
fconn_pending(const struct conn *c)
{
	return c->out.len - c->out_off;
}

/* The invariants that hold between any two operations. */
static void
fconn_check(void)
{
	const struct conn *c;
	unsigned n = 0;
	int backlog;

	FUZZ_ASSERT(w.dead == NULL, "closed connections left unfreed");
	FUZZ_ASSERT(w.wbuf.len == 0, "replies left in the worker's buffer");
	for (c = w.conns; c != NULL; c = c->next) {
		n++;
		FUZZ_ASSERT(c->state != CONN_DEAD && c->fd >= 0,
		    "a closed connection in the list");
		FUZZ_ASSERT(c->next == NULL || c->next->prev == c, "list broken");
		FUZZ_ASSERT(fconn_find(c->id) == c, "two sessions with one id");
		if (c->state != CONN_OPEN)
			continue;
		backlog = c->in != NULL && memchr(c->in, '\n', c->in_len) != NULL;
		FUZZ_ASSERT(c->waiting || fconn_pending(c) > 0 ||
		    (!c->peer_eof && !backlog),
		    "stalled: lines or an end-of-file left with nothing to wake it");
		FUZZ_ASSERT(!backlog || (c->events & EPOLLIN) == 0,
		    "reading more while lines wait");
		FUZZ_ASSERT(c->in == NULL || c->in_len < c->in_cap ||
		    (c->events & (EPOLLIN | EPOLLRDHUP)) == 0,
		    "watching for input with no room to read it");
		FUZZ_ASSERT(fconn_pending(c) == 0 || (c->events & EPOLLOUT),
		    "output pending, not watched");
	}
	FUZZ_ASSERT(n == w.nconns, "connection count differs from the list");
	FUZZ_ASSERT(ST_GET(w.slot->conns) == w.nconns,
	    "connection gauge differs from the count");
}

static void
fconn_open(struct fconn_in *in)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct conn *c;
	unsigned slot = fconn_byte(in) % FCONN_SLOTS, sndbuf = fconn_byte(in);
	int sv[2], sz;

	if (fconn_client[slot] != -1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		return;
	/* A tiny send buffer: partial sends and EAGAIN at once. */
	if (sndbuf & 1) {
		sz = 1024 + (int)(sndbuf >> 1) * 64;
		setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	}
	memset(&ss, 0, sizeof ss);
	s4->sin_family = AF_INET;
	s4->sin_port = htons(40000 + slot);
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((c = conn_new(sv[1], &ss)) == NULL) {
		close(sv[0]);
		return;
	}
	fconn_client[slot] = sv[0];
	fconn_id[slot] = c->id;
	if (w.leaving != NULL)
		conn_retire(c, w.leaving);
}

static void
fconn_client_write(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0 && (n = send(fd, p, len, MSG_NOSIGNAL)) > 0) {
		p += n;
		len -= (size_t)n;
	}
}

static void
fconn_write_raw(struct fconn_in *in, int fd)
{
	size_t len = fconn_byte(in);

	if (len > (size_t)(in->end - in->p))
		len = (size_t)(in->end - in->p);
	if (fd != -1)
		fconn_client_write(fd, (const char *)in->p, len);
	in->p += len;
}

/* N copies of one request line, sent at once. */
static void
fconn_write_pipeline(struct fconn_in *in, int fd)
{
	const char *line = fconn_lines[fconn_byte(in) % FCONN_NLINES];
	size_t n = 1 + fconn_byte(in) * 16, ll = strlen(line), len = 0;

	while (n-- > 0 && len + ll + 1 <= sizeof fconn_pipe) {
		memcpy(fconn_pipe + len, line, ll);
		fconn_pipe[len + ll] = '\n';
		len += ll + 1;
	}
	if (fd != -1)
		fconn_client_write(fd, fconn_pipe, len);
}

/* The client reads up to n KB of its replies, or everything (n 0). */
static void
fconn_client_read(int fd, unsigned kb)
{
	static char junk[16384];
	size_t left = kb ? (size_t)kb * 1024 : (size_t)-1;
	ssize_t n;

	while (left > 0 && (n = recv(fd, junk, left < sizeof junk ? left :
	    sizeof junk, 0)) > 0)
		left -= (size_t)n;
}

/* The master takes the requests its channel holds. */
static void
fconn_master_read(void)
{
	static struct ch_msg m;

	ch_flush(&w.ch);
	while (ch_recv(fconn_master, &m) == 1)
		if ((m.cmd == CH_NAME || m.cmd == CH_WHO || m.cmd == CH_MSG) &&
		    fconn_queued < FCONN_QUEUE)
			fconn_queue[fconn_queued++] = m.arg;
}

/* Something the master sends the worker, as w_channel hands it over. */
static void
fconn_master_send(unsigned what, unsigned arg)
{
	static struct ch_msg m;
	const char *a;
	size_t len, cut;

	memset(&m, 0, sizeof m);
	m.cmd = CH_ANSWER;
	if (what == 0) {		/* the oldest request's answer */
		fconn_master_read();
		if (fconn_queued == 0)
			return;
		m.arg = fconn_queue[0];
		memmove(fconn_queue, fconn_queue + 1,
		    --fconn_queued * sizeof fconn_queue[0]);
		a = fconn_answers[arg % FCONN_NANSWERS];
		len = strlen(a);
		if (arg & 0x80 && len > 1) {	/* in two parts */
			cut = 1 + (arg >> 3) % (len - 1);
			memcpy(m.data, a, cut);
			m.len = (uint32_t)cut;
			session_channel(&m);
			a += cut;
			len -= cut;
		}
		memcpy(m.data, a, len);
		m.len = (uint32_t)len;
		m.arg2 = 1;
	} else if (what == 1) {		/* a notice to everyone, or to one */
		m.cmd = CH_NOTICE;
		m.arg = arg & 1 ? fconn_id[(arg >> 1) % FCONN_SLOTS] : 0;
		m.len = (uint32_t)snprintf(m.data, sizeof m.data,
		    "* message from ann: %u\n", arg);
	} else {			/* the operator kicks one */
		m.cmd = CH_KICK;
		m.arg = fconn_id[arg % FCONN_SLOTS];
		m.arg2 = 7;
	}
	session_channel(&m);
}

/* A fingerprint of everything a handled event may change. */
static uint64_t
fconn_print(void)
{
	const struct conn *c;
	uint64_t h = ST_GET(w.slot->bytes_in) * 31 + ST_GET(w.slot->bytes_out) +
	    w.nconns * 131;

	for (c = w.conns; c != NULL; c = c->next)
		h = h * 1000003 + c->state * 17 + c->peer_eof * 5 + c->events +
		    c->in_len + fconn_pending(c) + c->requests * 7;
	return h;
}

/*
 * One epoll batch, handled as w_events does, with master messages slipped
 * in before the events as the input says.  Returns the events handled.
 */
static int
fconn_batch(struct fconn_in *in, int chatty)
{
	struct epoll_event ev[FCONN_BATCH];
	unsigned k;
	int i, n;

	n = epoll_wait(w.epfd, ev, FCONN_BATCH, 0);
	for (i = 0; i < n; i++) {
		if (chatty && (k = fconn_byte(in)) % 4 != 0)
			fconn_master_send(k % 4 - 1, fconn_byte(in));
		conn_event(ev[i].data.ptr, ev[i].events);
	}
	conn_reap();
	return n > 0 ? n : 0;
}

/*
 * Run the loop until nothing happens, every client reading its replies and
 * the master answering everything: a batch that changes nothing is a spin.
 */
static void
fconn_settle(void)
{
	uint64_t before;
	int round, i, idle = 0;

	for (round = 0; round < 256; round++) {
		for (i = 0; i < FCONN_SLOTS; i++)
			if (fconn_client[i] != -1)
				fconn_client_read(fconn_client[i], 0);
		fconn_master_read();
		while (fconn_queued > 0)
			fconn_master_send(0, 0);
		conn_reap();
		before = fconn_print();
		if (fconn_batch(NULL, 0) == 0)
			return;
		fconn_check();
		if (fconn_print() == before) {
			FUZZ_ASSERT(++idle < 3, "epoll batches that change nothing: a spin");
		} else
			idle = 0;
	}
}

static void
fconn_setup(void)
{
	int ch[2], i;

	memset(&w, 0, sizeof w);
	memset(&fconn_slot, 0, sizeof fconn_slot);
	w.tt = fconn_load();
	w.slot = &fconn_slot;
	w.lfd = -1;
	w.idle_ms = 60000;
	w.now = 1000000;
	w.max_conns = 1000;
	if ((w.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    ch) == -1) {
		fprintf(stderr, "fuzz_conn: setup: %s\n", strerror(errno));
		abort();
	}
	ch_init(&w.ch, ch[0]);
	fconn_master = ch[1];
	fconn_queued = 0;
	for (i = 0; i < FCONN_SLOTS; i++)
		fconn_client[i] = -1;
	session_init();
}

static void
fconn_teardown(void)
{
	int i;

	while (w.conns != NULL)
		conn_close(w.conns);
	conn_reap();
	fconn_check();
	for (i = 0; i < FCONN_SLOTS; i++)
		if (fconn_client[i] != -1)
			close(fconn_client[i]);
	close(w.epfd);
	ch_close(&w.ch);
	close(fconn_master);
	buf_free(&w.wbuf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fconn_in in = { data, data + size };
	struct conn *c, *next;
	unsigned op, slot;
	int fd;

	fconn_setup();
	while (in.p < in.end) {
		op = fconn_byte(&in);
		slot = (op >> 4) % FCONN_SLOTS;
		fd = fconn_client[slot];
		switch (op & 15) {
		case 0:
			fconn_open(&in);
			break;
		case 1:
			fconn_write_raw(&in, fd);
			break;
		case 2:
			fconn_write_pipeline(&in, fd);
			break;
		case 3:
			if (fd != -1)
				fconn_client_read(fd, fconn_byte(&in) % 64);
			break;
		case 4:
			if (fd != -1)
				shutdown(fd, SHUT_WR);
			break;
		case 5:		/* closed, maybe with replies unread: a reset */
			if (fd != -1) {
				close(fd);
				fconn_client[slot] = -1;
			}
			break;
		case 6:
		case 7:
		case 8:
			fconn_batch(&in, 1);
			break;
		case 9:
			fconn_master_read();
			break;
		case 10:
			fconn_master_send(fconn_byte(&in) % 3, fconn_byte(&in));
			conn_reap();
			break;
		case 11:	/* time passes: timeouts, last words, lingering */
			w.now += (int64_t)fconn_byte(&in) * 250;
			conn_sweep();
			conn_reap();
			break;
		case 12:	/* the worker leaves (reload, stop) */
			if (w.leaving == NULL) {
				w.leaving = op & 16 ? "* reload" : "* shutdown";
				for (c = w.conns; c != NULL; c = next) {
					next = c->next;
					conn_retire(c, w.leaving);
				}
				conn_reap();
			}
			break;
		default:
			fconn_settle();
			break;
		}
		fconn_check();
	}
	fconn_settle();
	fconn_teardown();
	return 0;
}

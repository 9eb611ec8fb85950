/*
 * hostile.c — the clients a server meets on a bad day, for
 * tests/bats/hostile.bats.
 *
 *   hostile [-h host] -p port [-d seconds] [-r file] [-s n] [-m n] [-c n]
 *	Hold many connections at once, from one process and one epoll loop:
 *	-s n  slowloris: n connections that each send one byte a second of a
 *	      request line that never ends;
 *	-m n  mute: n connections that send pipelined requests as fast as the
 *	      server takes them and never read a byte of the replies;
 *	-c n  n connection attempts that are held open, sending nothing.
 *	Once every connection is established (or has failed, or 10 s have
 *	passed) the mute clients start sending, and one line "connected ..."
 *	is printed.  Once the server takes no more from any mute client (none
 *	could send a byte for a second; or 20 s have passed) a line
 *	"saturated ..." follows, also written to -r file: the attack is at its
 *	worst.  It then runs until -d seconds (default 30) have passed or
 *	SIGTERM or SIGINT arrive, and prints what happened to its connections:
 *	how many were established and how many the server closed.
 *
 *   hostile [-h host] -p port -g kind [-n count]
 *	count connections (default 1) that each send one kind of garbage and
 *	check the server's answer; prints one "ok" or "FAIL" line per kind and
 *	exits 1 on any failure.  Kinds:
 *	random    64 KB of random bytes, then a PING: the connection ends with
 *	          an end-of-file within 10 s (no hang, no reset)
 *	nul       NUL bytes inside and between lines, then PING: PONG comes
 *	utf8      invalid UTF-8 in commands, station names and ECHO, then
 *	          PING: the stations are unknown (ERR 404) and PONG comes
 *	longline  a 1 MB line: ERR 413, then an end-of-file, not a reset
 *	halfclose two requests, the last without its LF, then shutdown(SHUT_WR):
 *	          both are answered, then an end-of-file
 *	rst       many large requests, a few bytes of the replies read, then a
 *	          reset (SO_LINGER 0) in the middle of the replies
 *
 *   hostile [-h host] -p port -g whorst|chat|mix [-n procs] [-d seconds]
 *	procs processes (default 4) each open sessions back to back for
 *	seconds: whorst sends WHO and resets at once (SO_LINGER 0); chat sends
 *	NAME, WHO, MSG and NEXT, reads the answers and closes (after QUIT or
 *	not); mix does chats
 *	ended by QUIT, resets and half-closes, resets right after NAME or WHO,
 *	and pipelined bursts of HELP read partly then reset or half-closed.
 *	Exits 1 when a process could never connect; the server is checked
 *	afterwards by the caller.
 *
 *   hostile [-h host] -p port -g pipeline [-n count] [-x line] [-w ms] [-r file]
 *	one connection sends count (default 1000) copies of line (default
 *	HELP) without waiting, writes "sent" to file, waits ms without
 *	reading, then counts the replies: all must come within 10 s.
 *
 * Only for tests against a local server; every wait is bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READY_WAIT_MS	10000	/* connections still pending after this are counted as such */
#define STALL_MS	1000	/* a mute client full this long is stalled */
#define SATURATE_MS	20000	/* "saturated" at the latest this long after connecting */
#define GARBAGE_WAIT_S	10	/* a garbage connection must end within this */
#define CONNECT_BATCH	64	/* connections being established at once */

enum kind { K_SLOW, K_MUTE, K_CONN };
enum state { S_UNOPENED, S_CONNECTING, S_OPEN, S_CLOSED, S_FAILED };

struct sock {
	int		fd;
	unsigned char	kind;
	unsigned char	state;
	uint32_t	sent;	/* bytes of the slow line sent */
	int64_t		last_out;	/* mute: when a send last took bytes */
};

static const char *host = "127.0.0.1", *port;
static struct addrinfo *addr;
static volatile sig_atomic_t stop;
static int flooding;	/* the mute clients send (once all are connected) */

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "hostile: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: hostile [-h host] -p port [-d seconds] [-r file] [-s n] [-m n] [-c n]\n"
	    "       hostile [-h host] -p port -g random|nul|utf8|longline|halfclose|rst [-n count]\n"
	    "       hostile [-h host] -p port -g whorst|chat|mix [-n procs] [-d seconds]\n"
	    "       hostile [-h host] -p port -g pipeline [-n count] [-x line] [-w ms] [-r file]\n");
	exit(2);
}

/* ---- many connections at once ---------------------------------------- */

/* The mute clients' requests: pipelined, each with a reply much larger than itself. */
static const char mute_req[] =
    "ALL 0;1000\nDEPARTURES Valence;00:00;1000\nSTATIONS\nHELP\n";

static void
sock_close(int ep, struct sock *s, enum state st)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
	close(s->fd);
	s->fd = -1;
	s->state = st;
}

/*
 * Write some of the mute requests (a few blocks: every mute connection gets
 * its turn); 0, or -1 when the connection died.
 */
static int
mute_fill(struct sock *s)
{
	static char block[16384];
	static size_t block_len;
	ssize_t n;
	int i;

	if (block_len == 0)
		while (block_len + sizeof mute_req - 1 <= sizeof block) {
			memcpy(block + block_len, mute_req, sizeof mute_req - 1);
			block_len += sizeof mute_req - 1;
		}
	for (i = 0; i < 4; i++) {
		n = send(s->fd, block, block_len, MSG_NOSIGNAL);
		if (n > 0) {
			s->last_out = now_ms();
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		return (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) ? 0 : -1;
	}
	return 0;
}

/* One byte of a line that never ends: "ECHO " and then x's. */
static int
slow_byte(struct sock *s)
{
	char c = s->sent < 5 ? "ECHO "[s->sent] : 'x';

	if (send(s->fd, &c, 1, MSG_NOSIGNAL) == 1) {
		s->sent++;
		return 0;
	}
	return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
}

static int
sock_open(int ep, struct sock *s, enum kind kind)
{
	struct epoll_event ev;
	int one = 1;

	s->kind = kind;
	s->sent = 0;
	s->fd = socket(addr->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd == -1) {
		s->state = S_FAILED;
		return -1;
	}
	if (kind == K_MUTE) {
		/*
		 * Small buffers: what the server sends piles up on its side,
		 * not in this process's kernel buffers, and the requests wait
		 * in the server's receive queue, not in a send queue here.
		 */
		int rcv = 4096, snd = 32768;

		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
		setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof snd);
	}
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(s->fd, addr->ai_addr, addr->ai_addrlen) == -1 &&
	    errno != EINPROGRESS) {
		close(s->fd);
		s->fd = -1;
		s->state = S_FAILED;
		return -1;
	}
	s->state = S_CONNECTING;
	ev.events = EPOLLOUT | EPOLLRDHUP;
	ev.data.ptr = s;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
	return 0;
}

/* A connect finished: set the events the socket's kind waits for. */
static void
sock_connected(int ep, struct sock *s)
{
	struct epoll_event ev;
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 || err != 0) {
		sock_close(ep, s, S_FAILED);
		return;
	}
	s->state = S_OPEN;
	ev.data.ptr = s;
	/* The mute ones never read: they learn of a close from EPOLLRDHUP. */
	ev.events = s->kind != K_MUTE ? EPOLLIN | EPOLLRDHUP :
	    flooding ? EPOLLOUT | EPOLLRDHUP : EPOLLRDHUP;
	epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
	if (s->kind == K_MUTE && flooding && mute_fill(s) == -1)
		sock_close(ep, s, S_CLOSED);
	else if (s->kind == K_SLOW && slow_byte(s) == -1)
		sock_close(ep, s, S_CLOSED);
}

/* Every connection is up: the mute ones start sending. */
static void
flood(int ep, struct sock *socks, long n)
{
	struct epoll_event ev;
	long i;

	flooding = 1;
	for (i = 0; i < n; i++)
		if (socks[i].kind == K_MUTE && socks[i].state == S_OPEN) {
			socks[i].last_out = now_ms();
			ev.events = EPOLLOUT | EPOLLRDHUP;
			ev.data.ptr = &socks[i];
			epoll_ctl(ep, EPOLL_CTL_MOD, socks[i].fd, &ev);
			if (mute_fill(&socks[i]) == -1)
				sock_close(ep, &socks[i], S_CLOSED);
		}
}

static void
sock_event(int ep, struct sock *s, uint32_t events)
{
	char junk[4096];
	ssize_t n;

	if (s->state == S_CONNECTING) {
		sock_connected(ep, s);
		return;
	}
	if (s->kind != K_MUTE && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
		/* The greeting (and a notice before a close): read and drop. */
		do
			n = recv(s->fd, junk, sizeof junk, 0);
		while (n > 0 || (n == -1 && errno == EINTR));
		if (n == 0 || (n == -1 && errno != EAGAIN))
			sock_close(ep, s, S_CLOSED);
		return;
	}
	if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		sock_close(ep, s, S_CLOSED);
		return;
	}
	if ((events & EPOLLOUT) && mute_fill(s) == -1)
		sock_close(ep, s, S_CLOSED);
}

struct tally {
	long	n, unopened, open, pending, closed, failed;
	uint64_t slow_bytes;
};

static void
count(const struct sock *socks, long n, enum kind kind, struct tally *t)
{
	long i;

	memset(t, 0, sizeof *t);
	for (i = 0; i < n; i++) {
		if (socks[i].kind != kind)
			continue;
		t->n++;
		switch (socks[i].state) {
		case S_UNOPENED:	t->unopened++; break;
		case S_CONNECTING:	t->pending++; break;
		case S_OPEN:		t->open++; break;
		case S_CLOSED:		t->closed++; break;
		default:		t->failed++; break;
		}
		t->slow_bytes += socks[i].sent;
	}
}

static void
report(FILE *f, const char *what, const struct sock *socks, long n)
{
	static const char *names[] = { "slow", "mute", "conn" };
	struct tally t;
	int k;

	fprintf(f, "%s", what);
	for (k = K_SLOW; k <= K_CONN; k++) {
		count(socks, n, k, &t);
		if (t.n > 0)
			fprintf(f, " %s=%ld open=%ld pending=%ld closed_by_server=%ld "
			    "failed=%ld unopened=%ld", names[k], t.n, t.open,
			    t.pending, t.closed, t.failed, t.unopened);
	}
	fprintf(f, "\n");
	fflush(f);
}

static int
hold(long nslow, long nmute, long nconn, double seconds, const char *ready_file)
{
	struct epoll_event evs[256];
	struct sock *socks;
	long n = nslow + nmute + nconn, i, pending, opened = 0;
	int64_t start = now_ms(), end = start + (int64_t)(seconds * 1000), next_tick;
	int ep, k, ready = 0, saturated = 0;
	int64_t connected_at = 0;

	if ((socks = calloc((size_t)(n ? n : 1), sizeof *socks)) == NULL)
		die("out of memory");
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		socks[i].fd = -1;
		socks[i].state = S_UNOPENED;
		socks[i].kind = i < nslow ? K_SLOW : i < nslow + nmute ? K_MUTE : K_CONN;
	}
	next_tick = now_ms() + 1000;
	while (!stop && now_ms() < end) {
		int64_t t = now_ms(), wait = next_tick - t;

		if (!ready) {
			/*
			 * Connect CONNECT_BATCH at a time, so that no SYN is
			 * dropped and retried a second later.
			 */
			for (pending = 0, i = 0; i < opened; i++)
				pending += socks[i].state == S_CONNECTING;
			while (opened < n && pending < CONNECT_BATCH) {
				sock_open(ep, &socks[opened], socks[opened].kind);
				pending += socks[opened++].state == S_CONNECTING;
			}
			if ((opened == n && pending == 0) || t - start > READY_WAIT_MS) {
				ready = 1;
				connected_at = t;
				flood(ep, socks, n);
				report(stdout, "connected", socks, n);
			}
		} else if (!saturated) {
			long busy = 0;

			for (i = 0; i < n; i++)
				busy += socks[i].kind == K_MUTE &&
				    socks[i].state == S_OPEN &&
				    t - socks[i].last_out < STALL_MS;
			if (busy == 0 || t - connected_at > SATURATE_MS) {
				saturated = 1;
				printf("saturated after %lld ms, %ld mute clients still "
				    "sending;", (long long)(t - connected_at), busy);
				report(stdout, "", socks, n);
				if (ready_file != NULL) {
					FILE *f = fopen(ready_file, "w");

					if (f != NULL) {
						fprintf(f, "saturated;");
						report(f, "", socks, n);
						fclose(f);
					}
				}
			}
		}
		if (wait < 0)
			wait = 0;
		if (wait > 100)
			wait = 100;
		if (!ready || !saturated)
			wait = wait > 5 ? 5 : wait;
		k = epoll_wait(ep, evs, 256, (int)wait);
		for (i = 0; i < k; i++)
			sock_event(ep, evs[i].data.ptr, evs[i].events);
		if (now_ms() >= next_tick) {
			next_tick += 1000;
			for (i = 0; i < n; i++)
				if (socks[i].kind == K_SLOW && socks[i].state == S_OPEN &&
				    slow_byte(&socks[i]) == -1)
					sock_close(ep, &socks[i], S_CLOSED);
		}
	}
	report(stdout, "done", socks, n);
	for (i = 0; i < n; i++)
		if (socks[i].fd != -1)
			close(socks[i].fd);
	free(socks);
	close(ep);
	return 0;
}

/* ---- garbage ------------------------------------------------------------ */

static int
dial(void)
{
	struct timeval tv = { GARBAGE_WAIT_S, 0 };
	int fd;

	fd = socket(addr->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		die("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, addr->ai_addr, addr->ai_addrlen) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send everything; the server may close early (a 413), which is fine here. */
static void
send_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Read until end-of-file, at most max bytes kept (the rest dropped); returns
 * how the connection ended: "eof", "reset" or "timeout".
 */
static const char *
read_all(int fd, char *buf, size_t max, size_t *len)
{
	char junk[16384];
	int64_t end = now_ms() + GARBAGE_WAIT_S * 1000;
	ssize_t n;

	*len = 0;
	for (;;) {
		if (now_ms() > end)
			return "timeout";
		if (*len < max)
			n = recv(fd, buf + *len, max - *len, 0);
		else
			n = recv(fd, junk, sizeof junk, 0);
		if (n == 0)
			break;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return "timeout";
			return "reset";
		}
		if (*len < max)
			*len += (size_t)n;
	}
	buf[*len < max ? *len : max - 1] = '\0';
	return "eof";
}

static int
result(const char *kind, int ok, const char *fmt, ...)
{
	va_list ap;

	printf("garbage %s: %s (", kind, ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(")\n");
	fflush(stdout);
	return ok ? 0 : -1;
}

/* Send req, half-close, read the whole answer; check it holds want. */
static int
exchange(const char *kind, const char *req, size_t len, const char *want,
    const char *want2)
{
	static char buf[1 << 20];
	const char *how;
	size_t got;
	int fd;

	if ((fd = dial()) == -1)
		return result(kind, 0, "connect: %s", strerror(errno));
	send_all(fd, req, len);
	shutdown(fd, SHUT_WR);
	how = read_all(fd, buf, sizeof buf, &got);
	close(fd);
	if (strcmp(how, "eof") != 0)
		return result(kind, 0, "the connection ended by %s after %zu bytes",
		    how, got);
	if (want != NULL && strstr(buf, want) == NULL)
		return result(kind, 0, "no \"%s\" in the %zu bytes answered", want, got);
	if (want2 != NULL && strstr(buf, want2) == NULL)
		return result(kind, 0, "no \"%s\" in the %zu bytes answered", want2, got);
	return result(kind, 1, "%zu bytes answered, then end-of-file", got);
}

static int
garbage(const char *kind, unsigned seed)
{
	static char big[(1 << 20) + 64];
	size_t i, len;

	if (strcmp(kind, "random") == 0) {
		len = 65536;
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			big[i] = (char)(seed >> 16);
		}
		memcpy(big + len, "\nPING\n", 6);
		/* Lines of 256 bytes on average: each gets its ERR, PING its PONG. */
		return exchange(kind, big, len + 6, "ERR 400", "PONG\n");
	}
	if (strcmp(kind, "nul") == 0) {
		static const char req[] = "\0\0\0\nPI\0NG\n\0\nECHO a\0b\n"
		    "NEXT Valence\0;Grenoble;07:00\nPING\n";

		return exchange(kind, req, sizeof req - 1, "PONG\n", NULL);
	}
	if (strcmp(kind, "utf8") == 0) {
		static const char req[] =
		    "\xff\xfe\xfd\n"
		    "N\xc3\x28XT Valence;Grenoble\n"
		    "NEXT Val\xc3\x28nce;Gren\xe2\x82;07:00\n"
		    "DEPARTURES \xf0\x28\x8c\x28;07:00\n"
		    "STATIONS \xed\xa0\x80\n"
		    "ECHO \xc0\xaf\xe0\x80\xaf\xf8\x88\x80\x80\x80\n"
		    "BEST \xef\xbf\xbf;\xf4\x90\x80\x80;price\n"
		    "PING\n";

		return exchange(kind, req, sizeof req - 1, "ERR 404", "PONG\n");
	}
	if (strcmp(kind, "longline") == 0) {
		len = 1 << 20;
		memset(big, 'A', len);
		memcpy(big + len, "\nPING\n", 6);
		return exchange(kind, big, len + 6, "ERR 413", NULL);
	}
	if (strcmp(kind, "halfclose") == 0) {
		static const char req[] = "NEXT Valence;Grenoble;06:00\nPING";

		return exchange(kind, req, sizeof req - 1,
		    "17564;Valence;Grenoble;06:15;07:31", "PONG\n");
	}
	if (strcmp(kind, "rst") == 0) {
		struct linger lg = { 1, 0 };
		char buf[64];
		int fd;

		if ((fd = dial()) == -1)
			return result(kind, 0, "connect: %s", strerror(errno));
		len = 0;
		while (len + 32 < sizeof big / 4) {
			memcpy(big + len, "ALL 0;1000\nSTATIONS\n", 20);
			len += 20;
		}
		send_all(fd, big, len);
		/* Some of the replies have come: reset in the middle of them. */
		if (recv(fd, buf, sizeof buf, MSG_WAITALL) <= 0) {
			close(fd);
			return result(kind, 0, "no reply before the reset");
		}
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		close(fd);
		return result(kind, 1, "%zu bytes of requests sent, reset after "
		    "%zu bytes of replies", len, sizeof buf);
	}
	die("unknown garbage kind \"%s\"", kind);
	return -1;
}

/* ---- churn: many processes, short sessions, rude endings ------------- */

/*
 * Counts the replies in a stream of lines: "OK n" and its n data lines,
 * or one "ERR" line, make one reply; notices ("* ...") between replies are
 * not replies.
 */
struct counter {
	char	 buf[65536];
	size_t	 len;
	long	 body;		/* data lines still due for the current OK */
	long	 replies;
	long	 notices;
};

static void
counter_line(struct counter *k, const char *line, size_t len)
{
	if (k->body > 0) {
		if (--k->body == 0)
			k->replies++;
	} else if (len >= 3 && memcmp(line, "OK ", 3) == 0) {
		if ((k->body = atol(line + 3)) <= 0) {
			k->body = 0;
			k->replies++;
		}
	} else if (len >= 3 && memcmp(line, "ERR", 3) == 0)
		k->replies++;
	else if (len >= 1 && line[0] == '*')
		k->notices++;
}

static void
counter_feed(struct counter *k, size_t n)
{
	char *p = k->buf, *end, *nl;

	k->len += n;
	end = k->buf + k->len;
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		counter_line(k, p, (size_t)(nl - p));
		p = nl + 1;
	}
	if (p == k->buf && k->len == sizeof k->buf)
		p = end;	/* a line longer than the buffer: not ours */
	k->len = (size_t)(end - p);
	memmove(k->buf, p, k->len);
}

/*
 * Read and count replies until want have come, the connection ends, or
 * wait_ms pass; returns how it ended: "all", "eof", "reset" or "timeout".
 */
static const char *
counter_read(int fd, struct counter *k, long want, int64_t wait_ms)
{
	int64_t end = now_ms() + wait_ms;
	ssize_t n;

	while (k->replies < want) {
		if (now_ms() > end)
			return "timeout";
		n = recv(fd, k->buf + k->len, sizeof k->buf - k->len, 0);
		if (n == 0)
			return "eof";
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			return "reset";
		}
		counter_feed(k, (size_t)n);
	}
	return "all";
}

static void
rst_close(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(fd);
}

/* A short receive timeout, so that a churning client never waits long. */
static void
quick(int fd, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static unsigned
rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

/*
 * How a churning session ends: 0 QUIT and read to the end, 1 a reset, 2 a
 * half-close and read to the end, 3 a plain close at once.
 */
static void
churn_end(int fd, unsigned how)
{
	struct counter *k;

	if (how == 3) {
		close(fd);
		return;
	}
	if (how == 1) {
		rst_close(fd);
		return;
	}
	if (how == 2)
		shutdown(fd, SHUT_WR);
	else
		send_all(fd, "QUIT\n", 5);
	if ((k = calloc(1, sizeof *k)) != NULL) {
		quick(fd, 2000);
		counter_read(fd, k, 1L << 30, 3000);
		free(k);
	}
	close(fd);
}

/*
 * One churning session of the given kind; proc and iter make its nickname.
 *   whorst  WHO, then at once a reset
 *   chat    NAME, WHO, MSG to everyone and to a neighbour, the answers
 *           read, then a normal close, after QUIT or not
 *   mix     one of: a chat ended by QUIT, a reset or a half-close (maybe
 *           before the answers came); NEXT/WHO then a reset; NAME then a
 *           reset; a pipelined burst of HELP (about 1 KB a reply) read
 *           partly, then a reset or a half-close
 */
static int
churn_one(const char *kind, unsigned proc, unsigned iter, unsigned *seed)
{
	char req[512], *burst;
	struct counter *k;
	unsigned what, n, i;
	size_t len;
	int fd, r;

	if ((fd = dial()) == -1)
		return -1;
	if (strcmp(kind, "whorst") == 0) {
		send_all(fd, "WHO\n", 4);
		rst_close(fd);
		return 0;
	}
	what = strcmp(kind, "chat") == 0 ? 0 : rnd(seed, 8);
	if (what <= 3) {
		r = snprintf(req, sizeof req, "NAME c%u_%u\nWHO\nMSG @all hi from %u\n"
		    "MSG @c%u_%u hello\nNEXT Valence;Grenoble;07:00\n",
		    proc, iter % 3, proc, proc + 1, iter % 3);
		send_all(fd, req, (size_t)r);
		if (what == 3) {	/* gone before the answers */
			churn_end(fd, 1 + rnd(seed, 2));
			return 0;
		}
		if ((k = calloc(1, sizeof *k)) != NULL) {
			quick(fd, 2000);
			counter_read(fd, k, 5, 5000);
			free(k);
		}
		churn_end(fd, what == 0 ? 3 * rnd(seed, 2) : what);
		return 0;
	}
	if (what == 4) {
		const char *q = rnd(seed, 2) ? "WHO\n" :
		    "NEXT Valence;Grenoble;07:00\n";

		send_all(fd, q, strlen(q));
		rst_close(fd);
		return 0;
	}
	if (what == 5) {
		r = snprintf(req, sizeof req, "NAME c%u_%u\n", proc, iter % 3);
		send_all(fd, req, (size_t)r);
		rst_close(fd);
		return 0;
	}
	/* A burst of 200 to 2,200 HELP, about 1 KB of reply each. */
	n = 200 + rnd(seed, 2000);
	len = (size_t)n * 5;
	if ((burst = malloc(len)) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		memcpy(burst + (size_t)i * 5, "HELP\n", 5);
	send_all(fd, burst, len);
	free(burst);
	if ((k = calloc(1, sizeof *k)) != NULL) {
		quick(fd, 2000);
		counter_read(fd, k, (long)rnd(seed, n), 5000);
		free(k);
	}
	churn_end(fd, 1 + rnd(seed, 2));
	return 0;
}

/*
 * procs processes each run sessions of kind back to back for seconds;
 * exits 1 when a process could never connect.
 */
static int
churn(const char *kind, long procs, double seconds)
{
	int64_t end = now_ms() + (int64_t)(seconds * 1000);
	long p, ok = 0, total = 0;
	pid_t pid;
	int st;

	for (p = 0; p < procs; p++) {
		if ((pid = fork()) == -1)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			unsigned seed = (unsigned)getpid(), iter = 0, good = 0;

			while (now_ms() < end && !stop && iter < 1000000) {
				if (churn_one(kind, (unsigned)p, iter, &seed) == 0)
					good++;
				iter++;
			}
			printf("churn %s: process %ld: %u sessions, %u connected\n",
			    kind, p, iter, good);
			fflush(stdout);
			_exit(good > 0 ? 0 : 1);
		}
	}
	while ((pid = wait(&st)) != -1 || errno == EINTR)
		if (pid != -1) {
			total++;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				ok++;
		}
	return result(kind, ok == total && total == procs,
	    "%ld processes for %.1f s, %ld connected", procs, seconds, ok);
}

/*
 * One connection sends count copies of the request line cmd without waiting
 * (nor half-closing), says so in ready_file, waits pause_ms without reading,
 * then reads until every reply has come: all must, within GARBAGE_WAIT_S.
 */
static int
pipeline(const char *cmd, long count, long pause_ms, const char *ready_file)
{
	size_t cl = strlen(cmd), len = 0;
	struct counter *k;
	const char *how;
	FILE *f;
	char *req;
	long i;
	int fd;

	if ((req = malloc((cl + 1) * (size_t)count)) == NULL ||
	    (k = calloc(1, sizeof *k)) == NULL)
		die("out of memory");
	for (i = 0; i < count; i++) {
		memcpy(req + len, cmd, cl);
		req[len + cl] = '\n';
		len += cl + 1;
	}
	if ((fd = dial()) == -1)
		return result("pipeline", 0, "connect: %s", strerror(errno));
	/* Sent from a child, so that the replies are read while it sends. */
	if (pause_ms == 0 && fork() == 0) {
		send_all(fd, req, len);
		_exit(0);
	} else if (pause_ms > 0) {
		send_all(fd, req, len);
		if (ready_file != NULL && (f = fopen(ready_file, "w")) != NULL) {
			fprintf(f, "sent %zu bytes\n", len);
			fclose(f);
		}
		usleep((useconds_t)pause_ms * 1000);
	}
	how = counter_read(fd, k, count, GARBAGE_WAIT_S * 1000);
	close(fd);
	while (wait(NULL) > 0 || errno == EINTR)
		continue;
	free(req);
	i = k->replies;
	free(k);
	return result("pipeline", i == count, "%ld of %ld \"%s\" answered (%s)",
	    i, count, cmd, how);
}

int
main(int argc, char **argv)
{
	struct addrinfo hints;
	struct rlimit rl;
	struct sigaction sa;
	const char *ready_file = NULL, *gkind = NULL, *cmd = "HELP";
	long nslow = 0, nmute = 0, nconn = 0, ngarbage = -1, pause_ms = 0, i;
	double seconds = 30;
	int c, e, status = 0;

	while ((c = getopt(argc, argv, "c:d:g:h:m:n:p:r:s:w:x:")) != -1)
		switch (c) {
		case 'c': nconn = atol(optarg); break;
		case 'd': seconds = atof(optarg); break;
		case 'g': gkind = optarg; break;
		case 'h': host = optarg; break;
		case 'm': nmute = atol(optarg); break;
		case 'n': ngarbage = atol(optarg); break;
		case 'p': port = optarg; break;
		case 'r': ready_file = optarg; break;
		case 's': nslow = atol(optarg); break;
		case 'w': pause_ms = atol(optarg); break;
		case 'x': cmd = optarg; break;
		default: usage();
		}
	if (port == NULL || optind != argc || nslow < 0 || nmute < 0 ||
	    nconn < 0 || ngarbage == 0 || ngarbage < -1 || seconds <= 0 ||
	    pause_ms < 0)
		usage();
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((e = getaddrinfo(host, port, &hints, &addr)) != 0)
		die("%s:%s: %s", host, port, gai_strerror(e));

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (gkind != NULL && (strcmp(gkind, "whorst") == 0 ||
	    strcmp(gkind, "chat") == 0 || strcmp(gkind, "mix") == 0))
		return churn(gkind, ngarbage > 0 ? ngarbage : 4, seconds) == 0 ? 0 : 1;
	if (gkind != NULL && strcmp(gkind, "pipeline") == 0)
		return pipeline(cmd, ngarbage > 0 ? ngarbage : 1000, pause_ms,
		    ready_file) == 0 ? 0 : 1;
	if (ngarbage < 0)
		ngarbage = 1;
	if (gkind != NULL) {
		for (i = 0; i < ngarbage && !stop; i++)
			if (garbage(gkind, (unsigned)(i + 1)) == -1)
				status = 1;
		return status;
	}
	/* Room for every socket: the soft limit up to the hard one. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)(nslow + nmute + nconn + 16))
		die("%ld connections need a limit on open files above %lu "
		    "(ulimit -Hn)", nslow + nmute + nconn,
		    (unsigned long)rl.rlim_cur);
	return hold(nslow, nmute, nconn, seconds, ready_file);
}

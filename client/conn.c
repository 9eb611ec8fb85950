/*
 * conn.c — the connection to trainsrv: connect to every address
 * getaddrinfo(3) returns, send a request, read its reply framed by "OK n"
 * or "ERR", pass notices on, and after "* reload" or a dropped connection
 * reconnect and resend a read-only request once.  Each line taken from the
 * server is sanitised (wire_sanitize_n) before anything else sees it: the
 * server's text reaches the terminal only that way.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client/client.h"
#include "ipc/wire.h"

#define CONN_LINE_MAX	(1024 * 1024)	/* longest reply line we take */
#define CONNECT_MS	10000		/* per address */
#define REPLY_MS	30000		/* for a whole reply */
#define QUIT_MS		2000
#define RECONNECT_MS	5000		/* keep trying for this long */
#define RETRY_MS	100
#define RELOADS_MAX	8		/* "* reload" in a row for one request */
#define RENICK_TRIES	20		/* NAME again, RETRY_MS apart */

struct conn {
	char		*host;
	char		*port;
	int		 fd;		/* -1: not connected */
	char		*buf;		/* received, not yet taken */
	size_t		 len;
	size_t		 cap;
	conn_notice_fn	 notice;
	char		 err[512];
	char		 nick[17];	/* taken again after a reconnection */
};

/* What reading a reply gave. */
enum {
	RR_OK = 0,	/* a whole reply */
	RR_DROP = -1,	/* connection gone: reconnect, resend once */
	RR_RELOAD = -2,	/* "* reload": the request was not read; resend */
	RR_FAIL = -3	/* protocol error or timeout: c->err says */
};

/* Notices. */
enum {
	N_OTHER,
	N_RELOAD
};

struct conn *
conn_new(const char *host, const char *port, conn_notice_fn notice)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->host = strdup(host);
	c->port = strdup(port);
	c->cap = 8192;
	c->buf = malloc(c->cap);
	if (c->host == NULL || c->port == NULL || c->buf == NULL) {
		free(c->host);
		free(c->port);
		free(c->buf);
		free(c);
		return NULL;
	}
	c->fd = -1;
	c->notice = notice;
	return c;
}

int
conn_fd(const struct conn *c)
{
	return c->fd;
}

const char *
conn_error(const struct conn *c)
{
	return c->err;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		(void)close(c->fd);	/* nothing to do about a failure */
	c->fd = -1;
	c->len = 0;
}

void
conn_free(struct conn *c)
{
	conn_close(c);
	free(c->host);
	free(c->port);
	free(c->buf);
	free(c);
}

/* "Connection refused" -> "connection refused", as the user reads it. */
static void
set_error(struct conn *c, const char *what, const char *why)
{
	size_t off;

	off = (size_t)snprintf(c->err, sizeof(c->err), "%s %s:%s: ",
	    what, c->host, c->port);
	if (off >= sizeof(c->err))
		return;
	snprintf(c->err + off, sizeof(c->err) - off, "%s", why);
	c->err[off] = (char)tolower((unsigned char)c->err[off]);
}

/* Connect to one address within CONNECT_MS; the socket ends up blocking. */
static int
connect_one(const struct addrinfo *ai)
{
	struct pollfd pfd;
	long long deadline, left;
	socklen_t len;
	int fd, e, r, fl, save;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		if (errno != EINPROGRESS && errno != EINTR)
			goto fail;
		deadline = now_ms() + CONNECT_MS;
		for (;;) {
			if ((left = deadline - now_ms()) <= 0) {
				errno = ETIMEDOUT;
				goto fail;
			}
			pfd.fd = fd;
			pfd.events = POLLOUT;
			r = xpoll(&pfd, 1, (int)left);
			if (r == -1 && errno != EINTR)
				goto fail;
			if (r == 1)
				break;
		}
		len = sizeof(e);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
			goto fail;
		if (e != 0) {
			errno = e;
			goto fail;
		}
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		goto fail;
	return fd;
fail:
	save = errno;
	close(fd);
	errno = save;
	return -1;
}

/* Connect, trying every address in turn; c->err says why not. */
int
conn_open(struct conn *c)
{
	struct addrinfo hints, *res, *ai;
	int r, e = ECONNREFUSED;

	conn_close(c);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(c->host, c->port, &hints, &res)) != 0) {
		set_error(c, "cannot connect to", r == EAI_SYSTEM ?
		    strerror(errno) : gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((c->fd = connect_one(ai)) != -1)
			break;
		e = errno;
	}
	freeaddrinfo(res);
	if (c->fd == -1) {
		set_error(c, "cannot connect to", strerror(e));
		return -1;
	}
	return 0;
}

static int	conn_send(struct conn *, const char *);
static int	conn_reply(struct conn *, struct reply *, int);

void
conn_set_nick(struct conn *c, const char *nick)
{
	snprintf(c->nick, sizeof(c->nick), "%s", nick);
}

/*
 * A new connection is a new session: ask for our nickname again (it is no
 * message, so nothing is sent twice); if someone took it meanwhile, the
 * next NAME the user types says so.
 */
static void
conn_renick(struct conn *c)
{
	char cmd[32];
	struct reply r;
	int tries;

	if (c->nick[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "NAME %s", c->nick);
	/*
	 * Our old session may hold the name until its worker sees the old
	 * connection closed: a conflict is tried again for a little while.
	 */
	for (tries = 0; tries < RENICK_TRIES; tries++) {
		if (conn_send(c, cmd) == -1 ||
		    conn_reply(c, &r, REPLY_MS) != RR_OK)
			return;
		if (r.ok || r.code != WIRE_ECONFLICT ||
		    tries + 1 == RENICK_TRIES)
			break;
		reply_free(&r);
		if (xpoll(NULL, 0, RETRY_MS) == -1 && errno != EINTR)
			return;
	}
	if (!r.ok)
		ui_notice("* could not take the nickname %s again: %s",
		    c->nick, r.msg);
	reply_free(&r);
}

/* Reconnect, retrying for RECONNECT_MS (a server restarting). */
static int
conn_reconnect(struct conn *c)
{
	long long deadline = now_ms() + RECONNECT_MS;

	for (;;) {
		if (conn_open(c) == 0) {
			conn_renick(c);
			return 0;
		}
		if (now_ms() >= deadline)
			return -1;
		if (xpoll(NULL, 0, RETRY_MS) == -1 && errno != EINTR)
			return -1;
	}
}

/* Read what is there; >0 bytes, 0 on EOF, -1 on error (reset). */
static ssize_t
conn_fill(struct conn *c)
{
	char *nb;
	ssize_t n;

	if (c->cap - c->len < 4096) {
		if ((nb = realloc(c->buf, c->cap * 2)) == NULL)
			die("conn_fill: out of memory");
		c->buf = nb;
		c->cap *= 2;
	}
	do
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		c->len += (size_t)n;
	return n;
}

/*
 * Take one whole line (LF removed, sanitised) into a malloc(3)ed
 * string: 1 if taken, 0 if none is complete yet, -1 if too long.
 */
static int
conn_getline(struct conn *c, char **line)
{
	char *nl;
	size_t n;

	if ((nl = memchr(c->buf, '\n', c->len)) == NULL)
		return c->len >= CONN_LINE_MAX ? -1 : 0;
	n = (size_t)(nl - c->buf);
	if ((*line = malloc(n + 1)) == NULL)
		die("conn_getline: out of memory");
	/*
	 * Every byte from the server reaches the terminal through here, so
	 * this is where it is made printable: a CR, an escape, a C1 or bidi
	 * control, invalid UTF-8 or a NUL never get further (wire.h).
	 */
	wire_sanitize_n(*line, n + 1, c->buf, n);
	c->len -= n + 1;
	memmove(c->buf, nl + 1, c->len);
	return 1;
}

static int
conn_notice(struct conn *c, const char *line)
{
	const char *text = line + 2;

	c->notice(text);
	return strcmp(text, "reload") == 0 ? N_RELOAD : N_OTHER;
}

/*
 * The socket is readable while no request waits: take notices; "* reload"
 * or a closed connection means reconnecting (now, or at the next request).
 */
void
conn_pump(struct conn *c)
{
	enum wire_kind k;
	char *line;
	long n;
	int r;

	if (c->fd == -1)
		return;
	if (conn_fill(c) <= 0) {
		conn_close(c);
		return;
	}
	while ((r = conn_getline(c, &line)) == 1) {
		k = wire_status(line, strlen(line), &n);
		if (k == WIRE_NOTICE && conn_notice(c, line) == N_RELOAD) {
			free(line);
			/*
			 * The new session takes our nickname again, as a
			 * reconnection before a request does; failing that,
			 * the next request reconnects.
			 */
			if (conn_reconnect(c) == -1)
				conn_close(c);
			return;
		}
		free(line);		/* a stray line: nobody asked */
	}
	if (r == -1)
		conn_close(c);
}

/* Take whatever already arrived (a notice) without waiting. */
static void
conn_drain(struct conn *c)
{
	struct pollfd pfd;

	while (c->fd != -1) {
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if (xpoll(&pfd, 1, 0) != 1)
			return;
		conn_pump(c);
	}
}

static int
conn_send(struct conn *c, const char *cmd)
{
	size_t len = strlen(cmd), off = 0;
	char *line;
	ssize_t n;

	if ((line = malloc(len + 2)) == NULL)
		die("conn_send: out of memory");
	memcpy(line, cmd, len);
	line[len++] = '\n';
	while (off < len) {
		n = send(c->fd, line + off, len - off, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			free(line);
			return -1;
		}
		off += (size_t)n;
	}
	free(line);
	return 0;
}

void
reply_free(struct reply *r)
{
	size_t i;

	for (i = 0; i < r->nlines; i++)
		free(r->lines[i]);
	free(r->lines);
	free(r->status);
	memset(r, 0, sizeof(*r));
}

/* One line of a reply: its status line or one of its data lines. */
static int
reply_add(struct conn *c, struct reply *r, char *line, long *want)
{
	const char *p;
	long n;
	int k;

	if (r->status != NULL) {
		r->lines[r->nlines++] = line;
		return r->nlines == (size_t)*want;
	}
	switch (wire_status(line, strlen(line), &n)) {
	case WIRE_NOTICE:
		k = conn_notice(c, line);
		free(line);
		return k == N_RELOAD ? RR_RELOAD : 0;
	case WIRE_OK:
		r->ok = 1;
		r->status = line;
		*want = n;
		if (n > 0 && (r->lines = calloc((size_t)n,
		    sizeof(*r->lines))) == NULL)
			die("reply_add: out of memory");
		return n == 0;
	case WIRE_ERR:
		r->ok = 0;
		r->code = n;
		r->status = line;
		p = line + 4;
		p += strcspn(p, " ");
		r->msg = p + strspn(p, " ");
		return 1;
	default:
		/* At most 60 bytes of it, never half a character. */
		wire_sanitize_n(line, 61, line, strlen(line));
		snprintf(c->err, sizeof(c->err), "unexpected line from "
		    "%s:%s: \"%s\"", c->host, c->port, line);
		free(line);
		return RR_FAIL;
	}
}

/* Read one reply, passing notices on, within ms. */
static int
conn_reply(struct conn *c, struct reply *r, int ms)
{
	long long deadline = now_ms() + ms, left;
	struct pollfd pfd;
	char *line;
	long want = 0;
	int g, a;

	memset(r, 0, sizeof(*r));
	for (;;) {
		while ((g = conn_getline(c, &line)) == 1) {
			if ((a = reply_add(c, r, line, &want)) == 1)
				return RR_OK;
			if (a < 0) {
				reply_free(r);
				return a;
			}
		}
		if (g == -1) {
			snprintf(c->err, sizeof(c->err), "line too long from "
			    "%s:%s", c->host, c->port);
			reply_free(r);
			return RR_FAIL;
		}
		if ((left = deadline - now_ms()) <= 0) {
			snprintf(c->err, sizeof(c->err), "no reply from %s:%s "
			    "within %d s", c->host, c->port, ms / 1000);
			reply_free(r);
			return RR_FAIL;
		}
		pfd.fd = c->fd;
		pfd.events = POLLIN;
		if ((g = xpoll(&pfd, 1, (int)left)) == -1 && errno != EINTR) {
			snprintf(c->err, sizeof(c->err), "conn_reply: ppoll: %s",
			    strerror(errno));
			reply_free(r);
			return RR_FAIL;
		}
		if (g <= 0)
			continue;
		if (conn_fill(c) <= 0) {
			reply_free(r);
			return RR_DROP;
		}
	}
}

/*
 * Send cmd and read its reply into r.  When the connection drops before
 * the reply, reconnect and, if resend, send it once more.  A "* reload"
 * before the reply says the request was not read, so it is sent again
 * (a reconnection may land on another retiring worker: a few times).
 * -1 when there is no reply: conn_error() says why.
 */
int
conn_query(struct conn *c, const char *cmd, int resend, struct reply *r)
{
	int drops = 0, reloads = 0, st;

	for (;;) {
		snprintf(c->err, sizeof(c->err), "lost the connection to "
		    "%s:%s", c->host, c->port);
		conn_drain(c);
		if (c->fd == -1 && conn_reconnect(c) == -1)
			return -1;
		if (conn_send(c, cmd) == -1)
			st = RR_DROP;
		else if ((st = conn_reply(c, r, REPLY_MS)) == RR_OK)
			return 0;
		conn_close(c);
		if (st == RR_FAIL || !resend)
			return -1;
		if (st == RR_RELOAD ? ++reloads > RELOADS_MAX : ++drops > 1)
			return -1;
	}
}

/* Say goodbye: QUIT, wait briefly for its "OK 0", close. */
void
conn_quit(struct conn *c)
{
	struct reply r;

	conn_drain(c);
	if (c->fd == -1)
		return;
	if (conn_send(c, "QUIT") == 0 && conn_reply(c, &r, QUIT_MS) == RR_OK)
		reply_free(&r);
	conn_close(c);
}

/* Requests that change nothing and can be sent twice. */
int
command_is_readonly(const char *cmd)
{
	static const char *const ro[] = {
		"HELP", "PING", "ECHO", "ALL", "NEXT", "WINDOW", "BEST",
		"DEPARTURES", "STATIONS", "WHO", NULL
	};
	size_t i, n;

	cmd += strspn(cmd, " \t");
	n = strcspn(cmd, " \t\r");
	for (i = 0; ro[i] != NULL; i++)
		if (strlen(ro[i]) == n && strncasecmp(cmd, ro[i], n) == 0)
			return 1;
	return 0;
}

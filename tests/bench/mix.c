/*
 * mix.c — the requests trainsrv-bench sends.
 *
 * Three sources: one raw line (--raw, for servers that do not speak the
 * trainsrv protocol), the lines of a file (-f, cycled), or by default a
 * realistic mix over the timetable the server has loaded.  For the mix we
 * ask the server for its STATIONS once, then draw station pairs, times and
 * commands from a seeded generator, so that two runs with the same seed
 * send the same requests in the same order.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ipc/wire.h"
#include "tests/bench/bench.h"

#define MIX_UNBOUNDED	100000000L	/* "any count" (wire_status caps at 9 digits) */

static void *
xmalloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL) {
		perror("trainsrv-bench: malloc");
		exit(1);
	}
	return p;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* splitmix64: small, fast, and good enough to pick stations. */
static uint64_t
mix_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Field i (0-based) of args as a count, or def when absent or not a number. */
static long
mix_field_count(const char *args, size_t i, long def, long max)
{
	char buf[WIRE_LINE_MAX + 1], *f[8], *end;
	size_t nf;
	long v;

	snprintf(buf, sizeof(buf), "%s", args);
	nf = wire_split(buf, ';', f, 7);
	if (i >= nf || nf > 7 || f[i][0] == '\0')
		return def;
	v = strtol(f[i], &end, 10);
	if (*end != '\0' || v < 0)
		return def;
	return v > max ? max : v;
}

/*
 * Make a request of one protocol line (no terminator): note its command so
 * that check.c knows what a correct reply looks like.
 */
static void
mix_req(struct req *r, const char *text)
{
	size_t len = strlen(text), wl, al;
	const char *args;
	char *a;

	memset(r, 0, sizeof(*r));
	r->line = xmalloc(len + 2);
	memcpy(r->line, text, len);
	r->line[len] = '\n';
	r->line[len + 1] = '\0';
	r->len = len + 1;
	r->max_lines = MIX_UNBOUNDED;

	while (*text == ' ' || *text == '\t')
		text++;
	wl = strcspn(text, " \t");
	args = text + wl;
	args += strspn(args, " \t");
	al = strlen(args);
	a = wire_trim((char *)args, &al);	/* only reads: len is ours */

	if (wl == 4 && strncasecmp(text, "PING", 4) == 0 && al == 0) {
		r->cmd = CMD_PING;
		r->expect = xstrndup("PONG", 4);
		r->expect_len = 4;
	} else if (wl == 4 && strncasecmp(text, "ECHO", 4) == 0 && al > 0) {
		r->cmd = CMD_ECHO;
		r->expect = xstrndup(a, al);
		r->expect_len = al;
	} else if ((wl == 4 && strncasecmp(text, "NEXT", 4) == 0) ||
	    (wl == 4 && strncasecmp(text, "BEST", 4) == 0)) {
		r->cmd = CMD_TRAINS;
		r->max_lines = 1;
	} else if (wl == 6 && strncasecmp(text, "WINDOW", 6) == 0) {
		r->cmd = CMD_TRAINS;
	} else if (wl == 10 && strncasecmp(text, "DEPARTURES", 10) == 0) {
		r->cmd = CMD_TRAINS;
		r->max_lines = mix_field_count(args, 2, 10, 1000);
	} else if (wl == 3 && strncasecmp(text, "ALL", 3) == 0) {
		r->cmd = CMD_TRAINS;
		r->max_lines = mix_field_count(args, 1, 100, 1000);
	} else if (wl == 8 && strncasecmp(text, "STATIONS", 8) == 0) {
		r->cmd = CMD_STATIONS;
	} else if (wl == 4 && strncasecmp(text, "QUIT", 4) == 0) {
		r->cmd = CMD_QUIT;
	} else
		r->cmd = CMD_OTHER;
}

static void
mix_push(struct mix *m, size_t *cap, const char *text)
{
	if (m->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		m->reqs = realloc(m->reqs, *cap * sizeof(*m->reqs));
		if (m->reqs == NULL) {
			perror("trainsrv-bench: realloc");
			exit(1);
		}
	}
	mix_req(&m->reqs[m->n++], text);
}

static int
mix_file(struct mix *m, const char *path)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0, lcap = 0, len;
	ssize_t n;

	fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (fp == NULL) {
		fprintf(stderr, "trainsrv-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &lcap, fp)) != -1) {
		len = (size_t)n;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		mix_push(m, &cap, line);
	}
	free(line);
	if (ferror(fp)) {
		fprintf(stderr, "trainsrv-bench: %s: read error\n", path);
		return -1;
	}
	if (fp != stdin)
		fclose(fp);
	if (m->n == 0) {
		fprintf(stderr, "trainsrv-bench: %s: no request lines\n", path);
		return -1;
	}
	return 0;
}

/* ---- asking the server for its stations ---- */

struct lreader {
	int	 fd;
	int	 timeout_ms;
	char	*buf;
	size_t	 len, off, cap;
};

/* The next line (LF and CR removed, NUL-terminated) or NULL on EOF/error. */
static char *
lreader_line(struct lreader *lr, size_t *lenp)
{
	struct pollfd pfd;
	char *nl, *line;
	ssize_t n;
	int rc;

	for (;;) {
		nl = memchr(lr->buf + lr->off, '\n', lr->len - lr->off);
		if (nl != NULL) {
			line = lr->buf + lr->off;
			*lenp = (size_t)(nl - line);
			lr->off += *lenp + 1;
			if (*lenp > 0 && line[*lenp - 1] == '\r')
				(*lenp)--;
			line[*lenp] = '\0';
			return line;
		}
		if (lr->off > 0) {
			memmove(lr->buf, lr->buf + lr->off, lr->len - lr->off);
			lr->len -= lr->off;
			lr->off = 0;
		}
		if (lr->cap - lr->len < 4096) {
			lr->cap *= 2;
			if ((lr->buf = realloc(lr->buf, lr->cap)) == NULL) {
				perror("trainsrv-bench: realloc");
				exit(1);
			}
		}
		pfd.fd = lr->fd;
		pfd.events = POLLIN;
		rc = poll(&pfd, 1, lr->timeout_ms);
		if (rc == -1 && errno == EINTR && !bench_stop)
			continue;
		if (rc <= 0) {
			fprintf(stderr, "trainsrv-bench: STATIONS: %s\n",
			    rc == 0 ? "timed out" : strerror(errno));
			return NULL;
		}
		n = read(lr->fd, lr->buf + lr->len, lr->cap - lr->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "trainsrv-bench: STATIONS: %s\n",
			    n == 0 ? "connection closed" : strerror(errno));
			return NULL;
		}
		lr->len += (size_t)n;
	}
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Connect, with the same timeout as the run's requests. */
static int
mix_connect(const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd pfd;
	socklen_t sl = sizeof(int);
	int fd, err = 0, rc;

	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 && errno != EINPROGRESS)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc == -1 && errno == EINTR && !bench_stop);
	if (rc <= 0) {
		errno = rc == 0 ? ETIMEDOUT : errno;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &sl) == -1)
		goto fail;
	if (err != 0) {
		errno = err;
		goto fail;
	}
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* The server's station names, in its order; -1 on any trouble. */
static int
mix_stations(const struct addrinfo *ai, int timeout_ms, char ***namesp, size_t *np)
{
	struct lreader lr = { .timeout_ms = timeout_ms, .cap = 65536 };
	char *line, **names = NULL;
	size_t len, i = 0;
	long n = 0;
	enum wire_kind k;
	int rc = -1;

	if ((lr.fd = mix_connect(ai, timeout_ms)) == -1) {
		fprintf(stderr, "trainsrv-bench: connect: %s\n", strerror(errno));
		return -1;
	}
	lr.buf = xmalloc(lr.cap);
	if (write_all(lr.fd, "STATIONS\n", 9) == -1) {
		fprintf(stderr, "trainsrv-bench: STATIONS: %s\n", strerror(errno));
		goto out;
	}
	do {	/* the greeting and any notice come first */
		if ((line = lreader_line(&lr, &len)) == NULL)
			goto out;
	} while ((k = wire_status(line, len, &n)) == WIRE_NOTICE);
	if (k != WIRE_OK) {
		fprintf(stderr, "trainsrv-bench: STATIONS: unexpected reply "
		    "\"%.80s\"\n", line);
		goto out;
	}
	names = xmalloc(((size_t)n + 1) * sizeof(*names));
	for (i = 0; i < (size_t)n; i++) {
		if ((line = lreader_line(&lr, &len)) == NULL)
			goto out;
		names[i] = xstrndup(line, len);
	}
	*namesp = names;
	*np = (size_t)n;
	names = NULL;
	rc = 0;
out:
	while (names != NULL && i > 0)
		free(names[--i]);
	free(names);
	free(lr.buf);
	close(lr.fd);
	return rc;
}

/* The first 1 to 3 characters of s, never cutting a UTF-8 sequence. */
static size_t
mix_prefix_len(const char *s, uint64_t r)
{
	size_t want = 1 + r % 3, chars = 0, i = 0;

	while (s[i] != '\0' && chars < want) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		chars++;
	}
	return i;
}

static void
mix_time(char *buf, size_t size, int minutes)
{
	if (minutes > 23 * 60 + 59)
		minutes = 23 * 60 + 59;
	snprintf(buf, size, "%02d:%02d", minutes / 60, minutes % 60);
}

/*
 * One request of the realistic mix: half NEXT, then WINDOW, BEST,
 * DEPARTURES, STATIONS by prefix, ALL and PING.  --mix next and --mix ping
 * narrow it to one command, for the scenarios that measure just that.
 */
static void
mix_one(char *buf, size_t size, const char *kind, char **st, size_t n,
    uint64_t *rs)
{
	uint64_t pick = mix_rand(rs) % 100;
	size_t a, b;
	int t;
	char t1[8], t2[8];

	if (strcmp(kind, "ping") == 0 || n == 0) {
		snprintf(buf, size, strcmp(kind, "ping") == 0 || pick < 50 ?
		    "PING" : "ALL 0;20");
		return;
	}
	if (strcmp(kind, "next") == 0)
		pick = 0;
	a = mix_rand(rs) % n;
	b = n > 1 ? mix_rand(rs) % (n - 1) : a;
	if (n > 1 && b >= a)
		b++;
	t = (int)(mix_rand(rs) % (24 * 60));
	mix_time(t1, sizeof(t1), t);
	mix_time(t2, sizeof(t2), t + 60 + (int)(mix_rand(rs) % 300));
	if (pick < 50)
		snprintf(buf, size, "NEXT %s;%s;%s", st[a], st[b], t1);
	else if (pick < 60)
		snprintf(buf, size, "WINDOW %s;%s;%s;%s", st[a], st[b], t1, t2);
	else if (pick < 70)
		snprintf(buf, size, "BEST %s;%s;%s", st[a], st[b],
		    mix_rand(rs) & 1 ? "price" : "duration");
	else if (pick < 80)
		snprintf(buf, size, "DEPARTURES %s;%s", st[a], t1);
	else if (pick < 87)
		snprintf(buf, size, "STATIONS %.*s",
		    (int)mix_prefix_len(st[a], mix_rand(rs)), st[a]);
	else if (pick < 94)
		snprintf(buf, size, "ALL 0;20");
	else
		snprintf(buf, size, "PING");
}

static int
mix_default(struct mix *m, const struct bench_opts *o, const struct addrinfo *ai)
{
	char **st, buf[WIRE_LINE_MAX + 1];
	size_t n, i, cap = 0;
	uint64_t rs = o->seed;

	if (strcmp(o->mix_kind, "ping") == 0)
		n = 0, st = NULL;	/* no need to ask */
	else if (mix_stations(ai, (int)(o->timeout * 1000), &st, &n) == -1)
		return -1;
	if (n == 0 && st != NULL)
		fprintf(stderr, "trainsrv-bench: the server has no stations; "
		    "sending PING and ALL only\n");
	for (i = 0; i < (size_t)o->mix_size; i++) {
		mix_one(buf, sizeof(buf), o->mix_kind, st, n, &rs);
		mix_push(m, &cap, buf);
	}
	for (i = 0; i < n; i++)
		free(st[i]);
	free(st);
	return 0;
}

int
mix_build(struct mix *m, const struct bench_opts *o, const struct addrinfo *ai)
{
	size_t len;

	memset(m, 0, sizeof(*m));
	if (o->raw != NULL) {
		/* CRLF: what line-based servers (redis inline commands) expect. */
		len = strlen(o->raw);
		m->raw = 1;
		m->reqs = xmalloc(sizeof(*m->reqs));
		memset(m->reqs, 0, sizeof(*m->reqs));
		m->reqs[0].line = xmalloc(len + 3);
		memcpy(m->reqs[0].line, o->raw, len);
		memcpy(m->reqs[0].line + len, "\r\n", 3);
		m->reqs[0].len = len + 2;
		m->reqs[0].cmd = CMD_RAW;
		m->reqs[0].max_lines = 1;
		m->n = 1;
		return 0;
	}
	if (o->file != NULL)
		return mix_file(m, o->file);
	return mix_default(m, o, ai);
}

void
mix_free(struct mix *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->reqs[i].line);
		free(m->reqs[i].expect);
	}
	free(m->reqs);
	memset(m, 0, sizeof(*m));
}

/*
 * sessions.c — many sessions at once, for tests/bats/routing.bats and
 * control.bats (issue 12, findings 3 to 5).  Every mode is bounded in
 * count and in time.
 *
 *   sessions -p PORT namerst NICK COUNT
 *	COUNT times: connect, send "NAME NICK" and reset the connection at
 *	once (SO_LINGER {1, 0}), so that the session is gone while its NAME
 *	is on the way to the master.
 *
 *   sessions -p PORT who SESSIONS ASKERS SECONDS
 *	open SESSIONS idle sessions (fewer if RLIMIT_NOFILE, raised to its
 *	hard limit, does not allow them: it says so), then send WHO on ASKERS
 *	of them at once and read every reply for at most SECONDS; then PING
 *	on each asker.  Prints one line:
 *	"sessions=N asked=N ok=N busy=N other=N unanswered=N pong=N".
 *
 *   sessions -p PORT msg NICK SENDERS PER SECONDS
 *	open SENDERS sessions, each sending PER "MSG @NICK ..." at once; read
 *	every reply for at most SECONDS, then PING each.  Prints one line:
 *	"senders=N sent=N ok=N busy=N other=N unanswered=N pong=N".
 *
 *   sessions ctlhold PATH COUNT SECONDS
 *	open COUNT connections to the control socket PATH, each sending half
 *	a command ("li", no newline), and wait at most SECONDS for the server
 *	to close them.  Prints "closed=K of N after MS ms".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_TOOL	512

struct sess {
	int	fd;
	int	state;		/* 0 greeting, 1 status line, 2 data lines, 3 done */
	long	left;		/* data lines still to come */
	int	result;		/* last: 0 none, 1 OK, 2 ERR 503, 3 other */
	long	expect;		/* replies still to come */
	long	nok, nbusy, nother;
	int	pong;
	char	line[LINE_MAX_TOOL];
	size_t	len;
};

static unsigned port;

static long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "sessions: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
tcp_connect(void)
{
	struct sockaddr_in sin;
	int fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int
namerst(const char *nick, long count)
{
	struct linger lg = { 1, 0 };
	char req[64];
	long i, done = 0;
	int fd, n;

	n = snprintf(req, sizeof req, "NAME %s\n", nick);
	for (i = 0; i < count; i++) {
		if ((fd = tcp_connect()) == -1)
			continue;
		if (write_all(fd, req, (size_t)n) == 0)
			done++;
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		close(fd);
	}
	printf("sent=%ld\n", done);
	return 0;
}

/* One complete line of s's reply; advances its state. */
static void
on_line(struct sess *s, const char *line)
{
	long n;

	switch (s->state) {
	case 0:
		if (strncmp(line, "* ", 2) == 0)
			s->state = 1;
		return;
	case 1:
		if (strncmp(line, "* ", 2) == 0)
			return;			/* a notice */
		if (sscanf(line, "OK %ld", &n) == 1) {
			s->result = 1;
			s->nok++;
			s->left = n;
		} else {
			s->result = strncmp(line, "ERR 503 ", 8) == 0 ? 2 : 3;
			if (s->result == 2)
				s->nbusy++;
			else
				s->nother++;
			s->left = 0;
		}
		s->expect--;
		s->state = s->left > 0 ? 2 : s->expect > 0 ? 1 : 3;
		return;
	case 2:
		if (--s->left == 0)
			s->state = s->expect > 0 ? 1 : 3;
		return;
	default:
		if (strcmp(line, "PONG") == 0)
			s->pong = 1;
	}
}

/* Read what s has; -1 at EOF or error. */
static int
on_read(struct sess *s)
{
	char buf[65536];
	ssize_t n, i;

	if ((n = read(s->fd, buf, sizeof buf)) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (buf[i] != '\n') {
			if (s->len < sizeof s->line - 1)
				s->line[s->len++] = buf[i];
			continue;
		}
		s->line[s->len] = '\0';
		s->len = 0;
		on_line(s, s->line);
	}
	return 0;
}

/* Poll the sessions until done(s) holds for all of them, or the time is up. */
static void
pump(struct sess *ss, long n, long deadline, int want)
{
	struct pollfd *pfd = calloc((size_t)n, sizeof *pfd);
	long i, pending;

	if (pfd == NULL)
		die("calloc");
	for (;;) {
		pending = 0;
		for (i = 0; i < n; i++) {
			int done = want == 0 ? ss[i].state >= 1 :
			    want == 1 ? ss[i].state == 3 : ss[i].pong;
			pfd[i].fd = done || ss[i].fd == -1 ? -1 : ss[i].fd;
			pfd[i].events = POLLIN;
			pending += pfd[i].fd != -1;
		}
		if (pending == 0 || ms_now() >= deadline)
			break;
		if (poll(pfd, (nfds_t)n, 100) == -1 && errno != EINTR)
			die("poll");
		for (i = 0; i < n; i++)
			if (pfd[i].fd != -1 && pfd[i].revents &&
			    on_read(&ss[i]) == -1) {
				close(ss[i].fd);
				ss[i].fd = -1;
			}
	}
	free(pfd);
}

static long
raise_nofile(long want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("setrlimit");
	if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur - 32 < want) {
		fprintf(stderr, "sessions: RLIMIT_NOFILE %ld allows %ld sessions, "
		    "not %ld\n", (long)rl.rlim_cur, (long)rl.rlim_cur - 32, want);
		want = (long)rl.rlim_cur - 32;
	}
	return want;
}

/* Open n sessions and take their greetings; returns how many opened. */
static long
open_sessions(struct sess *ss, long n, long deadline)
{
	long i, open = 0;

	for (i = 0; i < n; i++) {
		if ((ss[i].fd = tcp_connect()) == -1) {
			fprintf(stderr, "sessions: connect %ld: %s\n", i,
			    strerror(errno));
			break;
		}
		fcntl(ss[i].fd, F_SETFL, O_NONBLOCK);
		open++;
		/* Do not outrun the listen backlog: take greetings as we go. */
		if (i % 100 == 99)
			pump(ss, open, deadline, 0);
	}
	pump(ss, open, deadline, 0);
	return open;
}

/* PING each session whose replies are all in; count the PONGs. */
static long
ping_all(struct sess *ss, long n)
{
	long i, pong = 0;

	for (i = 0; i < n; i++) {
		if (ss[i].fd == -1 || ss[i].state != 3)
			continue;
		ss[i].state = 4;
		if (write_all(ss[i].fd, "PING\n", 5) == -1) {
			close(ss[i].fd);
			ss[i].fd = -1;
		}
	}
	pump(ss, n, ms_now() + 10000, 2);
	for (i = 0; i < n; i++)
		pong += ss[i].pong;
	return pong;
}

static int
msgflood(const char *nick, long senders, long per, long seconds)
{
	struct sess *ss;
	char req[128];
	long i, j, ok = 0, busy = 0, other = 0, none = 0, pong;
	long deadline = ms_now() + seconds * 1000;
	int n;

	senders = raise_nofile(senders);
	if ((ss = calloc((size_t)senders, sizeof *ss)) == NULL)
		die("calloc");
	senders = open_sessions(ss, senders, deadline);
	for (i = 0; i < senders; i++) {
		ss[i].expect = per;
		for (j = 0; j < per && ss[i].fd != -1; j++) {
			n = snprintf(req, sizeof req, "MSG @%s flood %ld.%ld\n",
			    nick, i, j);
			if (write_all(ss[i].fd, req, (size_t)n) == -1) {
				close(ss[i].fd);
				ss[i].fd = -1;
			}
		}
	}
	pump(ss, senders, deadline, 1);
	for (i = 0; i < senders; i++) {
		ok += ss[i].nok;
		busy += ss[i].nbusy;
		other += ss[i].nother;
		none += ss[i].expect;
	}
	pong = ping_all(ss, senders);
	printf("senders=%ld sent=%ld ok=%ld busy=%ld other=%ld unanswered=%ld "
	    "pong=%ld\n", senders, senders * per, ok, busy, other, none, pong);
	for (i = 0; i < senders; i++)
		if (ss[i].fd != -1)
			close(ss[i].fd);
	free(ss);
	return 0;
}

static int
who(long nsess, long nask, long seconds)
{
	struct sess *ss;
	long i, ok = 0, busy = 0, other = 0, none = 0, pong;
	long deadline = ms_now() + seconds * 1000;

	nsess = raise_nofile(nsess);
	if ((ss = calloc((size_t)nsess, sizeof *ss)) == NULL)
		die("calloc");
	nsess = open_sessions(ss, nsess, deadline);
	if (nask > nsess)
		nask = nsess;
	for (i = 0; i < nask; i++) {
		ss[i].expect = 1;
		if (ss[i].fd != -1 && write_all(ss[i].fd, "WHO\n", 4) == -1) {
			close(ss[i].fd);
			ss[i].fd = -1;
		}
	}
	pump(ss, nask, deadline, 1);
	for (i = 0; i < nask; i++) {
		ok += ss[i].nok;
		busy += ss[i].nbusy;
		other += ss[i].nother;
		none += ss[i].expect;
	}
	pong = ping_all(ss, nask);
	printf("sessions=%ld asked=%ld ok=%ld busy=%ld other=%ld unanswered=%ld "
	    "pong=%ld\n", nsess, nask, ok, busy, other, none, pong);
	for (i = 0; i < nsess; i++)
		if (ss[i].fd != -1)
			close(ss[i].fd);
	free(ss);
	return 0;
}

static int
ctlhold(const char *path, long count, long seconds)
{
	struct sockaddr_un sun;
	struct pollfd *pfd;
	long i, closed = 0, start = ms_now(), deadline = start + seconds * 1000;
	char buf[512];

	if ((pfd = calloc((size_t)count, sizeof *pfd)) == NULL)
		die("calloc");
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	for (i = 0; i < count; i++) {
		if ((pfd[i].fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
		    connect(pfd[i].fd, (struct sockaddr *)&sun, sizeof sun) == -1)
			die(path);
		if (write_all(pfd[i].fd, "li", 2) == -1)
			die("write");
		pfd[i].events = POLLIN;
	}
	printf("opened=%ld\n", count);
	fflush(stdout);
	while (closed < count && ms_now() < deadline) {
		if (poll(pfd, (nfds_t)count, 100) == -1 && errno != EINTR)
			die("poll");
		for (i = 0; i < count; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			if (read(pfd[i].fd, buf, sizeof buf) > 0)
				continue;
			close(pfd[i].fd);
			pfd[i].fd = -1;
			closed++;
		}
	}
	printf("closed=%ld of %ld after %ld ms\n", closed, count, ms_now() - start);
	free(pfd);
	return 0;
}

int
main(int argc, char *argv[])
{
	int ch;

	while ((ch = getopt(argc, argv, "p:")) != -1) {
		if (ch != 'p')
			goto usage;
		port = (unsigned)strtoul(optarg, NULL, 10);
	}
	argc -= optind;
	argv += optind;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[0], "namerst") == 0 && port != 0)
		return namerst(argv[1], strtol(argv[2], NULL, 10));
	if (argc == 4 && strcmp(argv[0], "who") == 0 && port != 0)
		return who(strtol(argv[1], NULL, 10), strtol(argv[2], NULL, 10),
		    strtol(argv[3], NULL, 10));
	if (argc == 5 && strcmp(argv[0], "msg") == 0 && port != 0)
		return msgflood(argv[1], strtol(argv[2], NULL, 10),
		    strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10));
	if (argc == 4 && strcmp(argv[0], "ctlhold") == 0)
		return ctlhold(argv[1], strtol(argv[2], NULL, 10),
		    strtol(argv[3], NULL, 10));
usage:
	fprintf(stderr, "usage: sessions -p PORT namerst NICK COUNT\n"
	    "       sessions -p PORT who SESSIONS ASKERS SECONDS\n"
	    "       sessions -p PORT msg NICK SENDERS PER SECONDS\n"
	    "       sessions ctlhold PATH COUNT SECONDS\n");
	return 2;
}

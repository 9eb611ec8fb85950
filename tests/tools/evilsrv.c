/*
 * evilsrv.c — a hostile trainsrv for tests/bats/client-safety.bats: it
 * speaks the protocol's framing correctly, but every text it sends (its
 * notices, error messages, station names, train numbers, nicknames) carries
 * terminal escapes (OSC 52 clipboard writes, ESC[2J, OSC titles), C1
 * controls, bidi overrides, zero-width characters, CR and invalid UTF-8.
 *
 *   evilsrv	listens on 127.0.0.1, an ephemeral port, prints "port N" and
 *		serves one connection at a time, until killed or for at most
 *		10 minutes
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define TRAIN	"17\x1b[2J" "564;Val\xe2\x80\xae" "ence;Gre\xe2\x80\x8b" "noble" \
		"\x1b]2\x07;06:15;07:31;76;17.60;RE\rDUC;14.08;" \
		"Lyon|\xc2\x9b" "31mX\xed\xa0\x80;cheap\xef\xbb\xbf" "est\n"

static const char hello[] =
    "* trainsrv 0.1.0 ready; type HELP\r\n"
    "* wall \x1b]52;c;ZXZpbA==\x07" "OSC52 \x1b[2J" "cleared\xe2\x80\xae" "!\n"
    "* msg mallory \x1b]0;title\x07" "hi \xc2\x9b" "31m red\xf4\x90\x80\x80\n"
    "* \x1b[2J" "bare notice\x07\n";

static const struct answer {
	const char	*cmd;
	const char	*reply;
} answers[] = {
	{ "QUIT", "OK 0\n" },
	{ "NAME", "ERR 409 \x1b]52;c;bmFtZQ==\x07" "taken\xe2\x80\xae\r\n" },
	{ "MSG", "ERR 404 no \x1b[2J" "such\xc2\x9b" "1m nick\n" },
	{ "STATIONS", "OK 2\nVal\x1b[2J" "ence\nGre\xe2\x80\x8b" "noble\xed\xa0\x80\n" },
	{ "WHO", "OK 1\n1001;ev\x1b[1mil;\x1b]52;c;d2hv\x07" "06:00\n" },
	{ "JOURNEY", "OK 2\nJ;06:15;07:31;0;76\n" TRAIN },
	{ "DEPARTURES", "OK 1\n" TRAIN },
	{ "NEXT", "OK 1\n" TRAIN },
	{ "WINDOW", "OK 1\n" TRAIN },
	{ "BEST", "OK 1\n" TRAIN },
	{ "ALL", "OK 1\n" TRAIN },
	{ "", "OK 2\n\x1b]52;c;cGluZw==\x07" "pong\n\xc2\x9b" "2J\xe2\x80\xae"
	    "x\xf4\x90\x80\x80\r\n" },
};

static int
send_all(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;
	ssize_t n;

	while (off < len) {
		if ((n = send(fd, s + off, len - off, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

static const char *
answer(const char *line)
{
	size_t i, n;

	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		n = strlen(answers[i].cmd);
		if (strncasecmp(line, answers[i].cmd, n) == 0)
			return answers[i].reply;
	}
	return answers[i - 1].reply;
}

/* One client: its requests, line by line, until QUIT or it leaves. */
static void
serve(int fd)
{
	char buf[8192], *nl;
	size_t len = 0;
	ssize_t n;
	int quit = 0;

	if (send_all(fd, hello) == -1)
		return;
	while (!quit) {
		if ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			return;
		}
		len += (size_t)n;
		buf[len] = '\0';
		while (!quit && (nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			quit = strncasecmp(buf, "QUIT", 4) == 0;
			if (send_all(fd, answer(buf)) == -1)
				return;
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
		if (len == sizeof(buf) - 1)
			return;
	}
}

int
main(void)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	int lfd, fd, on = 1;

	signal(SIGPIPE, SIG_IGN);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 16) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) == -1) {
		perror("evilsrv");
		return 2;
	}
	printf("port %u\n", ntohs(sin.sin_port));
	fflush(stdout);
	alarm(600);
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EINTR)
				continue;
			perror("evilsrv: accept");
			return 2;
		}
		serve(fd);
		close(fd);
	}
}

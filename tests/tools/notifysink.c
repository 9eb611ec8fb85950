/*
 * notifysink.c — a stand-in for systemd's notify socket in the tests:
 * binds an AF_UNIX datagram socket (a path, or an abstract name written
 * "@name", as NOTIFY_SOCKET spells it) and appends each datagram it gets
 * to a file as one line, its newlines written as '|', and the time it came
 * (CLOCK_MONOTONIC, in microseconds, the clock of MONOTONIC_USEC=) as one
 * line of OUTFILE.t, so a test can check the server's.  The output file is
 * created once the socket is bound, so a test may wait for it.  It exits
 * after 300 s whatever happens, so a failed test leaves nothing behind.
 *
 *	notifysink PATH|@NAME OUTFILE
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_un sun;
	char msg[4096];
	socklen_t len;
	ssize_t n, i;
	char tpath[4096];
	struct timespec ts;
	FILE *out, *tout;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof sun.sun_path) {
		fprintf(stderr, "usage: notifysink PATH|@NAME OUTFILE\n");
		return 2;
	}
	alarm(300);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, argv[1], strlen(argv[1]));
	len = offsetof(struct sockaddr_un, sun_path) + strlen(argv[1]);
	if (argv[1][0] == '@')
		sun.sun_path[0] = '\0';
	else
		len++;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, len) == -1) {
		fprintf(stderr, "notifysink: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	snprintf(tpath, sizeof tpath, "%s.t", argv[2]);
	if ((tout = fopen(tpath, "a")) == NULL ||
	    (out = fopen(argv[2], "a")) == NULL) {
		fprintf(stderr, "notifysink: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	for (;;) {
		n = recv(fd, msg, sizeof msg, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "notifysink: recv: %s\n", strerror(errno));
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		fprintf(tout, "%lld\n", (long long)ts.tv_sec * 1000000 +
		    ts.tv_nsec / 1000);
		fflush(tout);
		for (i = 0; i < n; i++)
			fputc(msg[i] == '\n' ? '|' : msg[i], out);
		fputc('\n', out);
		fflush(out);
	}
}

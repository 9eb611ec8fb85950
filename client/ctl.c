/*
 * ctl.c — trainsrv-ctl: one operator command to a running trainsrv through
 * its control socket, the reply on stdout.
 *
 * The socket is looked for where the server puts it: /run/trainsrv, then
 * $XDG_RUNTIME_DIR, then /tmp, as trainsrv.<port>.ctl; -s names it.
 *
 * /tmp is shared: anyone may have put a socket there first and wait for
 * root's commands.  So the socket file must be a socket owned by root or by
 * us (lstat, before connecting), the process that accepted must run as root
 * or as us (SO_PEERCRED, after), and every byte of the reply reaches the
 * terminal through wire_sanitize().  A reply must come within CTL_WAIT_S.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc/wire.h"
#include "ipc/version.h"

#define CTL_LINE_MAX	4096
#define CTL_WAIT_S	15	/* the server answers within a few seconds */

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: trainsrv-ctl [-h] [-p port] [-s path] command [argument ...]\n"
	    "commands: list, wall MESSAGE, kick ID|NICK, shutdown N, reload, "
	    "workers N, stats, help\n");
	exit(status);
}

static int
find_socket(unsigned port, char *buf, size_t len)
{
	const char *dirs[3] = { "/run/trainsrv", getenv("XDG_RUNTIME_DIR"), "/tmp" };
	struct stat sb;
	int i;

	for (i = 0; i < 3; i++) {
		if (dirs[i] == NULL || *dirs[i] != '/')
			continue;
		snprintf(buf, len, "%s/trainsrv.%u.ctl", dirs[i], port);
		if (lstat(buf, &sb) == 0)
			return 0;
	}
	return -1;
}

/*
 * Whether the socket file at path may be trusted: a socket, owned by root
 * or by us.  Says why not.
 */
static int
ctl_trusted_file(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) == -1) {
		fprintf(stderr, "trainsrv-ctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		fprintf(stderr, "trainsrv-ctl: %s is not a socket: refusing to "
		    "use it\n", path);
		return -1;
	}
	if (sb.st_uid != 0 && sb.st_uid != geteuid()) {
		fprintf(stderr, "trainsrv-ctl: %s belongs to uid %ld, neither root "
		    "nor you (uid %ld): refusing to talk to it (someone else may "
		    "have created it)\n", path, (long)sb.st_uid, (long)geteuid());
		return -1;
	}
	return 0;
}

/* Whether the process that accepted us runs as root or as us. */
static int
ctl_trusted_peer(int fd, const char *path)
{
	struct ucred cred;
	socklen_t len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		fprintf(stderr, "trainsrv-ctl: %s: SO_PEERCRED: %s\n", path,
		    strerror(errno));
		return -1;
	}
	if (cred.uid != 0 && cred.uid != geteuid()) {
		fprintf(stderr, "trainsrv-ctl: %s is served by pid %ld as uid %ld, "
		    "neither root nor you (uid %ld): refusing to talk to it\n",
		    path, (long)cred.pid, (long)cred.uid, (long)geteuid());
		return -1;
	}
	return 0;
}

static int
ctl_connect(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "trainsrv-ctl: %s: path too long\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if (ctl_trusted_file(path) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		fprintf(stderr, "trainsrv-ctl: cannot connect to %s: %s\n", path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (ctl_trusted_peer(fd, path) == -1) {
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
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Read one line of the reply into line, sanitised for a terminal, without
 * its newline; NULL at the end or on a read error (a timeout says so).
 */
static char *
read_line(FILE *in, char *line, size_t size)
{
	size_t len;

	if (fgets(line, (int)size, in) == NULL) {
		if (ferror(in) && (errno == EAGAIN || errno == EWOULDBLOCK))
			fprintf(stderr, "trainsrv-ctl: no reply within %d s\n",
			    CTL_WAIT_S);
		return NULL;
	}
	len = strcspn(line, "\n");
	line[len] = '\0';
	wire_sanitize(line);
	return line;
}

/*
 * Print the reply's data lines; 0 on OK, 1 on ERR or a broken reply.  The
 * lines after an ERR line explain it (a refused reload sends the first of
 * the timetable's errors): they go to stderr with it.  Lines
 * after the data that start with "* " say what is missing from it (a worker
 * that did not answer in time): they go to stderr, and the status is 1.
 */
static int
print_reply(FILE *in)
{
	char line[CTL_LINE_MAX + 2];
	long n;
	int st = 0;

	if (read_line(in, line, sizeof line) == NULL) {
		fprintf(stderr, "trainsrv-ctl: no reply\n");
		return 1;
	}
	if (strncmp(line, "ERR ", 4) == 0) {
		fprintf(stderr, "trainsrv-ctl: %s\n", line + 4);
		/* What explains it: a refused reload's file:line errors. */
		while (read_line(in, line, sizeof line) != NULL)
			fprintf(stderr, "%s\n", line);
		return 1;
	}
	if (sscanf(line, "OK %ld", &n) != 1 || n < 0) {
		fprintf(stderr, "trainsrv-ctl: unexpected reply: %s\n", line);
		return 1;
	}
	for (; n > 0 && read_line(in, line, sizeof line) != NULL; n--)
		printf("%s\n", line);
	if (n > 0) {
		fprintf(stderr, "trainsrv-ctl: reply cut short\n");
		return 1;
	}
	while (read_line(in, line, sizeof line) != NULL)
		if (strncmp(line, "* ", 2) == 0) {
			fprintf(stderr, "trainsrv-ctl: %s\n", line + 2);
			st = 1;
		}
	return st;
}

int
main(int argc, char *argv[])
{
	char path[108], cmd[CTL_LINE_MAX + 2], *end;
	const char *sock = NULL;
	unsigned long port = 8080;
	size_t len = 0;
	FILE *in;
	int ch, fd, i;

	static const struct option longopts[] = {
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ NULL,		0,		NULL, 0 }
	};

	while ((ch = getopt_long(argc, argv, "hp:s:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h': usage(0);
		case 'V': printf("trainsrv-ctl %s\n", TRAINSRV_VERSION); return 0;
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || port < 1 || port > 65535)
				usage(1);
			break;
		case 's': sock = optarg; break;
		default: usage(1);
		}
	}
	if (optind == argc)
		usage(1);
	for (i = optind; i < argc; i++) {
		int n = snprintf(cmd + len, sizeof cmd - len, "%s%s",
		    i > optind ? " " : "", argv[i]);
		if (n < 0 || (size_t)n >= sizeof cmd - len - 1) {
			fprintf(stderr, "trainsrv-ctl: command too long\n");
			return 1;
		}
		len += n;
	}
	cmd[len++] = '\n';
	if (sock == NULL) {
		if (find_socket((unsigned)port, path, sizeof path) == -1) {
			fprintf(stderr, "trainsrv-ctl: no control socket for port "
			    "%lu (is trainsrv running?)\n", port);
			return 1;
		}
		sock = path;
	}
	if ((fd = ctl_connect(sock)) == -1)
		return 1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ CTL_WAIT_S, 0 },
	    sizeof(struct timeval)) == -1)
		fprintf(stderr, "trainsrv-ctl: SO_RCVTIMEO: %s\n", strerror(errno));
	/* A server that refuses us closes early: read its reason all the same. */
	signal(SIGPIPE, SIG_IGN);
	if ((write_all(fd, cmd, len) == -1 && errno != EPIPE) ||
	    (in = fdopen(fd, "r")) == NULL) {
		fprintf(stderr, "trainsrv-ctl: %s: %s\n", sock, strerror(errno));
		close(fd);
		return 1;
	}
	i = print_reply(in);
	fclose(in);
	return i;
}

/*
 * main.c — trainsrv-client: options, signals, the connection and either one
 * protocol command (-c) or the traveller's menu.
 */
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client/client.h"
#include "ipc/version.h"

#define DEFAULT_HOST	"localhost"
#define DEFAULT_PORT	"8080"
#define USAGE		"usage: trainsrv-client [-r] [-c command] " \
			    "[-h host] [-p port] [host [port]]\n"

/* Handlers only record; the loop acts (see sig_act). */
static volatile sig_atomic_t got_int, got_term, got_hup, got_tstp;

/* The signal mask while waiting in ppoll(2): ours unblocked. */
static sigset_t waitmask;

static int cmd_mode;		/* -c: one command, no menu */
static struct conn *conn;	/* reachable until exit */

static void __attribute__((noreturn))
usage(void)
{
	fputs(USAGE, stderr);
	exit(1);
}

static void
handler(int sig)
{
	int save = errno;

	switch (sig) {
	case SIGINT:
		got_int = 1;
		break;
	case SIGTERM:
		got_term = 1;
		break;
	case SIGHUP:
		got_hup = 1;
		break;
	case SIGTSTP:
		got_tstp = 1;
		break;
	}
	errno = save;
}

static void
sig_setup(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGTSTP };
	struct sigaction sa;
	sigset_t block;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		die("sig_setup: sigaction: %s", strerror(errno));

	/* Blocked except inside ppoll(2), so no signal slips by unseen. */
	sigemptyset(&block);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&block, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &block, &waitmask) == -1)
		die("sig_setup: sigprocmask: %s", strerror(errno));
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigdelset(&waitmask, sigs[i]);

	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;		/* no SA_RESTART: ppoll returns EINTR */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			die("sig_setup: sigaction: %s", strerror(errno));
}

/* Stop on Ctrl-Z with the terminal as the shell wants it; resume raw. */
static void
suspend(void)
{
	struct sigaction sa, old;
	sigset_t set;

	ui_suspend();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTSTP, &sa, &old) == -1)
		die("suspend: sigaction: %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGTSTP);
	if (raise(SIGTSTP) != 0)
		die("suspend: raise: %s", strerror(errno));
	/* Unblocking delivers it: we stop here until SIGCONT. */
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) == -1 ||
	    sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		die("suspend: sigprocmask: %s", strerror(errno));
	if (sigaction(SIGTSTP, &old, NULL) == -1)
		die("suspend: sigaction: %s", strerror(errno));
	ui_resume();
}

/* Act on the signals recorded by handler(). */
static void
sig_act(void)
{
	if (got_int) {
		ui_end();
		exit(130);
	}
	if (got_term) {
		ui_end();
		exit(128 + SIGTERM);
	}
	if (got_hup) {
		ui_end();
		exit(128 + SIGHUP);
	}
	if (got_tstp) {
		got_tstp = 0;
		suspend();
	}
}

/*
 * poll(2) with our signals let through; a signal is acted on before
 * returning -1 with errno EINTR.  ms < 0 waits for ever.
 */
int
xpoll(struct pollfd *pfd, nfds_t n, int ms)
{
	struct timespec ts, *tp = NULL;
	int r, save;

	if (ms >= 0) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		tp = &ts;
	}
	r = ppoll(pfd, n, tp, &waitmask);
	if (r == -1 && errno == EINTR) {
		save = errno;
		sig_act();
		errno = save;
	}
	return r;
}

long long
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		die("now_ms: clock_gettime: %s", strerror(errno));
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line on stderr, terminal restored (atexit), exit 1. */
void
die(const char *fmt, ...)
{
	va_list ap;

	ui_end();
	fflush(stdout);
	fprintf(stderr, "trainsrv-client: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
on_notice(const char *text)
{
	if (strncmp(text, "trainsrv ", 9) == 0)
		return;			/* the greeting */
	if (strcmp(text, "reload") == 0) {
		if (!cmd_mode)
			ui_notice("* reload: the server is moving this "
			    "session; reconnecting");
		return;
	}
	if (strcmp(text, "shutdown") == 0) {
		if (cmd_mode)
			die("the server is shutting down");
		ui_bye("* shutdown: the server is shutting down; goodbye.");
		exit(0);
	}
	if (strcmp(text, "kick") == 0) {
		if (cmd_mode)
			die("disconnected by the operator");
		ui_bye("* kick: the operator closed this session; goodbye.");
		exit(0);
	}
	if (strncmp(text, "msg ", 4) == 0 && !cmd_mode) {
		const char *from = text + 4, *msg = strchr(from, ' ');

		if (msg != NULL) {
			ui_notice("[message from %.*s] %s", (int)(msg - from),
			    from, msg + 1);
			return;
		}
	}
	if (strncmp(text, "shutdown ", 9) == 0 && !cmd_mode) {
		ui_notice("[operator] the server stops in %s s", text + 9);
		return;
	}
	if (strncmp(text, "wall ", 5) == 0 && !cmd_mode) {
		ui_notice("[operator] %s", text + 5);
		return;
	}
	ui_notice("* %s", text);
}

static int
valid_port(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && v >= 1 && v <= 65535;
}

/* -c: send one command, print the reply; 0 on OK, 1 on ERR. */
static int
run_command(struct conn *c, const char *cmd, int raw)
{
	struct reply r;
	size_t i;
	int ok;

	if (conn_query(c, cmd, command_is_readonly(cmd), &r) == -1)
		die("%s", conn_error(c));
	if (raw)
		printf("%s\n", r.status);
	else if (!r.ok)
		fprintf(stderr, "%s\n", r.status);
	for (i = 0; i < r.nlines; i++)
		printf("%s\n", r.lines[i]);
	if (fflush(stdout) == EOF || ferror(stdout))
		die("run_command: stdout: %s", strerror(errno));
	ok = r.ok;
	reply_free(&r);
	return ok ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "command",	required_argument,	NULL, 'c' },
		{ "help",	no_argument,		NULL, 'H' },
		{ "host",	required_argument,	NULL, 'h' },
		{ "port",	required_argument,	NULL, 'p' },
		{ "raw",	no_argument,		NULL, 'r' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	const char *host = NULL, *port = NULL, *cmd = NULL;
	int ch, raw = 0, st;

	while ((ch = getopt_long(argc, argv, "c:h:p:r", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			cmd = optarg;
			break;
		case 'h':
			host = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 'r':
			raw = 1;
			break;
		case 'H':
			fputs(USAGE, stdout);
			return 0;
		case 'V':
			printf("trainsrv-client %s\n", TRAINSRV_VERSION);
			return 0;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 2 || (argc >= 1 && host != NULL) ||
	    (argc == 2 && port != NULL))
		usage();
	if (argc >= 1)
		host = argv[0];
	if (argc == 2)
		port = argv[1];
	if (host == NULL)
		host = DEFAULT_HOST;
	if (port == NULL)
		port = DEFAULT_PORT;
	if (*host == '\0') {
		fprintf(stderr, "trainsrv-client: empty host name\n");
		usage();
	}
	if (!valid_port(port)) {
		fprintf(stderr, "trainsrv-client: bad port \"%s\" "
		    "(want 1 to 65535)\n", port);
		usage();
	}
	if (cmd != NULL && (*cmd == '\0' || strchr(cmd, '\n') != NULL)) {
		fprintf(stderr, "trainsrv-client: -c wants one non-empty "
		    "line\n");
		usage();
	}
	cmd_mode = cmd != NULL;

	/*
	 * Widths by wcwidth(3) need a UTF-8 LC_CTYPE: the server's text is
	 * UTF-8 whatever the environment says.
	 */
	if (setlocale(LC_CTYPE, "") == NULL ||
	    strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		(void)setlocale(LC_CTYPE, "C.UTF-8");
	sig_setup();
	if ((conn = conn_new(host, port, on_notice)) == NULL)
		die("main: out of memory");
	if (conn_open(conn) == -1)
		die("%s", conn_error(conn));
	if (cmd_mode) {
		st = run_command(conn, cmd, raw);
		conn_free(conn);
		return st;
	}

	ui_init();
	ui_msg("Welcome to trainsrv-client, connected to %s:%s.", host, port);
	menu_run(conn, raw);
	conn_quit(conn);
	conn_free(conn);
	ui_msg("Goodbye.");
	return 0;
}

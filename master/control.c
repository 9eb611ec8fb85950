/*
 * control.c — the operator's ways in: a UNIX-domain control socket (mode
 * 0600, and only the server's owner or root may talk to it: SO_PEERCRED)
 * and, when trainsrv runs in the foreground of a terminal, the console on
 * its standard input.  Both take the same one-line commands; the socket
 * answers in the wire protocol's form ("OK n" and n lines, or "ERR code
 * message") and then closes, so trainsrv-ctl can script it.
 *
 * Everything here runs in the master's loop: non-blocking, polled with the
 * workers' channels.  Commands that need the workers (list, kick) answer
 * once route.c has heard from them.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ipc/log.h"
#include "ipc/stats.h"
#include "ipc/wire.h"
#include "master/control.h"
#include "master/trainsrv.h"
#include "worker/buf.h"

#define CTL_LINE_MAX	4096
#define CTL_TEXT_MAX	512	/* wall text, as for client messages */

struct ctl_client {
	int		 fd;		/* -1: free */
	int		 console;	/* reads fd 0, writes fd 1, never closes */
	int		 waiting;	/* a command is being answered */
	char		 in[CTL_LINE_MAX + 2];
	size_t		 in_len;
	struct buf	 out;
	size_t		 out_off;
};

static int			ctl_lfd = -1;
static char			ctl_sockpath[108];
static struct ctl_client	ctl_clients[CTL_CLIENTS];
static struct ctl_client	ctl_console = { .fd = -1, .console = 1 };

static const char ctl_help[] =
    "OK 8\n"
    "list               sessions: id;nick;address;worker;since;requests\n"
    "wall MESSAGE       a notice to every client\n"
    "kick ID|NICK       close one session (it gets \"* kick\")\n"
    "shutdown N         tell every client, then stop gracefully in N s\n"
    "reload             reload the timetable (as SIGHUP)\n"
    "workers N          run N workers (1 to 64)\n"
    "stats              the trainsrv-stat summary\n"
    "help               this list\n";

static int
ctl_writable_dir(const char *d)
{
	struct stat sb;

	return d != NULL && *d == '/' && stat(d, &sb) == 0 &&
	    S_ISDIR(sb.st_mode) && access(d, W_OK | X_OK) == 0;
}

/* /run/trainsrv when writable, else $XDG_RUNTIME_DIR, else /tmp. */
int
ctl_path(unsigned port, char *buf, size_t len)
{
	const char *dir = "/tmp", *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (mkdir("/run/trainsrv", 0755) == -1 && errno != EEXIST)
		errno = 0;
	if (ctl_writable_dir("/run/trainsrv"))
		dir = "/run/trainsrv";
	else if (ctl_writable_dir(xdg))
		dir = xdg;
	n = snprintf(buf, len, "%s/trainsrv.%u.ctl", dir, port);
	return n > 0 && (size_t)n < len ? 0 : -1;
}

static void
ctl_console_open(void)
{
	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp())
		return;
	ctl_console.fd = STDIN_FILENO;
	log_info("operator console: list, wall MESSAGE, kick ID|NICK, "
	    "shutdown N, reload, workers N, stats, help");
}

int
ctl_open(const struct config *cfg, unsigned port)
{
	struct sockaddr_un sun;
	mode_t old;
	int i;

	(void)cfg;
	for (i = 0; i < CTL_CLIENTS; i++)
		ctl_clients[i].fd = -1;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (ctl_path(port, sun.sun_path, sizeof sun.sun_path) == -1) {
		log_warn("control socket: path too long");
		return -1;
	}
	snprintf(ctl_sockpath, sizeof ctl_sockpath, "%s", sun.sun_path);
	/* Our port is ours (the stats segment says so): a file there is stale. */
	if (unlink(ctl_sockpath) == -1 && errno != ENOENT)
		log_warn("unlink %s: %s", ctl_sockpath, strerror(errno));
	if ((ctl_lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("control socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	i = bind(ctl_lfd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (i == -1 || chmod(ctl_sockpath, 0600) == -1 || listen(ctl_lfd, 16) == -1) {
		log_warn("control socket %s: %s", ctl_sockpath, strerror(errno));
		close(ctl_lfd);
		ctl_lfd = -1;
		return -1;
	}
	log_info("control socket %s (trainsrv-ctl -p %u)", ctl_sockpath, port);
	ctl_console_open();
	return 0;
}

static void
ctl_drop(struct ctl_client *c)
{
	route_cancel(c);
	buf_free(&c->out);
	if (!c->console && c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->in_len = c->out_off = 0;
	c->waiting = 0;
}

void
ctl_forget(void)
{
	int i;

	if (ctl_lfd != -1)
		close(ctl_lfd);
	ctl_lfd = -1;
	for (i = 0; i < CTL_CLIENTS; i++)
		if (ctl_clients[i].fd != -1)
			close(ctl_clients[i].fd);
}

void
ctl_close(void)
{
	int i;

	for (i = 0; i < CTL_CLIENTS; i++)
		if (ctl_clients[i].fd != -1)
			ctl_drop(&ctl_clients[i]);
	if (ctl_lfd != -1) {
		close(ctl_lfd);
		unlink(ctl_sockpath);
	}
	ctl_lfd = -1;
}

/* Where a command's answer goes; the console shows it for a person. */
static void
ctl_reply(void *ctx, const char *text, size_t len)
{
	struct ctl_client *c = ctx;
	const char *nl;

	c->waiting = 0;
	if (!c->console) {
		buf_append(&c->out, text, len);
		return;
	}
	if (len > 3 && strncmp(text, "OK ", 3) == 0 &&
	    (nl = memchr(text, '\n', len)) != NULL) {
		len -= nl + 1 - text;
		text = nl + 1;
	}
	buf_append(&c->out, text, len);
}

static void
ctl_replyf(struct ctl_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ctl_replyf(struct ctl_client *c, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	ctl_reply(c, text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
}

static int
ctl_number(const char *s, unsigned max, unsigned *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || n > max)
		return -1;
	*v = (unsigned)n;
	return 0;
}

static void
ctl_stats(struct ctl_client *c)
{
	const struct st_segment *seg = master_segment();
	const struct st_header *h = seg->hdr;
	uint64_t req = 0, conns = 0, err = 0;
	unsigned i, k, workers = 0;

	for (i = 0; i < ST_SLOTS; i++) {
		const struct st_slot *s = &seg->slots[i];
		uint32_t st = ST_GET(s->state);

		for (k = 0; k < ST_CMD_MAX; k++)
			req += ST_GET(s->cmd[k]);
		for (k = 0; k < ST_ERR_MAX; k++)
			err += ST_GET(s->err[k]);
		conns += ST_GET(s->conns);
		workers += st == ST_IDLE || st == ST_BUSY;
	}
	ctl_replyf(c, "OK 4\nup %lld s, master pid %lld, %u worker%s serving\n"
	    "requests %llu, errors %llu, connections %llu open\n"
	    "timetable %s: %llu legs, %llu stations, generation %llu\n"
	    "reloads %llu (%llu good), respawns %llu\n",
	    (long long)(time(NULL) - h->started_at), (long long)h->master_pid,
	    workers, workers == 1 ? "" : "s", (unsigned long long)req,
	    (unsigned long long)err,
	    (unsigned long long)conns, h->timetable,
	    (unsigned long long)ST_GET(h->legs),
	    (unsigned long long)ST_GET(h->stations),
	    (unsigned long long)ST_GET(h->generation),
	    (unsigned long long)ST_GET(h->reload_attempts),
	    (unsigned long long)ST_GET(h->reload_successes),
	    (unsigned long long)ST_GET(h->respawns));
}

static void
ctl_wall(struct ctl_client *c, char *text)
{
	char line[CTL_TEXT_MAX + 16];

	if (wire_sanitize(text) == 0 || strlen(text) > CTL_TEXT_MAX) {
		ctl_replyf(c, "ERR 400 usage: wall MESSAGE (1 to %d bytes)\n",
		    CTL_TEXT_MAX);
		return;
	}
	snprintf(line, sizeof line, "* wall %s\n", text);
	route_notice_all(line);
	log_info("operator: wall %s", text);
	ctl_replyf(c, "OK 0\n");
}

static void
ctl_shutdown(struct ctl_client *c, const char *arg)
{
	char line[64];
	unsigned n;

	if (ctl_number(arg, 86400, &n) == -1) {
		ctl_replyf(c, "ERR 400 usage: shutdown N (seconds, 0 to 86400)\n");
		return;
	}
	snprintf(line, sizeof line, "* shutdown %u\n", n);
	route_notice_all(line);
	master_shutdown_in(n);
	ctl_replyf(c, "OK 0\n");
}

static void
ctl_command(struct ctl_client *c, char *line)
{
	char *arg;
	unsigned n;

	arg = line + strcspn(line, " \t");
	if (*arg != '\0')
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	c->waiting = 1;
	if (strcasecmp(line, "help") == 0)
		ctl_reply(c, ctl_help, sizeof ctl_help - 1);
	else if (strcasecmp(line, "list") == 0)
		route_list(ctl_reply, c);
	else if (strcasecmp(line, "wall") == 0)
		ctl_wall(c, arg);
	else if (strcasecmp(line, "kick") == 0) {
		if (*arg == '\0')
			ctl_replyf(c, "ERR 400 usage: kick ID|NICK\n");
		else
			route_kick(arg, ctl_reply, c);
	}
	else if (strcasecmp(line, "shutdown") == 0)
		ctl_shutdown(c, arg);
	else if (strcasecmp(line, "reload") == 0) {
		master_reload();
		ctl_replyf(c, "OK 0\n");
	} else if (strcasecmp(line, "workers") == 0) {
		if (ctl_number(arg, TRAINSRV_MAX_WORKERS, &n) == -1 || n < 1)
			ctl_replyf(c, "ERR 400 usage: workers N (1 to %d)\n",
			    TRAINSRV_MAX_WORKERS);
		else
			ctl_replyf(c, "OK 1\n%u workers\n", master_set_workers(n));
	}
	else if (strcasecmp(line, "stats") == 0)
		ctl_stats(c);
	else if (*line == '\0')
		ctl_replyf(c, "ERR 400 empty command; try help\n");
	else
		ctl_replyf(c, "ERR 400 bad command \"%.64s\"; try help\n", line);
}

static void
ctl_accept(void)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	int fd, i;

	while ((fd = accept4(ctl_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1 ||
		    (cred.uid != 0 && cred.uid != geteuid())) {
			static const char deny[] = "ERR 403 permission denied\n";
			if (write(fd, deny, sizeof deny - 1) == -1)
				errno = 0;
			log_warn("control socket: refused uid %ld",
			    len == sizeof cred ? (long)cred.uid : -1L);
			close(fd);
			continue;
		}
		for (i = 0; i < CTL_CLIENTS && ctl_clients[i].fd != -1; i++)
			;
		if (i == CTL_CLIENTS) {
			close(fd);	/* busy: the operator retries */
			continue;
		}
		ctl_clients[i].fd = fd;
	}
}

/* Read what the client sent; run each complete line. */
static void
ctl_read(struct ctl_client *c)
{
	char *nl;
	ssize_t n;

	n = read(c->fd, c->in + c->in_len, sizeof c->in - 1 - c->in_len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (c->console)
			c->fd = -1;	/* EOF or EIO: the console is done */
		else if (!c->waiting && c->out.len == c->out_off)
			ctl_drop(c);
		return;
	}
	c->in_len += n;
	while (!c->waiting && (nl = memchr(c->in, '\n', c->in_len)) != NULL) {
		*nl = '\0';
		if (nl > c->in && nl[-1] == '\r')
			nl[-1] = '\0';
		ctl_command(c, c->in);
		c->in_len -= nl + 1 - c->in;
		memmove(c->in, nl + 1, c->in_len);
		if (!c->console)
			c->in_len = 0;	/* one command per connection */
	}
	if (c->in_len == sizeof c->in - 1) {
		c->in_len = 0;
		ctl_replyf(c, "ERR 413 line too long\n");
	}
}

/* Send what is ready; a socket client is closed once answered. */
static void
ctl_write(struct ctl_client *c)
{
	int out = c->console ? STDOUT_FILENO : c->fd;
	ssize_t n;

	while (c->out_off < c->out.len) {
		n = write(out, c->out.p + c->out_off, c->out.len - c->out_off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (!c->console)
				ctl_drop(c);
			return;
		}
		c->out_off += n;
	}
	buf_free(&c->out);
	c->out_off = 0;
	if (!c->console && !c->waiting)
		ctl_drop(c);
}

unsigned
ctl_pollfds(struct pollfd *pfd, unsigned max)
{
	unsigned n = 0, i;

	if (ctl_lfd == -1 || max < CTL_POLLFDS)
		return 0;
	pfd[n].fd = ctl_lfd;
	pfd[n++].events = POLLIN;
	pfd[n].fd = ctl_console.fd;	/* -1: poll ignores it */
	pfd[n].events = POLLIN;
	if (ctl_console.out.len > ctl_console.out_off)
		ctl_write(&ctl_console);
	n++;
	for (i = 0; i < CTL_CLIENTS; i++) {
		struct ctl_client *c = &ctl_clients[i];

		pfd[n].fd = c->fd;
		pfd[n++].events = c->out.len > c->out_off ? POLLOUT :
		    (c->waiting ? 0 : POLLIN);
	}
	return n;
}

void
ctl_events(const struct pollfd *pfd, unsigned n)
{
	unsigned i;

	if (n == 0)
		return;
	if (pfd[0].revents & POLLIN)
		ctl_accept();
	if (ctl_console.fd != -1 && pfd[1].revents)
		ctl_read(&ctl_console);
	if (ctl_console.out.len > ctl_console.out_off)
		ctl_write(&ctl_console);
	for (i = 0; i + 2 < n && i < CTL_CLIENTS; i++) {
		struct ctl_client *c = &ctl_clients[i];

		if (c->fd == -1 || c->fd != pfd[i + 2].fd)
			continue;
		if (pfd[i + 2].revents & (POLLIN | POLLHUP | POLLERR))
			ctl_read(c);
		if (c->fd != -1 && c->out.len > c->out_off)
			ctl_write(c);
	}
}

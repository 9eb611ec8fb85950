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
 * once route.c has heard from them, which takes at most its GATHER_MS.
 *
 * Nobody can lock the operator out: a peer must send its command within
 * CTL_IDLE_MS and take its answer within CTL_ANSWER_MS, or it is dropped; a
 * peer that hangs up is dropped at once, even with a command pending; and
 * when all CTL_CLIENTS places are taken, the oldest peer that has no
 * command pending makes room for the newcomer.
 *
 * The socket's path is in a shared directory when /run/trainsrv is not
 * writable (/tmp): a file there that is not ours is never used or removed
 * (another user could have put it there first); the server says whose it
 * is and refuses to start.
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
#include <pwd.h>
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
#define CTL_IDLE_MS	5000	/* to send a whole command line */
#define CTL_ANSWER_MS	10000	/* to be answered and take the answer */

struct ctl_client {
	int		 fd;		/* -1: free */
	int		 console;	/* reads fd 0, writes fd 1, never closes */
	int		 waiting;	/* a command is being answered */
	int		 eof;		/* the peer shut its write side */
	int64_t		 since;		/* ms, when it connected */
	int64_t		 deadline;	/* ms, dropped after */
	char		 in[CTL_LINE_MAX + 2];
	size_t		 in_len;
	struct buf	 out;
	size_t		 out_off;
};

static int			ctl_lfd = -1;
static char			ctl_sockpath[108];
static dev_t			ctl_sockdev;	/* what we bound, to unlink only that */
static ino_t			ctl_sockino;
static struct ctl_client	ctl_clients[CTL_CLIENTS];
static struct ctl_client	ctl_console = { .fd = -1, .console = 1 };

static const char ctl_help[] =
    "OK 8\n"
    "list               sessions: id;nick;address;worker;since;requests\n"
    "wall MESSAGE       a notice to every client\n"
    "kick ID|NICK       close one session (it gets \"* kick\")\n"
    "shutdown N         tell every client, then stop gracefully in N s\n"
    "reload             reload the timetable (as SIGHUP) and say how it went\n"
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

/* "uid 65534 (nobody)" */
static void
ctl_owner(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	snprintf(buf, len, "uid %ld (%s)", (long)uid,
	    pw != NULL ? pw->pw_name : "no such user");
}

/*
 * A file already at our path: remove it only if it is a socket of ours (a
 * stale one: our port is ours, the stats segment says so).  Anything else
 * was put there by someone else, or is not what we left: refuse.
 */
static int
ctl_clear_path(const char *path)
{
	char who[96], me[96];
	struct stat sb;

	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return 0;
		log_warn("control socket %s: %s", path, strerror(errno));
		return -1;
	}
	if (sb.st_uid != geteuid()) {
		ctl_owner(sb.st_uid, who, sizeof who);
		ctl_owner(geteuid(), me, sizeof me);
		log_warn("control socket %s already exists and belongs to %s, "
		    "not to %s: refusing to use or remove it (remove it, or "
		    "find out why another user created it)", path, who, me);
		return -1;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		log_warn("control socket %s already exists and is not a socket: "
		    "refusing to remove it", path);
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		log_warn("unlink %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
ctl_open(const struct config *cfg, unsigned port)
{
	struct sockaddr_un sun;
	struct stat sb;
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
	if (ctl_clear_path(ctl_sockpath) == -1)
		return -1;
	if ((ctl_lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("control socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0177);
	i = bind(ctl_lfd, (struct sockaddr *)&sun, sizeof sun);
	umask(old);
	if (i == -1 || lstat(ctl_sockpath, &sb) == -1 || chmod(ctl_sockpath,
	    0600) == -1 || listen(ctl_lfd, 16) == -1) {
		log_warn("control socket %s: %s%s", ctl_sockpath, strerror(errno),
		    errno == EADDRINUSE ? " (someone created it just now)" : "");
		close(ctl_lfd);
		ctl_lfd = -1;
		return -1;
	}
	ctl_sockdev = sb.st_dev;
	ctl_sockino = sb.st_ino;
	log_info("control socket %s (trainsrv-ctl -p %u)", ctl_sockpath, port);
	ctl_console_open();
	return 0;
}

static void
ctl_drop(struct ctl_client *c)
{
	route_cancel(c);
	master_reload_cancel(c);
	buf_free(&c->out);
	if (!c->console && c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->in_len = c->out_off = 0;
	c->waiting = c->eof = 0;
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
	struct stat sb;
	int i;

	for (i = 0; i < CTL_CLIENTS; i++)
		if (ctl_clients[i].fd != -1)
			ctl_drop(&ctl_clients[i]);
	/* Unlink what we bound, not what someone may have put in its place. */
	if (ctl_lfd != -1 && lstat(ctl_sockpath, &sb) == 0 &&
	    sb.st_dev == ctl_sockdev && sb.st_ino == ctl_sockino)
		unlink(ctl_sockpath);
	if (ctl_lfd != -1)
		close(ctl_lfd);
	ctl_lfd = -1;
}

/*
 * Append text for a person at a terminal: every line through the
 * sanitiser, as it may carry what clients and workers wrote.
 */
static void
ctl_append_sane(struct buf *out, const char *text, size_t len)
{
	const char *end = text + len, *nl;
	char line[CTL_LINE_MAX + 1];
	size_t n;

	for (; text < end; text = nl + 1) {
		if ((nl = memchr(text, '\n', end - text)) == NULL)
			nl = end;
		n = (size_t)(nl - text) < sizeof line - 1 ? (size_t)(nl - text) :
		    sizeof line - 1;
		memcpy(line, text, n);
		line[n] = '\0';
		n = wire_sanitize(line);
		buf_append(out, line, n);
		buf_append(out, "\n", 1);
	}
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
	ctl_append_sane(&c->out, text, len);
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
	if (route_notice_all(line) == -1) {
		ctl_replyf(c, "ERR 503 busy: a worker is too far behind to take "
		    "the notice; nothing was sent, try again\n");
		return;
	}
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
	master_shutdown_in(n);
	if (route_notice_all(line) == -1)
		ctl_replyf(c, "OK 1\nshutdown in %u s; a worker was too far "
		    "behind to take the notice\n", n);
	else
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
	else if (strcasecmp(line, "reload") == 0)
		master_reload_wait(ctl_reply, c);
	else if (strcasecmp(line, "workers") == 0) {
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
ctl_accept_one(int fd)
{
	struct ctl_client *c, *oldest = NULL;
	int64_t now = now_ms();
	int i;

	for (i = 0; i < CTL_CLIENTS; i++) {
		c = &ctl_clients[i];
		if (c->fd == -1)
			break;
		/* Idle: no command under way, nothing to send. */
		if (!c->waiting && c->out.len == c->out_off &&
		    (oldest == NULL || c->since < oldest->since))
			oldest = c;
	}
	if (i == CTL_CLIENTS) {
		if (oldest == NULL) {
			static const char busy[] = "ERR 503 busy: every control "
			    "connection is running a command; try again\n";
			if (write(fd, busy, sizeof busy - 1) == -1)
				errno = 0;
			close(fd);
			return;
		}
		log_info("control socket: %d connections, closing the oldest "
		    "idle one", CTL_CLIENTS);
		ctl_drop(oldest);
		c = oldest;
	}
	c->fd = fd;
	c->since = now;
	c->deadline = now + CTL_IDLE_MS;
}

static void
ctl_accept(void)
{
	struct ucred cred;
	socklen_t len;
	int fd;

	while ((fd = accept4(ctl_lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		len = sizeof cred;
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
		ctl_accept_one(fd);
	}
}

/* Read what the client sent; run each complete line. */
static void
ctl_read(struct ctl_client *c)
{
	char *nl;
	ssize_t n;

	if (c->eof)
		return;
	n = read(c->fd, c->in + c->in_len, sizeof c->in - 1 - c->in_len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (c->console)
			c->fd = -1;	/* EOF or EIO: the console is done */
		else if (n == 0 && (c->waiting || c->out.len > c->out_off))
			c->eof = 1;	/* half-closed: it still gets its answer */
		else
			ctl_drop(c);
		return;
	}
	c->in_len += n;
	while (!c->waiting && (nl = memchr(c->in, '\n', c->in_len)) != NULL) {
		*nl = '\0';
		if (nl > c->in && nl[-1] == '\r')
			nl[-1] = '\0';
		c->deadline = now_ms() + CTL_ANSWER_MS;
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

/* When ctl_tick must run next (ms, monotonic), or 0. */
int64_t
ctl_deadline(void)
{
	int64_t d = 0;
	int i;

	for (i = 0; i < CTL_CLIENTS; i++)
		if (ctl_clients[i].fd != -1 &&
		    (d == 0 || ctl_clients[i].deadline < d))
			d = ctl_clients[i].deadline;
	return d;
}

/* Drop the peers that took too long to ask, or to take their answer. */
void
ctl_tick(int64_t now)
{
	struct ctl_client *c;
	int i;

	for (i = 0; i < CTL_CLIENTS; i++) {
		c = &ctl_clients[i];
		if (c->fd == -1 || now < c->deadline)
			continue;
		log_info("control socket: a client %s for too long; closed",
		    c->waiting || c->out.len > c->out_off ? "was not reading" :
		    "sent no command");
		ctl_drop(c);
	}
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
	/* POLLHUP and POLLERR come whatever is asked: a peer that hangs up
	 * while its command is under way is seen too, and dropped. */
	for (i = 0; i < CTL_CLIENTS; i++) {
		struct ctl_client *c = &ctl_clients[i];

		pfd[n].fd = c->fd;
		pfd[n++].events = c->out.len > c->out_off ? POLLOUT :
		    (c->waiting || c->eof ? 0 : POLLIN);
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
		short ev = pfd[i + 2].revents;

		if (c->fd == -1 || c->fd != pfd[i + 2].fd || ev == 0)
			continue;
		if (ev & POLLIN)
			ctl_read(c);
		/* Gone for good: nobody will read an answer (see ctl_pollfds). */
		if (c->fd != -1 && (ev & (POLLHUP | POLLERR | POLLNVAL))) {
			ctl_drop(c);
			continue;
		}
		if (c->fd != -1 && c->out.len > c->out_off)
			ctl_write(c);
	}
}

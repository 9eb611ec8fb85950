/*
 * notify.c — sd_notify(3) without libsystemd.
 *
 * When systemd starts a Type=notify service it sets NOTIFY_SOCKET to the
 * address of an AF_UNIX datagram socket: a path, or an abstract name
 * written with a leading '@'.  The service tells its state there in
 * newline-separated VAR=value assignments, one datagram per message:
 * READY=1, RELOADING=1 with MONOTONIC_USEC= (the CLOCK_MONOTONIC time of
 * the reload's start, which systemd 253 and later require), STOPPING=1 and
 * STATUS= (shown by systemctl status).  The protocol is small and stable,
 * so the master speaks it itself rather than linking libsystemd.
 *
 * The variable is removed from the environment, so that nothing the
 * master starts believes it is the service; workers close the socket.  A
 * lost datagram costs only a state systemd does not see: sends never
 * block, and a failure is logged once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc/log.h"
#include "master/notify.h"

static int			notify_fd = -1;
static struct sockaddr_un	notify_sun;
static socklen_t		notify_len;
static int			notify_warned;
static char			notify_last[256];	/* last STATUS= sent */

int
notify_init(void)
{
	const char *s = getenv("NOTIFY_SOCKET");
	size_t len;

	if (s == NULL || *s == '\0')
		return 0;
	len = strlen(s);
	if ((*s != '/' && *s != '@') || len >= sizeof notify_sun.sun_path) {
		log_warn("NOTIFY_SOCKET=%s: want a path or an @name under %zu "
		    "bytes; not telling systemd", s, sizeof notify_sun.sun_path);
		unsetenv("NOTIFY_SOCKET");
		return -1;
	}
	memset(&notify_sun, 0, sizeof notify_sun);
	notify_sun.sun_family = AF_UNIX;
	memcpy(notify_sun.sun_path, s, len);
	if (*s == '@')
		notify_sun.sun_path[0] = '\0';	/* abstract: no trailing NUL */
	notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
	    (*s == '@' ? 0 : 1));
	if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1) {
		log_warn("notify_init: socket: %s", strerror(errno));
		unsetenv("NOTIFY_SOCKET");
		return -1;
	}
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

void
notify_forget(void)
{
	if (notify_fd != -1)
		close(notify_fd);
	notify_fd = -1;
}

int
notify_enabled(void)
{
	return notify_fd != -1;
}

static void
notify_vsend(const char *fmt, va_list ap)
{
	char msg[512];
	ssize_t n;
	int len;

	len = vsnprintf(msg, sizeof msg, fmt, ap);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof msg)
		len = sizeof msg - 1;
	do
		n = sendto(notify_fd, msg, (size_t)len, MSG_NOSIGNAL,
		    (struct sockaddr *)&notify_sun, notify_len);
	while (n == -1 && errno == EINTR);
	if (n == -1 && !notify_warned) {
		notify_warned = 1;
		log_warn("notify_send: sendto: %s (said once)",
		    strerror(errno));
	}
}

/* One message: VAR=value assignments separated by newlines. */
void
notify_send(const char *fmt, ...)
{
	va_list ap;

	if (notify_fd == -1)
		return;
	va_start(ap, fmt);
	notify_vsend(fmt, ap);
	va_end(ap);
}

/* STATUS=text, sent only when the text changed. */
void
notify_status(const char *fmt, ...)
{
	char text[sizeof notify_last];
	va_list ap;

	if (notify_fd == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (strcmp(text, notify_last) == 0)
		return;
	memcpy(notify_last, text, sizeof text);
	notify_send("STATUS=%s", text);
}

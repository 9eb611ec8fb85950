/*
 * log.c — timestamped log lines on stderr (see log.h), each one line of
 * printable text: the formatted part goes through wire_sanitize_n.  Every
 * line names the program and the time, start-up errors included: a
 * journal or a log file mixes the lines of many programs and many starts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc/log.h"
#include "ipc/wire.h"

static const char	*log_role;	/* NULL: starting, no master yet */
static int		 log_verb;

void
log_init(const char *role)
{
	log_role = role;
}

void
log_set_verbose(int v)
{
	log_verb = v;
}

int
log_verbose(void)
{
	return log_verb;
}

static void
log_emit(const char *level, const char *fmt, va_list ap)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	size_t n;
	ssize_t w;
	int m, saved = errno;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
	if (log_role == NULL)
		n += snprintf(line + n, sizeof line - n, ".%03ldZ trainsrv: %s",
		    ts.tv_nsec / 1000000, level);
	else
		n += snprintf(line + n, sizeof line - n,
		    ".%03ldZ trainsrv[%ld]: %s: %s", ts.tv_nsec / 1000000,
		    (long)getpid(), log_role, level);
	if (n < sizeof line - 2) {
		m = vsnprintf(line + n, sizeof line - 1 - n, fmt, ap);
		if (m < 0)
			m = 0;
		/*
		 * What was formatted may carry a client's bytes (a nickname,
		 * a message, a station): no raw control reaches the log.
		 */
		n += wire_sanitize_n(line + n, sizeof line - 1 - n, line + n,
		    (size_t)m < sizeof line - 1 - n ? (size_t)m :
		    sizeof line - 2 - n);
	}
	if (n >= sizeof line - 1)
		n = sizeof line - 2;
	line[n++] = '\n';
	do
		w = write(STDERR_FILENO, line, n);
	while (w < 0 && errno == EINTR);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("", fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit("warning: ", fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_verb)
		return;
	va_start(ap, fmt);
	log_emit("debug: ", fmt, ap);
	va_end(ap);
}

/* Each line of a multi-line text (a loader's errors), as its own line. */
void
log_text(const char *text)
{
	const char *nl;

	for (; text != NULL && *text != '\0'; text = nl + 1) {
		if ((nl = strchr(text, '\n')) == NULL)
			nl = text + strlen(text);
		log_info("%.*s", (int)(nl - text), text);
		if (*nl == '\0')
			break;
	}
}

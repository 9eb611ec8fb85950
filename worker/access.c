/*
 * access.c — the access log: one line per request,
 *
 *	2026-12-02T11:10:00Z 0 5001 NEXT OK 1 61 35
 *
 * time (UTC, to the second), worker slot, session id, command, OK and the
 * count of lines or ERR and the code (WAIT when the master answers later:
 * NAME, MSG, WHO), bytes of the reply, microseconds.
 *
 * Each worker buffers its lines and writes them with one write(2) per turn
 * of its event loop (or when ACCESS_BUF fills): a request costs a few
 * hundred nanoseconds of formatting, not a system call.  The file is
 * opened with O_APPEND, so the workers' writes never overwrite each other,
 * and a write of lines never splits one (each buffer ends on a line).
 *
 * Rotation: the master, on SIGUSR1, creates the file again if it was moved
 * away and gives it to the workers' user, then passes SIGUSR1 on; each
 * worker flushes to the old file and opens the new one (nginx's way: the
 * workers, no longer root, can open a file that is theirs).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipc/log.h"
#include "worker/access.h"

#define ACCESS_BUF	65536
#define ACCESS_LINE	160	/* the longest line: flush before less room */

static int	access_fd = -1;
static char	access_buf[ACCESS_BUF];
static size_t	access_len;
static time_t	access_sec = -1;	/* the second access_stamp shows */
static char	access_stamp[24];

int
access_prepare(const char *path, uid_t uid, gid_t gid, char *err,
    size_t errlen)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK, 0640)) == -1) {
		snprintf(err, errlen, "access log %s: %s", path, strerror(errno));
		return -1;
	}
	/* Root's workers run as another user: the file must be theirs. */
	if (uid != 0 && fchown(fd, uid, gid) == -1) {
		snprintf(err, errlen, "access log %s: fchown: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
access_open(const char *path)
{
	struct stat sb;
	int fd;

	access_flush();
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		log_warn("access log %s: %s%s", path, strerror(errno),
		    access_fd != -1 ? "; still writing the old one" : "");
		return -1;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		log_warn("access log %s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (access_fd != -1)
		close(access_fd);
	access_fd = fd;
	return 0;
}

int
access_enabled(void)
{
	return access_fd != -1;
}

void
access_flush(void)
{
	size_t off = 0;
	ssize_t n;

	while (access_fd != -1 && off < access_len) {
		n = write(access_fd, access_buf + off, access_len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* A full disk costs log lines, never a request. */
			log_warn("access log: write: %s; %zu bytes dropped",
			    n == -1 ? strerror(errno) : "nothing written",
			    access_len - off);
			break;
		}
		off += (size_t)n;
	}
	access_len = 0;
}

/* The command word, as a word of letters: nothing a client sent raw. */
void
access_command(char *out, size_t size, const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < size - 1 && line[i] != ' ' &&
	    line[i] != '\r'; i++) {
		char ch = line[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		out[i] = (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ?
		    ch : '?';
	}
	if (i == 0)
		out[i++] = '-';
	out[i] = '\0';
}

void
access_log(unsigned slot, uint64_t session, const char *cmd,
    const char *reply, size_t replylen, int64_t usec)
{
	char status[24];
	struct tm tm;
	time_t now;
	unsigned long n;
	int len;

	if (access_fd == -1)
		return;
	if ((now = time(NULL)) != access_sec) {
		access_sec = now;
		gmtime_r(&now, &tm);
		strftime(access_stamp, sizeof access_stamp, "%Y-%m-%dT%H:%M:%SZ",
		    &tm);
	}
	if (replylen == 0)
		snprintf(status, sizeof status, "WAIT -");
	else if (replylen > 3 && memcmp(reply, "OK ", 3) == 0 &&
	    sscanf(reply + 3, "%lu", &n) == 1)
		snprintf(status, sizeof status, "OK %lu", n);
	else if (replylen > 4 && memcmp(reply, "ERR ", 4) == 0 &&
	    sscanf(reply + 4, "%lu", &n) == 1)
		snprintf(status, sizeof status, "ERR %lu", n);
	else
		snprintf(status, sizeof status, "- -");
	if (sizeof access_buf - access_len < ACCESS_LINE)
		access_flush();
	len = snprintf(access_buf + access_len, sizeof access_buf - access_len,
	    "%s %u %llu %s %s %zu %lld\n", access_stamp, slot,
	    (unsigned long long)session, cmd, status, replylen,
	    (long long)(usec < 0 ? 0 : usec));
	if (len > 0 && (size_t)len < sizeof access_buf - access_len)
		access_len += (size_t)len;
}

/*
 * channel.c — messages over a SOCK_SEQPACKET socketpair, with a queue for
 * what the socket cannot take at once (see channel.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc/channel.h"

#define CH_HDR		offsetof(struct ch_msg, data)
#define CH_BUFSIZE	(1024 * 1024)

struct ch_queued {
	struct ch_queued	*next;
	size_t			 len;
	char			 bytes[];
};

int
ch_pair(int fds[2])
{
	int size = CH_BUFSIZE, i;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, fds) == -1)
		return -1;
	/* Roomy buffers make queueing rare; failure here is harmless. */
	for (i = 0; i < 2; i++) {
		setsockopt(fds[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
		setsockopt(fds[i], SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	}
	return 0;
}

void
ch_init(struct channel *ch, int fd)
{
	memset(ch, 0, sizeof *ch);
	ch->fd = fd;
}

void
ch_close(struct channel *ch)
{
	struct ch_queued *q, *next;

	for (q = ch->head; q != NULL; q = next) {
		next = q->next;
		free(q);
	}
	if (ch->fd != -1)
		close(ch->fd);
	ch_init(ch, -1);
}

int
ch_pending(const struct channel *ch)
{
	return ch->head != NULL;
}

/* Whether a bulk message of len data bytes may be sent (see channel.h). */
size_t	ch_soft = CH_QUEUE_SOFT;

int
ch_fits(const struct channel *ch, size_t len)
{
	return ch->fd != -1 && ch->queued + CH_HDR + len <= ch_soft;
}

/* 1 sent, 0 the socket is full, -1 error. */
static int
ch_write(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = send(fd, buf, len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)len)
		return 1;
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
		return 0;
	return -1;
}

int
ch_flush(struct channel *ch)
{
	struct ch_queued *q;
	int r;

	while ((q = ch->head) != NULL) {
		if ((r = ch_write(ch->fd, q->bytes, q->len)) != 1)
			return r;
		ch->head = q->next;
		if (ch->head == NULL)
			ch->tail = NULL;
		ch->queued -= q->len;
		free(q);
	}
	return 0;
}

static int
ch_enqueue(struct channel *ch, const struct ch_msg *m, size_t len)
{
	struct ch_queued *q;

	/* Short messages are never refused: see CH_SHORT in channel.h. */
	if ((len > CH_HDR + CH_SHORT && ch->queued + len > CH_QUEUE_MAX) ||
	    (q = malloc(sizeof *q + len)) == NULL) {
		errno = ENOBUFS;
		return -1;
	}
	q->next = NULL;
	q->len = len;
	memcpy(q->bytes, m, len);
	if (ch->tail != NULL)
		ch->tail->next = q;
	else
		ch->head = q;
	ch->tail = q;
	ch->queued += len;
	return 0;
}

int
ch_send(struct channel *ch, uint32_t cmd, uint32_t slot, uint64_t arg,
    uint64_t arg2, const void *data, size_t len)
{
	struct ch_msg m;
	size_t total;
	int r;

	if (ch->fd == -1 || len > CH_DATA_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(&m, 0, CH_HDR);
	m.cmd = cmd;
	m.slot = slot;
	m.arg = arg;
	m.arg2 = arg2;
	m.len = (uint32_t)len;
	if (len > 0)
		memcpy(m.data, data, len);
	total = CH_HDR + len;
	if (ch->head == NULL && (r = ch_write(ch->fd, &m, total)) != 0)
		return r == 1 ? 0 : -1;
	return ch_enqueue(ch, &m, total);
}

int
ch_recv(int fd, struct ch_msg *m)
{
	ssize_t n;

	do
		n = recv(fd, m, sizeof *m, 0);
	while (n == -1 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n < (ssize_t)CH_HDR || (size_t)n != CH_HDR + m->len || m->len > CH_DATA_MAX) {
		if (n >= 0)
			errno = EPROTO;
		return -1;
	}
	return 1;
}

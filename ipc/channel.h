/*
 * channel.h — the master <-> worker command channel.
 *
 * One SOCK_SEQPACKET socketpair per worker carries one message per datagram
 * (a small fixed header, then up to CH_DATA_MAX bytes of text), so a message
 * is never split or merged and the kernel keeps them in order.  Both ends
 * are non-blocking; a message the socket cannot take now is queued and sent
 * when it drains, so none is ever dropped (a chat line must not be lost).
 * The worker watches its end in its event loop: EOF means the master is gone.
 *
 * The queue is bounded.  Bulk traffic (long answers, notices, session
 * lists) is sent only while ch_fits() says the queue stays under
 * CH_QUEUE_SOFT; the sender answers "ERR 503 busy" instead, so nothing is
 * dropped without somebody being told.  Short messages (CH_SHORT bytes of
 * data at most: a short answer, an error, CH_END, CH_UNNAME, CH_KICKED, a
 * session's request) are always queued: each answers or ends one request
 * or session, and a peer that does not read its channel sends no new
 * requests, so their number is bounded by what it asked before it
 * stopped.  Refusing one would leave a session waiting for good.  Anything
 * longer is refused past CH_QUEUE_MAX (ENOBUFS), a last safety net.
 *
 * Retiring a worker takes two steps, so that a client told to reconnect can
 * never land on another worker that is about to retire too: first every
 * retiring worker stops accepting (CH_RETIRE, acknowledged by CH_RETIRED),
 * then, once all of them have, they say "* reload" to their sessions
 * (CH_LEAVE).  A graceful stop is SIGTERM instead: nobody will accept after.
 */
#ifndef TRAINSRV_CHANNEL_H
#define TRAINSRV_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#define CH_DATA_MAX	4096
#define CH_QUEUE_MAX	(64 * 1024 * 1024)	/* a peer this far behind is stuck */
#define CH_QUEUE_SOFT	(48 * 1024 * 1024)	/* bulk traffic stops here */
#define CH_SHORT	512			/* never refused (see above) */

enum ch_cmd {
	/* worker -> master */
	CH_READY = 1,	/* serving, accepting */
	CH_RETIRED,	/* stopped accepting */
	CH_NAME,	/* arg session: may it be called data? (answered) */
	CH_UNNAME,	/* arg session: its nickname data is free again */
	CH_MSG,		/* arg session: data "to\0from\0text" (answered) */
	CH_WHO,		/* arg session: list the sessions (answered) */
	CH_PART,	/* arg tag: lines of a session list */
	CH_END,		/* arg tag, arg2 1 if cut short: end of a session list */
	CH_KICKED,	/* arg tag, arg2 1 if the session was found */
	/* master -> worker */
	CH_RETIRE,	/* stop accepting, keep serving */
	CH_LEAVE,	/* "* reload" to every session, exit */
	CH_ANSWER,	/* arg session: reply text; arg2 CH_ANSWER_* flags */
	CH_NOTICE,	/* arg session (0: all), arg2 session to skip: a notice */
	CH_LIST,	/* arg tag: send your sessions (CH_PART..., CH_END) */
	CH_KICK		/* arg session, arg2 tag: close it with "* kick" */
};

/* CH_ANSWER arg2: the last piece; an ERR 503 because a bound was hit. */
#define CH_ANSWER_DONE	1
#define CH_ANSWER_BUSY	2

struct ch_msg {
	uint32_t	cmd;	/* enum ch_cmd */
	uint32_t	slot;
	uint64_t	arg;
	uint64_t	arg2;
	uint32_t	len;	/* bytes of data */
	uint32_t	pad;
	char		data[CH_DATA_MAX];
};

struct ch_queued;
struct channel {
	int			 fd;
	struct ch_queued	*head, *tail;
	size_t			 queued;	/* bytes waiting */
};

int	ch_pair(int fds[2]);
void	ch_init(struct channel *, int fd);
void	ch_close(struct channel *);
int	ch_send(struct channel *, uint32_t cmd, uint32_t slot, uint64_t arg,
	    uint64_t arg2, const void *data, size_t len);
int	ch_flush(struct channel *);
int	ch_pending(const struct channel *);
int	ch_fits(const struct channel *, size_t len);	/* under CH_QUEUE_SOFT */
/* The soft bound; the tests lower it (TRAINSRV_TEST_CHANNEL_SOFT, trainsrv(8)). */
extern size_t	ch_soft;
int	ch_recv(int fd, struct ch_msg *);	/* 1 got one, 0 EOF, -1 none/error */

#endif /* TRAINSRV_CHANNEL_H */

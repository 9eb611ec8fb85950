/*
 * channel.h — the master <-> worker command channel.
 *
 * One SOCK_SEQPACKET socketpair per worker carries small fixed-size
 * messages, one per datagram, so a message is never split or merged.  The
 * worker watches its end in its event loop: EOF means the master is gone.
 */
#ifndef TRAINSRV_CHANNEL_H
#define TRAINSRV_CHANNEL_H

#include <stdint.h>

/*
 * Retiring a worker takes two steps, so that a client told to reconnect can
 * never land on another worker that is about to retire too: first every
 * retiring worker stops accepting (CH_RETIRE, acknowledged by CH_RETIRED),
 * then, once all of them have, they say "* reload" to their sessions
 * (CH_LEAVE).  A graceful stop is SIGTERM instead: nobody will accept after.
 */
enum ch_cmd {
	CH_READY = 1,	/* worker -> master: serving, accepting */
	CH_RETIRED,	/* worker -> master: stopped accepting */
	CH_RETIRE,	/* master -> worker: stop accepting, keep serving */
	CH_LEAVE	/* master -> worker: "* reload" to every session, exit */
};

struct ch_msg {
	uint32_t	cmd;	/* enum ch_cmd */
	uint32_t	slot;
	uint64_t	arg;	/* room for later commands (a session id) */
};

int	ch_pair(int fds[2]);
int	ch_send(int fd, uint32_t cmd, uint32_t slot, uint64_t arg);
int	ch_recv(int fd, struct ch_msg *);	/* 1 got one, 0 EOF, -1 none/error */

#endif /* TRAINSRV_CHANNEL_H */

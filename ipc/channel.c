/*
 * channel.c — fixed-size messages over a SOCK_SEQPACKET socketpair.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ipc/channel.h"

int
ch_pair(int fds[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0, fds);
}

int
ch_send(int fd, uint32_t cmd, uint32_t slot, uint64_t arg)
{
	struct ch_msg m;
	ssize_t n;

	memset(&m, 0, sizeof m);
	m.cmd = cmd;
	m.slot = slot;
	m.arg = arg;
	do
		n = send(fd, &m, sizeof m, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	return n == (ssize_t)sizeof m ? 0 : -1;
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
	if (n != (ssize_t)sizeof *m)
		return -1;
	return 1;
}

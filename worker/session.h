/*
 * session.h — a connection's identity and the session commands (NAME, WHO,
 * MSG) routed through the master.
 */
#ifndef TRAINSRV_SESSION_H
#define TRAINSRV_SESSION_H

#include <stddef.h>
#include <sys/socket.h>

struct ch_msg;
struct conn;

void	session_init(void);
void	session_open(struct conn *, const struct sockaddr_storage *);
void	session_close(struct conn *);
void	session_channel(const struct ch_msg *);

#endif /* TRAINSRV_SESSION_H */

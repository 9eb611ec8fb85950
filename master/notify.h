/*
 * notify.h — the systemd readiness protocol (sd_notify(3)) spoken by the
 * master itself: one datagram per state change to $NOTIFY_SOCKET.
 */
#ifndef TRAINSRV_NOTIFY_H
#define TRAINSRV_NOTIFY_H

int	notify_init(void);	/* 0: off or on; -1: $NOTIFY_SOCKET unusable */
void	notify_forget(void);	/* a new worker: close the socket only */
int	notify_enabled(void);
void	notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* TRAINSRV_NOTIFY_H */

/*
 * control.h — the operator's ways in: the control socket and the console,
 * and the session routing they drive (route.c).
 */
#ifndef TRAINSRV_CONTROL_H
#define TRAINSRV_CONTROL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct ch_msg;
struct config;

#define CTL_CLIENTS	32
#define CTL_POLLFDS	(CTL_CLIENTS + 2)	/* + listening socket + console */

int		ctl_open(const struct config *, unsigned port);
void		ctl_close(void);	/* the master, at exit: unlink it */
void		ctl_forget(void);	/* a new worker: close the fds only */
unsigned	ctl_pollfds(struct pollfd *, unsigned max);
void		ctl_events(const struct pollfd *, unsigned n);
int64_t		ctl_deadline(void);	/* ms, or 0 */
void		ctl_tick(int64_t now);
int		ctl_path(unsigned port, char *buf, size_t len);

/* A complete operator reply: "OK n\n" and n lines, or "ERR code message\n". */
typedef void	(*route_reply_fn)(void *ctx, const char *text, size_t len);

void		route_message(unsigned slot, const struct ch_msg *);
void		route_worker_gone(unsigned slot);
void		route_list(route_reply_fn, void *ctx);
void		route_kick(const char *who, route_reply_fn, void *ctx);
int		route_notice_all(const char *line);	/* -1: no room, not sent */
int64_t		route_deadline(void);
void		route_tick(int64_t now);
void		route_round_end(void);	/* after a poll round's channels */
void		route_cancel(void *ctx);

/* An operator's reload, answered with its outcome (master.c). */
void		master_reload_wait(route_reply_fn, void *ctx);
void		master_reload_cancel(void *ctx);

#endif /* TRAINSRV_CONTROL_H */

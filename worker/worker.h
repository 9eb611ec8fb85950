/*
 * worker.h — a worker's state and its connections, shared by the event
 * loop (worker.c) and the connection I/O (conn.c).
 */
#ifndef TRAINSRV_WORKER_H
#define TRAINSRV_WORKER_H

#include <netinet/in.h>
#include <stdint.h>
#include <time.h>

#include "ipc/channel.h"
#include "worker/buf.h"

#define CONN_LINE_MAX		4096		/* request line, LF excluded */
#define CONN_READ_MAX		16384		/* one read(2) */
#define CONN_OUT_HIGH		(256 * 1024)	/* stop reading past this */
#define CONN_OUT_CHUNK		(16 * 1024)	/* held-back lines' replies at a time */
#define CONN_OUT_MAX		(4 * 1024 * 1024) /* close past this */
#define CONN_LINE_DEADLINE_MS	30000		/* a line must complete in */
#define CONN_LINGER_MS		2000		/* lingering close */
#define CONN_FLUSH_MS		10000		/* last words must leave in */
#define CONN_LEAVE_MS		5000		/* the same when the worker leaves */
#define CONN_TURN_CHUNKS	1		/* reply chunks per connection per turn */
#define CONN_READY_TURN		32		/* ready connections served per turn */

enum conn_state {
	CONN_OPEN,	/* reading and answering */
	CONN_CLOSING,	/* last reply or notice going out, then linger */
	CONN_LINGER,	/* write side shut: read and discard, then close */
	CONN_DEAD	/* closed; freed at the end of the loop turn */
};

struct conn {
	int		 fd;
	enum conn_state	 state;
	uint32_t	 events;	/* what epoll watches now */
	int		 peer_eof;	/* the client shut its write side */
	char		*in;		/* unprocessed input, NULL when none */
	size_t		 in_len;
	size_t		 in_cap;
	struct buf	 out;		/* unsent output from out_off */
	size_t		 out_off;
	int64_t		 line_start;	/* ms: first byte of a partial line */
	int64_t		 last_active;	/* ms */
	int64_t		 deadline;	/* ms: CLOSING and LINGER end */
	struct conn	*prev, *next;
	struct conn	*dead_next;	/* the worker's closed list */
	struct conn	*ready_next;	/* the worker's ready list */
	int		 ready;		/* on it: goes on next turn */
	/* The session (session.c). */
	uint64_t	 id;
	char		 nick[17];
	char		 pending_nick[17];	/* asked for, not yet granted */
	char		 addr[INET6_ADDRSTRLEN + 9];	/* "[v6]:port" */
	time_t		 since;
	uint64_t	 requests;
	int		 waiting;	/* for the master's answer */
	struct buf	 answer;	/* that answer, until complete */
	unsigned	 tokens;	/* messages it may send now */
	int64_t		 tokens_at;
	struct conn	*hnext;		/* session id hash chain */
	int		 http;		/* accepted on the HTTP port (http_conn.c) */
};

struct sockaddr_storage;
struct tt;
struct st_slot;
struct st_segment;

struct worker {
	const struct tt		*tt;
	struct st_slot		*slot;
	struct st_segment	*seg;
	int			 epfd;
	int			 lfd;		/* -1 once it stops accepting for good */
	int			 hfd;		/* the HTTP port, or -1 (off, or stopped) */
	struct channel		 ch;		/* to the master */
	struct conn		*current;	/* the connection being answered */
	unsigned		 slot_index;
	int			 listening;	/* lfd is in the epoll set */
	int64_t			 accept_resume;	/* ms, when paused */
	int64_t			 balance_since;	/* ms, first balance refusal */
	const char		*leaving;	/* "* reload"/"* shutdown" when exiting */
	unsigned		 nconns;
	unsigned		 max_conns;
	int64_t			 idle_ms;
	int64_t			 now;		/* ms, cached per loop turn */
	int64_t			 clock;		/* µs, end of the last request of a batch */
	struct conn		*conns;
	struct conn		*dead;		/* closed this turn, not yet freed */
	struct conn		*ready;		/* to go on next turn (fairness), */
	struct conn		*ready_tail;	/* first in, first out */
	struct buf		 wbuf;		/* replies of the connection being served */
	char			 rbuf[CONN_READ_MAX];
};

extern struct worker	w;

struct conn *conn_new(int fd, const struct sockaddr_storage *, int http);
struct buf *conn_out(struct conn *);
void	conn_resume(struct conn *);
void	conn_event(struct conn *, uint32_t events);
void	conn_leave(struct conn *, const char *notice);
int	conn_flush(struct conn *);
void	conn_retire(struct conn *, const char *notice);
void	conn_close(struct conn *);
void	conn_reap(void);
void	conn_run_ready(void);
void	conn_sweep(void);

/* HTTP connections (http_conn.c): answer the complete requests of
 * data[0..len) while the unsent output is under mark, as conn.c does
 * lines; returns the bytes used.  http_conn_backlog: a complete request
 * (or one to refuse) waits in c->in. */
size_t	http_conn_input(struct conn *, char *data, size_t len, size_t mark);
int	http_conn_backlog(const struct conn *);
/* conn_leave on an HTTP connection with part of a request read. */
void	http_conn_leave(struct conn *, const char *notice);

#endif /* TRAINSRV_WORKER_H */

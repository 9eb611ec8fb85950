/*
 * trainsrv.h — what the master and its workers share: the configuration,
 * exit codes and the worker's entry point.
 */
#ifndef TRAINSRV_H
#define TRAINSRV_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc/version.h"	/* TRAINSRV_VERSION */
#define TRAINSRV_MAX_WORKERS	64

/* A worker exits with this when it cannot start for a reason that will not
 * go away (nginx's "fatal, do not respawn"). */
#define EXIT_FATAL		3

/*
 * The default timetable, $(PREFIX)/share/trainsrv/timetable.txt: defined in
 * a file the Makefile generates and rewrites only when PREFIX changes, so
 * that no other object depends on the prefix (make install PREFIX=...).
 */
extern const char	trainsrv_default_timetable[];
#define TRAINSRV_TIMETABLE	trainsrv_default_timetable

struct tt;
struct st_segment;

struct config {
	const char	*timetable;
	const char	*bind;		/* NULL: "::", else "0.0.0.0" */
	unsigned	 port;
	unsigned	 workers;
	unsigned	 idle_timeout;	/* seconds */
	int		 check_only;
	const char	*user;		/* workers run as this user when root */
	uid_t		 uid;		/* resolved; 0 when not switching */
	gid_t		 gid;
	int		 verbose;
	/* HTTP (-H [ADDR:]PORT): the listener every worker inherits, -1 when off. */
	const char	*http;		/* the -H argument, NULL when off */
	int		 http_fd;
	const char	*access_log;	/* -a: one line per request, or NULL */
};

/* Everything a worker starts from; it lives in the forked copy of the master. */
struct worker_args {
	int			 lfd;		/* shared listening socket */
	unsigned		 slot;
	unsigned		 generation;
	pid_t			 master;
	const struct tt		*tt;
	struct st_segment	*seg;
	const struct config	*cfg;
};

void	worker_main(const struct worker_args *, int chan) __attribute__((noreturn));
int	master_run(struct config *, int lfd, struct tt *, struct st_segment *);
int	listen_open(const char *addr, unsigned port, char *desc, size_t desclen,
	    unsigned *bound, char *err, size_t errlen);
int	listen_spec(const char *spec, char *addr, size_t addrlen, unsigned *port,
	    char *err, size_t errlen);
int64_t	now_ms(void);

/* What the operator's commands do (master.c). */
void	master_reload(void);
unsigned master_set_workers(unsigned);
void	master_shutdown_in(unsigned seconds);
const struct st_segment *master_segment(void);

#endif /* TRAINSRV_H */

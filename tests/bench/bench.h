/*
 * bench.h — trainsrv-bench, a closed-loop load generator for trainsrv (and,
 * in --raw mode, for any line-based server such as redis-server).
 *
 * The modules:
 *   main.c    options, the run's phases, exit status
 *   mix.c     the requests to send: a realistic mix built from the server's
 *             STATIONS, a file of lines, or one raw line
 *   check.c   what a correct reply to each request looks like
 *   hist.c    log-bucketed latency histogram
 *   loop.c    connections and the epoll loop, one per thread
 *   report.c  the text report and the one-line JSON object
 */
#ifndef TRAINSRV_BENCH_H
#define TRAINSRV_BENCH_H

#include <netdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* ---- requests (mix.c, check.c) ---- */

/* The command a request carries, so that its reply can be checked. */
enum req_cmd {
	CMD_OTHER,		/* unknown: framing checked only */
	CMD_PING,		/* OK 1 / PONG */
	CMD_ECHO,		/* OK 1 / the text */
	CMD_TRAINS,		/* NEXT BEST WINDOW DEPARTURES ALL: train lines */
	CMD_STATIONS,		/* station names */
	CMD_QUIT,		/* OK 0 */
	CMD_RAW			/* --raw: exactly one line, '-' is an error */
};

struct req {
	char		*line;		/* the request, terminator included */
	size_t		 len;
	enum req_cmd	 cmd;
	long		 max_lines;	/* most data lines a correct reply has */
	char		*expect;	/* PING, ECHO: the one data line */
	size_t		 expect_len;
};

struct mix {
	struct req	*reqs;
	size_t		 n;
	int		 raw;		/* one-line replies, no notices */
};

struct bench_opts;
int	 mix_build(struct mix *, const struct bench_opts *, const struct addrinfo *);
void	 mix_free(struct mix *);

/* Reply checking: see check.c. */
int	 check_count(const struct req *, long n);
int	 check_line(const struct req *, const char *line, size_t len);

/* ---- latency histogram (hist.c) ---- */

#define HIST_EXACT	128			/* values below are exact */
#define HIST_SUB	64			/* sub-buckets per power of 2 */
#define HIST_MAXEXP	40			/* values up to 2^40 µs */
#define HIST_BUCKETS	(HIST_EXACT + (HIST_MAXEXP - 7) * HIST_SUB)

struct hist {
	uint64_t	 count;
	uint64_t	 max;		/* µs, exact */
	double		 sum;		/* µs, for the mean */
	uint64_t	 b[HIST_BUCKETS];
};

void	 hist_add(struct hist *, uint64_t us);
void	 hist_merge(struct hist *, const struct hist *);
double	 hist_pct(const struct hist *, double pct);

/* ---- counters (merged from every thread) ---- */

enum err_code { E400, E404, E413, E500, E503, EOTHER, E_NCODES };

struct counters {
	uint64_t	 requests;	/* correct replies, OK or ERR */
	uint64_t	 errors;	/* ERR replies (or '-' lines in --raw) */
	uint64_t	 err_code[E_NCODES];
	uint64_t	 wrong;		/* replies that break the protocol */
	uint64_t	 resets;	/* connections lost without a notice */
	uint64_t	 reloads;	/* "* reload" / "* shutdown" notices */
	uint64_t	 timeouts;
	uint64_t	 resent;
	uint64_t	 failed;	/* no correct reply after the resends */
	uint64_t	 connect_errors;
	uint64_t	 connects;	/* successful connects, idle ones too */
	uint64_t	 unfinished;	/* in flight when the run stopped */
	uint64_t	 dead;		/* connections given up */
};

void	 counters_merge(struct counters *, const struct counters *);

/* ---- options and the shared state of a run (main.c) ---- */

struct bench_opts {
	const char	*host;
	const char	*port;
	int		 conns;		/* -c */
	uint64_t	 nreq;		/* -n, 0: unbounded */
	double		 duration;	/* -d seconds, 0: unbounded */
	int		 pipeline;	/* -P */
	const char	*file;		/* -f */
	const char	*raw;		/* --raw */
	int		 idle;		/* --idle */
	int		 reconnect;	/* --reconnect */
	int		 json;		/* --json */
	int		 threads;	/* -t */
	uint64_t	 seed;		/* -s */
	double		 timeout;	/* --timeout seconds */
	int		 retries;	/* --retries */
	int		 mix_size;	/* --mix-size */
	const char	*mix_kind;	/* --mix: default, next, ping */
	int		 quiet;		/* -q */
	int		 verbose;	/* -v */
};

/* What every thread reads, and the few counters they share. */
struct shared {
	const struct bench_opts	*opts;
	const struct mix	*mix;
	struct sockaddr_storage	 addr;
	socklen_t		 addrlen;
	int			 family;
	uint64_t		 timeout_ns;
	uint64_t		 end_ns;	/* -d deadline, 0: none */
	atomic_uint_fast64_t	 issued;	/* -n tickets handed out */
	atomic_uint_fast64_t	 done;		/* requests finished, any outcome */
};

extern volatile sig_atomic_t bench_stop;	/* SIGINT / SIGTERM seen */

uint64_t now_ns(void);

/* ---- the event loop (loop.c) ---- */

struct worker;
struct worker	*worker_new(struct shared *, int id, int active, int first, int idle);
int		 worker_idle_setup(struct worker *, uint64_t deadline_ns);
int		 worker_idle_open(const struct worker *);
void		 worker_run(struct worker *);
void		 worker_result(const struct worker *, struct counters *,
		    struct hist *, double *cpu_s);
void		 worker_free(struct worker *);

/* ---- output (report.c) ---- */

struct result {
	struct counters	 c;
	struct hist	*h;
	double		 wall_s;	/* the active phase */
	double		 cpu_s;		/* user + system, whole process */
	double		 thread_cpu_max; /* busiest thread, fraction of a core */
	int		 idle_open;
};

void	 report_text(const struct bench_opts *, const struct result *);
void	 report_json(const struct bench_opts *, const struct result *);
void	 report_warn(const struct result *);

#endif /* TRAINSRV_BENCH_H */

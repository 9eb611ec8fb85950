/*
 * bench_engine — time the engine on a generated timetable.
 *
 * usage: bench-engine [-r] [-l legs] [-s stations] [-n queries]
 *                     [-k ttgen-path] [-g gtfs-dir]
 *
 * Runs ttgen (by default the one beside this program) into a temporary
 * file, times tt_load on it, then times each query kind one call at a time
 * on random stations and times, and prints the median and 99th percentile.
 * Pairs of stations are drawn from real trains so queries find something.
 *
 * Then whole NEXT requests through proto_request (parse, two station
 * lookups, the query, the reply's formatting: a worker's user-space work
 * per request, without the sockets), timed in bulk: a mix of 4096 distinct
 * requests cycled, as trainsrv-bench --mix next sends them (random
 * stations, random times), and the same number of all-distinct requests
 * (every one cold), next to PING for the parsing alone.  With -r, only
 * those (to profile them).
 *
 * JOURNEY is timed on 1,000 questions between uniformly random stations at
 * uniformly random times, next to one sequential pass over the same
 * connection array (what reading it costs: the memory limit): earliest
 * arrival alone (the scan stopping at the first connection that cannot
 * arrive earlier), then the whole JOURNEY reply (Pareto set, each journey
 * leaving as late as it can).  Then the same on the LIRR feed's day
 * 2026-10-05, imported with trainsrv-import (beside this program) from
 * gtfs-dir (default data/gtfs-lirr; skipped when absent).
 */
#include <sys/wait.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc/stats.h"
#include "worker/buf.h"
#include "worker/engine.h"
#include "worker/engine_impl.h"
#include "worker/proto.h"

#define JOURNEY_QUERIES	1000

static uint64_t	rng = 42;
static volatile uint64_t sink;	/* keeps results alive */

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (uint32_t)(rng % n) : 0;
}

static uint64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-engine [-r] [-l legs] [-s stations] "
	    "[-n queries]\n"
	    "                    [-k ttgen-path] [-g gtfs-dir]\n");
	exit(2);
}

static unsigned long
number(const char *s)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || v == 0)
		usage();
	return v;
}

/* Run a program; returns 0 when it exits 0. */
static int
run_prog(char *const argv[])
{
	pid_t	 pid;
	int	 st;

	if ((pid = fork()) == -1) {
		perror("bench-engine: fork");
		return -1;
	}
	if (pid == 0) {
		execv(argv[0], argv);
		fprintf(stderr, "bench-engine: %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			perror("bench-engine: waitpid");
			return -1;
		}
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Run ttgen -l legs [-s stations] -o path; returns 0 on success. */
static int
generate(const char *ttgen, unsigned long legs, unsigned long stations,
    const char *path)
{
	char	 l[32], s[32];
	char	*argv[] = { (char *)ttgen, "-l", l, "-o", (char *)path,
		    "-s", s, NULL };

	snprintf(l, sizeof(l), "%lu", legs);
	snprintf(s, sizeof(s), "%lu", stations);
	if (stations == 0)
		argv[5] = NULL;
	return run_prog(argv);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, uint64_t *ns, size_t n)
{
	qsort(ns, n, sizeof(*ns), cmp_u64);
	printf("%-18s median %6llu ns   p99 %7llu ns\n", what,
	    (unsigned long long)ns[n / 2],
	    (unsigned long long)ns[n * 99 / 100]);
}

/* A random pair of stations some train runs between. */
static void
random_pair(const struct tt *t, uint32_t *from, uint32_t *to)
{
	uint32_t	tr = rnd(tt_ntrains(t)), n = tt_train_nstops(t, tr), i;

	i = rnd(n - 1);
	*from = tt_stop_station(t, tr, i);
	*to = tt_stop_station(t, tr, i + 1 + rnd(n - 1 - i));
}

enum kind {
	K_NEXT, K_WINDOW, K_BEST_PRICE, K_BEST_DUR, K_DEPARTURES, K_ALL,
	K_STATIONS, K_FIND, K_FORMAT, K_COUNT
};

static const char *const kind_name[K_COUNT] = {
	"NEXT", "WINDOW (3 h)", "BEST price", "BEST duration",
	"DEPARTURES (10)", "ALL page (100)", "STATIONS prefix",
	"station lookup", "format (NEXT)"
};

static void
run(const struct tt *t, enum kind k, size_t nq, uint64_t *ns)
{
	static struct tt_result	 res[1000];
	char			 line[2048];
	const char		*name;
	uint32_t		 from, to, first;
	uint64_t		 t0, acc = 0;
	size_t			 q;
	int			 clock;

	for (q = 0; q < nq; q++) {
		random_pair(t, &from, &to);
		clock = (int)rnd(1440);
		name = tt_station_name(t, from);
		if (k == K_FORMAT)
			tt_next(t, from, to, clock, &res[0]);
		t0 = now_ns();
		switch (k) {
		case K_NEXT:
			acc += (uint64_t)tt_next(t, from, to, clock, res);
			break;
		case K_WINDOW:
			acc += tt_window(t, from, to, clock,
			    (clock + 180) % 1440, res, 1000);
			break;
		case K_BEST_PRICE:
			acc += (uint64_t)tt_best(t, from, to, TT_BY_PRICE, res);
			break;
		case K_BEST_DUR:
			acc += (uint64_t)tt_best(t, from, to, TT_BY_DURATION,
			    res);
			break;
		case K_DEPARTURES:
			acc += tt_departures(t, from, clock, 10, res);
			break;
		case K_ALL:
			acc += tt_all(t, rnd(tt_ntrains(t)), 100, res);
			break;
		case K_STATIONS:
			acc += tt_stations(t, name, strlen(name) < 3 ?
			    strlen(name) : 3, &first);
			break;
		case K_FIND:
			acc += (uint64_t)tt_station_find(t, name, strlen(name));
			break;
		case K_FORMAT:
			acc += tt_format(t, &res[0], line, sizeof(line));
			break;
		default:
			break;
		}
		ns[q] = now_ns() - t0;
	}
	sink += acc;
}

/*
 * One sequential pass over the connection array, reading every field a
 * scan reads: the floor under any scan of it.  The best of 20.
 */
static uint64_t
conn_pass(const struct tt *t)
{
	const struct tt_conn	*c = TT_CONNS(t);
	uint32_t		 i, n = tt_nconns(t), r;
	uint64_t		 t0, best = UINT64_MAX, acc;

	for (r = 0; r < 20; r++) {
		t0 = now_ns();
		acc = 0;
		for (i = 0; i < n; i++)
			acc += c[i].from ^ c[i].to ^ c[i].train ^
			    (uint32_t)(c[i].dep + c[i].dur);
		sink += acc;
		if (now_ns() - t0 < best)
			best = now_ns() - t0;
	}
	return best;
}

static void
bench_journey(const struct tt *t, const char *what)
{
	static struct tt_journey	 j[TT_LEGS_MAX];
	struct tt_jws			*ws;
	uint64_t			 ns[JOURNEY_QUERIES], pass, t0;
	uint32_t			 from[JOURNEY_QUERIES];
	uint32_t			 to[JOURNEY_QUERIES];
	int				 at[JOURNEY_QUERIES];
	size_t				 q, reached = 0, journeys = 0;

	if ((ws = tt_jws_new(t)) == NULL) {
		perror("bench-engine: tt_jws_new");
		exit(1);
	}
	for (q = 0; q < JOURNEY_QUERIES; q++) {
		from[q] = rnd(tt_nstations(t));
		do
			to[q] = rnd(tt_nstations(t));
		while (to[q] == from[q]);
		at[q] = (int)rnd(1440);
	}
	pass = conn_pass(t);
	printf("JOURNEY on %s: %u connections, one sequential pass %llu ns\n",
	    what, tt_nconns(t), (unsigned long long)pass);
	for (q = 0; q < JOURNEY_QUERIES; q++) {
		t0 = now_ns();
		reached += tt_journey_earliest(t, ws, from[q], to[q], at[q],
		    TT_CHANGES_DEFAULT) >= 0;
		ns[q] = now_ns() - t0;
	}
	report("earliest arrival", ns, JOURNEY_QUERIES);
	printf("%-18s median %.2f passes, %zu of %d reached\n", "",
	    (double)ns[JOURNEY_QUERIES / 2] / (double)pass, reached,
	    JOURNEY_QUERIES);
	for (q = 0; q < JOURNEY_QUERIES; q++) {
		t0 = now_ns();
		journeys += tt_journey(t, ws, from[q], to[q], at[q],
		    TT_CHANGES_DEFAULT, j);
		ns[q] = now_ns() - t0;
	}
	report("JOURNEY (Pareto)", ns, JOURNEY_QUERIES);
	printf("%-18s median %.2f passes, %.2f journeys per answer\n", "",
	    (double)ns[JOURNEY_QUERIES / 2] / (double)pass,
	    (double)journeys / JOURNEY_QUERIES);
	tt_jws_free(ws);
}

/* Import the LIRR day with trainsrv-import beside us, and time JOURNEY. */
/* Requests through the protocol, in bulk. */

#define MIX_SIZE	4096

/* A NEXT request as trainsrv-bench --mix next makes them, at buf. */
static size_t
next_request(const struct tt *t, char *buf, size_t cap)
{
	uint32_t	a = rnd(tt_nstations(t)), b = rnd(tt_nstations(t) - 1);
	unsigned	clock = rnd(1440);
	int		n;

	if (b >= a)
		b++;
	n = snprintf(buf, cap, "NEXT %s;%s;%02u:%02u", tt_station_name(t, a),
	    tt_station_name(t, b), clock / 60, clock % 60);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n + 1;
}

/* Requests, packed: request i is the string at pool + off[i]. */
struct reqs {
	char	*pool;
	size_t	*off;
	size_t	 n;
};

/*
 * ns per request over n requests taken from rq in turn; the reply buffer
 * is emptied every 64 replies, as a worker's is by send().
 */
static double
time_requests(const struct tt *t, const struct reqs *rq, size_t nreq,
    size_t n)
{
	static struct st_slot	slot;
	struct buf		out = { 0 };
	char			line[TT_NAME_MAX * 2 + 32];
	const char		*s;
	uint64_t		t0, bytes = 0;
	size_t			i, len;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		s = rq->pool + rq->off[i % nreq];
		len = strlen(s);
		memcpy(line, s, len + 1);
		proto_request(t, &slot, line, len, NULL, &out);
		if (i % 64 == 63) {
			bytes += out.len;
			out.len = 0;
		}
	}
	t0 = now_ns() - t0;
	sink += bytes + out.len;
	buf_free(&out);
	return (double)t0 / (double)n;
}

static void
bench_requests(const struct tt *t, size_t nq)
{
	struct reqs	rq;
	size_t		i, len, used = 0, n = nq < MIX_SIZE ? MIX_SIZE : nq;
	size_t		cap = n * (TT_NAME_MAX + 32);

	if (tt_nstations(t) < 2 || (rq.pool = malloc(cap)) == NULL ||
	    (rq.off = malloc(n * sizeof(*rq.off))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		len = next_request(t, rq.pool + used, cap - used);
		rq.off[i] = used;
		used += len;
	}
	rq.n = n;
	time_requests(t, &rq, MIX_SIZE, n);	/* warm up */
	printf("requests through proto_request, %zu each, ns per request:\n",
	    n);
	printf("%-18s %6.0f ns  (4096 distinct, cycled: trainsrv-bench "
	    "--mix next)\n", "NEXT request", time_requests(t, &rq, MIX_SIZE,
	    n));
	printf("%-18s %6.0f ns  (all distinct)\n", "NEXT request",
	    time_requests(t, &rq, n, n));
	strcpy(rq.pool, "PING");
	rq.off[0] = 0;
	printf("%-18s %6.0f ns\n", "PING request", time_requests(t, &rq, 1, n));
	free(rq.pool);
	free(rq.off);
}

static void
bench_lirr(const char *self, const char *dir)
{
	char		 imp[4096], path[] = "/tmp/bench-lirr-XXXXXX", *err = NULL;
	const char	*slash = strrchr(self, '/');
	char		*argv[] = { imp, "-d", "2026-10-05", "-o", path,
			    (char *)dir, NULL };
	struct tt	*t;
	unsigned	 nerr;
	uint64_t	 t0;
	int		 fd;

	if (access(dir, R_OK) == -1) {
		printf("(no %s: LIRR skipped)\n", dir);
		return;
	}
	snprintf(imp, sizeof(imp), "%.*strainsrv-import",
	    slash ? (int)(slash - self + 1) : 0, self);
	if ((fd = mkstemp(path)) == -1) {
		perror("bench-engine: mkstemp");
		return;
	}
	close(fd);
	t0 = now_ns();
	if (run_prog(argv) == -1) {
		fprintf(stderr, "bench-engine: %s failed\n", imp);
		unlink(path);
		return;
	}
	printf("imported %s for 2026-10-05 in %.3f s\n", dir,
	    (double)(now_ns() - t0) / 1e9);
	t = tt_load(path, &err, &nerr);
	unlink(path);
	if (t == NULL) {
		fprintf(stderr, "bench-engine: %s", err ? err : "load failed\n");
		free(err);
		return;
	}
	bench_journey(t, "LIRR 2026-10-05");
	tt_free(t);
}

int
main(int argc, char **argv)
{
	struct tt	*t;
	char		 path[] = "/tmp/bench-engine-XXXXXX", *err = NULL;
	char		 ttgen[4096];
	const char	*gen = NULL, *slash, *gtfs = "data/gtfs-lirr";
	unsigned long	 legs = 1000000, stations = 0, nq = 200000;
	uint64_t	*ns, t0, t1;
	unsigned	 nerr;
	int		 c, fd, k, only_requests = 0;

	while ((c = getopt(argc, argv, "rl:s:n:k:g:")) != -1) {
		switch (c) {
		case 'g':
			gtfs = optarg;
			break;
		case 'l':
			legs = number(optarg);
			break;
		case 'r':
			only_requests = 1;
			break;
		case 's':
			stations = number(optarg);
			break;
		case 'n':
			nq = number(optarg);
			break;
		case 'k':
			gen = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (gen == NULL) {
		/* ttgen is built beside bench-engine. */
		slash = strrchr(argv[0], '/');
		snprintf(ttgen, sizeof(ttgen), "%.*sttgen",
		    slash ? (int)(slash - argv[0] + 1) : 0, argv[0]);
		gen = slash ? ttgen : "ttgen";
	}
	if ((fd = mkstemp(path)) == -1) {
		perror("bench-engine: mkstemp");
		return 1;
	}
	close(fd);
	t0 = now_ns();
	if (generate(gen, legs, stations, path) == -1) {
		fprintf(stderr, "bench-engine: %s failed\n", gen);
		unlink(path);
		return 1;
	}
	t1 = now_ns();
	printf("generated %lu legs in %.3f s (%s)\n", legs,
	    (double)(t1 - t0) / 1e9, gen);

	t0 = now_ns();
	t = tt_load(path, &err, &nerr);
	t1 = now_ns();
	unlink(path);
	if (t == NULL) {
		fprintf(stderr, "bench-engine: %u errors:\n%s", nerr,
		    err ? err : "");
		free(err);
		return 1;
	}
	printf("load               %.3f s: %u trains, %u legs, %u stations, "
	    "arena %.1f MB\n", (double)(t1 - t0) / 1e9, tt_ntrains(t),
	    tt_nlegs(t), tt_nstations(t),
	    (double)tt_arena_size(t) / (1024 * 1024));

	if (only_requests) {
		bench_requests(t, nq);
		tt_free(t);
		return 0;
	}
	if ((ns = malloc(nq * sizeof(*ns))) == NULL) {
		perror("bench-engine: malloc");
		return 1;
	}
	printf("%lu queries per kind:\n", nq);
	for (k = 0; k < K_COUNT; k++) {
		run(t, (enum kind)k, nq, ns);
		report(kind_name[k], ns, nq);
	}
	free(ns);
	bench_requests(t, nq);
	bench_journey(t, "the generated timetable");
	tt_free(t);
	bench_lirr(argv[0], gtfs);
	return 0;
}

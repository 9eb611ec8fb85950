/*
 * main.c — trainsrv-bench: options, the phases of a run, the exit status.
 *
 * A run: raise the descriptor limit, resolve the server, build the requests
 * (which may ask the server for its stations), open the --idle connections,
 * then start the clock and the active connections, one epoll loop per
 * thread, until -n requests are done, -d seconds pass or SIGINT.  Exit 0
 * only when no request failed and no reply was wrong.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include "tests/bench/bench.h"
#include "ipc/version.h"

#define IDLE_SETUP_S	30.0	/* opening --idle connections, at most */
#define MAX_THREADS	64
#define MAX_PIPELINE	1024

volatile sig_atomic_t bench_stop;

/* The full usage; with status 0 (--help) on stdout. */
static void
usage(int status)
{
	fprintf(status == 0 ? stdout : stderr,
"usage: trainsrv-bench [-h host] [-p port] -c connections (-n requests | -d seconds)\n"
"                      [-P pipeline] [-f requests-file] [-s seed] [-t threads]\n"
"                      [--raw line] [--idle n] [--reconnect] [--json]\n"
"                      [--mix default|next|ping] [--mix-size n] [--timeout seconds]\n"
"                      [--retries n] [-q] [-v]\n"
"  -h host          server address (default 127.0.0.1)\n"
"  -p port          server port (default 8080)\n"
"  -c connections   active connections, closed loop\n"
"  -n requests      stop after this many requests (with -d: whichever first)\n"
"  -d seconds       stop after this long (decimals allowed)\n"
"  -P pipeline      requests outstanding per connection (default 1)\n"
"  -f file          request lines to send, cycled ('-': stdin; '#' comments);\n"
"                   default: a mix over the server's timetable (NEXT, WINDOW,\n"
"                   BEST, DEPARTURES, STATIONS, ALL, PING)\n"
"  --mix kind       the generated mix: default, next (NEXT only) or ping\n"
"  --mix-size n     requests in the generated mix (default 4096)\n"
"  -s seed          seed of the generated mix (default 1)\n"
"  -t threads       event loops, one thread each (default 1)\n"
"  --raw line       send line (CRLF) and expect a one-line reply, '-' = error:\n"
"                   any line-based server, e.g. --raw PING for redis-server\n"
"  --idle n         also hold n idle connections open during the run\n"
"  --reconnect      a new connection per request (latency includes connect)\n"
"  --json           last line of stdout: the results as one JSON object\n"
"  --timeout s      a reply (or a connect) is late after s seconds (default 5)\n"
"  --retries n      resends of a request that had no reply (default 1)\n"
"  -q               no text report (with --json: the JSON line only)\n"
"  -v               say on stderr when the measured run starts\n"
"  --help           this text\n"
"  --version        the version, as \"trainsrv-bench 0.1.0\"\n"
"Exit status: 0 when no request failed and no reply was wrong, 1 otherwise,\n"
"2 on a usage error.\n");
	exit(status);
}

static void
bad_arg(const char *opt, const char *arg)
{
	fprintf(stderr, "trainsrv-bench: bad value for %s: \"%s\"\n", opt, arg);
	usage(2);
}

static long long
num_arg(const char *opt, const char *arg, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || v < min || v > max)
		bad_arg(opt, arg);
	return v;
}

static double
secs_arg(const char *opt, const char *arg)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' || !(v > 0) || v > 1e6)
		bad_arg(opt, arg);
	return v;
}

enum { OPT_RAW = 256, OPT_IDLE, OPT_RECONNECT, OPT_JSON, OPT_TIMEOUT,
	OPT_RETRIES, OPT_MIX, OPT_MIXSIZE, OPT_HELP, OPT_VERSION };

static void
parse_opts(struct bench_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "raw",	required_argument, NULL, OPT_RAW },
		{ "idle",	required_argument, NULL, OPT_IDLE },
		{ "reconnect",	no_argument,	   NULL, OPT_RECONNECT },
		{ "json",	no_argument,	   NULL, OPT_JSON },
		{ "timeout",	required_argument, NULL, OPT_TIMEOUT },
		{ "retries",	required_argument, NULL, OPT_RETRIES },
		{ "mix",	required_argument, NULL, OPT_MIX },
		{ "mix-size",	required_argument, NULL, OPT_MIXSIZE },
		{ "help",	no_argument,	   NULL, OPT_HELP },
		{ "version",	no_argument,	   NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->port = "8080";
	o->pipeline = 1;
	o->threads = 1;
	o->seed = 1;
	o->timeout = 5;
	o->retries = 1;
	o->mix_size = 4096;
	o->mix_kind = "default";
	while ((ch = getopt_long(argc, argv, "h:p:c:n:d:P:f:s:t:qv", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h': o->host = optarg; break;
		case 'p': o->port = optarg; break;
		case 'c': o->conns = (int)num_arg("-c", optarg, 1, 1000000); break;
		case 'n': o->nreq = (uint64_t)num_arg("-n", optarg, 1, LLONG_MAX); break;
		case 'd': o->duration = secs_arg("-d", optarg); break;
		case 'P': o->pipeline = (int)num_arg("-P", optarg, 1, MAX_PIPELINE); break;
		case 'f': o->file = optarg; break;
		case 's': o->seed = (uint64_t)num_arg("-s", optarg, 0, LLONG_MAX); break;
		case 't': o->threads = (int)num_arg("-t", optarg, 1, MAX_THREADS); break;
		case 'q': o->quiet = 1; break;
		case 'v': o->verbose = 1; break;
		case OPT_RAW: o->raw = optarg; break;
		case OPT_IDLE: o->idle = (int)num_arg("--idle", optarg, 0, 1000000); break;
		case OPT_RECONNECT: o->reconnect = 1; break;
		case OPT_JSON: o->json = 1; break;
		case OPT_TIMEOUT: o->timeout = secs_arg("--timeout", optarg); break;
		case OPT_RETRIES: o->retries = (int)num_arg("--retries", optarg, 0, 100); break;
		case OPT_MIX:
			if (strcmp(optarg, "default") != 0 &&
			    strcmp(optarg, "next") != 0 && strcmp(optarg, "ping") != 0)
				bad_arg("--mix", optarg);
			o->mix_kind = optarg;
			break;
		case OPT_MIXSIZE: o->mix_size = (int)num_arg("--mix-size", optarg, 1, 10000000); break;
		case OPT_HELP: usage(0); break;
		case OPT_VERSION:
			printf("trainsrv-bench %s\n", TRAINSRV_VERSION);
			exit(0);
		default: usage(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "trainsrv-bench: unexpected argument \"%s\"\n",
		    argv[optind]);
		usage(2);
	}
	if (o->conns == 0 || (o->nreq == 0 && o->duration == 0)) {
		fprintf(stderr, "trainsrv-bench: -c and one of -n or -d are needed\n");
		usage(2);
	}
	if (o->raw != NULL && o->file != NULL) {
		fprintf(stderr, "trainsrv-bench: --raw and -f exclude each other\n");
		usage(2);
	}
	if (o->reconnect && o->pipeline > 1) {
		fprintf(stderr, "trainsrv-bench: --reconnect sends one request per "
		    "connection: no -P\n");
		usage(2);
	}
	if (o->threads > o->conns)
		o->threads = o->conns;
}

static void
on_stop(int sig)
{
	(void)sig;
	if (bench_stop)		/* a second ^C: the user means it */
		_exit(130);
	bench_stop = 1;
}

static void
setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;	/* no SA_RESTART: epoll_wait returns */
	if (sigaction(SIGINT, &sa, NULL) == -1 || sigaction(SIGTERM, &sa, NULL) == -1) {
		perror("trainsrv-bench: sigaction");
		exit(1);
	}
	sa.sa_handler = SIG_IGN;	/* a reset peer is an error, not a death */
	if (sigaction(SIGPIPE, &sa, NULL) == -1) {
		perror("trainsrv-bench: sigaction");
		exit(1);
	}
}

/* --idle 10000 needs more descriptors than the usual soft limit. */
static void
raise_nofile(const struct bench_opts *o)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)o->conns + (rlim_t)o->idle + (rlim_t)o->threads + 32;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		perror("trainsrv-bench: getrlimit");
		exit(1);
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			perror("trainsrv-bench: setrlimit");
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < need) {
		fprintf(stderr, "trainsrv-bench: %llu connections need %llu file "
		    "descriptors; the limit is %llu\n",
		    (unsigned long long)(o->conns + o->idle),
		    (unsigned long long)need, (unsigned long long)rl.rlim_cur);
		exit(1);
	}
}

static struct addrinfo *
resolve(const struct bench_opts *o)
{
	struct addrinfo hints, *res;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(o->host, o->port, &hints, &res)) != 0) {
		fprintf(stderr, "trainsrv-bench: %s port %s: %s\n", o->host,
		    o->port, gai_strerror(rc));
		exit(1);
	}
	return res;
}

static double
process_cpu(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void *
thread_main(void *arg)
{
	worker_run(arg);
	return NULL;
}

/* Open the idle connections (all on worker 0) before the clock starts. */
static int
open_idle(const struct bench_opts *o, struct worker *w0)
{
	uint64_t deadline = now_ns() + (uint64_t)((IDLE_SETUP_S + o->timeout) * 1e9);
	int open;

	if (o->idle == 0)
		return 0;
	open = worker_idle_setup(w0, deadline);
	/* make bench waits on this line to sample the server's memory. */
	fprintf(stderr, "trainsrv-bench: %d idle connections open\n", open);
	if (open < o->idle)
		fprintf(stderr, "trainsrv-bench: warning: only %d of %d idle "
		    "connections could be opened\n", open, o->idle);
	return open;
}

/* The active phase: every worker's loop, worker 0 on this thread. */
static void
run_workers(struct shared *sh, struct worker **w, struct result *res)
{
	const struct bench_opts *o = sh->opts;
	pthread_t tid[MAX_THREADS];
	uint64_t t0;
	double cpu0, cpu;
	int i, rc;

	if (o->verbose)
		fprintf(stderr, "trainsrv-bench: running: %d connections, %zu "
		    "distinct requests\n", o->conns, sh->mix->n);
	cpu0 = process_cpu();
	t0 = now_ns();
	if (o->duration > 0)
		sh->end_ns = t0 + (uint64_t)(o->duration * 1e9);
	for (i = 1; i < o->threads; i++)
		if ((rc = pthread_create(&tid[i], NULL, thread_main, w[i])) != 0) {
			fprintf(stderr, "trainsrv-bench: pthread_create: %s\n",
			    strerror(rc));
			exit(1);
		}
	worker_run(w[0]);
	for (i = 1; i < o->threads; i++)
		if ((rc = pthread_join(tid[i], NULL)) != 0) {
			fprintf(stderr, "trainsrv-bench: pthread_join: %s\n",
			    strerror(rc));
			exit(1);
		}
	res->wall_s = (double)(now_ns() - t0) / 1e9;
	res->cpu_s = process_cpu() - cpu0;
	for (i = 0; i < o->threads; i++) {
		worker_result(w[i], &res->c, res->h, &cpu);
		if (res->wall_s > 0 && cpu / res->wall_s > res->thread_cpu_max)
			res->thread_cpu_max = cpu / res->wall_s;
	}
}

int
main(int argc, char **argv)
{
	struct bench_opts o;
	struct shared sh;
	struct mix mix;
	struct addrinfo *ai;
	struct worker *w[MAX_THREADS];
	struct result res;
	int i, first = 0, share;

	parse_opts(&o, argc, argv);
	setup_signals();
	raise_nofile(&o);
	ai = resolve(&o);

	if (mix_build(&mix, &o, ai) == -1) {
		freeaddrinfo(ai);
		return 1;
	}
	memset(&sh, 0, sizeof(sh));
	sh.opts = &o;
	sh.mix = &mix;
	memcpy(&sh.addr, ai->ai_addr, ai->ai_addrlen);
	sh.addrlen = ai->ai_addrlen;
	sh.family = ai->ai_family;
	sh.timeout_ns = (uint64_t)(o.timeout * 1e9);
	freeaddrinfo(ai);
	atomic_init(&sh.issued, 0);
	atomic_init(&sh.done, 0);

	for (i = 0; i < o.threads; i++) {
		share = o.conns / o.threads + (i < o.conns % o.threads);
		w[i] = worker_new(&sh, i, share, first, i == 0 ? o.idle : 0);
		first += share;
	}

	memset(&res, 0, sizeof(res));
	if ((res.h = calloc(1, sizeof(*res.h))) == NULL) {
		perror("trainsrv-bench: calloc");
		return 1;
	}
	open_idle(&o, w[0]);
	if (!bench_stop)
		run_workers(&sh, w, &res);
	res.idle_open = worker_idle_open(w[0]);

	if (!o.quiet)
		report_text(&o, &res);
	else
		report_warn(&res);
	if (o.json)
		report_json(&o, &res);
	if (res.c.requests == 0)
		fprintf(stderr, "trainsrv-bench: no correct reply came back\n");

	for (i = 0; i < o.threads; i++)
		worker_free(w[i]);
	mix_free(&mix);
	free(res.h);
	return res.c.failed == 0 && res.c.wrong == 0 && res.c.requests > 0 ? 0 : 1;
}

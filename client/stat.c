/*
 * stat.c — trainsrv-stat: live counters read straight from the shared-memory
 * segment, never from the server's socket.
 *
 * One snapshot of the segment feeds every view: the summary with its
 * per-worker table (in the spirit of Apache's server-status), JSON, the
 * Prometheus text format, and the live view that prints per-second rates
 * between two snapshots (like varnishstat).  Slot counters are described
 * once, in st_slot_fields (ipc/stats.c).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc/prom.h"
#include "ipc/stats.h"
#include "ipc/wire.h"
#include "ipc/version.h"

static const struct option longopts[] = {
	{ "help",	no_argument,	NULL, 'h' },
	{ "version",	no_argument,	NULL, 'V' },
	{ NULL,		0,		NULL, 0 }
};

enum view { V_SUMMARY, V_JSON, V_PROM };

struct snap {
	struct st_slot		 slots[ST_SLOTS];	/* copies, plain reads */
	uint64_t		 trains, legs, stations, generation;
	int64_t			 loaded_at;
	uint64_t		 reload_attempts, reload_successes, respawns;
	uint32_t		 workers_target;
	/* The header's strings, copied and sanitised: printable as they are. */
	char			 listen[sizeof(((struct st_header *)0)->listen) + 1];
	char			 timetable[sizeof(((struct st_header *)0)->timetable) + 1];
	/* Totals over all slots. */
	uint64_t		 field[16];		/* st_slot_fields order */
	uint64_t		 cmd[ST_CMD_MAX], err[ST_ERR_MAX], lat[ST_LAT_BUCKETS];
	uint64_t		 requests, errors, lat_sum;
	double			 when;			/* monotonic seconds */
};

static volatile sig_atomic_t	stop;

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: trainsrv-stat [-1hjP] [-p port] [-w seconds]\n");
	exit(status);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t
slot_u64(const struct st_slot *s, size_t offset)
{
	return ST_GET(*(_Atomic uint64_t *)((char *)(uintptr_t)s + offset));
}

static void
snap_slot(struct snap *sn, unsigned i, const struct st_slot *s)
{
	struct st_slot *d = &sn->slots[i];
	size_t f;
	unsigned k;

	ST_SET(d->pid, ST_GET(s->pid));
	ST_SET(d->state, ST_GET(s->state));
	ST_SET(d->generation, ST_GET(s->generation));
	ST_SET(d->started_at, ST_GET(s->started_at));
	ST_SET(d->exited_at, ST_GET(s->exited_at));
	ST_SET(d->last_request, ST_GET(s->last_request));
	for (f = 0; f < st_nslot_fields; f++) {
		uint64_t v = slot_u64(s, st_slot_fields[f].offset);
		ST_SET(*(_Atomic uint64_t *)((char *)d + st_slot_fields[f].offset), v);
		sn->field[f] += v;
	}
	for (k = 0; k < ST_CMD_MAX; k++) {
		ST_SET(d->cmd[k], ST_GET(s->cmd[k]));
		sn->cmd[k] += ST_GET(d->cmd[k]);
		sn->requests += ST_GET(d->cmd[k]);
	}
	for (k = 0; k < ST_ERR_MAX; k++) {
		ST_SET(d->err[k], ST_GET(s->err[k]));
		sn->err[k] += ST_GET(d->err[k]);
		sn->errors += ST_GET(d->err[k]);
	}
	for (k = 0; k < ST_LAT_BUCKETS; k++)
		sn->lat[k] += ST_GET(s->lat[k]);
	sn->lat_sum += ST_GET(s->lat_sum);
}

/* The reload fields, read consistently (st_read_reload). */
static void
snap_header(struct snap *sn, struct st_header *h)
{
	struct st_reload r;

	st_read_reload(h, &r);
	sn->trains = r.trains;
	sn->legs = r.legs;
	sn->stations = r.stations;
	sn->loaded_at = r.loaded_at;
	sn->generation = r.generation;
	sn->reload_attempts = r.reload_attempts;
	sn->reload_successes = r.reload_successes;
	sn->respawns = r.respawns;
	sn->workers_target = r.workers_target;
}

/*
 * The segment's strings, for printing.  Nothing promises they end with a
 * NUL or hold only text (a segment may be a stale one, or damaged), so
 * each is copied whole first (its owner may be writing it) and then goes
 * through the sanitiser, which stops at the field's end.
 */
static void
snap_strings(struct snap *sn, const struct st_header *h)
{
	char raw[sizeof h->timetable];

	memcpy(raw, h->listen, sizeof h->listen);
	wire_sanitize_n(sn->listen, sizeof sn->listen, raw, sizeof h->listen);
	memcpy(raw, h->timetable, sizeof h->timetable);
	wire_sanitize_n(sn->timetable, sizeof sn->timetable, raw,
	    sizeof h->timetable);
}

static void
snap_take(struct snap *sn, struct st_segment *seg)
{
	unsigned i;

	memset(sn, 0, sizeof *sn);
	snap_header(sn, seg->hdr);
	snap_strings(sn, seg->hdr);
	for (i = 0; i < ST_SLOTS; i++)
		snap_slot(sn, i, &seg->slots[i]);
	sn->when = mono();
}

/* Latency percentile: the upper bound of the bucket that holds it, in µs. */
static uint64_t
percentile(const uint64_t *lat, double q)
{
	uint64_t total = 0, seen = 0, rank;
	int i;

	for (i = 0; i < ST_LAT_BUCKETS; i++)
		total += lat[i];
	if (total == 0)
		return 0;
	rank = (uint64_t)(q * total + 0.5);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < ST_LAT_BUCKETS; i++) {
		seen += lat[i];
		if (seen >= rank)
			break;
	}
	return (uint64_t)2 << (i < ST_LAT_BUCKETS ? i : ST_LAT_BUCKETS - 1);
}

static uint64_t
total_conns(const struct snap *sn)
{
	return sn->field[0];	/* "connections", first in the table */
}

/* A worker's age: until now, or until its death for a dead one. */
static long long
worker_age(const struct st_slot *s, time_t now)
{
	int64_t start = ST_GET(s->started_at), end = now;

	if (ST_GET(s->state) == ST_DEAD && ST_GET(s->exited_at) >= start)
		end = ST_GET(s->exited_at);
	return (long long)(end - start);
}

static void
print_workers(const struct snap *sn)
{
	time_t now = time(NULL);
	unsigned i, k;

	printf("\n%-4s %-8s %-8s %4s %7s %6s %9s %10s %7s %12s %12s\n",
	    "SLOT", "PID", "STATE", "GEN", "AGE", "CONNS", "ACCEPTED",
	    "REQUESTS", "ERRORS", "BYTES_IN", "BYTES_OUT");
	for (i = 0; i < ST_SLOTS; i++) {
		const struct st_slot *s = &sn->slots[i];
		uint64_t req = 0, err = 0;

		if (ST_GET(s->state) == ST_UNUSED)
			continue;
		for (k = 0; k < ST_CMD_MAX; k++)
			req += ST_GET(s->cmd[k]);
		for (k = 0; k < ST_ERR_MAX; k++)
			err += ST_GET(s->err[k]);
		printf("%-4u %-8u %-8s %4u %6llds %6llu %9llu %10llu %7llu %12llu %12llu\n",
		    i, ST_GET(s->pid), st_state_name(ST_GET(s->state)),
		    ST_GET(s->generation),
		    worker_age(s, now),
		    (unsigned long long)ST_GET(s->conns),
		    (unsigned long long)ST_GET(s->accepted),
		    (unsigned long long)req, (unsigned long long)err,
		    (unsigned long long)ST_GET(s->bytes_in),
		    (unsigned long long)ST_GET(s->bytes_out));
	}
}

static void
print_summary(const struct st_segment *seg, const struct snap *sn,
    const struct snap *prev)
{
	const struct st_header *h = seg->hdr;
	time_t now = time(NULL);
	double up = (double)(now - h->started_at), dt = 0;
	unsigned k;

	printf("trainsrv on %s, master pid %lld, up %.0f s\n", sn->listen,
	    (long long)h->master_pid, up);
	printf("timetable %s: %llu trains, %llu legs, %llu stations "
	    "(generation %llu, loaded %lld s ago)\n", sn->timetable,
	    (unsigned long long)sn->trains, (unsigned long long)sn->legs,
	    (unsigned long long)sn->stations,
	    (unsigned long long)sn->generation, (long long)(now - sn->loaded_at));
	printf("reloads %llu (%llu good), respawns %llu, workers wanted %u\n",
	    (unsigned long long)sn->reload_attempts,
	    (unsigned long long)sn->reload_successes,
	    (unsigned long long)sn->respawns, sn->workers_target);
	if (prev != NULL && (dt = sn->when - prev->when) > 0)
		printf("requests %llu (%.1f/s now), ", (unsigned long long)sn->requests,
		    (sn->requests - prev->requests) / dt);
	else
		printf("requests %llu (%.1f/s average), ",
		    (unsigned long long)sn->requests, up > 0 ? sn->requests / up : 0.0);
	printf("connections %llu open, %llu accepted, errors %llu\n",
	    (unsigned long long)total_conns(sn), (unsigned long long)sn->field[1],
	    (unsigned long long)sn->errors);
	printf("sessions with a nickname %llu, messages relayed %llu\n",
	    (unsigned long long)sn->field[7], (unsigned long long)sn->field[8]);
	if (prev != NULL && dt > 0)
		printf("per second: %.1f accepted, %.1f errors, %.0f bytes in, "
		    "%.0f bytes out\n", (sn->field[1] - prev->field[1]) / dt,
		    (sn->errors - prev->errors) / dt,
		    (sn->field[4] - prev->field[4]) / dt,
		    (sn->field[5] - prev->field[5]) / dt);
	printf("latency p50 <= %llu us, p99 <= %llu us\n",
	    (unsigned long long)percentile(sn->lat, 0.50),
	    (unsigned long long)percentile(sn->lat, 0.99));
	printf("by command:");
	for (k = 0; k < ST_CMD_MAX; k++)
		if (st_cmd_name(k) != NULL && sn->cmd[k] > 0)
			printf(" %s=%llu", st_cmd_name(k), (unsigned long long)sn->cmd[k]);
	printf("\nby error:");
	for (k = 0; k < ST_ERR_MAX; k++)
		if (st_err_name(k) != NULL && sn->err[k] > 0)
			printf(" %s=%llu", st_err_name(k), (unsigned long long)sn->err[k]);
	printf("\n");
	print_workers(sn);
}

static void
json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void
json_worker(unsigned i, const struct st_slot *s)
{
	uint64_t req = 0, err = 0;
	unsigned k;
	size_t f;

	for (k = 0; k < ST_CMD_MAX; k++)
		req += ST_GET(s->cmd[k]);
	for (k = 0; k < ST_ERR_MAX; k++)
		err += ST_GET(s->err[k]);
	printf("{\"slot\":%u,\"pid\":%u,\"state\":\"%s\",\"generation\":%u,"
	    "\"started_at\":%lld,\"age\":%lld,\"last_request_ms\":%lld,"
	    "\"requests\":%llu,\"errors\":%llu", i, ST_GET(s->pid),
	    st_state_name(ST_GET(s->state)),
	    ST_GET(s->generation), (long long)ST_GET(s->started_at),
	    worker_age(s, time(NULL)),
	    (long long)ST_GET(s->last_request), (unsigned long long)req,
	    (unsigned long long)err);
	if (ST_GET(s->state) == ST_DEAD)
		printf(",\"exited_at\":%lld", (long long)ST_GET(s->exited_at));
	for (f = 0; f < st_nslot_fields; f++)
		printf(",\"%s\":%llu", st_slot_fields[f].name,
		    (unsigned long long)slot_u64(s, st_slot_fields[f].offset));
	printf("}");
}

static void
print_json(const struct st_segment *seg, const struct snap *sn)
{
	const struct st_header *h = seg->hdr;
	unsigned i, k, n = 0;
	size_t f;

	printf("{\"version\":\"%s\",\"port\":%u,\"listen\":",
	    TRAINSRV_VERSION, h->port);
	json_string(sn->listen);
	printf(",\"master_pid\":%lld,\"started_at\":%lld,\"uptime\":%lld,"
	    "\"timetable\":", (long long)h->master_pid, (long long)h->started_at,
	    (long long)(time(NULL) - h->started_at));
	json_string(sn->timetable);
	printf(",\"trains\":%llu,\"legs\":%llu,\"stations\":%llu,"
	    "\"generation\":%llu,\"loaded_at\":%lld,\"reload_attempts\":%llu,"
	    "\"reload_successes\":%llu,\"respawns\":%llu,\"workers_target\":%u,"
	    "\"requests\":%llu,\"errors\":%llu,\"p50_us\":%llu,\"p99_us\":%llu",
	    (unsigned long long)sn->trains, (unsigned long long)sn->legs,
	    (unsigned long long)sn->stations, (unsigned long long)sn->generation,
	    (long long)sn->loaded_at, (unsigned long long)sn->reload_attempts,
	    (unsigned long long)sn->reload_successes,
	    (unsigned long long)sn->respawns, sn->workers_target,
	    (unsigned long long)sn->requests, (unsigned long long)sn->errors,
	    (unsigned long long)percentile(sn->lat, 0.50),
	    (unsigned long long)percentile(sn->lat, 0.99));
	for (f = 0; f < st_nslot_fields; f++)
		printf(",\"%s\":%llu", st_slot_fields[f].name,
		    (unsigned long long)sn->field[f]);
	printf(",\"requests_by_command\":{");
	for (k = 0; k < ST_CMD_MAX; k++)
		if (st_cmd_name(k) != NULL)
			printf("%s\"%s\":%llu", k ? "," : "", st_cmd_name(k),
			    (unsigned long long)sn->cmd[k]);
	printf("},\"errors_by_code\":{");
	for (k = 0; k < ST_ERR_MAX; k++)
		if (st_err_name(k) != NULL)
			printf("%s\"%s\":%llu", k ? "," : "", st_err_name(k),
			    (unsigned long long)sn->err[k]);
	printf("},\"workers\":[");
	for (i = 0; i < ST_SLOTS; i++) {
		if (ST_GET(sn->slots[i].state) == ST_UNUSED)
			continue;
		printf("%s", n++ ? "," : "");
		json_worker(i, &sn->slots[i]);
	}
	printf("]}\n");
}

/* The Prometheus text: one writer (ipc/prom.c) for this and GET /metrics. */
static void
print_prom(const struct st_segment *seg)
{
	if (prom_write(stdout, seg, NULL) == -1)
		fprintf(stderr, "trainsrv-stat: write error\n");
}

/* Workers serving now (idle or busy). */
static unsigned
serving(const struct snap *sn)
{
	unsigned i, n = 0;

	for (i = 0; i < ST_SLOTS; i++)
		n += ST_GET(sn->slots[i].state) == ST_IDLE ||
		    ST_GET(sn->slots[i].state) == ST_BUSY;
	return n;
}

/*
 * -w into a file or a pipe: one line per interval, under one header, as
 * vmstat(8) does; rates over the interval, p99 of its requests alone.
 */
static void
print_line(const struct snap *sn, const struct snap *prev, int header)
{
	uint64_t lat[ST_LAT_BUCKETS];
	double dt = sn->when - prev->when;
	char when[16];
	time_t now = time(NULL);
	struct tm tm;
	int i;

	if (header)
		printf("%8s %9s %7s %6s %7s %10s %10s %4s %4s %8s\n", "time",
		    "req/s", "err/s", "conns", "acc/s", "in B/s", "out B/s",
		    "wrk", "gen", "p99 us");
	if (dt <= 0)
		dt = 1;
	for (i = 0; i < ST_LAT_BUCKETS; i++)
		lat[i] = sn->lat[i] - prev->lat[i];
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%H:%M:%S", &tm);
	printf("%8s %9.1f %7.1f %6llu %7.1f %10.0f %10.0f %4u %4llu %8llu\n",
	    when, (sn->requests - prev->requests) / dt,
	    (sn->errors - prev->errors) / dt,
	    (unsigned long long)total_conns(sn),
	    (sn->field[1] - prev->field[1]) / dt,
	    (sn->field[4] - prev->field[4]) / dt,
	    (sn->field[5] - prev->field[5]) / dt, serving(sn),
	    (unsigned long long)sn->generation,
	    (unsigned long long)percentile(lat, 0.99));
}

static void
show(enum view v, const struct st_segment *seg, const struct snap *sn,
    const struct snap *prev)
{
	if (v == V_JSON)
		print_json(seg, sn);
	else if (v == V_PROM)
		print_prom(seg);
	else
		print_summary(seg, sn, prev);
	fflush(stdout);
}

/* Sleep up to ms, waking early on SIGINT/SIGTERM. */
static void
nap(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (!stop && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
main(int argc, char *argv[])
{
	static struct snap a, b;
	struct st_segment seg;
	struct snap *cur = &a, *prev = &b, *t;
	enum view v = V_SUMMARY;
	unsigned long port = 8080, wait = 0;
	int ch, once = 0, live, tty = isatty(STDOUT_FILENO), lines = 0;
	char err[256], *end;
	pid_t owner;

	while ((ch = getopt_long(argc, argv, "1hjPp:w:", longopts, NULL)) != -1) {
		switch (ch) {
		case '1': once = 1; break;
		case 'h': usage(0);
		case 'V': printf("trainsrv-stat %s\n", TRAINSRV_VERSION); return 0;
		case 'j': v = V_JSON; break;
		case 'P': v = V_PROM; break;
		case 'p':
			port = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || port < 1 || port > 65535)
				usage(1);
			break;
		case 'w':
			wait = strtoul(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || wait < 1 || wait > 3600)
				usage(1);
			break;
		default: usage(1);
		}
	}
	if (optind != argc)
		usage(1);
	/* snap.field holds the totals of st_slot_fields: a build-time bound. */
	if (st_nslot_fields > sizeof(a.field) / sizeof(a.field[0])) {
		fprintf(stderr, "trainsrv-stat: %zu counters, room for %zu: "
		    "enlarge struct snap's field[]\n", st_nslot_fields,
		    sizeof(a.field) / sizeof(a.field[0]));
		return 1;
	}
	if (st_attach((unsigned)port, &seg, &owner, err, sizeof err) == -1) {
		fprintf(stderr, "trainsrv-stat: %s\n", err);
		return 1;
	}
	/* Only root gets this far with another user's segment: say whose. */
	if (seg.uid != 0 && seg.uid != getuid() && seg.uid != geteuid())
		fprintf(stderr, "trainsrv-stat: warning: %s belongs to %s, not "
		    "root: what follows is that user's word\n",
		    st_path(seg.name), st_uid_desc(seg.uid));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	live = wait > 0;
	snap_take(cur, &seg);
	if (!live) {
		show(v, &seg, cur, NULL);
		st_detach(&seg);
		return 0;
	}
	while (!stop) {
		t = prev, prev = cur, cur = t;
		nap((unsigned)wait * 1000);
		if (stop)
			break;
		if (st_owner(seg.fd, &owner) != 1) {
			fprintf(stderr, "trainsrv-stat: the server on port %lu is gone\n", port);
			st_detach(&seg);
			return 1;
		}
		snap_take(cur, &seg);
		if (!tty && v == V_SUMMARY && !once) {
			print_line(cur, prev, lines++ == 0);
			fflush(stdout);
		} else {
			if (tty && v == V_SUMMARY && !once)
				printf("\033[H\033[2J");
			show(v, &seg, cur, prev);
		}
		if (once)
			break;
	}
	st_detach(&seg);
	return 0;
}

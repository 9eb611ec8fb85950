/*
 * report.c — what a run measured: a few lines for people, and with --json
 * one JSON object as the last line of stdout for scripts (make bench, the
 * bats tests), so they never parse the text.
 */
#include <stdio.h>

#include "tests/bench/bench.h"

#define CPU_BOTTLENECK	0.90	/* of one core: then we measured ourselves */

static const char *const err_names[E_NCODES] = {
	"400", "404", "413", "500", "503", "other"
};

static double
rate(const struct result *r)
{
	return r->wall_s > 0 ? (double)r->c.requests / r->wall_s : 0;
}

static int
bottleneck(const struct result *r)
{
	return r->thread_cpu_max >= CPU_BOTTLENECK;
}

void
report_text(const struct bench_opts *o, const struct result *r)
{
	const struct counters *c = &r->c;
	const struct hist *h = r->h;
	int i, any = 0;

	printf("trainsrv-bench: %s port %s, %d connection%s, pipeline %d%s%s, "
	    "%d thread%s\n", o->host, o->port, o->conns, o->conns == 1 ? "" : "s",
	    o->pipeline, o->reconnect ? ", a new connection per request" : "",
	    o->raw ? ", raw" : "", o->threads, o->threads == 1 ? "" : "s");
	printf("  requests     %llu in %.2f s: %.1f requests/s\n",
	    (unsigned long long)c->requests, r->wall_s, rate(r));
	printf("  latency      p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  "
	    "max %llu  mean %.1f  (µs, %s)\n",
	    hist_pct(h, 50), hist_pct(h, 90), hist_pct(h, 99), hist_pct(h, 99.9),
	    (unsigned long long)h->max, h->count ? h->sum / (double)h->count : 0,
	    o->reconnect ? "connect to reply" : "send to reply");
	printf("  errors       %llu", (unsigned long long)c->errors);
	for (i = 0; i < E_NCODES; i++) {
		if (c->err_code[i] == 0)
			continue;
		printf("%s%s: %llu", any ? ", " : " (", err_names[i],
		    (unsigned long long)c->err_code[i]);
		any = 1;
	}
	printf("%s\n", any ? ")" : "");
	printf("  wrong        %llu wrong replies, %llu failed (no correct reply "
	    "after %d resend%s)\n", (unsigned long long)c->wrong,
	    (unsigned long long)c->failed, o->retries, o->retries == 1 ? "" : "s");
	printf("  connections  %llu connects, %llu resets, %llu reload notices, "
	    "%llu timeouts, %llu resent, %llu connect errors\n",
	    (unsigned long long)c->connects, (unsigned long long)c->resets,
	    (unsigned long long)c->reloads, (unsigned long long)c->timeouts,
	    (unsigned long long)c->resent, (unsigned long long)c->connect_errors);
	if (c->unfinished || c->dead)
		printf("  unfinished   %llu in flight at the end, %llu connections "
		    "given up\n", (unsigned long long)c->unfinished,
		    (unsigned long long)c->dead);
	if (o->idle > 0)
		printf("  idle         %d of %d idle connections open at the end\n",
		    r->idle_open, o->idle);
	printf("  cpu          %.1f%% of one core (busiest thread %.1f%%)\n",
	    r->wall_s > 0 ? 100 * r->cpu_s / r->wall_s : 0,
	    100 * r->thread_cpu_max);
	if (bottleneck(r))
		printf("  warning: trainsrv-bench used %.0f%% of a core: the load "
		    "generator is the bottleneck (try -t or -P)\n",
		    100 * r->thread_cpu_max);
	fflush(stdout);
}

/* With -q nobody reads the text: say it where people will see it. */
void
report_warn(const struct result *r)
{
	if (bottleneck(r))
		fprintf(stderr, "trainsrv-bench: warning: used %.0f%% of a core: "
		    "the load generator is the bottleneck\n",
		    100 * r->thread_cpu_max);
}

void
report_json(const struct bench_opts *o, const struct result *r)
{
	const struct counters *c = &r->c;
	const struct hist *h = r->h;
	int i;

	printf("{\"requests_per_sec\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,"
	    "\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%llu,\"mean_us\":%.1f,",
	    rate(r), hist_pct(h, 50), hist_pct(h, 90), hist_pct(h, 99),
	    hist_pct(h, 99.9), (unsigned long long)h->max,
	    h->count ? h->sum / (double)h->count : 0);
	printf("\"requests\":%llu,\"errors\":%llu,\"errors_by_code\":{",
	    (unsigned long long)c->requests, (unsigned long long)c->errors);
	for (i = 0; i < E_NCODES; i++)
		printf("%s\"%s\":%llu", i ? "," : "", err_names[i],
		    (unsigned long long)c->err_code[i]);
	printf("},\"wrong_replies\":%llu,\"resets\":%llu,\"reloads\":%llu,"
	    "\"timeouts\":%llu,\"resent\":%llu,\"failed\":%llu,"
	    "\"connect_errors\":%llu,\"connects\":%llu,\"unfinished\":%llu,"
	    "\"dead_connections\":%llu,",
	    (unsigned long long)c->wrong, (unsigned long long)c->resets,
	    (unsigned long long)c->reloads, (unsigned long long)c->timeouts,
	    (unsigned long long)c->resent, (unsigned long long)c->failed,
	    (unsigned long long)c->connect_errors,
	    (unsigned long long)c->connects, (unsigned long long)c->unfinished,
	    (unsigned long long)c->dead);
	printf("\"cpu_percent\":%.1f,\"thread_cpu_max_percent\":%.1f,"
	    "\"bottleneck\":%s,\"duration_s\":%.3f,\"connections\":%d,"
	    "\"pipeline\":%d,\"threads\":%d,\"idle\":%d,\"idle_open\":%d,"
	    "\"reconnect\":%s,\"raw\":%s}\n",
	    r->wall_s > 0 ? 100 * r->cpu_s / r->wall_s : 0,
	    100 * r->thread_cpu_max, bottleneck(r) ? "true" : "false",
	    r->wall_s, o->conns, o->pipeline, o->threads, o->idle, r->idle_open,
	    o->reconnect ? "true" : "false", o->raw ? "true" : "false");
	fflush(stdout);
}

/*
 * prom.c — the Prometheus text format of the stats segment: counters summed
 * over every slot (a dead worker's counts stay in its slot, so totals never
 * go backwards), the latency histogram, worker slots by state, and the
 * master's reload and timetable figures read under the header's sequence
 * lock.  Used by trainsrv-stat -P (client/stat.c) and GET /metrics
 * (worker/http_api.c).
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ipc/prom.h"
#include "ipc/stats.h"

struct prom_totals {
	uint64_t	field[32];	/* st_slot_fields order */
	uint64_t	cmd[ST_CMD_MAX], err[ST_ERR_MAX], lat[ST_LAT_BUCKETS];
	uint64_t	lat_sum;
	unsigned	states[ST_DEAD + 1];
	struct st_reload r;	/* the header's reload fields */
};

static uint64_t
prom_u64(const struct st_slot *s, size_t offset)
{
	return ST_GET(*(_Atomic uint64_t *)((char *)(uintptr_t)s + offset));
}

static void
prom_sum(struct prom_totals *t, const struct st_segment *seg)
{
	const struct st_slot *s;
	unsigned i, k, st;
	size_t f;

	for (i = 0; i < ST_SLOTS; i++) {
		s = &seg->slots[i];
		if ((st = ST_GET(s->state)) <= ST_DEAD)
			t->states[st]++;
		for (f = 0; f < st_nslot_fields && f < 32; f++)
			t->field[f] += prom_u64(s, st_slot_fields[f].offset);
		for (k = 0; k < ST_CMD_MAX; k++)
			t->cmd[k] += ST_GET(s->cmd[k]);
		for (k = 0; k < ST_ERR_MAX; k++)
			t->err[k] += ST_GET(s->err[k]);
		for (k = 0; k < ST_LAT_BUCKETS; k++)
			t->lat[k] += ST_GET(s->lat[k]);
		t->lat_sum += ST_GET(s->lat_sum);
	}
}

static void
prom_metric(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP trainsrv_%s %s\n# TYPE trainsrv_%s %s\n", name, help,
	    name, type);
}

static void
prom_one(FILE *f, const char *name, const char *type, const char *help,
    unsigned long long v)
{
	prom_metric(f, name, type, help);
	fprintf(f, "trainsrv_%s %llu\n", name, v);
}

/* Latency in seconds (Prometheus's base unit): bucket i ends at 2^(i+1) µs. */
static void
prom_histogram(FILE *f, const struct prom_totals *t)
{
	uint64_t cum = 0;
	int i;

	prom_metric(f, "request_duration_seconds", "histogram",
	    "Time to answer one request, in seconds.");
	for (i = 0; i < ST_LAT_BUCKETS; i++) {
		cum += t->lat[i];
		fprintf(f, "trainsrv_request_duration_seconds_bucket{le=\"%.6f\"} "
		    "%llu\n", (double)((uint64_t)2 << i) / 1e6,
		    (unsigned long long)cum);
	}
	fprintf(f, "trainsrv_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
	    (unsigned long long)cum);
	fprintf(f, "trainsrv_request_duration_seconds_sum %.6f\n",
	    (double)t->lat_sum / 1e6);
	fprintf(f, "trainsrv_request_duration_seconds_count %llu\n",
	    (unsigned long long)cum);
}

int
prom_write(FILE *f, const struct st_segment *seg, const char *version)
{
	struct prom_totals t;
	char name[64];
	unsigned k;
	size_t i;

	memset(&t, 0, sizeof t);
	st_read_reload(seg->hdr, &t.r);
	prom_sum(&t, seg);
	if (version != NULL) {
		prom_metric(f, "build_info", "gauge",
		    "The version of the server, as a label; always 1.");
		fprintf(f, "trainsrv_build_info{version=\"%s\"} 1\n", version);
	}
	prom_metric(f, "start_time_seconds", "gauge",
	    "When the master started, unix time.");
	fprintf(f, "trainsrv_start_time_seconds %lld\n",
	    (long long)seg->hdr->started_at);
	prom_metric(f, "requests_total", "counter", "Requests answered, by command.");
	for (k = 0; k < ST_CMD_MAX; k++)
		if (st_cmd_name(k) != NULL)
			fprintf(f, "trainsrv_requests_total{command=\"%s\"} %llu\n",
			    st_cmd_name(k), (unsigned long long)t.cmd[k]);
	prom_metric(f, "errors_total", "counter", "Error replies, by code.");
	for (k = 0; k < ST_ERR_MAX; k++)
		if (st_err_name(k) != NULL)
			fprintf(f, "trainsrv_errors_total{code=\"%s\"} %llu\n",
			    st_err_name(k), (unsigned long long)t.err[k]);
	for (i = 0; i < st_nslot_fields && i < 32; i++) {
		snprintf(name, sizeof name, "%s%s", st_slot_fields[i].name,
		    st_slot_fields[i].kind == ST_COUNTER ? "_total" : "");
		prom_one(f, name, st_slot_fields[i].kind == ST_COUNTER ?
		    "counter" : "gauge", st_slot_fields[i].help,
		    (unsigned long long)t.field[i]);
	}
	prom_histogram(f, &t);
	prom_metric(f, "workers", "gauge", "Worker slots by state.");
	for (k = ST_STARTING; k <= ST_DEAD; k++)
		fprintf(f, "trainsrv_workers{state=\"%s\"} %u\n",
		    st_state_name(k), t.states[k]);
	prom_one(f, "reload_attempts_total", "counter",
	    "Reloads finished, good or bad.", t.r.reload_attempts);
	prom_one(f, "reload_successes_total", "counter",
	    "Reloads that installed a new timetable.", t.r.reload_successes);
	prom_one(f, "respawns_total", "counter",
	    "Workers respawned after an unexpected exit.", t.r.respawns);
	prom_one(f, "timetable_trains", "gauge",
	    "Trains in the timetable served.", t.r.trains);
	prom_one(f, "timetable_legs", "gauge", "Legs in the timetable served.",
	    t.r.legs);
	prom_one(f, "timetable_stations", "gauge",
	    "Stations in the timetable served.", t.r.stations);
	prom_metric(f, "timetable_loaded_time_seconds", "gauge",
	    "When the timetable was loaded, unix time.");
	fprintf(f, "trainsrv_timetable_loaded_time_seconds %lld\n",
	    (long long)t.r.loaded_at);
	return ferror(f) ? -1 : 0;
}

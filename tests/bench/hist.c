/*
 * hist.c — a log-bucketed latency histogram in the spirit of HdrHistogram.
 *
 * Values are microseconds.  Below HIST_EXACT every value has its own
 * bucket (1 µs resolution where loopback latencies live); above, each power
 * of two is cut into HIST_SUB buckets, so a reported percentile is within
 * 1/128 (< 1 %) of the truth.  Recording is an index computation and an
 * increment: cheap enough to sit on every reply.
 */
#include <string.h>

#include "tests/bench/bench.h"

static size_t
hist_index(uint64_t v)
{
	int k, shift;

	if (v < HIST_EXACT)
		return (size_t)v;
	k = 63 - __builtin_clzll(v);
	if (k >= HIST_MAXEXP)
		return HIST_BUCKETS - 1;
	shift = k - 6;
	return HIST_EXACT + (size_t)(k - 7) * HIST_SUB +
	    (size_t)((v >> shift) - HIST_SUB);
}

/* The middle of the values bucket i stands for. */
static double
hist_value(size_t i)
{
	size_t j;
	int k, shift;
	uint64_t lo;

	if (i < HIST_EXACT)
		return (double)i;
	j = i - HIST_EXACT;
	k = (int)(j / HIST_SUB) + 7;
	shift = k - 6;
	lo = (uint64_t)(j % HIST_SUB + HIST_SUB) << shift;
	return (double)lo + ((double)((uint64_t)1 << shift) - 1) / 2;
}

void
hist_add(struct hist *h, uint64_t us)
{
	h->b[hist_index(us)]++;
	h->count++;
	h->sum += (double)us;
	if (us > h->max)
		h->max = us;
}

void
hist_merge(struct hist *to, const struct hist *from)
{
	size_t i;

	for (i = 0; i < HIST_BUCKETS; i++)
		to->b[i] += from->b[i];
	to->count += from->count;
	to->sum += from->sum;
	if (from->max > to->max)
		to->max = from->max;
}

/* The value at or below which pct percent of the samples lie. */
double
hist_pct(const struct hist *h, double pct)
{
	uint64_t want, seen = 0;
	double v;
	size_t i;

	if (h->count == 0)
		return 0;
	want = (uint64_t)(pct / 100.0 * (double)h->count + 0.999999);
	if (want == 0)
		want = 1;
	if (want > h->count)
		want = h->count;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= want)
			break;
	}
	v = hist_value(i < HIST_BUCKETS ? i : HIST_BUCKETS - 1);
	return v > (double)h->max ? (double)h->max : v;
}

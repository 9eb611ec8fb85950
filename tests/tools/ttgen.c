/*
 * ttgen — write a synthetic, valid timetable (trainsrv-timetable(5)).
 *
 * usage: ttgen [-l legs] [-s stations] [-r seed] [-o file]
 *        ttgen -g dir [-l stop_times] [-s stations] [-r seed]
 *
 * Trains of 1 to 10 legs between distinct stations, leaving mostly in the
 * day with some at GTFS-style hours 24-26 and some night trains; prices
 * roughly follow the legs' durations, some REDUC or SUPPL, some unknown.
 * The same seed gives the same file.
 *
 * -g writes a GTFS feed instead, for timing trainsrv-import: stops (half
 * of them platforms of a parent station, some names quoted with commas),
 * one weekday calendar, trips of 2 to 11 stop times in seconds, some
 * past 24:00:00, CRLF line ends; -l then counts stop times.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY	1440

static uint64_t	rng;

static uint32_t
rnd(uint32_t n)
{
	uint64_t	z;

	/* splitmix64: simple, fast, good enough and stable everywhere. */
	z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return n ? (uint32_t)(z % n) : 0;
}

static const char *const words[] = {
	"Valence", "Grenoble", "Lyon", "Montélimar", "Orange", "Avignon",
	"Nîmes", "Arles", "Béziers", "Sète", "Agde", "Narbonne", "Dijon",
	"Mâcon", "Chambéry", "Annecy", "Aix", "Gap", "Die", "Crest"
};

static void
usage(void)
{
	fprintf(stderr, "usage: ttgen [-l legs] [-s stations] [-r seed] "
	    "[-o file]\n       ttgen -g dir [-l stop_times] [-s stations] "
	    "[-r seed]\n");
	exit(2);
}

static FILE *
gtfs_file(const char *dir, const char *name, const char *header)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "ttgen: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fprintf(f, "%s\r\n", header);
	return f;
}

static void
gtfs_close(FILE *f, const char *name)
{
	if (ferror(f) || fclose(f) == EOF) {
		fprintf(stderr, "ttgen: %s: %s\n", name, strerror(errno));
		exit(1);
	}
}

static void
gtfs_time(FILE *f, unsigned sec)
{
	fprintf(f, "%02u:%02u:%02u", sec / 3600, sec / 60 % 60, sec % 60);
}

/* A GTFS feed of about `count` stop times in dir (made if missing). */
static int
gtfs(const char *dir, unsigned long count, unsigned long nst)
{
	FILE		*f;
	unsigned long	 i, written = 0, trip = 0;
	unsigned	 n, k, t, st;

	if (mkdir(dir, 0777) == -1 && errno != EEXIST) {
		fprintf(stderr, "ttgen: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	f = gtfs_file(dir, "agency.txt", "agency_id,agency_name,agency_url,"
	    "agency_timezone");
	fprintf(f, "G,Generated,https://example.org,Europe/Paris\r\n");
	gtfs_close(f, "agency.txt");
	f = gtfs_file(dir, "stops.txt", "stop_id,stop_name,location_type,"
	    "parent_station");
	for (i = 0; i < nst; i++) {
		if (i % 7 == 0)
			fprintf(f, "S%lu,\"%s, \"\"%lu\"\"\",1,\r\n", i,
			    words[i % 20], i);
		else
			fprintf(f, "S%lu,%s %lu,1,\r\n", i, words[i % 20], i);
		if (i % 2 == 0)
			fprintf(f, "P%lu,%s %lu quai A,0,S%lu\r\n", i,
			    words[i % 20], i, i);
	}
	gtfs_close(f, "stops.txt");
	f = gtfs_file(dir, "routes.txt", "route_id,route_short_name,"
	    "route_type");
	fprintf(f, "R1,1,2\r\nR2,2,2\r\n");
	gtfs_close(f, "routes.txt");
	f = gtfs_file(dir, "calendar.txt", "service_id,monday,tuesday,"
	    "wednesday,thursday,friday,saturday,sunday,start_date,end_date");
	fprintf(f, "WK,1,1,1,1,1,0,0,20260101,20271231\r\n");
	gtfs_close(f, "calendar.txt");
	f = gtfs_file(dir, "trips.txt", "route_id,service_id,trip_id");
	{
		FILE *g = gtfs_file(dir, "stop_times.txt", "trip_id,"
		    "arrival_time,departure_time,stop_id,stop_sequence");

		while (written < count) {
			n = 2 + rnd(10);
			if (n > count - written)
				n = (unsigned)(count - written);
			if (n < 2)
				break;
			fprintf(f, "R%lu,WK,T%lu\r\n", 1 + trip % 2, trip);
			t = rnd(20) == 0 ? 24 * 3600 + rnd(7200) :
			    5 * 3600 + rnd(18 * 3600);
			for (k = 0; k < n; k++) {
				st = rnd((uint32_t)nst);
				fprintf(g, "T%lu,", trip);
				gtfs_time(g, t);
				fputc(',', g);
				gtfs_time(g, t + 30);
				fprintf(g, ",%c%u,%u\r\n", st % 2 == 0 ? 'P' :
				    'S', st, 10 * (k + 1));
				t += 30 + 60 + rnd(1200);
			}
			written += n;
			trip++;
		}
		gtfs_close(g, "stop_times.txt");
	}
	gtfs_close(f, "trips.txt");
	return 0;
}

static unsigned long
number(const char *s, unsigned long min, unsigned long max)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		usage();
	return v;
}

/* A time as written: service minutes while below 48:00, else the clock. */
static void
put_time(FILE *f, unsigned v)
{
	if (v >= 2 * DAY)
		v %= DAY;
	fprintf(f, "%u:%02u", v / 60, v % 60);
}

int
main(int argc, char **argv)
{
	FILE		*f = stdout;
	const char	*out = NULL;
	unsigned long	 legs = 1000000, nst = 1000, seed = 1, written = 0;
	unsigned	 train = 1000, n, k, t, dur, price, used[11];
	unsigned	 from, to, i, t0;
	const char	*gdir = NULL;
	int		 c;

	while ((c = getopt(argc, argv, "g:l:s:r:o:")) != -1) {
		switch (c) {
		case 'g':
			gdir = optarg;
			break;
		case 'l':
			legs = number(optarg, 1, 60000000);
			break;
		case 's':
			nst = number(optarg, 2, 10000000);
			break;
		case 'r':
			seed = number(optarg, 0, ULONG_MAX);
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	rng = seed;
	if (gdir != NULL)
		return gtfs(gdir, legs, nst);
	if (out != NULL && (f = fopen(out, "w")) == NULL) {
		fprintf(stderr, "ttgen: %s: %s\n", out, strerror(errno));
		return 1;
	}
	fprintf(f, "# generated by ttgen -l %lu -s %lu -r %lu\n", legs, nst,
	    seed);
	while (written < legs) {
		n = 1 + rnd(10);
		if (n > legs - written)
			n = (unsigned)(legs - written);
		/* Mostly 5:00-23:00; some after midnight as 24:xx-26:xx. */
		t = rnd(20) == 0 ? 24 * 60 + rnd(180) : 5 * 60 + rnd(18 * 60);
		t0 = t;
		used[0] = from = rnd((uint32_t)nst);
		for (k = 0; k < n; k++) {
			/* Distinct stations, as far as there are enough. */
			do {
				to = rnd((uint32_t)nst);
				for (i = 0; i <= k && used[i] != to; i++)
					;
			} while (to == from || (i <= k && nst > 11));
			used[k + 1] = to;
			dur = 10 + rnd(rnd(8) == 0 ? 600 : 120);
			fprintf(f, "%u;%s %u;%s %u;", train,
			    words[from % 20], from, words[to % 20], to);
			put_time(f, t);
			fputc(';', f);
			put_time(f, t + dur);
			price = dur * 14 + rnd(500);
			if (rnd(20) == 0)
				fputc(';', f);	/* unknown */
			else
				fprintf(f, ";%u.%02u", price / 100, price % 100);
			switch (rnd(10)) {
			case 0:
				fputs(";REDUC\n", f);
				break;
			case 1:
				fputs(";SUPPL\n", f);
				break;
			default:
				fputs(";\n", f);
			}
			t += dur + 2 + rnd(15);
			from = to;
			/*
			 * At most a day on the move: well within the three
			 * days allowed, and no leg can repeat an earlier one.
			 */
			if (t - t0 > DAY) {
				k++;
				break;
			}
		}
		written += k;
		train++;
	}
	if (ferror(f) || (out != NULL && fclose(f) == EOF) ||
	    (out == NULL && fflush(f) == EOF)) {
		fprintf(stderr, "ttgen: %s: %s\n", out ? out : "stdout",
		    strerror(errno));
		return 1;
	}
	return 0;
}

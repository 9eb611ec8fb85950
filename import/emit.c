/*
 * emit.c — write the imported day as a trainsrv timetable
 * (trainsrv-timetable(5)): a comment saying where it comes from, the
 * minimum change times as !change directives, then each train's legs,
 * consecutive, times as the feed wrote them (24:00 and later being the
 * next morning of the same service day), prices empty: GTFS fares are
 * optional and zone-based, so the price is unknown.
 *
 * Nothing from the feed may break a line of the output: names and numbers
 * are made valid by gtfs.c, and are written through put_field all the
 * same, which will not write a line break, a control character or a ';';
 * the feed's version and directory go into a comment cleaned and cut
 * (text_clean), so a quoted newline in feed_info.txt stays in the comment.
 */
#include <stdio.h>

#include "import/gtfs.h"
#include "import/text.h"

/* Bytes of the feed's directory and version in the first comment. */
#define COMMENT_DIR_MAX		1024
#define COMMENT_VERSION_MAX	128

static void
put_time(FILE *fp, int32_t min)
{
	fprintf(fp, "%02d:%02d", (int)(min / 60), (int)(min % 60));
}

/* A field: a ';' or a control character would split or end the line. */
static void
put_field(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f || *s == ';' ?
		    '?' : *s, fp);
}

static void
put_train(FILE *fp, const struct feed *f, const struct gtfs_train *t)
{
	const struct gtfs_call	*c = gtfs_calls(f) + t->first;
	uint32_t		 i;

	for (i = 0; i + 1 < t->ncalls; i++) {
		put_field(fp, t->number);
		fputc(';', fp);
		put_field(fp, gtfs_station(f, c[i].station)->name);
		fputc(';', fp);
		put_field(fp, gtfs_station(f, c[i + 1].station)->name);
		fputc(';', fp);
		put_time(fp, c[i].dep);
		fputc(';', fp);
		put_time(fp, c[i + 1].arr);
		fputs(";;\n", fp);
	}
}

int
gtfs_emit(const struct feed *f, const struct gtfs_opts *o, FILE *fp)
{
	const struct gtfs_station	*st;
	char				 dir[COMMENT_DIR_MAX];
	char				 version[COMMENT_VERSION_MAX];
	size_t				 i, legs = 0, nst = 0;
	int				 first, last;

	for (i = 0; i < gtfs_ntrains(f); i++)
		legs += gtfs_train(f, i)->ncalls - 1;
	for (i = 0; i < gtfs_nstations(f); i++)
		nst += gtfs_station(f, i)->runs;
	gtfs_coverage(f, &first, &last);
	fprintf(fp, "# trainsrv timetable for %04d-%02d-%02d, made by "
	    "trainsrv-import from the GTFS feed %s%s%s\n", o->date / 10000,
	    o->date / 100 % 100, o->date % 100,
	    text_clean(o->dir, dir, sizeof(dir)),
	    *gtfs_version(f) ? ", version " : "",
	    text_clean(gtfs_version(f), version, sizeof(version)));
	fprintf(fp, "# %zu trains, %zu legs, %zu stations; the feed covers "
	    "%04d-%02d-%02d to %04d-%02d-%02d\n", gtfs_ntrains(f), legs, nst,
	    first / 10000, first / 100 % 100, first % 100, last / 10000,
	    last / 100 % 100, last % 100);
	fprintf(fp, "# number;from;to;departure;arrival;price;flag\n");
	fprintf(fp, "!change;%d\n", o->change);
	for (i = 0; i < gtfs_nstations(f); i++) {
		st = gtfs_station(f, i);
		if (st->runs && st->change != (unsigned)o->change) {
			fprintf(fp, "!change;%u;", st->change);
			put_field(fp, st->name);
			fputc('\n', fp);
		}
	}
	for (i = 0; i < gtfs_ntrains(f); i++)
		put_train(fp, f, gtfs_train(f, i));
	return ferror(fp) ? -1 : 0;
}

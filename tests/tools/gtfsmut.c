/*
 * gtfsmut.c — copy a GTFS feed with seeded random damage, for the property
 * test of tests/bats/import.bats: whenever trainsrv-import takes a damaged
 * feed (exits 0), trainsrv -t must take what it wrote.
 *
 * usage: gtfsmut [-v] [-n mutations] -s seed src_dir dst_dir
 *
 * The damage is what real feeds and hostile ones hold: flipped and
 * replaced bytes, duplicated, swapped and deleted rows, deleted fields,
 * stray quotes and line breaks, invalid or invisible UTF-8 (surrogates,
 * overlong forms, bidi controls), injected timetable lines, overlong
 * names, fields copied from another row (ids and times that collide),
 * interesting values (times past 47:59, dates out of range), truncation.
 * The same seed gives the same feed: a failure is reproduced by its seed.
 * -v says on stderr what each mutation did.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USAGE	"usage: gtfsmut [-v] [-n mutations] -s seed src_dir dst_dir\n"
#define FILE_MAX	((size_t)64 << 20)

static const char *const names[] = { "stops.txt", "routes.txt", "trips.txt",
    "stop_times.txt", "calendar.txt", "calendar_dates.txt", "transfers.txt",
    "feed_info.txt" };
#define NFILES	(sizeof(names) / sizeof(names[0]))

struct file {
	char	*b;
	size_t	 len, cap;
	int	 present;
};

static struct file	files[NFILES];
static uint64_t		rng;
static int		verbose;

static const char *const garbage[] = {
	"\xed\xa0\x80",			/* a surrogate */
	"\xc0\xaf", "\xe0\x80\xaf",	/* overlong '/' */
	"\xf4\x90\x80\x80",		/* past U+10FFFF */
	"\xf8\x88\x80\x80\x80", "\x80", "\xc3", "\xff\xfe",
	"\xe2\x80\xae", "\xe2\x80\x8b", "\xe2\x81\xa6", "\xef\xbb\xbf",
	"\xd8\x9c",			/* format and bidi controls */
	"\xc2\x85", "\xe2\x80\xa8",	/* NEL, line separator */
	"\x1b[2J", "\x1b]0;title\x07", "\t", ";", "|", "#", "!change;1;",
	"\nFAKE1;Penn Station;Jamaica;08:00;08:30;;\n",
	"\"FAKE1;Penn Station;Jamaica;08:00;08:30;;\n\"",
	"\"x\ny\"", "\"\"", "\r", "\r\n", "\n", ",", "\"",
};

static const char *const values[] = {
	"", "0", "1", "2", "3", "00:00:00", "0:00:00", "23:59:59", "24:00:00",
	"47:59:30", "47:59:59", "48:00:00", "99:59:59", "999:00:00", "8:00",
	"08:00:00", "08:00:30", "20261005", "20261004", "20261006",
	"19000101", "20270101", "99999999", "-1", "4294967296", "100000000",
	"A", "B", "t1", "S", " ", "Jamaica", "Penn Station", "\xc3\xa9",
};

static uint64_t
next(void)
{
	uint64_t	z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static size_t
below(size_t n)
{
	return n == 0 ? 0 : (size_t)(next() % n);
}

static void
die(const char *what)
{
	fprintf(stderr, "gtfsmut: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
reserve(struct file *f, size_t extra)
{
	char	*nb;
	size_t	 ncap;

	if (f->len + extra + 1 <= f->cap)
		return;
	ncap = (f->len + extra + 1) * 2;
	if ((nb = realloc(f->b, ncap)) == NULL)
		die("realloc");
	f->b = nb;
	f->cap = ncap;
}

static void
insert(struct file *f, size_t at, const char *s, size_t n)
{
	reserve(f, n);
	memmove(f->b + at + n, f->b + at, f->len - at);
	memcpy(f->b + at, s, n);
	f->len += n;
}

static void
delete(struct file *f, size_t at, size_t n)
{
	memmove(f->b + at, f->b + at + n, f->len - at - n);
	f->len -= n;
}

/* The lines of f: starts of at most cap lines; returns how many. */
static size_t
lines(const struct file *f, size_t *start, size_t cap)
{
	size_t	n = 0, i;

	if (f->len == 0)
		return 0;
	start[n++] = 0;
	for (i = 0; i < f->len && n < cap; i++)
		if (f->b[i] == '\n' && i + 1 < f->len)
			start[n++] = i + 1;
	return n;
}

static size_t
line_end(const struct file *f, size_t at)
{
	const char	*nl = memchr(f->b + at, '\n', f->len - at);

	return nl ? (size_t)(nl - f->b) + 1 : f->len;
}

/* Field k of the line at ls (commas only, quotes ignored): [*a, *b). */
static int
field(const struct file *f, size_t ls, size_t k, size_t *a, size_t *b)
{
	size_t	e = line_end(f, ls), i = ls;

	for (; k > 0; k--) {
		while (i < e && f->b[i] != ',')
			i++;
		if (i >= e)
			return -1;
		i++;
	}
	*a = i;
	while (i < e && f->b[i] != ',' && f->b[i] != '\n' && f->b[i] != '\r')
		i++;
	*b = i;
	return 0;
}

/* A random field of the line at ls (commas counted, quotes ignored). */
static size_t
any_field(const struct file *f, size_t ls)
{
	size_t	e = line_end(f, ls), i, n = 1;

	for (i = ls; i < e; i++)
		n += f->b[i] == ',';
	return below(n);
}

/* The column of a name or version the output shows, or -1. */
static size_t
text_column(const struct file *f)
{
	static const char *const cols[] = { "stop_name", "route_short_name",
	    "route_long_name", "trip_short_name", "feed_version" };
	size_t	 a, b, k, j, n = 0, found[8];

	for (k = 0; k < 32 && n < 8 && field(f, 0, k, &a, &b) == 0; k++)
		for (j = 0; j < sizeof(cols) / sizeof(cols[0]); j++)
			if (b - a == strlen(cols[j]) &&
			    memcmp(f->b + a, cols[j], b - a) == 0)
				found[n++] = k;
	return n ? found[below(n)] : (size_t)-1;
}

static void
replace(struct file *f, size_t a, size_t b, const char *s, size_t n)
{
	delete(f, a, b - a);
	insert(f, a, s, n);
}

/*
 * One random mutation of f (with text set, garbage in a column the output
 * shows); says what on stderr with -v.
 */
static void
mutate(struct file *f, const char *name, int text)
{
	static size_t	 st[1 << 16];
	size_t		 n = lines(f, st, sizeof(st) / sizeof(st[0]));
	size_t		 p = below(f->len + 1), i, j, a, b, a2, b2, k, len;
	const char	*s;
	char		 buf[8192];
	int		 kind = (int)below(24);

	/*
	 * Text is where the importer and the server may disagree: more of
	 * it, and the most into the columns that reach the output.
	 */
	if (kind >= 14 && kind < 18)
		kind = 4;
	else if (kind >= 18 && kind < 20)
		kind = 10;
	else if (kind >= 20 || text)
		kind = 14;

	if (n == 0 && kind != 9)
		kind = 4;	/* an empty file: insert something */
	switch (kind) {
	case 0:		/* flip a bit */
		if (f->len == 0)
			break;
		p = below(f->len);
		f->b[p] ^= (char)(1u << below(8));
		break;
	case 1:		/* a byte becomes a structural one */
		if (f->len == 0)
			break;
		p = below(f->len);
		f->b[p] = "\n\r,\";| \t:09\x80\xff"[below(14)];
		break;
	case 2:		/* duplicate a row */
		i = st[below(n)];
		len = line_end(f, i) - i;
		if (len > sizeof(buf))
			break;
		memcpy(buf, f->b + i, len);
		insert(f, i, buf, len);
		break;
	case 3:		/* delete a field */
		i = st[below(n)];
		if (field(f, i, below(12), &a, &b) == -1)
			break;
		if (a > i)
			a--;	/* its comma too */
		delete(f, a, b - a);
		break;
	case 4:		/* inject garbage at a field's start or anywhere */
		s = garbage[below(sizeof(garbage) / sizeof(garbage[0]))];
		i = n > 1 ? st[1 + below(n - 1)] : 0;
		if (n > 1 && below(4) && field(f, i, any_field(f, i), &a,
		    &b) == 0)
			p = a + below(b - a + 1);
		insert(f, p, s, strlen(s));
		break;
	case 5:		/* an overlong name */
		len = 200 + below(5000);
		for (j = 0; j < len; j++)
			buf[j % sizeof(buf)] = below(8) ? 'a' + (char)below(26) :
			    ' ';
		if (len > sizeof(buf))
			len = sizeof(buf);
		if (field(f, st[below(n)], below(4), &a, &b) == 0)
			replace(f, a, b, buf, len);
		break;
	case 6:		/* swap two rows */
		i = below(n);
		j = below(n);
		if (i == j)
			break;
		if (i > j) {
			k = i;
			i = j;
			j = k;
		}
		a = st[i];
		b = line_end(f, a);
		a2 = st[j];
		b2 = line_end(f, a2);
		if (b2 - a2 > sizeof(buf) || f->b[b2 - 1] != '\n' ||
		    f->b[b - 1] != '\n')
			break;
		memcpy(buf, f->b + a2, b2 - a2);
		len = b2 - a2;
		delete(f, a2, len);
		insert(f, a, buf, len);
		break;
	case 7:		/* delete a row */
		i = st[below(n)];
		delete(f, i, line_end(f, i) - i);
		break;
	case 8:		/* a field copied from another row, same column */
		i = st[below(n)];
		k = any_field(f, i);
		if (field(f, i, k, &a, &b) == -1 ||
		    b - a > sizeof(buf))
			break;
		memcpy(buf, f->b + a, b - a);
		len = b - a;
		if (field(f, st[below(n)], k, &a2, &b2) == 0)
			replace(f, a2, b2, buf, len);
		break;
	case 9:		/* truncate */
		f->len = below(f->len + 1);
		break;
	case 10:	/* an interesting value */
		s = values[below(sizeof(values) / sizeof(values[0]))];
		i = st[below(n)];
		if (field(f, i, any_field(f, i), &a, &b) == 0)
			replace(f, a, b, s, strlen(s));
		break;
	case 11:	/* a quoted line break inside a field */
		if (field(f, st[below(n)], below(8), &a, &b) == 0) {
			insert(f, b, "\"", 1);
			insert(f, a + (b - a) / 2, "\n", 1);
			insert(f, a, "\"", 1);
		}
		break;
	case 12:	/* a row repeated with its fields shifted */
		i = st[below(n)];
		len = line_end(f, i) - i;
		if (len + 2 > sizeof(buf))
			break;
		buf[0] = ',';
		memcpy(buf + 1, f->b + i, len);
		insert(f, line_end(f, i), buf, len + 1);
		break;
	case 14:	/* garbage in a column the output shows */
		if (n < 2 || (k = text_column(f)) == (size_t)-1)
			break;
		i = st[1 + below(n - 1)];
		/* The first 13 are invalid or invisible UTF-8. */
		s = garbage[below(below(2) ? 13 :
		    sizeof(garbage) / sizeof(garbage[0]))];
		if (field(f, i, k, &a, &b) == 0)
			insert(f, a + below(b - a + 1), s, strlen(s));
		break;
	default:	/* a header column renamed or repeated */
		if (field(f, 0, below(8), &a, &b) == -1)
			break;
		if (below(2)) {
			len = b - a;
			if (len + 1 > sizeof(buf))
				break;
			buf[0] = ',';
			memcpy(buf + 1, f->b + a, len);
			insert(f, b, buf, len + 1);
		} else if (field(f, 0, below(8), &a2, &b2) == 0 &&
		    b2 - a2 < sizeof(buf)) {
			memcpy(buf, f->b + a2, b2 - a2);
			replace(f, a, b, buf, b2 - a2);
		}
		break;
	}
	if (verbose)
		fprintf(stderr, "gtfsmut: %s: mutation %d\n", name, kind);
}

static void
read_file(const char *dir, size_t i)
{
	char	 path[4096];
	ssize_t	 r;
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
	if ((fd = open(path, O_RDONLY)) == -1) {
		if (errno == ENOENT)
			return;
		die(path);
	}
	files[i].present = 1;
	for (;;) {
		reserve(&files[i], 65536);
		r = read(fd, files[i].b + files[i].len, 65536);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			die(path);
		if (r == 0)
			break;
		files[i].len += (size_t)r;
		if (files[i].len > FILE_MAX) {
			errno = EFBIG;
			die(path);
		}
	}
	close(fd);
}

static void
write_file(const char *dir, size_t i)
{
	char	 path[4096];
	size_t	 o = 0;
	ssize_t	 w;
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		die(path);
	while (o < files[i].len) {
		w = write(fd, files[i].b + o, files[i].len - o);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			die(path);
		o += (size_t)w;
	}
	if (close(fd) == -1)
		die(path);
}

int
main(int argc, char **argv)
{
	size_t	 i, present[NFILES], np = 0;
	long	 n = 3, k;
	char	*end;
	int	 c, seeded = 0;

	while ((c = getopt(argc, argv, "n:s:v")) != -1) {
		switch (c) {
		case 'n':
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 0 || n > 1000000) {
				fputs(USAGE, stderr);
				return 2;
			}
			break;
		case 's':
			rng = strtoull(optarg, &end, 10);
			if (*end != '\0') {
				fputs(USAGE, stderr);
				return 2;
			}
			seeded = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fputs(USAGE, stderr);
			return 2;
		}
	}
	if (!seeded || argc - optind != 2) {
		fputs(USAGE, stderr);
		return 2;
	}
	for (i = 0; i < NFILES; i++) {
		read_file(argv[optind], i);
		if (files[i].present)
			present[np++] = i;
	}
	if (np == 0) {
		fprintf(stderr, "gtfsmut: %s: no GTFS file\n", argv[optind]);
		return 1;
	}
	if (mkdir(argv[optind + 1], 0755) == -1 && errno != EEXIST)
		die(argv[optind + 1]);
	/* A third of the mutations: garbage in stops.txt's names. */
	for (k = 0; k < n; k++) {
		if (files[0].present && below(3) == 0)
			mutate(&files[0], names[0], 1);
		else {
			i = present[below(np)];
			mutate(&files[i], names[i], 0);
		}
	}
	for (i = 0; i < NFILES; i++)
		if (files[i].present)
			write_file(argv[optind + 1], i);
	return 0;
}

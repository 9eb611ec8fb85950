/*
 * table.c — trains as an aligned table: train, from → to, departs,
 * arrives, duration, fare, intermediate stations and labels.  Widths count
 * display columns (wcwidth(3): a CJK character takes two), not bytes, and
 * fit the terminal: long station names are cut with "…" rather than break
 * the alignment.  The widths of one listing only grow from page to page,
 * and on a departures board the origin (the same on every row) is cut
 * before the destination and the times, which stay whole.
 */
#include <sys/ioctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "client/client.h"
#include "ipc/wire.h"

#define GAP		"  "
#define GAP_W		2	/* columns */
#define ARROW		" → "
#define ARROW_W		3
#define NAME_MIN	6	/* a station column never shrinks below */
#define ORIGIN_MIN	3	/* but a board's origin does: "Pa…" */

enum col {
	C_TRAIN, C_FROM, C_TO, C_DEP, C_ARR, C_DUR, C_FARE, C_VIA, C_NOTE,
	C_N
};

static const char *const heads[C_N] = {
	"Train", "From", "To", "Departs", "Arrives", "Duration", "Fare",
	"Via", "Note"
};

/* One UTF-8 character at s[0..n): its code point and length (>= 1). */
static size_t
u8dec(const char *s, size_t n, unsigned long *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	len = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 1;
	if (len == 1 || len > n) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = u[0] & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return i;
		}
		*cp = (*cp << 6) | (u[i] & 0x3f);
	}
	return len;
}

/* Columns of one code point: wcwidth(3), unknown ones as one. */
static size_t
cpwidth(unsigned long cp)
{
	int w = wcwidth((wchar_t)cp);

	return w < 0 ? 1 : (size_t)w;
}

/* Display columns of s[0..n). */
size_t
u8width_n(const char *s, size_t n)
{
	unsigned long cp;
	size_t w = 0, k;

	while (n > 0) {
		k = u8dec(s, n, &cp);
		w += cpwidth(cp);
		s += k;
		n -= k;
	}
	return w;
}

size_t
u8width(const char *s)
{
	return u8width_n(s, strlen(s));
}

/* Number of characters (code points) in a UTF-8 string. */
size_t
u8len(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Bytes of the longest start of s that fits in cols columns. */
static size_t
u8fit(const char *s, size_t cols)
{
	unsigned long cp;
	size_t off = 0, n = strlen(s), k, w;

	while (off < n) {
		k = u8dec(s + off, n - off, &cp);
		if ((w = cpwidth(cp)) > cols)
			break;
		cols -= w;
		off += k;
	}
	return off;
}
static int
winsize(struct winsize *ws)
{
	return isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, ws) == 0;
}

/* The terminal's width; else $COLUMNS, else 80. */
int
term_cols(void)
{
	struct winsize ws;
	const char *s;
	int n;

	if (winsize(&ws) && ws.ws_col > 0)
		return ws.ws_col;
	if ((s = getenv("COLUMNS")) != NULL && (n = atoi(s)) >= 20 &&
	    n <= 1000)
		return n;
	return 80;
}

int
term_rows(void)
{
	struct winsize ws;

	if (winsize(&ws) && ws.ws_row > 0)
		return ws.ws_row;
	return 24;
}

int
train_parse(char *line, struct train *t)
{
	char *f[WIRE_FIELDS];

	if (wire_split(line, ';', f, WIRE_FIELDS) != WIRE_FIELDS)
		return -1;
	t->num = f[0];
	t->from = f[1];
	t->to = f[2];
	t->dep = f[3];
	t->arr = f[4];
	t->minutes = f[5];
	t->price = f[6];
	t->flag = f[7];
	t->fare = f[8];
	t->via = f[9];
	t->tags = f[10];
	return 0;
}

/* "132" -> "2h12", "55" -> "55 min". */
void
fmt_duration(const char *minutes, char *buf, size_t size)
{
	char *end;
	long m = strtol(minutes, &end, 10);

	if (*minutes == '\0' || *end != '\0' || m < 0)
		snprintf(buf, size, "%s", "—");
	else if (m < 60)
		snprintf(buf, size, "%ld min", m);
	else
		snprintf(buf, size, "%ldh%02ld", m / 60, m % 60);
}

/* "90.00" -> "90.00 €", "" -> "—". */
void
fmt_fare(const char *fare, char *buf, size_t size)
{
	if (*fare == '\0')
		snprintf(buf, size, "%s", "—");
	else
		snprintf(buf, size, "%s €", fare);
}

/* "06:15+1" -> "06:15 +1". */
void
fmt_time(const char *t, char *buf, size_t size)
{
	size_t n = strcspn(t, "+");

	if (t[n] == '+')
		snprintf(buf, size, "%.*s %s", (int)n, t, t + n);
	else
		snprintf(buf, size, "%s", t);
}

/* A copy of s with every sep replaced by with. */
static char *
joined(const char *s, char sep, const char *with)
{
	size_t n = 1, wl = strlen(with);
	const char *p;
	char *out, *q;

	for (p = s; *p != '\0'; p++)
		n += *p == sep ? wl : 1;
	if ((out = malloc(n)) == NULL)
		die("joined: out of memory");
	for (p = s, q = out; *p != '\0'; p++) {
		if (*p == sep) {
			memcpy(q, with, wl);
			q += wl;
		} else
			*q++ = *p;
	}
	*q = '\0';
	return out;
}

static char *
xstrdup(const char *s)
{
	char *d;

	if ((d = strdup(s)) == NULL)
		die("xstrdup: out of memory");
	return d;
}

static void
cells_fill(char **cell, const struct train *t)
{
	char buf[64];

	cell[C_TRAIN] = xstrdup(t->num);
	cell[C_FROM] = xstrdup(t->from);
	cell[C_TO] = xstrdup(t->to);
	fmt_time(t->dep, buf, sizeof(buf));
	cell[C_DEP] = xstrdup(buf);
	fmt_time(t->arr, buf, sizeof(buf));
	cell[C_ARR] = xstrdup(buf);
	fmt_duration(t->minutes, buf, sizeof(buf));
	cell[C_DUR] = xstrdup(buf);
	fmt_fare(t->fare, buf, sizeof(buf));
	cell[C_FARE] = xstrdup(buf);
	cell[C_VIA] = joined(t->via, '|', ", ");
	cell[C_NOTE] = joined(t->tags, '|', ", ");
}

static size_t
table_width(const size_t *w, const int *shown)
{
	size_t total = 0;
	int i;

	for (i = 0; i < C_N; i++)
		if (shown[i])
			total += w[i] + (i == 0 ? 0 : i == C_TO ? ARROW_W :
			    GAP_W);
	return total;
}

/*
 * Shrink the station columns until the table fits in cols: the longer of
 * the two first.  A board (one origin, said in its title) cuts the origin
 * to ORIGIN_MIN, then leaves out the origin, the duration, the arrival and
 * the fare, in that order, before it cuts the destination.
 */
static void
widths_fit(size_t *w, int *shown, size_t cols, int board)
{
	static const int drop[] = { C_FROM, C_DUR, C_ARR, C_FARE };
	size_t total = table_width(w, shown), i;

	while (board && total > cols && w[C_FROM] > ORIGIN_MIN) {
		w[C_FROM]--;
		total--;
	}
	for (i = 0; board && total > cols && i < sizeof(drop) /
	    sizeof(drop[0]); i++) {
		shown[drop[i]] = 0;
		total = table_width(w, shown);
	}
	while (total > cols) {
		if (!board && w[C_FROM] >= w[C_TO] &&
		    w[C_FROM] > NAME_MIN)
			w[C_FROM]--;
		else if (w[C_TO] > NAME_MIN)
			w[C_TO]--;
		else if (!board && w[C_FROM] > NAME_MIN)
			w[C_FROM]--;
		else
			break;		/* as narrow as it gets */
		total--;
	}
}

/* One cell, padded (or cut with "…") to w columns; 1 if it was cut. */
static int
cell_put(FILE *fp, const char *s, size_t w, int right, int last)
{
	size_t n = u8width(s);

	if (n > w) {
		fwrite(s, 1, u8fit(s, w > 0 ? w - 1 : 0), fp);
		fputs("…", fp);
		/* A wide character that did not fit leaves a column. */
		n = u8width_n(s, u8fit(s, w > 0 ? w - 1 : 0)) + 1;
		if (!last && n < w)
			fprintf(fp, "%*s", (int)(w - n), "");
		return 1;
	}
	if (right)
		fprintf(fp, "%*s", (int)(w - n), "");
	fputs(s, fp);
	if (!right && !last)
		fprintf(fp, "%*s", (int)(w - n), "");
	return 0;
}

/* One row; nothing after its last non-empty cell, not even blanks. */
static void
row_put(FILE *fp, char *const *cell, const size_t *w, const int *shown,
    int header)
{
	int i, last = 0;

	for (i = 0; i < C_N; i++)
		if (shown[i] && *cell[i] != '\0')
			last = i;
	for (i = 0; i <= last; i++) {
		if (!shown[i])
			continue;
		if (i == C_TO)
			fputs(header ? "   " : ARROW, fp);
		else if (i > 0)
			fputs(GAP, fp);
		cell_put(fp, cell[i], w[i], i == C_DUR || i == C_FARE,
		    i == last);
	}
	fputc('\n', fp);
}

/* The intermediate stations on a line of their own, under the row. */
static int
via_put(FILE *fp, const char *via, const size_t *w, size_t cols)
{
	size_t indent = w[C_TRAIN] + GAP_W;
	char *line;
	int cut;

	if (*via == '\0')
		return 0;
	if (asprintf(&line, "via %s", via) == -1)
		die("via_put: out of memory");
	fprintf(fp, "%*s", (int)indent, "");
	cut = cell_put(fp, line, cols > indent + 8 ? cols - indent : 8, 0, 1);
	fputc('\n', fp);
	free(line);
	return cut;
}

/*
 * Print n trains, as o says (NULL: a table of its own, no labels).  The
 * labels column (cheapest, fastest) shows when o->tags and a train has
 * one.  The intermediate stations get a column when it fits, else a line
 * under their train; o->via_cut says whether one of those lines was cut.
 */
void
table_print(FILE *fp, const struct train *t, size_t n, struct table_opts *o)
{
	struct table_opts none;
	char *head[C_N], **cells;
	size_t w[C_N], i, j, rule, cols = (size_t)term_cols();
	int shown[C_N];

	if (o == NULL) {
		memset(&none, 0, sizeof(none));
		o = &none;
	}
	if ((cells = calloc(n * C_N + 1, sizeof(*cells))) == NULL)
		die("table_print: out of memory");
	for (j = 0; j < C_N; j++) {
		head[j] = xstrdup(heads[j]);
		w[j] = u8width(heads[j]);
		if (o->keep[j] > w[j])
			w[j] = o->keep[j];
		/* A column shown on an earlier page stays. */
		shown[j] = (j != C_VIA && j != C_NOTE) || o->keep[j] > 0;
	}
	for (i = 0; i < n; i++) {
		cells_fill(cells + i * C_N, &t[i]);
		for (j = 0; j < C_N; j++)
			if (u8width(cells[i * C_N + j]) > w[j])
				w[j] = u8width(cells[i * C_N + j]);
		if (*t[i].via != '\0')
			shown[C_VIA] = 1;
		if (o->tags && *t[i].tags != '\0')
			shown[C_NOTE] = 1;
	}
	if (shown[C_VIA] && (o->via_below || table_width(w, shown) > cols)) {
		shown[C_VIA] = 0;
		o->via_below = 1;
	}
	for (j = 0; j < C_N; j++)
		o->keep[j] = shown[j] || (j == C_VIA && o->via_below) ?
		    w[j] : 0;
	widths_fit(w, shown, cols, o->board);
	row_put(fp, head, w, shown, 1);
	/* The rule spans the header's columns exactly. */
	rule = table_width(w, shown);
	for (j = 0; j < rule; j++)
		fputs("─", fp);
	fputc('\n', fp);
	for (i = 0; i < n; i++) {
		row_put(fp, cells + i * C_N, w, shown, 0);
		if (o->via_below && via_put(fp, cells[i * C_N + C_VIA], w,
		    cols))
			o->via_cut = 1;
	}
	for (i = 0; i < n * C_N; i++)
		free(cells[i]);
	free(cells);
	for (j = 0; j < C_N; j++)
		free(head[j]);
}

/* Every intermediate station, wrapped at the terminal's width. */
void
via_expand(FILE *fp, const struct train *t, size_t n)
{
	size_t i, cols = (size_t)term_cols(), at, indent, w;
	char *via, *p, *next;

	for (i = 0; i < n; i++) {
		if (*t[i].via == '\0')
			continue;
		via = joined(t[i].via, '|', "|");
		fprintf(fp, "%s via ", t[i].num);
		indent = u8width(t[i].num) + 5;
		at = indent;
		for (p = via; p != NULL; p = next) {
			if ((next = strchr(p, '|')) != NULL)
				*next++ = '\0';
			w = u8width(p) + (next != NULL ? 1 : 0);
			if (at > indent && at + 1 + w > cols) {
				fprintf(fp, "\n%*s", (int)indent, "");
				at = indent;
			} else if (at > indent) {
				fputc(' ', fp);
				at++;
			}
			fprintf(fp, "%s%s", p, next != NULL ? "," : "");
			at += w;
		}
		fputc('\n', fp);
		free(via);
	}
}

/*
 * The station columns of a listing as wide as width (the longest station
 * name), so that a later page never moves the columns after them.
 */
void
table_names_width(struct table_opts *o, size_t width)
{
	if (o->keep[C_FROM] < width)
		o->keep[C_FROM] = width;
	if (o->keep[C_TO] < width)
		o->keep[C_TO] = width;
}

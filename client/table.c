/*
 * table.c — trains as an aligned table: train, from → to, departs,
 * arrives, duration, fare, intermediate stations and labels.  Widths count
 * UTF-8 characters, not bytes, and fit the terminal: long station names
 * are cut with "…" rather than break the alignment.
 */
#include <sys/ioctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/client.h"
#include "ipc/wire.h"

#define GAP		"  "
#define GAP_W		2	/* characters */
#define ARROW		" → "
#define ARROW_W		3
#define NAME_MIN	6	/* a station column never shrinks below */

enum col {
	C_TRAIN, C_FROM, C_TO, C_DEP, C_ARR, C_DUR, C_FARE, C_VIA, C_NOTE,
	C_N
};

static const char *const heads[C_N] = {
	"Train", "From", "To", "Departs", "Arrives", "Duration", "Fare",
	"Via", ""
};

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

/* Bytes taken by the first n characters of s. */
static size_t
u8bytes(const char *s, size_t n)
{
	const char *p = s;

	while (*p != '\0') {
		if (((unsigned char)*p & 0xc0) != 0x80 && n-- == 0)
			break;
		p++;
	}
	return (size_t)(p - s);
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

/* Shrink the station columns until the table fits in cols. */
static void
widths_fit(size_t *w, const int *shown, size_t cols)
{
	size_t total = table_width(w, shown);

	while (total > cols) {
		if (w[C_FROM] >= w[C_TO] && w[C_FROM] > NAME_MIN)
			w[C_FROM]--;
		else if (w[C_TO] > NAME_MIN)
			w[C_TO]--;
		else
			break;		/* as narrow as it gets */
		total--;
	}
}

/* One cell, padded (or cut with "…") to w characters. */
static void
cell_put(FILE *fp, const char *s, size_t w, int right, int last)
{
	size_t n = u8len(s);

	if (n > w) {
		fwrite(s, 1, u8bytes(s, w > 0 ? w - 1 : 0), fp);
		fputs("…", fp);
		return;
	}
	if (right)
		fprintf(fp, "%*s", (int)(w - n), "");
	fputs(s, fp);
	if (!right && !last)
		fprintf(fp, "%*s", (int)(w - n), "");
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
static void
via_put(FILE *fp, const char *via, const size_t *w, size_t cols)
{
	size_t indent = w[C_TRAIN] + GAP_W;
	char *line;

	if (*via == '\0')
		return;
	if (asprintf(&line, "via %s", via) == -1)
		die("via_put: out of memory");
	fprintf(fp, "%*s", (int)indent, "");
	cell_put(fp, line, cols > indent + 8 ? cols - indent : 8, 0, 1);
	fputc('\n', fp);
	free(line);
}

/*
 * Print n trains.  tags: show the labels column (cheapest, fastest) when
 * any train has one.  The intermediate stations get a column when it fits,
 * else a line under their train.
 */
void
table_print(FILE *fp, const struct train *t, size_t n, int tags)
{
	char *head[C_N], **cells;
	size_t w[C_N], i, j, rule, cols = (size_t)term_cols();
	int shown[C_N], via_below = 0;

	if ((cells = calloc(n * C_N, sizeof(*cells))) == NULL)
		die("table_print: out of memory");
	for (j = 0; j < C_N; j++) {
		head[j] = xstrdup(heads[j]);
		w[j] = u8len(heads[j]);
		shown[j] = j != C_VIA && j != C_NOTE;
	}
	for (i = 0; i < n; i++) {
		cells_fill(cells + i * C_N, &t[i]);
		for (j = 0; j < C_N; j++)
			if (u8len(cells[i * C_N + j]) > w[j])
				w[j] = u8len(cells[i * C_N + j]);
		if (*t[i].via != '\0')
			shown[C_VIA] = 1;
		if (tags && *t[i].tags != '\0')
			shown[C_NOTE] = 1;
	}
	if (shown[C_VIA] && table_width(w, shown) > cols) {
		shown[C_VIA] = 0;
		via_below = 1;
	}
	widths_fit(w, shown, cols);
	row_put(fp, head, w, shown, 1);
	rule = table_width(w, shown);
	for (j = 0; j < rule; j++)
		fputs("─", fp);
	fputc('\n', fp);
	for (i = 0; i < n; i++) {
		row_put(fp, cells + i * C_N, w, shown, 0);
		if (via_below)
			via_put(fp, cells[i * C_N + C_VIA], w, cols);
	}
	for (i = 0; i < n * C_N; i++)
		free(cells[i]);
	free(cells);
	for (j = 0; j < C_N; j++)
		free(head[j]);
}

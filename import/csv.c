/*
 * csv.c — read GTFS's CSV files as real feeds write them (RFC 4180).
 *
 * A file is read whole (the largest, stop_times.txt, is tens of MB at
 * most) and each record is split in place: fields are unquoted into the
 * buffer itself and NUL-terminated, so reading a file allocates nothing
 * per record.  Accepted: a UTF-8 byte order mark, CRLF or LF (or a lone
 * CR), quoted fields holding commas, doubled quotes and line breaks,
 * blanks around unquoted fields, blank lines anywhere (trailing ones
 * included), records shorter than the header.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/csv.h"
#include "import/text.h"

static void
csv_set_error(struct csv *c, unsigned long line, const char *fmt, va_list ap)
{
	int	n;

	if (line > 0)
		n = snprintf(c->err, sizeof(c->err), "%s:%lu: ", c->path, line);
	else
		n = snprintf(c->err, sizeof(c->err), "%s: ", c->path);
	if (n < 0 || (size_t)n >= sizeof(c->err))
		return;
	vsnprintf(c->err + n, sizeof(c->err) - (size_t)n, fmt, ap);
	/* Feed text quoted in a message must not drive a terminal. */
	text_clean_inplace(c->err);
}

void
csv_error(struct csv *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	csv_set_error(c, c->line, fmt, ap);
	va_end(ap);
}

static void
csv_file_error(struct csv *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
csv_file_error(struct csv *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	csv_set_error(c, 0, fmt, ap);
	va_end(ap);
}

/*
 * Read a whole file, NUL-terminated; -1 with errno set (EFBIG past
 * CSV_SIZE_MAX: /dev/zero or a runaway file is not a feed).
 */
static int
slurp(int fd, char **data, size_t *len)
{
	struct stat	 sb;
	size_t		 cap, n = 0;
	ssize_t		 r;
	char		*buf, *nb;

	if (fstat(fd, &sb) == -1)
		return -1;
	cap = sb.st_size > 0 ? (size_t)sb.st_size + 1 : 65536;
	if ((buf = malloc(cap)) == NULL)
		return -1;
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > CSV_SIZE_MAX) {
				free(buf);
				errno = EFBIG;
				return -1;
			}
			if ((nb = realloc(buf, cap * 2)) == NULL) {
				free(buf);
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static int
add_field(struct csv *c, char *s)
{
	char	**nf;
	size_t	  ncap;

	if (c->nf == c->fcap) {
		ncap = c->fcap ? c->fcap * 2 : 32;
		if ((nf = realloc(c->f, ncap * sizeof(*nf))) == NULL) {
			csv_error(c, "out of memory");
			return -1;
		}
		c->f = nf;
		c->fcap = ncap;
	}
	c->f[c->nf++] = s;
	return 0;
}

/*
 * One field from c->pos, unquoted in place.  Returns the character that
 * ended it (',', '\n', or '\0' at the end of the data), or -1.
 */
static int
read_field(struct csv *c, char **field)
{
	char	*s = c->data;
	size_t	 i = c->pos, o, j;
	int	 term;

	for (j = i; j < c->len && is_blank(s[j]); j++)
		;
	o = i;
	if (j < c->len && s[j] == '"') {
		for (i = j + 1;; i++) {
			if (i >= c->len) {
				csv_error(c, "quoted field not closed before "
				    "the end of the file");
				return -1;
			}
			if (s[i] == '"') {
				if (i + 1 < c->len && s[i + 1] == '"') {
					s[o++] = s[i++];
					continue;
				}
				i++;
				break;
			}
			if (s[i] == '\n')
				c->next++;
			s[o++] = s[i];
		}
		/* Blanks after the closing quote are dropped, text kept. */
		for (j = i; j < c->len && is_blank(s[j]); j++)
			;
		if (j >= c->len || s[j] == ',' || s[j] == '\n' ||
		    s[j] == '\r')
			i = j;
		else
			while (i < c->len && s[i] != ',' && s[i] != '\n' &&
			    s[i] != '\r')
				s[o++] = s[i++];
	} else {
		i = j;
		while (i < c->len && s[i] != ',' && s[i] != '\n' &&
		    s[i] != '\r')
			s[o++] = s[i++];
		while (o > c->pos && is_blank(s[o - 1]))
			o--;
	}
	term = i < c->len ? s[i] : '\0';
	if (term == '\r') {
		if (i + 1 < c->len && s[i + 1] == '\n')
			i++;
		term = '\n';
	}
	if (term != '\0')
		i++;
	*field = s + c->pos;
	s[o] = '\0';	/* o <= the terminator's place: already read */
	c->pos = i;
	return term;
}

/* The next record, blank lines skipped: 1, 0 at the end, -1. */
static int
read_record(struct csv *c)
{
	char	*f;
	int	 term;

	for (;;) {
		if (c->pos >= c->len)
			return 0;
		c->line = c->next;
		c->nf = 0;
		do {
			if ((term = read_field(c, &f)) == -1 ||
			    add_field(c, f) == -1)
				return -1;
		} while (term == ',');
		c->next++;
		if (c->nf > 1 || c->f[0][0] != '\0')
			return 1;
	}
}

/*
 * A file saved as UTF-16 (or UTF-32) by a spreadsheet: a byte order mark
 * FF FE or FE FF, or NUL bytes among the first characters.
 */
static int
is_utf16(const struct csv *c)
{
	const unsigned char	*u = (const unsigned char *)c->data;

	if (c->len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) ||
	    (u[0] == 0xfe && u[1] == 0xff)))
		return 1;
	return c->len >= 2 && (u[0] == '\0' || u[1] == '\0');
}

/*
 * A NUL byte would end a field early without a word: refuse it, naming
 * its line.
 */
static int
check_nul(struct csv *c)
{
	const char	*z, *p;
	unsigned long	 line = 1;

	if ((z = memchr(c->data, '\0', c->len)) == NULL)
		return 0;
	for (p = c->data; p < z; p++)
		if (*p == '\n')
			line++;
	c->line = line;
	csv_error(c, "NUL byte: not a text file");
	return -1;
}

/* Two header columns of one name: which one would be read is a guess. */
static int
check_header(struct csv *c)
{
	size_t	i, j;

	for (i = 0; i < c->nhead; i++) {
		if (c->head[i][0] == '\0')
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(c->head[i], c->head[j]) == 0) {
				csv_error(c, "duplicate column \"%s\"",
				    c->head[i]);
				return -1;
			}
	}
	return 0;
}

static int
start(struct csv *c)
{
	int	r;

	c->next = 1;
	if (is_utf16(c)) {
		csv_file_error(c, "UTF-16: save as UTF-8");
		return -1;
	}
	if (check_nul(c) == -1)
		return -1;
	if (c->len >= 3 && memcmp(c->data, "\xef\xbb\xbf", 3) == 0)
		c->pos = 3;
	if ((r = read_record(c)) == -1)
		return -1;
	if (r == 0) {
		csv_file_error(c, "empty file: no header line");
		return -1;
	}
	if ((c->head = malloc(c->nf * sizeof(*c->head))) == NULL) {
		csv_file_error(c, "out of memory");
		return -1;
	}
	memcpy(c->head, c->f, c->nf * sizeof(*c->head));
	c->nhead = c->nf;
	return check_header(c);
}

static void
init(struct csv *c, const char *dir, const char *name)
{
	memset(c, 0, sizeof(*c));
	if (dir != NULL)
		snprintf(c->path, sizeof(c->path), "%s/%s", dir, name);
	else
		snprintf(c->path, sizeof(c->path), "%s", name);
	c->name = name;
}

/* A failed open keeps nothing but the message: callers need not close. */
static int
started(struct csv *c)
{
	if (start(c) == 0)
		return 0;
	csv_close(c);
	return -1;
}

int
csv_open(struct csv *c, const char *dir, const char *name, int required)
{
	int	fd;

	init(c, dir, name);
	do
		fd = open(c->path, O_RDONLY | O_CLOEXEC);
	while (fd == -1 && errno == EINTR);
	if (fd == -1) {
		if (errno == ENOENT && !required)
			return 1;
		csv_file_error(c, "%s", strerror(errno));
		return -1;
	}
	if (slurp(fd, &c->data, &c->len) == -1) {
		csv_file_error(c, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return started(c);
}

int
csv_open_mem(struct csv *c, const char *name, const char *data, size_t len)
{
	init(c, NULL, name);
	if ((c->data = malloc(len + 1)) == NULL) {
		csv_file_error(c, "out of memory");
		return -1;
	}
	memcpy(c->data, data, len);
	c->data[len] = '\0';
	c->len = len;
	return started(c);
}

void
csv_close(struct csv *c)
{
	free(c->data);
	free(c->f);
	free(c->head);
	c->data = NULL;
	c->f = c->head = NULL;
	c->nf = c->fcap = c->nhead = c->len = c->pos = 0;
}

int
csv_col(const struct csv *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nhead; i++)
		if (strcmp(c->head[i], name) == 0)
			return (int)i;
	return -1;
}

int
csv_need(struct csv *c, const char *name)
{
	int	i;

	if ((i = csv_col(c, name)) == -1)
		csv_file_error(c, "no %s column in the header", name);
	return i;
}

int
csv_next(struct csv *c)
{
	return read_record(c);
}

const char *
csv_field(const struct csv *c, int col)
{
	if (col < 0 || (size_t)col >= c->nf)
		return "";
	return c->f[col];
}

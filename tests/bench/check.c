/*
 * check.c — what a correct reply to each request looks like.
 *
 * Framing alone ("OK n" and n lines) lets a server that answers the wrong
 * thing look fast, so each data line is checked against the command that
 * asked for it: PING gets PONG, a train query gets 11-field train lines with
 * times where times belong, STATIONS gets names.  The checks are cheap on
 * purpose: they run on every line of every reply.
 */
#include <string.h>

#include "ipc/wire.h"
#include "tests/bench/bench.h"

/* Is s[0..len) "H:MM" or "HH:MM", optionally followed by "+d"? */
static int
check_time(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 2) {
		i++;
		digits++;
	}
	if (digits == 0 || i + 3 > len || s[i] != ':')
		return -1;
	if (s[i + 1] < '0' || s[i + 1] > '5' || s[i + 2] < '0' || s[i + 2] > '9')
		return -1;
	i += 3;
	if (i == len)
		return 0;
	if (i + 2 == len && s[i] == '+' && s[i + 1] >= '1' && s[i + 1] <= '9')
		return 0;
	return -1;
}

static int
check_digits(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	return 0;
}

/*
 * number;from;to;departs;arrives;minutes;price;flag;fare;via;tags — exactly
 * eleven fields; the number and the stations are not empty, the times look
 * like times and the duration is a number.
 */
static int
check_train(const char *line, size_t len)
{
	const char *f[WIRE_FIELDS + 1], *p = line, *end = line + len, *sep;
	size_t fl[WIRE_FIELDS + 1], nf = 0;

	for (;;) {
		sep = memchr(p, ';', (size_t)(end - p));
		if (nf == WIRE_FIELDS)
			return -1;
		f[nf] = p;
		fl[nf] = sep ? (size_t)(sep - p) : (size_t)(end - p);
		nf++;
		if (sep == NULL)
			break;
		p = sep + 1;
	}
	if (nf != WIRE_FIELDS || fl[0] == 0 || fl[1] == 0 || fl[2] == 0)
		return -1;
	if (check_time(f[3], fl[3]) != 0 || check_time(f[4], fl[4]) != 0)
		return -1;
	return check_digits(f[5], fl[5]);
}

/* May a reply to r announce n data lines? */
int
check_count(const struct req *r, long n)
{
	switch (r->cmd) {
	case CMD_PING:
	case CMD_ECHO:
		return n == 1 ? 0 : -1;
	case CMD_QUIT:
		return n == 0 ? 0 : -1;
	default:
		return n <= r->max_lines ? 0 : -1;
	}
}

/* Is line (LF removed) a correct data line of a reply to r? */
int
check_line(const struct req *r, const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	switch (r->cmd) {
	case CMD_PING:
	case CMD_ECHO:
		return len == r->expect_len &&
		    memcmp(line, r->expect, len) == 0 ? 0 : -1;
	case CMD_TRAINS:
		return check_train(line, len);
	case CMD_STATIONS:
		/* ';' separates fields in the timetable: no name holds one. */
		return len > 0 && memchr(line, ';', len) == NULL ? 0 : -1;
	default:
		return 0;
	}
}

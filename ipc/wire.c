/*
 * wire.c — classifying reply lines and splitting fields (see wire.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/wire.h"

static int
wire_isblank(int c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

char *
wire_trim(char *s, size_t *len)
{
	size_t n = *len;

	while (n > 0 && wire_isblank((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && wire_isblank((unsigned char)s[n - 1]))
		n--;
	*len = n;
	return s;
}

/* Parse a decimal number of at most 9 digits at s[0..len). */
static int
wire_number(const char *s, size_t len, long *out)
{
	long v = 0;
	size_t i;

	if (len == 0 || len > 9)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

enum wire_kind
wire_status(const char *line, size_t len, long *n)
{
	size_t end;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len >= 2 && line[0] == '*' && line[1] == ' ')
		return WIRE_NOTICE;
	if (len > 3 && memcmp(line, "OK ", 3) == 0)
		return wire_number(line + 3, len - 3, n) == 0 ? WIRE_OK : WIRE_BAD;
	if (len > 4 && memcmp(line, "ERR ", 4) == 0) {
		for (end = 4; end < len && line[end] != ' '; end++)
			;
		if (end - 4 != 3 || wire_number(line + 4, 3, n) != 0)
			return WIRE_BAD;
		return WIRE_ERR;
	}
	return WIRE_BAD;
}

size_t
wire_split(char *s, char sep, char **fields, size_t max)
{
	size_t nf = 0, len;
	char *p, *next;

	for (p = s;; p = next + 1) {
		next = strchr(p, sep);
		len = next ? (size_t)(next - p) : strlen(p);
		if (nf == max)
			return max + 1;
		fields[nf] = wire_trim(p, &len);
		fields[nf][len] = '\0';
		nf++;
		if (next == NULL)
			return nf;
	}
}

size_t
wire_sanitize(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;

	for (; *r != '\0'; r++) {
		if (*r < 0x20 || *r == 0x7f)
			continue;
		if (r[0] == 0xc2 && r[1] >= 0x80 && r[1] <= 0x9f) {
			r++;
			continue;
		}
		*w++ = *r;
	}
	*w = '\0';
	return (size_t)(w - (unsigned char *)s);
}

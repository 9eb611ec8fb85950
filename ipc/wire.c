/*
 * wire.c — classifying reply lines, splitting fields and the one sanitiser
 * for text bound for a terminal or a log (see wire.h).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/utf8.h"
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

/* Code points that must never reach a terminal (see wire.h). */
static int
wire_cp_hidden(uint32_t c)
{
	return utf8_control(c) || utf8_invisible(c);
}

/*
 * The sanitiser's one loop.  Reading never overtakes writing (every
 * output is at most as long as what it replaces), so dst may be src.
 */
size_t
wire_sanitize_n(char *dst, size_t dstsize, const char *src, size_t srclen)
{
	const unsigned char *r = (const unsigned char *)src;
	size_t i = 0, w = 0, len;
	uint32_t c;
	int bad = 0;	/* the last output was a '?' for bad bytes */

	if (dstsize == 0)
		return 0;
	while (i < srclen && r[i] != '\0') {
		if ((len = utf8_decode(r + i, srclen - i, &c)) == 0) {
			i++;
			if (bad)
				continue;
			if (w + 1 >= dstsize)
				break;
			dst[w++] = '?';
			bad = 1;
			continue;
		}
		if (c != '\t' && wire_cp_hidden(c)) {
			i += len;
			continue;
		}
		if (w + len >= dstsize)
			break;
		if (c == '\t')
			dst[w] = ' ';
		else
			memmove(dst + w, r + i, len);
		i += len;
		w += len;
		bad = 0;
	}
	dst[w] = '\0';
	return w;
}

size_t
wire_sanitize(char *s)
{
	size_t len = strlen(s);

	return wire_sanitize_n(s, len + 1, s, len);
}

int
wire_is_clean(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t c;

	while (i < len) {
		if ((n = utf8_decode(p + i, len - i, &c)) == 0 || c == '\t' ||
		    wire_cp_hidden(c))
			return 0;
		i += n;
	}
	return 1;
}

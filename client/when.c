/*
 * when.c — clock times as people type them, turned into the HH:MM the
 * server takes (it stays strict; the leniency is the client's): 7, 07,
 * 7h, 7h15, 0715, 7:15, 19:00, 7pm, 7:15pm, 12am.  Pure functions, so the
 * unit tests link this file alone.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "client/client.h"

/* Up to max digits at *s as a number; how many were read (0: none). */
static size_t
digits(const char *s, size_t max, int *v)
{
	size_t n;

	*v = 0;
	for (n = 0; n < max && isdigit((unsigned char)s[n]); n++)
		*v = *v * 10 + (s[n] - '0');
	return n;
}

/*
 * s (blanks around it allowed) as "HH:MM" in out: 0, or -1 when it is no
 * time of the day.  An empty s is no time either: callers decide what
 * nothing means.
 */
int
time_parse(const char *s, char *out, size_t size)
{
	const char *end;
	size_t n, len;
	int h, m = 0, ampm = 0, hd;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	end = s + len;
	/* "am" / "pm" at the end, a blank before it allowed. */
	if (len >= 2 && (strncasecmp(end - 2, "am", 2) == 0 ||
	    strncasecmp(end - 2, "pm", 2) == 0)) {
		ampm = tolower((unsigned char)end[-2]) == 'a' ? 1 : 2;
		end -= 2;
		while (end > s && end[-1] == ' ')
			end--;
	}
	n = (size_t)(end - s);
	hd = (int)strspn(s, "0123456789");
	if ((size_t)hd > n)
		hd = (int)n;
	if (hd == 0)
		return -1;
	if ((size_t)hd == n && hd >= 3) {
		/* 715, 0715, 1900: the last two digits are the minutes. */
		if (hd > 4)
			return -1;
		digits(s, (size_t)hd - 2, &h);
		digits(s + hd - 2, 2, &m);
	} else {
		if (hd > 2)
			return -1;
		digits(s, (size_t)hd, &h);
		s += hd;
		if (s < end) {
			/* 7:15, 7h15, 7h, 7.15 */
			if (*s != ':' && *s != 'h' && *s != 'H' && *s != '.')
				return -1;
			if (s + 1 == end) {
				if (*s != 'h' && *s != 'H')
					return -1;
			} else if (end - (s + 1) != 2 ||
			    digits(s + 1, 2, &m) != 2)
				return -1;
		}
	}
	if (m > 59)
		return -1;
	if (ampm != 0) {
		if (h < 1 || h > 12)
			return -1;
		if (h == 12)
			h = 0;
		if (ampm == 2)
			h += 12;
	}
	if (h > 23)
		return -1;
	snprintf(out, size, "%02d:%02d", h, m);
	return 0;
}

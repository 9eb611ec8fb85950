/*
 * text.c — UTF-8 as the server takes it, and text made safe for one line
 * of a comment or a message (text.h).  The importer must never write
 * something trainsrv refuses, so the rules here are the server's
 * (worker/timetable.c): keep them in step.
 */
#include <string.h>

#include "import/text.h"

size_t
text_utf8_len(const unsigned char *s)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* past U+10FFFF */
	} else
		return 0;
	/* A NUL ends the string: it is no continuation byte. */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

int
text_format_control(const unsigned char *s, size_t n)
{
	unsigned	cp;

	if (n == 2)
		return s[0] == 0xd8 && s[1] == 0x9c;	/* U+061C */
	if (n != 3)
		return 0;
	cp = (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 |
	    (unsigned)(s[2] & 0x3f);
	return (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

int
text_control(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] < 0x20 || s[0] == 0x7f;
	return n == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

/* Line and paragraph separators: a line break to some readers. */
static int
text_separator(const unsigned char *s, size_t n)
{
	return n == 3 && s[0] == 0xe2 && s[1] == 0x80 &&
	    (s[2] == 0xa8 || s[2] == 0xa9);
}

char *
text_clean(const char *in, char *out, size_t cap)
{
	const unsigned char	*s = (const unsigned char *)in;
	size_t			 o = 0, n;

	if (cap == 0)
		return out;
	while (*s != '\0') {
		n = text_utf8_len(s);
		if (o + (n ? n : 1) + 4 > cap) {
			/* Room for "..." and the NUL: cut here. */
			if (o + 4 <= cap) {
				memcpy(out + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (n == 0 || text_control(s, n) || text_format_control(s, n) ||
		    text_separator(s, n)) {
			out[o++] = '?';
			s += n ? n : 1;
			continue;
		}
		memmove(out + o, s, n);
		o += n;
		s += n;
	}
	out[o] = '\0';
	return out;
}

void
text_clean_inplace(char *s)
{
	size_t	len = strlen(s);

	/* Never longer: each character gives itself or one '?'. */
	text_clean(s, s, len + 4);
}

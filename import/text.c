/*
 * text.c — UTF-8 as the server takes it, and text made safe for one line
 * of a comment or a message (text.h).  The importer must never write
 * something trainsrv refuses, so the rules here are the server's
 * (worker/timetable.c): keep them in step.
 */
#include <stdint.h>
#include <string.h>

#include "ipc/utf8.h"
#include "import/text.h"

size_t
text_utf8_len(const unsigned char *s)
{
	uint32_t	cp;

	/* A NUL ends the string: it is no continuation byte. */
	return utf8_decode(s, strnlen((const char *)s, 4), &cp);
}

int
text_format_control(const unsigned char *s, size_t n)
{
	uint32_t	cp;

	return n > 1 && utf8_decode(s, n, &cp) == n && utf8_invisible(cp);
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
		if (n == 0 || text_control(s, n) || text_separator(s, n) ||
		    text_format_control(s, n)) {
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

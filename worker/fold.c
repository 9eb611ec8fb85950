/*
 * fold.c — station names' matching keys, and the edit distance that ranks
 * suggestions for a mistyped name.
 *
 * A key is the name trimmed, with runs of blanks ('-' and '_' count as
 * blanks) collapsed to one space, ASCII folded to lower case, and the Latin
 * letters of U+00C0..U+017F written in UTF-8 replaced by their base letters
 * (é -> e, ß -> ss, œ -> oe).  Anything else is copied byte for byte, so a
 * key of valid UTF-8 is valid UTF-8, and invalid input never fails.
 *
 * It also tells which names hide invisible or direction-control characters
 * (tt_name_invisible), which the timetable refuses.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ipc/utf8.h"
#include "worker/engine.h"
#include "worker/engine_impl.h"

/* U+00C0..U+00FF; NULL keeps the character (× and ÷). */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* ÀÁÂÃÄÅÆÇ */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* ÈÉÊËÌÍÎÏ */
	"d", "n", "o", "o", "o", "o", "o", NULL,	/* ÐÑÒÓÔÕÖ× */
	"o", "u", "u", "u", "u", "y", "th", "ss",	/* ØÙÚÛÜÝÞß */
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* àáâãäåæç */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* èéêëìíîï */
	"d", "n", "o", "o", "o", "o", "o", NULL,	/* ðñòóôõö÷ */
	"o", "u", "u", "u", "u", "y", "th", "y",	/* øùúûüýþÿ */
};

/*
 * U+0100..U+017F (Latin Extended-A), one base letter per code point; the
 * two ligatures are marked by upper-case letters and expanded below.
 */
static const char latin_ext_a[] =
	"aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh"
	"iiiiiiiiii" "I" "I" "jj" "kkk" "llllllllll" "nnnnnnnnn" "oooooo"
	"O" "O" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy"
	"zzzzzz" "s";

_Static_assert(sizeof(latin_ext_a) == 128 + 1, "one letter per code point");

struct out {
	char	*p;
	size_t	 len;
	size_t	 cap;		/* bytes usable, the NUL excluded */
	int	 full;
};

static void
out_put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->len + n > o->cap) {
		/* Stop at a character boundary rather than split one. */
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '-' || c == '_' || c == '\r' ||
	    c == '\n' || c == '\v' || c == '\f';
}

/*
 * The folded form of the two-byte UTF-8 sequence b0 b1, or NULL to copy it;
 * *blank is set for a no-break space, which folds like a blank.
 */
static const char *
fold2(unsigned char b0, unsigned char b1, int *blank, char *tmp)
{
	unsigned	cp;
	char		c;

	*blank = 0;
	cp = ((unsigned)(b0 & 0x1f) << 6) | (b1 & 0x3f);
	if (cp == 0xa0) {
		*blank = 1;
		return NULL;
	}
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1[cp - 0xc0];
	if (cp >= 0x100 && cp <= 0x17f) {
		c = latin_ext_a[cp - 0x100];
		if (c == 'I')
			return "ij";
		if (c == 'O')
			return "oe";
		tmp[0] = c;
		tmp[1] = '\0';
		return tmp;
	}
	return NULL;
}

/*
 * ASCII letters and digits, the bytes of most names, as they appear in a
 * key; 0 for every other byte.  One load per byte on the fast path.
 */
#define F10(c)	(c), (c) + 1, (c) + 2, (c) + 3, (c) + 4, (c) + 5, (c) + 6, \
		(c) + 7, (c) + 8, (c) + 9
static const unsigned char plain[256] = {
	['0'] = F10('0'),
	['A'] = F10('a'), F10('k'), 'u', 'v', 'w', 'x', 'y', 'z',
	['a'] = F10('a'), F10('k'), 'u', 'v', 'w', 'x', 'y', 'z',
};
#undef F10

/* Any byte but a plain one, at s[i]: returns how many bytes it took. */
static size_t
fold_other(const unsigned char *s, size_t i, size_t len, struct out *o,
    int *space)
{
	const char	*rep = NULL;
	char		 tmp[2], c;
	int		 blank = 0;

	if (is_blank(s[i])) {
		*space = o->len > 0;
		return 1;
	}
	if (s[i] >= 0xc2 && s[i] <= 0xc5 && i + 1 < len &&
	    (s[i + 1] & 0xc0) == 0x80) {
		rep = fold2(s[i], s[i + 1], &blank, tmp);
		if (blank) {
			*space = o->len > 0;
			return 2;
		}
		if (*space)
			out_put(o, " ", 1);
		*space = 0;
		if (rep != NULL)
			out_put(o, rep, strlen(rep));
		else
			out_put(o, (const char *)s + i, 2);
		return 2;
	}
	if (*space)
		out_put(o, " ", 1);
	*space = 0;
	c = (char)s[i];		/* not a letter: kept as it is */
	out_put(o, &c, 1);
	return 1;
}

size_t
tt_fold(const char *name, size_t len, char *key, size_t cap)
{
	const unsigned char	*s = (const unsigned char *)name;
	struct out		 o;
	size_t			 i = 0, n = 0;
	int			 space = 0;
	unsigned char		 c;

	if (cap == 0)
		return 0;
	o.p = key;
	o.cap = cap - 1;
	o.full = 0;
	while (i < len) {
		/* Kept in registers: o is only touched off the fast path. */
		if ((c = plain[s[i]]) != 0 && !space && n < o.cap) {
			key[n++] = (char)c;
			i++;
			continue;
		}
		if (c != 0 && !space)
			break;		/* full */
		o.len = n;
		if (c != 0) {
			out_put(&o, " ", 1);
			space = 0;
		} else
			i += fold_other(s, i, len, &o, &space);
		n = o.len;
		if (o.full)
			break;
	}
	key[n] = '\0';
	return n;
}

/*
 * Levenshtein distance of two keys, computed only in the diagonal band
 * where it can stay within limit, and abandoned as soon as a whole row
 * exceeds it: suggestions scan every station of a possibly huge timetable.
 */
unsigned
fold_distance(const char *a, size_t alen, const char *b, size_t blen,
    unsigned limit)
{
	unsigned	 row0[TT_NAME_MAX * 2 + 2], row1[TT_NAME_MAX * 2 + 2];
	unsigned	*prev = row0, *cur = row1, *sw;
	unsigned	 best, v, far = limit + 1;
	size_t		 i, j, lo, hi;

	if ((alen > blen ? alen - blen : blen - alen) > limit)
		return far;
	if (blen > TT_NAME_MAX * 2 || alen > TT_NAME_MAX * 2)
		return far;
	for (j = 0; j <= blen; j++)
		prev[j] = j <= limit ? (unsigned)j : far;
	for (i = 1; i <= alen; i++) {
		lo = i > limit ? i - limit : 1;
		hi = i + limit < blen ? i + limit : blen;
		cur[0] = i <= limit ? (unsigned)i : far;
		if (lo > 1)
			cur[lo - 1] = far;
		best = cur[0];
		for (j = lo; j <= hi; j++) {
			v = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (v > far)
				v = far;
			cur[j] = v;
			if (v < best)
				best = v;
		}
		if (hi < blen)
			cur[hi + 1] = far;
		if (best > limit)
			return far;
		sw = prev;
		prev = cur;
		cur = sw;
	}
	return prev[blen] <= limit ? prev[blen] : far;
}

uint32_t
tt_name_invisible(const char *name, size_t len)
{
	const unsigned char	*s = (const unsigned char *)name;
	size_t			 i, n;
	uint32_t		 cp;

	for (i = 0; i < len; i += n) {
		/* Every one of them is outside ASCII: skip it quickly. */
		if (s[i] < 0x80) {
			n = 1;
			continue;
		}
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			n = 1;		/* invalid: the caller says so */
		else if (utf8_invisible(cp))
			return cp;
	}
	return 0;
}

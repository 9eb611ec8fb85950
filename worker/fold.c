/*
 * fold.c — station names' matching keys, and the edit distance that ranks
 * suggestions for a mistyped name.
 *
 * A key is the name trimmed, with runs of blanks ('-' and '_' count as
 * blanks) collapsed to one space, ASCII folded to lower case, and the Latin
 * letters of U+00C0..U+017F written in UTF-8 replaced by their base letters
 * (é -> e, ß -> ss, œ -> oe).  Anything else is copied byte for byte, so a
 * key of valid UTF-8 is valid UTF-8, and invalid input never fails.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

size_t
tt_fold(const char *name, size_t len, char *key, size_t cap)
{
	const unsigned char	*s = (const unsigned char *)name;
	struct out		 o;
	const char		*rep;
	char			 tmp[2], c;
	size_t			 i;
	int			 space = 0, blank;

	if (cap == 0)
		return 0;
	o.p = key;
	o.len = 0;
	o.cap = cap - 1;
	o.full = 0;
	for (i = 0; i < len && !o.full; i++) {
		/* Letters and digits with no blank pending: most bytes. */
		c = (char)s[i];
		if (!space && ((c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
			if (o.len >= o.cap) {
				o.full = 1;
				break;
			}
			o.p[o.len++] = (char)(c | (c >= 'A' && c <= 'Z' ?
			    0x20 : 0));
			continue;
		}
		if (is_blank(s[i])) {
			space = o.len > 0;
			continue;
		}
		rep = NULL;
		blank = 0;
		if (s[i] >= 0xc2 && s[i] <= 0xc5 && i + 1 < len &&
		    (s[i + 1] & 0xc0) == 0x80) {
			rep = fold2(s[i], s[i + 1], &blank, tmp);
			if (blank) {
				space = o.len > 0;
				i++;
				continue;
			}
		}
		if (space) {
			out_put(&o, " ", 1);
			space = 0;
		}
		if (rep != NULL) {
			out_put(&o, rep, strlen(rep));
			i++;
		} else if (s[i] >= 0xc2 && s[i] <= 0xc5 && i + 1 < len &&
		    (s[i + 1] & 0xc0) == 0x80) {
			out_put(&o, (const char *)s + i, 2);
			i++;
		} else {
			c = (char)s[i];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			out_put(&o, &c, 1);
		}
	}
	key[o.len] = '\0';
	return o.len;
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

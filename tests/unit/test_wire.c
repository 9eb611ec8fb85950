/*
 * test_wire.c — the one sanitiser (wire_sanitize, wire_sanitize_n,
 * wire_is_clean): what it keeps, what it removes, what it replaces, and
 * that the bounded form never reads or writes past its limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/wire.h"
#include "tests/unit/harness.h"

void	suite_wire(void);

/* wire_sanitize on a copy of s. */
static const char *
clean(const char *s)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s", s);
	wire_sanitize(buf);
	return buf;
}

static void
test_keeps(void)
{
	CHECK_STR(clean("Valence;Grenoble;06:15"), "Valence;Grenoble;06:15");
	CHECK_STR(clean("Montélimar → Gare de Lyon"), "Montélimar → Gare de Lyon");
	CHECK_STR(clean("Москва 東京 😀"), "Москва 東京 😀");
	CHECK_STR(clean("\xc2\xa0nbsp \xc2\xa9 U+00A0 and U+00A9"),
	    "\xc2\xa0nbsp \xc2\xa9 U+00A0 and U+00A9");
	CHECK_STR(clean("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
	CHECK_STR(clean("\xe2\x80\x8a|\xe2\x80\xb0"), "\xe2\x80\x8a|\xe2\x80\xb0");
	CHECK_STR(clean(""), "");
	CHECK_INT(wire_sanitize((char[]){ "abc" }), 3);
	CHECK(wire_is_clean("Gare de Lyon é", strlen("Gare de Lyon é")));
}

static void
test_controls(void)
{
	/* C0, DEL; a tab becomes a space. */
	CHECK_STR(clean("a\x1b[2Jb\rc\x07" "d\x7f" "e"), "a[2Jbcde");
	CHECK_STR(clean("\x1b]52;c;ZXZpbA==\x07x"), "]52;c;ZXZpbA==x");
	CHECK_STR(clean("\x01\x1f"), "");
	CHECK_STR(clean("a\tb"), "a b");
	/* C1 in UTF-8: U+0080..U+009F (CSI is C2 9B), not U+00A0. */
	CHECK_STR(clean("a\xc2\x9b" "31mb\xc2\x80\xc2\x9f" "c"), "a31mbc");
	CHECK_INT(wire_sanitize((char[]){ "\x1b\x1b" }), 0);
}

static void
test_format(void)
{
	/* Bidi and format controls. */
	CHECK_STR(clean("Gre\xe2\x80\x8bnoble"), "Grenoble");		/* U+200B */
	CHECK_STR(clean("a\xe2\x80\x8f" "b"), "ab");			/* U+200F */
	CHECK_STR(clean("\xe2\x80\xae" "evil"), "evil");		/* U+202E */
	CHECK_STR(clean("\xe2\x80\xaa" "a\xe2\x80\xac"), "a");	/* U+202A, C */
	CHECK_STR(clean("a\xe2\x81\xa0\xe2\x81\xa4" "b"), "ab");	/* U+2060, 64 */
	CHECK_STR(clean("\xe2\x81\xa6" "x\xe2\x81\xa9"), "x");	/* U+2066, 69 */
	CHECK_STR(clean("\xef\xbb\xbf" "bom"), "bom");		/* U+FEFF */
	CHECK_STR(clean("a\xd8\x9c" "b"), "ab");			/* U+061C */
	CHECK_STR(clean("l\xe2\x80\xa8" "s"), "ls");			/* U+2028 */
	CHECK_STR(clean("t\xf3\xa0\x80\x81\xf3\xa0\x81\xbf" "g"), "tg"); /* tags */
	/* U+2065 is unassigned but default-ignorable: it goes too. */
	CHECK_STR(clean("a\xe2\x81\xa5" "b"), "ab");
	CHECK_STR(clean("s\xc2\xad" "h"), "sh");			/* U+00AD */
	/* Neighbours stay: U+200A, U+2010, U+2070. */
	CHECK_STR(clean("\xe2\x80\x8a\xe2\x80\x90\xe2\x81\xb0"),
	    "\xe2\x80\x8a\xe2\x80\x90\xe2\x81\xb0");
	CHECK(!wire_is_clean("Gre\xe2\x80\x8bnoble", 12));
	CHECK(!wire_is_clean("a\tb", 3));
	CHECK(!wire_is_clean("a\0b", 3));
}

static void
test_invalid(void)
{
	/* Each run of bad bytes becomes one '?'. */
	CHECK_STR(clean("a\xed\xa0\x80" "b"), "a?b");		/* surrogate */
	CHECK_STR(clean("a\xc0\xaf" "b"), "a?b");		/* overlong / */
	CHECK_STR(clean("a\xe0\x80\xaf" "b"), "a?b");		/* overlong */
	CHECK_STR(clean("a\xf0\x80\x80\xaf" "b"), "a?b");	/* overlong */
	CHECK_STR(clean("a\xf4\x90\x80\x80" "b"), "a?b");	/* > U+10FFFF */
	CHECK_STR(clean("a\xf5\xff" "b"), "a?b");
	CHECK_STR(clean("a\x80\xbf" "b"), "a?b");		/* stray */
	CHECK_STR(clean("a\xe2\x82" "b"), "a?b");		/* truncated */
	CHECK_STR(clean("a\xe2\x82"), "a?");
	CHECK_STR(clean("\xff\x1b\xff"), "?");	/* the ESC between goes too */
	CHECK_STR(clean("\xff" "x\xff"), "?x?");
	CHECK(!wire_is_clean("\xed\xa0\x80", 3));
	CHECK(!wire_is_clean("\xe2\x82", 2));
}

static void
test_bounded(void)
{
	char src[16], dst[16];

	/* No NUL in the source: it stops at srclen. */
	memcpy(src, "\x1b[2JABCDEFGHIJKL", 16);
	CHECK_INT(wire_sanitize_n(dst, sizeof(dst), src, sizeof(src)), 15);
	CHECK_STR(dst, "[2JABCDEFGHIJKL");
	CHECK_INT(wire_sanitize_n(dst, 10, src, sizeof(src)), 9);
	CHECK_STR(dst, "[2JABCDEF");	/* it fits dst with its NUL */
	CHECK_INT(wire_sanitize_n(dst, sizeof(dst), src, 6), 5);
	CHECK_STR(dst, "[2JAB");
	/* A NUL before srclen ends it. */
	memcpy(src, "ab\0cd", 6);
	CHECK_INT(wire_sanitize_n(dst, sizeof(dst), src, 6), 2);
	CHECK_STR(dst, "ab");
	/* A character is never cut: "é" does not fit in 2 bytes + NUL after a. */
	CHECK_INT(wire_sanitize_n(dst, 3, "aé", 3), 1);
	CHECK_STR(dst, "a");
	CHECK_INT(wire_sanitize_n(dst, 4, "aé", 3), 3);
	/* A truncated sequence at srclen is bad bytes, not read past. */
	memcpy(src, "ab\xe2\x82", 4);
	CHECK_INT(wire_sanitize_n(dst, sizeof(dst), src, 4), 3);
	CHECK_STR(dst, "ab?");
	/* Size 0 writes nothing, size 1 only the NUL. */
	dst[0] = 'x';
	CHECK_INT(wire_sanitize_n(dst, 0, "abc", 3), 0);
	CHECK(dst[0] == 'x');
	CHECK_INT(wire_sanitize_n(dst, 1, "abc", 3), 0);
	CHECK_STR(dst, "");
	/* In place. */
	memcpy(src, "a\x1b" "b\tc\xc2\x9b", 8);
	CHECK_INT(wire_sanitize_n(src, sizeof(src), src, 7), 4);
	CHECK_STR(src, "ab c");
}

/* Random bytes: the output is clean, no longer than the input, stable. */
static void
test_random(void)
{
	char in[64], out[64], again[64];
	size_t n, m, i;
	int k, bad = 0;

	srand(12);
	for (k = 0; k < 20000; k++) {
		n = (size_t)rand() % sizeof(in);
		for (i = 0; i < n; i++)
			in[i] = (char)(rand() % 4 == 0 ? 0x80 + rand() % 0x40 :
			    rand() % 256);
		m = wire_sanitize_n(out, sizeof(out), in, n);
		if (m > n || strlen(out) != m || !wire_is_clean(out, m) ||
		    (memcpy(again, out, m + 1), wire_sanitize(again) != m) ||
		    memcmp(again, out, m) != 0)
			bad++;
	}
	CHECK_INT(bad, 0);
}

void
suite_wire(void)
{
	test_keeps();
	test_controls();
	test_format();
	test_invalid();
	test_bounded();
	test_random();
}

/*
 * test_fold.c — station name folding, lookup and suggestions.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/harness.h"
#include "worker/engine.h"

static const char *
fold(const char *s)
{
	static char	key[600];

	tt_fold(s, strlen(s), key, sizeof(key));
	return key;
}

static void
test_fold(void)
{
	char	key[8];

	CHECK_STR(fold("Valence"), "valence");
	CHECK_STR(fold("  PARIS   Gare-de_Lyon \t"), "paris gare de lyon");
	CHECK_STR(fold("Montélimar"), "montelimar");
	CHECK_STR(fold("MONTÉLIMAR"), "montelimar");
	CHECK_STR(fold("Çà et là, l'Haÿ-les-Roses"), "ca et la, l'hay les roses");
	CHECK_STR(fold("Straße"), "strasse");
	CHECK_STR(fold("Æbeltoft Ørsted Åre"), "aebeltoft orsted are");
	CHECK_STR(fold("Œuvre Łódź Šibenik Žilina Čakovec"),
	    "oeuvre lodz sibenik zilina cakovec");
	CHECK_STR(fold("Göteborg\xc2\xa0" "C"), "goteborg c");
	CHECK_STR(fold("Москва"), "Москва");	/* kept as is */
	CHECK_STR(fold("a\xff" "B"), "a\xff" "b");	/* never fails */
	CHECK_STR(fold(" - _ "), "");
	CHECK_STR(fold("2×3"), "2×3");
	/* Truncated at a character boundary, NUL-terminated. */
	CHECK_INT(tt_fold("abcdefghij", 10, key, sizeof(key)), 7);
	CHECK_STR(key, "abcdefg");
	CHECK_INT(tt_fold("abcdeéé", strlen("abcdeéé"), key, 8), 7);
	CHECK_STR(key, "abcdeee");
	CHECK_INT(tt_fold("abcdeß", strlen("abcdeß"), key, 7), 5);
	CHECK_STR(key, "abcde");
	CHECK_INT(tt_fold("abc", 3, key, 0), 0);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	buf = malloc(1 << 20);
	if (buf != NULL)
		*len = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	return buf;
}

static void
test_stations(void)
{
	struct tt	*t;
	char		 path[1024], *text;
	uint32_t	 sug[3], first;
	size_t		 n, len = 0;
	int32_t		 s;

	snprintf(path, sizeof(path), "%s/sncf.txt", h_datadir);
	text = read_file(path, &len);
	CHECK(text != NULL);
	if (text == NULL)
		return;
	/* With a Montélimar spelled with its accent, after the plain one. */
	memcpy(text + len, "X1;Montélimar;Lyon;9:00;10:00;;\n", 33);
	t = tt_load_mem("sncf+", text, len + 32, NULL, NULL);
	free(text);
	CHECK(t != NULL);
	if (t == NULL)
		return;
	CHECK_INT(tt_nstations(t), 5);
	s = tt_station_find(t, "  paris gare de lyon ", 21);
	CHECK(s >= 0);
	CHECK_STR(tt_station_name(t, (uint32_t)s), "Paris Gare de Lyon");
	s = tt_station_find(t, "MONTÉLIMAR", strlen("MONTÉLIMAR"));
	CHECK(s >= 0);
	/* The first spelling in the file is the one displayed. */
	CHECK_STR(tt_station_name(t, (uint32_t)s), "Montelimar");
	CHECK(tt_station_find(t, "Paris-Gare-de-Lyon", 18) >= 0);
	/* the start of one station name is that station (issue 18) */
	CHECK(tt_station_find(t, "Paris", 5) >= 0);
	CHECK(tt_station_find(t, "", 0) == -1);
	CHECK(tt_station_find(t, "Grenble", 7) == -1);

	n = tt_station_suggest(t, "Grenble", 7, sug, 3);
	CHECK(n >= 1);
	if (n >= 1)
		CHECK_STR(tt_station_name(t, sug[0]), "Grenoble");
	n = tt_station_suggest(t, "valense", 7, sug, 3);
	CHECK(n >= 1);
	if (n >= 1)
		CHECK_STR(tt_station_name(t, sug[0]), "Valence");
	n = tt_station_suggest(t, "Paris", 5, sug, 3);
	CHECK_INT(n, 1);
	if (n >= 1)
		CHECK_STR(tt_station_name(t, sug[0]), "Paris Gare de Lyon");
	CHECK_INT(tt_station_suggest(t, "Xyzzyq", 6, sug, 3), 0);
	CHECK_INT(tt_station_suggest(t, "", 0, sug, 3), 0);

	/* STATIONS: folded-name order, by prefix. */
	n = tt_stations(t, "", 0, &first);
	CHECK_INT(n, 5);
	CHECK_INT(first, 0);
	CHECK_STR(tt_station_name(t, tt_station_by_rank(t, 0)), "Grenoble");
	CHECK_STR(tt_station_name(t, tt_station_by_rank(t, 1)), "Lyon");
	CHECK_STR(tt_station_name(t, tt_station_by_rank(t, 4)), "Valence");
	n = tt_stations(t, "pa", 2, &first);
	CHECK_INT(n, 1);
	CHECK_STR(tt_station_name(t, tt_station_by_rank(t, first)),
	    "Paris Gare de Lyon");
	n = tt_stations(t, " PARIS GARE-", 12, &first);
	CHECK_INT(n, 1);
	n = tt_stations(t, "Z", 1, &first);
	CHECK_INT(n, 0);
	n = tt_stations(t, "m", 1, &first);
	CHECK_INT(n, 1);
	CHECK_STR(tt_station_name(t, tt_station_by_rank(t, first)),
	    "Montelimar");
	tt_free(t);
}

/* Suggestions rank prefixes first, then distance, then name. */
static void
test_suggest(void)
{
	struct tt	*t;
	uint32_t	 sug[3];
	size_t		 n;

	t = LOAD("1;Lyon Part Dieu;Lyon Perrache;10:00;11:00;;\n"
	    "2;Lyons;Lynn;10:00;11:00;;\n"
	    "3;Lyo;Leon;10:00;11:00;;\n"
	    "4;Brest;Nancy;10:00;11:00;;\n");
	if (t == NULL)
		return;
	n = tt_station_suggest(t, "lyon", 4, sug, 3);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(tt_station_name(t, sug[0]), "Lyon Part Dieu");
		CHECK_STR(tt_station_name(t, sug[1]), "Lyon Perrache");
		CHECK_STR(tt_station_name(t, sug[2]), "Lyons");
	}
	n = tt_station_suggest(t, "lyonx", 5, sug, 3);
	CHECK_INT(n, 3);
	if (n == 3) {
		/* lyons 1, then leon, lynn, lyo all 2: by key. */
		CHECK_STR(tt_station_name(t, sug[0]), "Lyons");
		CHECK_STR(tt_station_name(t, sug[1]), "Leon");
		CHECK_STR(tt_station_name(t, sug[2]), "Lynn");
	}
	n = tt_station_suggest(t, "nancyy", 6, sug, 1);
	CHECK_INT(n, 1);
	if (n == 1)
		CHECK_STR(tt_station_name(t, sug[0]), "Nancy");
	tt_free(t);
}

/* The invisible and direction controls refused in names, and only them. */
static void
test_invisible(void)
{
	uint32_t	cp;
	unsigned	n = 0;
	char		s[8];

#define INV(str)	tt_name_invisible((str), strlen(str))
	CHECK_INT(INV("Grenoble"), 0);
	CHECK_INT(INV(""), 0);
	CHECK_INT(INV("Gre\xe2\x80\x8bnoble"), 0x200b);
	CHECK_INT(INV("\xe2\x80\xae" "elbonerG"), 0x202e);
	CHECK_INT(INV("Montélimar \xef\xbb\xbf"), 0xfeff);
	CHECK_INT(INV("a\xc2\xad" "b"), 0xad);
	CHECK_INT(INV("x\xf3\xa0\x80\x81"), 0xe0001);
	/* The first one is named. */
	CHECK_INT(INV("\xe2\x81\xa6\xe2\x80\x8b"), 0x2066);
	/* Invalid or cut sequences are not its business: never past len. */
	CHECK_INT(tt_name_invisible("a\xe2\x80\x8b", 3), 0);
	CHECK_INT(INV("\xff\x80\xbf"), 0);
	CHECK_INT(INV("Москва 東京 Zürich"), 0);
#undef INV
	/* Every code point of the BMP and the tag plane: the exact set. */
	for (cp = 0x80; cp < 0xe0100; cp++) {
		if (cp >= 0xd800 && cp < 0xe000)
			continue;
		if (cp < 0x800) {
			s[0] = (char)(0xc0 | cp >> 6);
			s[1] = (char)(0x80 | (cp & 0x3f));
			s[2] = '\0';
		} else if (cp < 0x10000) {
			s[0] = (char)(0xe0 | cp >> 12);
			s[1] = (char)(0x80 | (cp >> 6 & 0x3f));
			s[2] = (char)(0x80 | (cp & 0x3f));
			s[3] = '\0';
		} else {
			s[0] = (char)(0xf0 | cp >> 18);
			s[1] = (char)(0x80 | (cp >> 12 & 0x3f));
			s[2] = (char)(0x80 | (cp >> 6 & 0x3f));
			s[3] = (char)(0x80 | (cp & 0x3f));
			s[4] = '\0';
		}
		if (tt_name_invisible(s, strlen(s)) != 0) {
			CHECK_INT(tt_name_invisible(s, strlen(s)), cp);
			n++;
		}
	}
	/*
	 * 00AD 061C 115F 1160 180E 200B-200F 2028-202E 2060-206F 3164 FEFF
	 * FFA0 FFF9-FFFB E0000-E007F.
	 */
	CHECK_INT(n, 1 + 1 + 2 + 1 + 5 + 7 + 16 + 1 + 1 + 1 + 3 + 128);
}

void
suite_fold(void)
{
	test_fold();
	test_invisible();
	test_stations();
	test_suggest();
}

/*
 * timetable.c — read, validate and seal a timetable (trainsrv-timetable(5)).
 *
 * Loading is two steps.  The parser reads the file line by line (memory
 * bounded by the file's content, never by a line's length) into temporary
 * malloc(3)ed tables, collecting every error it finds.  If there was none,
 * the builder lays the timetable out in one anonymous mmap(2) region made of
 * arrays of indices (see engine_impl.h), sorts the indices the queries
 * binary-search with counting sorts (linear time: the keys are station
 * ranks and minutes), and seals the region read-only.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc/utf8.h"
#include "worker/engine.h"
#include "worker/engine_impl.h"

#define TT_PRICE_MAX	100000000	/* cents: 1,000,000.00 */
#define TT_POOL_MAX	(1u << 30)	/* bytes of station names and keys */
#define TT_KEY_CAP	(TT_NAME_MAX * 2 + 1)
#define READ_CHUNK	(256 * 1024)

struct st_tmp {
	uint32_t	name;		/* offsets in the pool */
	uint32_t	key;
	uint16_t	namelen;
	uint16_t	keylen;
	uint32_t	hash;
};

struct spell {
	uint32_t	hash;
	uint32_t	station;
	size_t		off;		/* in spool */
	size_t		len;
};

struct tr_tmp {
	char		number[TT_NUMBER_MAX + 1];
	uint8_t		numlen;
	uint8_t		broken;		/* an error already concerns it */
	uint32_t	hash;
	uint32_t	line;		/* of its first leg */
	uint32_t	first_leg;
	uint32_t	nlegs;
};

struct leg_tmp {
	uint32_t	from;
	uint32_t	to;
	int32_t		dep;		/* service minutes, normalised */
	int32_t		arr;
	int32_t		rawdep;		/* as written, for duplicates */
	int32_t		price;		/* cents, -1 unknown */
	uint32_t	line;
	uint8_t		flag;
};

/* A station's !change directive, its name resolved once all is read. */
struct chg_tmp {
	char		*key;		/* folded name, malloc(3)ed */
	char		*name;		/* as written */
	size_t		 klen;
	int		 minutes;
	unsigned long	 line;
};

struct parser {
	const char	*file;
	char		*err;		/* "file:line: message\n"... */
	size_t		 errlen;
	size_t		 errcap;
	unsigned	 nerr;
	int		 fatal;		/* out of memory, too large: stop */

	char		*pool;		/* station names and keys */
	size_t		 poollen;
	size_t		 poolcap;

	struct st_tmp	*st;
	uint32_t	 nst;
	uint32_t	 stcap;
	uint32_t	*sthash;	/* open addressing: index + 1, 0 empty */
	uint32_t	 sthcap;

	/* Station spellings already seen, validated: skip folding them. */
	struct spell	*sp;
	uint32_t	 nsp;
	uint32_t	 spcap;
	uint32_t	*sphash;
	uint32_t	 sphcap;
	char		*spool;
	size_t		 spoollen;
	size_t		 spoolcap;

	struct tr_tmp	*tr;
	uint32_t	 ntr;
	uint32_t	 trcap;
	uint32_t	*trhash;
	uint32_t	 trhcap;
	uint32_t	 cur;		/* train of the previous leg, or TT_NONE */

	struct leg_tmp	*legs;
	uint32_t	 nlegs;
	uint32_t	 legcap;

	/* Minimum change times (!change directives). */
	int		 chg_default;	/* minutes, -1 when not given */
	unsigned long	 chg_default_line;
	struct chg_tmp	*chg;		/* per station, resolved at the end */
	uint32_t	 nchg;
	uint32_t	 chgcap;
	uint16_t	*st_change;	/* per parser station, for build() */
};

/* Errors. */

static void
add_error(struct parser *p, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
append_error(struct parser *p, unsigned long line, const char *msg)
{
	char	*n;
	size_t	 need;
	int	 len;

	need = strlen(p->file) + strlen(msg) + 32;
	if (p->errlen + need > p->errcap) {
		n = realloc(p->err, p->errcap + need + 4096);
		if (n == NULL)
			return;	/* the count still says it failed */
		p->err = n;
		p->errcap += need + 4096;
	}
	if (line > 0)
		len = snprintf(p->err + p->errlen, p->errcap - p->errlen,
		    "%s:%lu: %s\n", p->file, line, msg);
	else
		len = snprintf(p->err + p->errlen, p->errcap - p->errlen,
		    "%s: %s\n", p->file, msg);
	if (len > 0)
		p->errlen += (size_t)len;
}

static void
add_error(struct parser *p, unsigned long line, const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	if (p->nerr++ >= TT_ERRORS_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	append_error(p, line, msg);
}

static void
oom(struct parser *p)
{
	if (!p->fatal)
		add_error(p, 0, "out of memory");
	p->fatal = 1;
}

/* Length of the valid UTF-8 character at s, or 0 (ipc/utf8.h's rule). */
static size_t
utf8_len(const unsigned char *s, size_t len)
{
	uint32_t	cp;

	return utf8_decode(s, len, &cp);
}

/*
 * Quote a field for a message: at most 48 bytes of it, control characters
 * and invalid UTF-8 escaped, so a binary file gives readable errors, and
 * invisible or direction controls written as \uXXXX, so that the message
 * shows them and a terminal does not reorder it.
 */
static const char *
quote(char *buf, size_t cap, const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, o = 0, n;
	uint32_t		 cp;

	while (i < len && o + 12 < cap) {
		if (i >= 48) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		n = utf8_len(u + i, len - i);
		/* C1 controls (U+0080..U+009F) are escaped like C0 ones. */
		if (n == 2 && u[i] == 0xc2 && u[i + 1] <= 0x9f)
			n = 0;
		if (n > 1 && (cp = tt_name_invisible(s + i, n)) != 0) {
			o += (size_t)snprintf(buf + o, cap - o, cp > 0xffff ?
			    "\\U%08X" : "\\u%04X", (unsigned)cp);
			i += n;
			continue;
		}
		if (n == 0 || u[i] < 0x20 || u[i] == 0x7f || u[i] == '"' ||
		    u[i] == '\\') {
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", u[i]);
			i++;
			continue;
		}
		memcpy(buf + o, s + i, n);
		o += n;
		i += n;
	}
	buf[o] = '\0';
	return buf;
}

/* Fields. */

static int
is_space(char c)
{
	return c == ' ' || c == '\t';
}

static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_space(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_space((*s)[*len - 1]))
		(*len)--;
}

/*
 * Split s[0..len) at ';' into at most max blank-trimmed fields; returns how
 * many were found (max when there are at least max: the caller checks).
 */
static size_t
split_fields(const char *s, size_t len, const char **f, size_t *fl, size_t max)
{
	size_t nf, i;

	for (nf = 0, i = 0; nf < max; nf++) {
		const char *semi = memchr(s + i, ';', len - i);

		f[nf] = s + i;
		fl[nf] = (semi ? (size_t)(semi - s) : len) - i;
		trim(&f[nf], &fl[nf]);
		if (semi == NULL)
			return nf + 1;
		i = (size_t)(semi - s) + 1;
	}
	return nf;
}

int
tt_parse_time(const char *s, size_t len, int max_hour)
{
	int	h, m;

	if (len == 4 && s[0] >= '0' && s[0] <= '9' && s[1] == ':')
		h = s[0] - '0';
	else if (len == 5 && s[0] >= '0' && s[0] <= '9' &&
	    s[1] >= '0' && s[1] <= '9' && s[2] == ':')
		h = (s[0] - '0') * 10 + (s[1] - '0');
	else
		return -1;
	s += len - 2;
	if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9')
		return -1;
	m = (s[0] - '0') * 10 + (s[1] - '0');
	if (h > max_hour)
		return -1;
	return h * 60 + m;
}

/* Price in cents: -1 empty (unknown), -2 malformed, -3 too high. */
static int64_t
parse_price(const char *s, size_t len)
{
	int64_t	 v = 0;
	size_t	 i = 0, dec;

	if (len == 0)
		return -1;
	if (s[0] < '0' || s[0] > '9')
		return -2;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		if ((v = v * 10 + (s[i] - '0')) > TT_PRICE_MAX)
			v = TT_PRICE_MAX + 1;	/* keep checking the syntax */
	v *= 100;
	if (i < len) {
		if (s[i] != '.')
			return -2;
		dec = len - i - 1;
		if (dec < 1 || dec > 2)
			return -2;
		if (s[i + 1] < '0' || s[i + 1] > '9')
			return -2;
		v += (s[i + 1] - '0') * 10;
		if (dec == 2) {
			if (s[i + 2] < '0' || s[i + 2] > '9')
				return -2;
			v += s[i + 2] - '0';
		}
	}
	return v > TT_PRICE_MAX ? -3 : v;
}

/* Flag, case-insensitive; -1 when unknown. */
static int
parse_flag(const char *s, size_t len)
{
	if (len == 0)
		return TT_FLAG_NONE;
	if (len == 5 && strncasecmp(s, "REDUC", 5) == 0)
		return TT_FLAG_REDUC;
	if (len == 5 && strncasecmp(s, "SUPPL", 5) == 0)
		return TT_FLAG_SUPPL;
	return -1;
}

static int
valid_number(const char *s, size_t len)
{
	size_t	i;

	if (len < 1 || len > TT_NUMBER_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static uint32_t
hash_bytes(const char *s, size_t len)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* Grow *arr (of *cap elements of size sz) to hold at least n. */
static int
grow(void *arr, uint32_t *cap, uint32_t n, size_t sz)
{
	void		**a = arr;
	void		 *na;
	uint64_t	  ncap;

	if (n <= *cap)
		return 0;
	ncap = *cap ? (uint64_t)*cap * 2 : 1024;
	while (ncap < n)
		ncap *= 2;
	if (ncap > UINT32_MAX)
		ncap = UINT32_MAX;
	if ((na = realloc(*a, (size_t)ncap * sz)) == NULL)
		return -1;
	*a = na;
	*cap = (uint32_t)ncap;
	return 0;
}

/* Stations. */

static int
station_rehash(struct parser *p)
{
	uint32_t	*h, ncap, i, j;

	ncap = p->sthcap ? p->sthcap * 2 : 1024;
	if ((h = calloc(ncap, sizeof(*h))) == NULL)
		return -1;
	for (i = 0; i < p->nst; i++) {
		j = p->st[i].hash & (ncap - 1);
		while (h[j] != 0)
			j = (j + 1) & (ncap - 1);
		h[j] = i + 1;
	}
	free(p->sthash);
	p->sthash = h;
	p->sthcap = ncap;
	return 0;
}

static int
pool_add(struct parser *p, const char *s, size_t len, uint32_t *off)
{
	char	*n;
	size_t	 ncap;

	if (p->poollen + len + 1 > p->poolcap) {
		ncap = p->poolcap ? p->poolcap * 2 : 65536;
		while (ncap < p->poollen + len + 1)
			ncap *= 2;
		if ((n = realloc(p->pool, ncap)) == NULL)
			return -1;
		p->pool = n;
		p->poolcap = ncap;
	}
	*off = (uint32_t)p->poollen;
	memcpy(p->pool + p->poollen, s, len);
	p->pool[p->poollen + len] = '\0';
	p->poollen += len + 1;
	return 0;
}

/* The station of a (valid) name, created on first sight; TT_NONE on failure. */
static uint32_t
station_get(struct parser *p, const char *name, size_t len)
{
	char		 key[TT_KEY_CAP];
	struct st_tmp	*st;
	size_t		 klen;
	uint32_t	 h, j, i;

	klen = tt_fold(name, len, key, sizeof(key));
	h = hash_bytes(key, klen);
	if (p->sthcap) {
		for (j = h & (p->sthcap - 1); p->sthash[j] != 0;
		    j = (j + 1) & (p->sthcap - 1)) {
			st = &p->st[p->sthash[j] - 1];
			if (st->hash == h && st->keylen == klen &&
			    memcmp(p->pool + st->key, key, klen) == 0)
				return p->sthash[j] - 1;
		}
	}
	if (p->poollen + len + klen + 2 > TT_POOL_MAX) {
		if (!p->fatal)
			add_error(p, 0, "timetable too large: station names "
			    "take more than %u bytes", TT_POOL_MAX);
		p->fatal = 1;
		return TT_NONE;
	}
	if (grow(&p->st, &p->stcap, p->nst + 1, sizeof(*p->st)) == -1 ||
	    (((uint64_t)p->nst + 1) * 2 > p->sthcap &&
	    station_rehash(p) == -1)) {
		oom(p);
		return TT_NONE;
	}
	st = &p->st[p->nst];
	if (pool_add(p, name, len, &st->name) == -1 ||
	    pool_add(p, key, klen, &st->key) == -1) {
		oom(p);
		return TT_NONE;
	}
	st->namelen = (uint16_t)len;
	st->keylen = (uint16_t)klen;
	st->hash = h;
	i = p->nst++;
	for (j = h & (p->sthcap - 1); p->sthash[j] != 0;
	    j = (j + 1) & (p->sthcap - 1))
		;
	p->sthash[j] = i + 1;
	return i;
}

/* The station of a spelling seen before, or TT_NONE. */
static uint32_t
spell_find(const struct parser *p, const char *s, size_t len, uint32_t h)
{
	const struct spell	*e;
	uint32_t		 j;

	if (p->sphcap == 0)
		return TT_NONE;
	for (j = h & (p->sphcap - 1); p->sphash[j] != 0;
	    j = (j + 1) & (p->sphcap - 1)) {
		e = &p->sp[p->sphash[j] - 1];
		if (e->hash == h && e->len == len &&
		    memcmp(p->spool + e->off, s, len) == 0)
			return e->station;
	}
	return TT_NONE;
}

/* Remember a spelling; failing to is harmless (it is folded again). */
static void
spell_add(struct parser *p, const char *s, size_t len, uint32_t h,
    uint32_t station)
{
	struct spell	*e;
	uint32_t	*nh, ncap, i, j;
	char		*np;
	size_t		 pcap;

	if (grow(&p->sp, &p->spcap, p->nsp + 1, sizeof(*p->sp)) == -1)
		return;
	if (((uint64_t)p->nsp + 1) * 2 > p->sphcap) {
		ncap = p->sphcap ? p->sphcap * 2 : 1024;
		if ((nh = calloc(ncap, sizeof(*nh))) == NULL)
			return;
		for (i = 0; i < p->nsp; i++) {
			for (j = p->sp[i].hash & (ncap - 1); nh[j] != 0;
			    j = (j + 1) & (ncap - 1))
				;
			nh[j] = i + 1;
		}
		free(p->sphash);
		p->sphash = nh;
		p->sphcap = ncap;
	}
	if (p->spoollen + len > p->spoolcap) {
		pcap = p->spoolcap ? p->spoolcap * 2 : 65536;
		while (pcap < p->spoollen + len)
			pcap *= 2;
		if ((np = realloc(p->spool, pcap)) == NULL)
			return;
		p->spool = np;
		p->spoolcap = pcap;
	}
	e = &p->sp[p->nsp];
	e->hash = h;
	e->station = station;
	e->off = p->spoollen;
	e->len = len;
	memcpy(p->spool + p->spoollen, s, len);
	p->spoollen += len;
	for (j = h & (p->sphcap - 1); p->sphash[j] != 0;
	    j = (j + 1) & (p->sphcap - 1))
		;
	p->sphash[j] = ++p->nsp;
}

/* Validate a station field; returns 0 or -1 after reporting the error. */
static int
check_name(struct parser *p, unsigned long line, const char *role,
    const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			 q[256], key[TT_KEY_CAP];
	size_t			 i, n;
	uint32_t		 cp;

	if (len == 0) {
		add_error(p, line, "empty %s station", role);
		return -1;
	}
	if (len > TT_NAME_MAX) {
		add_error(p, line, "%s station name too long (%zu bytes, "
		    "max %d): \"%s\"", role, len, TT_NAME_MAX,
		    quote(q, sizeof(q), s, len));
		return -1;
	}
	for (i = 0; i < len; i += n) {
		if ((n = utf8_len(u + i, len - i)) == 0) {
			add_error(p, line, "invalid UTF-8 in %s station "
			    "name \"%s\"", role, quote(q, sizeof(q), s, len));
			return -1;
		}
		if (u[i] < 0x20 || u[i] == 0x7f ||
		    (u[i] == 0xc2 && u[i + 1] < 0xa0)) {
			add_error(p, line, "control character in %s station "
			    "name \"%s\"", role, quote(q, sizeof(q), s, len));
			return -1;
		}
		if (u[i] == '|') {
			add_error(p, line, "'|' is not allowed in a station "
			    "name: \"%s\"", quote(q, sizeof(q), s, len));
			return -1;
		}
	}
	if ((cp = tt_name_invisible(s, len)) != 0) {
		add_error(p, line, "station name contains an invisible or "
		    "direction control character (U+%04X): \"%s\" (%s station)",
		    (unsigned)cp, quote(q, sizeof(q), s, len), role);
		return -1;
	}
	if (tt_fold(s, len, key, sizeof(key)) == 0) {
		add_error(p, line, "%s station \"%s\" has no letters or digits",
		    role, quote(q, sizeof(q), s, len));
		return -1;
	}
	return 0;
}

/* Trains. */

static uint32_t
train_find(const struct parser *p, const char *num, size_t len, uint32_t h)
{
	uint32_t	j, i;

	if (p->trhcap == 0)
		return TT_NONE;
	for (j = h & (p->trhcap - 1); p->trhash[j] != 0;
	    j = (j + 1) & (p->trhcap - 1)) {
		i = p->trhash[j] - 1;
		if (p->tr[i].hash == h && p->tr[i].numlen == len &&
		    memcmp(p->tr[i].number, num, len) == 0)
			return i;
	}
	return TT_NONE;
}

static uint32_t
train_new(struct parser *p, const char *num, size_t len, uint32_t h,
    unsigned long line)
{
	struct tr_tmp	*t;
	uint32_t	*nh, ncap, i, j;

	if (grow(&p->tr, &p->trcap, p->ntr + 1, sizeof(*p->tr)) == -1) {
		oom(p);
		return TT_NONE;
	}
	if (((uint64_t)p->ntr + 1) * 2 > p->trhcap) {
		ncap = p->trhcap ? p->trhcap * 2 : 1024;
		if ((nh = calloc(ncap, sizeof(*nh))) == NULL) {
			oom(p);
			return TT_NONE;
		}
		for (i = 0; i < p->ntr; i++) {
			for (j = p->tr[i].hash & (ncap - 1); nh[j] != 0;
			    j = (j + 1) & (ncap - 1))
				;
			nh[j] = i + 1;
		}
		free(p->trhash);
		p->trhash = nh;
		p->trhcap = ncap;
	}
	t = &p->tr[p->ntr];
	memset(t, 0, sizeof(*t));
	memcpy(t->number, num, len);
	t->numlen = (uint8_t)len;
	t->hash = h;
	t->line = (uint32_t)line;
	t->first_leg = p->nlegs;
	for (j = h & (p->trhcap - 1); p->trhash[j] != 0;
	    j = (j + 1) & (p->trhcap - 1))
		;
	p->trhash[j] = p->ntr + 1;
	return p->ntr++;
}

/* The earlier leg of train t that this one duplicates, or NULL. */
static const struct leg_tmp *
find_duplicate(const struct parser *p, const struct tr_tmp *t,
    const struct leg_tmp *l)
{
	const struct leg_tmp	*o;
	uint32_t		 i;

	for (i = 0; i < t->nlegs; i++) {
		o = &p->legs[t->first_leg + i];
		if (o->from == l->from && o->to == l->to &&
		    o->rawdep == l->rawdep)
			return o;
	}
	return NULL;
}

/*
 * Append a valid leg to train t (the train of the previous leg, or a new
 * one), putting its times on the train's service-minute scale.
 */
static void
train_append(struct parser *p, uint32_t ti, struct leg_tmp *l,
    unsigned long line)
{
	struct tr_tmp		*t = &p->tr[ti];
	const struct leg_tmp	*prev;

	if (t->nlegs > 0) {
		prev = &p->legs[t->first_leg + t->nlegs - 1];
		if (prev->to != l->from) {
			add_error(p, line, "leg does not continue train %s: "
			    "it arrived at %s, this leg leaves from %s",
			    t->number, p->pool + p->st[prev->to].name,
			    p->pool + p->st[l->from].name);
			t->broken = 1;
			return;
		}
		if (t->nlegs + 1 >= TT_STOPS_MAX) {
			add_error(p, line, "train %s has more than %d stops",
			    t->number, TT_STOPS_MAX);
			t->broken = 1;
			return;
		}
		/* A later leg leaves after the previous one arrived. */
		while (l->dep < prev->arr)
			l->dep += TT_MINUTES_PER_DAY;
	}
	while (l->arr < l->dep)
		l->arr += TT_MINUTES_PER_DAY;
	if (l->arr > TT_SERVICE_MAX) {
		add_error(p, line, "train %s runs for more than three days "
		    "(this leg arrives %d:%02d after the start of its "
		    "service day)", t->number, l->arr / 60, l->arr % 60);
		t->broken = 1;
		return;
	}
	if (p->nlegs >= TT_PAIRS_MAX) {
		add_error(p, 0, "timetable too large: more than %u legs",
		    TT_PAIRS_MAX);
		p->fatal = 1;
		return;
	}
	if (grow(&p->legs, &p->legcap, p->nlegs + 1, sizeof(*p->legs)) == -1) {
		oom(p);
		return;
	}
	l->line = (uint32_t)line;
	p->legs[p->nlegs++] = *l;
	t->nlegs++;
}

/* Minutes of a change time, 1..TT_CHANGE_MAX; -1 when malformed. */
static int
parse_minutes(const char *s, size_t len)
{
	size_t	i;
	int	v = 0;

	if (len == 0 || len > 4)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v >= 1 && v <= TT_CHANGE_MAX ? v : -1;
}

/*
 * A directive line, after its '!': "change;MINUTES" sets the minimum
 * change time of every station, "change;MINUTES;STATION" of one.  The
 * station is looked up once the whole file is read (resolve_changes), so
 * directives may come before the legs that name it.
 */
static void
parse_directive(struct parser *p, unsigned long line, const char *s,
    size_t len)
{
	const char	*f[4];
	size_t		 fl[4], nf;
	struct chg_tmp	*c;
	char		 q[256], key[TT_KEY_CAP];
	int		 min;

	nf = split_fields(s, len, f, fl, 4);
	if (fl[0] != 6 || strncasecmp(f[0], "change", 6) != 0) {
		add_error(p, line, "unknown directive \"!%s\" (want "
		    "!change;MINUTES or !change;MINUTES;STATION)",
		    quote(q, sizeof(q), f[0], fl[0]));
		return;
	}
	if (nf < 2 || nf > 3) {
		add_error(p, line, "wrong field count in !change: %s%zu (want "
		    "!change;MINUTES or !change;MINUTES;STATION)",
		    nf > 3 ? "more than " : "", nf > 3 ? (size_t)3 : nf);
		return;
	}
	if ((min = parse_minutes(f[1], fl[1])) == -1) {
		add_error(p, line, "bad change time \"%s\" (want whole minutes, "
		    "1 to %d)", quote(q, sizeof(q), f[1], fl[1]),
		    TT_CHANGE_MAX);
		return;
	}
	if (nf == 2) {
		if (p->chg_default >= 0) {
			add_error(p, line, "default change time already set at "
			    "line %lu", p->chg_default_line);
			return;
		}
		p->chg_default = min;
		p->chg_default_line = line;
		return;
	}
	if (check_name(p, line, "change-time", f[2], fl[2]) == -1)
		return;
	if (grow(&p->chg, &p->chgcap, p->nchg + 1, sizeof(*p->chg)) == -1) {
		oom(p);
		return;
	}
	c = &p->chg[p->nchg];
	c->klen = tt_fold(f[2], fl[2], key, sizeof(key));
	if ((c->key = malloc(c->klen + 1)) == NULL ||
	    (c->name = malloc(fl[2] + 1)) == NULL) {
		free(c->key);
		oom(p);
		return;
	}
	memcpy(c->key, key, c->klen + 1);
	memcpy(c->name, f[2], fl[2]);
	c->name[fl[2]] = '\0';
	c->minutes = min;
	c->line = line;
	p->nchg++;
}

/* The station whose folded key this is, or TT_NONE. */
static uint32_t
station_by_key(const struct parser *p, const char *key, size_t klen)
{
	const struct st_tmp	*st;
	uint32_t		 h, j;

	if (p->sthcap == 0)
		return TT_NONE;
	h = hash_bytes(key, klen);
	for (j = h & (p->sthcap - 1); p->sthash[j] != 0;
	    j = (j + 1) & (p->sthcap - 1)) {
		st = &p->st[p->sthash[j] - 1];
		if (st->hash == h && st->keylen == klen &&
		    memcmp(p->pool + st->key, key, klen) == 0)
			return p->sthash[j] - 1;
	}
	return TT_NONE;
}

/*
 * Every station's change time: the default, or its own directive.  A
 * directive naming a station no train calls at is an error (a typo would
 * otherwise pass unnoticed), and so is a second one for the same station.
 */
static void
resolve_changes(struct parser *p)
{
	uint32_t	*seen, i, s;
	int		 def;

	def = p->chg_default >= 0 ? p->chg_default : TT_CHANGE_DEFAULT;
	if ((p->st_change = malloc(((size_t)p->nst + 1) *
	    sizeof(*p->st_change))) == NULL ||
	    (seen = calloc((size_t)p->nst + 1, sizeof(*seen))) == NULL) {
		oom(p);
		return;
	}
	for (i = 0; i < p->nst; i++)
		p->st_change[i] = (uint16_t)def;
	for (i = 0; i < p->nchg; i++) {
		const struct chg_tmp *c = &p->chg[i];
		char q[256];

		s = station_by_key(p, c->key, c->klen);
		if (s == TT_NONE) {
			add_error(p, c->line, "change time for \"%s\": no train "
			    "calls at that station", quote(q, sizeof(q),
			    c->name, strlen(c->name)));
			continue;
		}
		if (seen[s] != 0) {
			add_error(p, c->line, "change time for %s already set "
			    "at line %lu", p->pool + p->st[s].name,
			    (unsigned long)p->chg[seen[s] - 1].line);
			continue;
		}
		seen[s] = i + 1;
		p->st_change[s] = (uint16_t)c->minutes;
	}
	free(seen);
}

/* One line, its LF removed. */
static void
parse_line(struct parser *p, unsigned long line, const char *s, size_t len)
{
	const char		*f[8], *num;
	size_t			 fl[8], numlen, nf, i;
	const struct leg_tmp	*dup;
	struct leg_tmp		 l;
	char			 q[256];
	int64_t			 price;
	uint32_t		 h, hf, ht, ti;
	int			 bad = 0, flag, dep, arr;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > TT_LINE_MAX) {
		add_error(p, line, "line too long (%zu bytes, max %d)", len,
		    TT_LINE_MAX);
		return;
	}
	for (i = 0; i < len && is_space(s[i]); i++)
		;
	if (i == len || s[i] == '#')
		return;
	if (s[i] == '!') {
		parse_directive(p, line, s + i + 1, len - i - 1);
		return;
	}

	nf = split_fields(s, len, f, fl, 8);
	if (nf != 7) {
		add_error(p, line, "wrong field count: %s%zu (want 7: "
		    "number;from;to;departure;arrival;price;flag)",
		    nf > 7 ? "more than " : "", nf > 7 ? (size_t)7 : nf);
		return;
	}

	num = f[0];
	numlen = fl[0];
	if (!valid_number(num, numlen)) {
		add_error(p, line, "bad train number \"%s\" (want 1 to %d of "
		    "A-Z a-z 0-9 _ -)", quote(q, sizeof(q), num, numlen),
		    TT_NUMBER_MAX);
		/* No train to attach the leg to: later legs judge alone. */
		bad = 1;
		num = NULL;
	}
	memset(&l, 0, sizeof(l));
	/* A spelling seen before is valid: no need to check it again. */
	hf = hash_bytes(f[1], fl[1]);
	ht = hash_bytes(f[2], fl[2]);
	if ((l.from = spell_find(p, f[1], fl[1], hf)) == TT_NONE &&
	    check_name(p, line, "departure", f[1], fl[1]) == -1)
		bad = 1;
	if ((l.to = spell_find(p, f[2], fl[2], ht)) == TT_NONE &&
	    check_name(p, line, "arrival", f[2], fl[2]) == -1)
		bad = 1;
	if ((dep = tt_parse_time(f[3], fl[3], 47)) == -1) {
		add_error(p, line, "bad departure time \"%s\" (want H:MM or "
		    "HH:MM, 0:00 to 47:59)", quote(q, sizeof(q), f[3], fl[3]));
		bad = 1;
	}
	if ((arr = tt_parse_time(f[4], fl[4], 47)) == -1) {
		add_error(p, line, "bad arrival time \"%s\" (want H:MM or "
		    "HH:MM, 0:00 to 47:59)", quote(q, sizeof(q), f[4], fl[4]));
		bad = 1;
	}
	if ((price = parse_price(f[5], fl[5])) == -2) {
		add_error(p, line, "bad price \"%s\" (want digits with at most "
		    "two decimals, e.g. 17.60, or nothing when unknown)",
		    quote(q, sizeof(q), f[5], fl[5]));
		bad = 1;
	} else if (price == -3) {
		add_error(p, line, "price \"%s\" too high (max 1000000.00)",
		    quote(q, sizeof(q), f[5], fl[5]));
		bad = 1;
	}
	if ((flag = parse_flag(f[6], fl[6])) == -1) {
		add_error(p, line, "unknown flag \"%s\" (want REDUC, SUPPL or "
		    "nothing)", quote(q, sizeof(q), f[6], fl[6]));
		bad = 1;
	}
	if (!bad) {
		if (l.from == TT_NONE &&
		    (l.from = station_get(p, f[1], fl[1])) != TT_NONE)
			spell_add(p, f[1], fl[1], hf, l.from);
		if (l.to == TT_NONE &&
		    (l.to = station_get(p, f[2], fl[2])) != TT_NONE)
			spell_add(p, f[2], fl[2], ht, l.to);
		if (l.from == TT_NONE || l.to == TT_NONE)
			return;
		if (l.from == l.to) {
			add_error(p, line, "leg from %s to %s: departure and "
			    "arrival are the same station",
			    p->pool + p->st[l.from].name,
			    p->pool + p->st[l.to].name);
			bad = 1;
		}
		l.dep = l.rawdep = dep;
		l.arr = arr;
		l.price = (int32_t)price;
		l.flag = (uint8_t)flag;
	}
	if (num == NULL || p->fatal)
		return;

	h = hash_bytes(num, numlen);
	if (p->cur != TT_NONE && p->tr[p->cur].numlen == numlen &&
	    memcmp(p->tr[p->cur].number, num, numlen) == 0)
		ti = p->cur;
	else if ((ti = train_find(p, num, numlen, h)) != TT_NONE) {
		p->cur = ti;
		if (!bad && (dup = find_duplicate(p, &p->tr[ti], &l)) != NULL)
			add_error(p, line, "duplicate leg (first at line %lu)",
			    (unsigned long)dup->line);
		else if (!bad)
			add_error(p, line, "train %s already defined at line "
			    "%lu; its legs must be consecutive",
			    p->tr[ti].number, (unsigned long)p->tr[ti].line);
		p->tr[ti].broken = 1;
		return;
	} else {
		if ((ti = train_new(p, num, numlen, h, line)) == TT_NONE)
			return;
		p->cur = ti;
	}
	if (bad) {
		p->tr[ti].broken = 1;
		return;
	}
	if ((dup = find_duplicate(p, &p->tr[ti], &l)) != NULL) {
		add_error(p, line, "duplicate leg (first at line %lu)",
		    (unsigned long)dup->line);
		p->tr[ti].broken = 1;
		return;
	}
	if (!p->tr[ti].broken)
		train_append(p, ti, &l, line);
}

/* Feed a whole buffer, line by line. */
static void
parse_buffer(struct parser *p, const char *data, size_t len,
    unsigned long *line)
{
	const char	*nl;
	size_t		 i = 0;

	while (i < len && !p->fatal) {
		nl = memchr(data + i, '\n', len - i);
		parse_line(p, ++*line, data + i,
		    (nl ? (size_t)(nl - data) : len) - i);
		if (nl == NULL)
			break;
		i = (size_t)(nl - data) + 1;
	}
}

/*
 * Read a file in chunks.  Only a partial line is carried over from one
 * chunk to the next, and a line longer than the limit is skipped, just
 * counted, so memory does not depend on the lines' lengths.
 */
static void
parse_fd(struct parser *p, int fd)
{
	char		*buf, *nl;
	size_t		 fill = 0, start, cap = READ_CHUNK, skipped = 0;
	unsigned long	 line = 0;
	uint64_t	 total = 0;
	ssize_t		 n;
	int		 skipping = 0;

	if ((buf = malloc(cap)) == NULL) {
		oom(p);
		return;
	}
	while (!p->fatal) {
		n = read(fd, buf + fill, cap - fill);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			add_error(p, 0, "read: %s", strerror(errno));
			p->fatal = 1;
			break;
		}
		if (n == 0)
			break;
		if ((total += (uint64_t)n) > (uint64_t)TT_FILE_MAX) {
			add_error(p, 0, "timetable too large: it grew past "
			    "%ld bytes while being read", TT_FILE_MAX);
			p->fatal = 1;
			break;
		}
		fill += (size_t)n;
		start = 0;
		while (!p->fatal &&
		    (nl = memchr(buf + start, '\n', fill - start)) != NULL) {
			if (skipping) {
				add_error(p, ++line, "line too long (%zu "
				    "bytes, max %d)", skipped +
				    (size_t)(nl - buf - start), TT_LINE_MAX);
				skipping = 0;
			} else
				parse_line(p, ++line, buf + start,
				    (size_t)(nl - buf) - start);
			start = (size_t)(nl - buf) + 1;
		}
		fill -= start;
		if (skipping) {
			skipped += fill;
			fill = 0;
		} else if (fill > TT_LINE_MAX + 1) {
			skipping = 1;
			skipped = fill;
			fill = 0;
		} else
			memmove(buf, buf + start, fill);
	}
	if (!p->fatal) {
		if (skipping)
			add_error(p, ++line, "line too long (%zu bytes, max %d)",
			    skipped, TT_LINE_MAX);
		else if (fill > 0)
			parse_line(p, ++line, buf, fill);
	}
	free(buf);
}

/* The arena. */

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/*
 * The arena.  No MADV_HUGEPAGE: measured, the faults it saves are paid
 * back, with interest, in direct compaction stalls on a busy machine.
 */
static void *
big_alloc(size_t n)
{
	void	*p;

	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void
big_free(void *p, size_t n)
{
	if (p != NULL)
		munmap(p, n);
}

static int64_t
leg_fare(int64_t price, unsigned flag)
{
	if (flag == TT_FLAG_REDUC)
		return (price * 80 + 50) / 100;
	if (flag == TT_FLAG_SUPPL)
		return (price * 110 + 50) / 100;
	return price;
}

static const struct parser *sort_parser;	/* for qsort's comparator */

static int
cmp_station(const void *a, const void *b)
{
	const struct st_tmp	*sa = &sort_parser->st[*(const uint32_t *)a];
	const struct st_tmp	*sb = &sort_parser->st[*(const uint32_t *)b];

	return strcmp(sort_parser->pool + sa->key, sort_parser->pool + sb->key);
}

/*
 * The rides a train offers from stop i: every later stop j up to the
 * train's next call at stop i's station, skipping stations already called
 * at since i (the first call is the shorter ride).  mark/stamp make it
 * linear in the number of stops.
 */
struct rides {
	uint32_t	*mark;		/* per station: stamp of the last visit */
	uint32_t	 stamp;
	size_t		 nst;
};

static void
rides_next(struct rides *r)
{
	if (++r->stamp == 0) {
		memset(r->mark, 0, r->nst * sizeof(*r->mark));
		r->stamp = 1;
	}
}

/* Is the ride from stop i (station s0) to a stop of station s one to emit? */
#define RIDE_STOP	(-1)
static int
rides_take(struct rides *r, uint32_t s0, uint32_t s)
{
	if (s == s0)
		return RIDE_STOP;
	if (r->mark[s] == r->stamp)
		return 0;
	r->mark[s] = r->stamp;
	return 1;
}

/* A ride being indexed, with what choosing the best one needs. */
struct ride {
	struct tt_pair	p;
	int32_t		minutes;
	int64_t		fare;		/* -1 unknown */
};

/* The best fare and duration of a range so far. */
struct best {
	int64_t		fare;
	int32_t		minutes;
};

/* Is ride x better than pairs[cur] (value vcur)?  Ties: earlier. */
static int
better(const struct ride *x, int64_t vx, const struct tt_pair *cur,
    int64_t vcur)
{
	if (vx != vcur)
		return vx < vcur;
	if (x->p.dep != cur->dep)
		return x->p.dep < cur->dep;
	if (x->p.train != cur->train)
		return x->p.train < cur->train;
	return x->p.from_stop < cur->from_stop;
}

static void
keep_best(struct tt_range *rg, struct best *b, const struct tt_pair *pairs,
    uint32_t pos, const struct ride *x)
{
	if (x->fare >= 0 && (rg->best_fare == TT_NONE ||
	    better(x, x->fare, &pairs[rg->best_fare], b->fare))) {
		rg->best_fare = pos;
		b->fare = x->fare;
	}
	if (rg->best_dur == TT_NONE ||
	    better(x, x->minutes, &pairs[rg->best_dur], b->minutes)) {
		rg->best_dur = pos;
		b->minutes = x->minutes;
	}
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

struct layout {
	size_t	off_trains, off_stops, off_stations, off_all, off_deps;
	size_t	off_strings, off_conns, off_cstart, off_change, off_shash;
	size_t	off_rdense, off_pairs, off_ranges, off_nhash, size;
	uint32_t nshash, rdense;
};

/*
 * JOURNEY's connections: the departures, already in (clock, service
 * departure, train, stop) order, each with what a scan reads (stations,
 * train, departure, duration), and per clock minute the first connection
 * leaving then, so a scan starts without a search.  A connection names its
 * train by its rank in all[] (first departure order): the trains a scan
 * meets together are then neighbours in the scan's per-train state, which
 * stays in cache instead of being read at random.
 */
static int
build_conns(const struct tt_train *trains, const struct tt_stop *stops,
    const struct tt_dep *order, uint32_t n, const uint32_t *all,
    uint32_t ntr, struct tt_conn *conns, uint32_t *cstart)
{
	const struct tt_stop	*sp;
	uint32_t		 i, c = 0, clock, *rank;

	if ((rank = malloc((size_t)ntr * sizeof(*rank) + 1)) == NULL)
		return -1;
	for (i = 0; i < ntr; i++)
		rank[all[i]] = i;
	for (i = 0; i < n; i++) {
		sp = &stops[trains[order[i].train].first_stop + order[i].stop];
		clock = (uint32_t)(sp->dep % TT_MINUTES_PER_DAY);
		conns[i].from = sp[0].station;
		conns[i].to = sp[1].station;
		conns[i].train = rank[order[i].train];
		conns[i].dep = (uint16_t)((uint32_t)(sp->dep /
		    TT_MINUTES_PER_DAY) << 11 | clock);
		conns[i].dur = (uint16_t)(sp[1].arr - sp[0].dep);
		while (c <= clock)
			cstart[c++] = i;
	}
	while (c <= TT_MINUTES_PER_DAY)
		cstart[c++] = n;
	free(rank);
	return 0;
}

/*
 * A hash of the stations (strings already in place): of their folded keys,
 * or of their names as written when by_name is set.
 */
static void
build_shash(const char *strings, const struct tt_station *stations,
    uint32_t nst, struct tt_shash *h, uint32_t cap, int by_name)
{
	uint32_t	i, j, hv, str, len;

	for (j = 0; j < cap; j++) {
		h[j].hash = h[j].str = h[j].len = 0;
		h[j].station = TT_NONE;
	}
	for (i = 0; i < nst; i++) {
		str = by_name ? stations[i].name : stations[i].key;
		len = by_name ? stations[i].namelen : stations[i].keylen;
		hv = by_name ? tt_name_hash(strings + str, len) :
		    tt_key_hash(strings + str, len);
		for (j = hv & (cap - 1); h[j].station != TT_NONE;
		    j = (j + 1) & (cap - 1))
			;
		h[j].hash = hv;
		h[j].station = i;
		h[j].str = str;
		h[j].len = len;
	}
}

static struct tt *
build(struct parser *p)
{
	struct layout		 lay;
	struct rides		 rd;
	struct tt_hdr		*hdr;
	struct tt_train		*trains;
	struct tt_stop		*stops, *sp;
	struct tt_station	*stations;
	struct tt_range		*ranges;
	struct tt_pair		*pairs;
	struct best		*bestv = NULL;
	uint32_t		*slot = NULL, *touched = NULL;
	struct tt_dep		*deps, *order = NULL;
	const struct leg_tmp	*l;
	uint32_t		*rank = NULL, *byrank = NULL;
	uint32_t		*all, seq[TT_STOPS_MAX];
	uint32_t		*ost = NULL;	/* station of order[i] */
	uint32_t		 nstops, i, j, k, t, s, n, nr, key;
	uint64_t		 npairs = 0;
	char			*base;
	size_t			 page, final;
	int			 r;

	memset(&rd, 0, sizeof(rd));
	nstops = p->nlegs + p->ntr;
	if ((rank = malloc(p->nst * sizeof(*rank))) == NULL ||
	    (byrank = malloc(p->nst * sizeof(*byrank))) == NULL ||
	    (rd.mark = calloc(p->nst, sizeof(*rd.mark))) == NULL)
		goto nomem;
	rd.nst = p->nst;

	/* Stations in folded-name order: a station's index is its rank. */
	for (i = 0; i < p->nst; i++)
		byrank[i] = i;
	sort_parser = p;
	qsort(byrank, p->nst, sizeof(*byrank), cmp_station);
	for (i = 0; i < p->nst; i++)
		rank[byrank[i]] = i;

	/* Count the rides, to refuse a timetable whose index would explode. */
	for (t = 0; t < p->ntr; t++) {
		n = p->tr[t].nlegs;
		l = &p->legs[p->tr[t].first_leg];
		for (k = 0; k < n; k++)
			seq[k] = rank[l[k].from];
		seq[n] = rank[l[n - 1].to];
		for (i = 0; i < n; i++) {
			rides_next(&rd);
			for (j = i + 1; j <= n; j++) {
				if ((r = rides_take(&rd, seq[i], seq[j])) ==
				    RIDE_STOP)
					break;
				if (r == 0)
					continue;
				npairs++;
			}
		}
		if (npairs > TT_PAIRS_MAX) {
			add_error(p, 0, "timetable too large: its station-pair "
			    "index would exceed %u entries", TT_PAIRS_MAX);
			goto fail;
		}
	}

	lay.off_trains = align8(sizeof(struct tt_hdr));
	lay.off_stops = align8(lay.off_trains +
	    (size_t)p->ntr * sizeof(struct tt_train));
	lay.off_stations = align8(lay.off_stops +
	    (size_t)nstops * sizeof(struct tt_stop));
	lay.off_all = align8(lay.off_stations +
	    (size_t)p->nst * sizeof(struct tt_station));
	lay.off_deps = align8(lay.off_all + (size_t)p->ntr * sizeof(uint32_t));
	lay.off_strings = align8(lay.off_deps +
	    (size_t)p->nlegs * sizeof(struct tt_dep));
	lay.off_conns = align8(lay.off_strings + p->poollen);
	lay.off_cstart = align8(lay.off_conns +
	    (size_t)p->nlegs * sizeof(struct tt_conn));
	lay.off_change = align8(lay.off_cstart +
	    (TT_MINUTES_PER_DAY + 1) * sizeof(uint32_t));
	/*
	 * The station hash: a power of two >= 2 * nst, at most half full
	 * (nst < 2^28: every station takes >= 4 bytes of TT_POOL_MAX).
	 */
	for (lay.nshash = 2; lay.nshash < 2 * (uint64_t)p->nst; )
		lay.nshash *= 2;
	lay.off_shash = align8(lay.off_change +
	    (size_t)p->nst * sizeof(uint16_t));
	/* The direct range table: small networks with many pairs only. */
	lay.rdense = p->nst > 0 && p->nst <= TT_RDENSE_MAX &&
	    (uint64_t)p->nst * p->nst <= 4 * npairs + 65536;
	lay.off_nhash = align8(lay.off_shash +
	    (size_t)lay.nshash * sizeof(struct tt_shash));
	lay.off_rdense = align8(lay.off_nhash +
	    (size_t)lay.nshash * sizeof(struct tt_shash));
	lay.off_pairs = align8(lay.off_rdense + (lay.rdense ?
	    (size_t)p->nst * p->nst * sizeof(struct tt_slice) : 0));
	lay.off_ranges = align8(lay.off_pairs +
	    (size_t)npairs * sizeof(struct tt_pair));
	/* Ranges come last: their count is known only at the end. */
	lay.size = lay.off_ranges + (size_t)npairs * sizeof(struct tt_range);
	if ((base = big_alloc(lay.size)) == NULL) {
		add_error(p, 0, "mmap %zu bytes: %s", lay.size, strerror(errno));
		goto fail;
	}
	hdr = (struct tt_hdr *)(void *)base;
	trains = (struct tt_train *)(void *)(base + lay.off_trains);
	stops = (struct tt_stop *)(void *)(base + lay.off_stops);
	stations = (struct tt_station *)(void *)(base + lay.off_stations);
	all = (uint32_t *)(void *)(base + lay.off_all);
	deps = (struct tt_dep *)(void *)(base + lay.off_deps);
	pairs = (struct tt_pair *)(void *)(base + lay.off_pairs);
	ranges = (struct tt_range *)(void *)(base + lay.off_ranges);

	memcpy(base + lay.off_strings, p->pool, p->poollen);
	for (i = 0; i < p->nst; i++) {
		const struct st_tmp *st = &p->st[byrank[i]];

		stations[i].name = st->name;
		stations[i].key = st->key;
		stations[i].namelen = st->namelen;
		stations[i].keylen = st->keylen;
		((uint16_t *)(void *)(base + lay.off_change))[i] =
		    p->st_change[byrank[i]];
	}
	build_shash(base + lay.off_strings, stations, p->nst,
	    (struct tt_shash *)(void *)(base + lay.off_shash), lay.nshash, 0);
	build_shash(base + lay.off_strings, stations, p->nst,
	    (struct tt_shash *)(void *)(base + lay.off_nhash), lay.nshash, 1);

	/* Trains and their stops, with price and fare prefix sums. */
	for (t = 0, k = 0; t < p->ntr; t++) {
		trains[t].first_stop = k;
		trains[t].nstops = (uint16_t)(p->tr[t].nlegs + 1);
		trains[t].numlen = p->tr[t].numlen;
		memcpy(trains[t].number, p->tr[t].number, TT_NUMBER_MAX + 1);
		l = &p->legs[p->tr[t].first_leg];
		for (i = 0; i <= p->tr[t].nlegs; i++, k++) {
			sp = &stops[k];
			if (i == 0) {
				sp->arr = l[0].dep;
				sp->cprice = sp->cfare = 0;
				sp->cunknown = 0;
			} else {
				sp->arr = l[i - 1].arr;
				sp->cprice = sp[-1].cprice;
				sp->cfare = sp[-1].cfare;
				sp->cunknown = sp[-1].cunknown;
				if (l[i - 1].price < 0)
					sp->cunknown++;
				else {
					sp->cprice += l[i - 1].price;
					sp->cfare += leg_fare(l[i - 1].price,
					    l[i - 1].flag);
				}
			}
			if (i < p->tr[t].nlegs) {
				sp->station = rank[l[i].from];
				sp->dep = l[i].dep;
				sp->flag = l[i].flag;
			} else {
				sp->station = rank[l[i - 1].to];
				sp->dep = sp->arr;
				sp->flag = 0;
			}
		}
	}
	free(p->legs);
	p->legs = NULL;

	/*
	 * Departures in (clock, service departure, train, stop) order: one
	 * stable counting sort on clock * 4 + day, stops visited in
	 * (train, stop) order.
	 */
	if ((order = malloc((size_t)p->nlegs * sizeof(*order) + 1)) == NULL ||
	    (ost = malloc((size_t)p->nlegs * sizeof(*ost) + 1)) == NULL)
		goto nomem_unmap;
	{
		uint32_t	*bucket;
		const uint32_t	 nb = TT_MINUTES_PER_DAY * 4 + 1;

		if ((bucket = calloc(nb + 1, sizeof(*bucket))) == NULL)
			goto nomem_unmap;
		for (t = 0; t < p->ntr; t++)
			for (i = 0; i + 1 < trains[t].nstops; i++) {
				sp = &stops[trains[t].first_stop + i];
				bucket[(uint32_t)(sp->dep % TT_MINUTES_PER_DAY)
				    * 4 + (uint32_t)(sp->dep /
				    TT_MINUTES_PER_DAY) + 1]++;
			}
		for (i = 1; i <= nb; i++)
			bucket[i] += bucket[i - 1];
		for (t = 0; t < p->ntr; t++)
			for (i = 0; i + 1 < trains[t].nstops; i++) {
				sp = &stops[trains[t].first_stop + i];
				key = (uint32_t)(sp->dep % TT_MINUTES_PER_DAY)
				    * 4 + (uint32_t)(sp->dep /
				    TT_MINUTES_PER_DAY);
				ost[bucket[key]] = sp->station;
				order[bucket[key]].train = t;
				order[bucket[key]].stop = (uint16_t)i;
				order[bucket[key]].pad = 0;
				order[bucket[key]].dep = sp->dep;
				bucket[key]++;
			}
		free(bucket);
	}

	/* Per-station departures: stable by station. */
	{
		uint32_t	*pos;

		if ((pos = calloc(p->nst + 1, sizeof(*pos))) == NULL)
			goto nomem_unmap;
		for (i = 0; i < p->nlegs; i++)
			pos[ost[i] + 1]++;
		for (s = 0; s < p->nst; s++) {
			stations[s].dep_count = pos[s + 1];
			pos[s + 1] += pos[s];
			stations[s].dep_first = pos[s];
		}
		for (i = 0; i < p->nlegs; i++)
			deps[pos[ost[i]]++] = order[i];
		free(pos);
		free(ost);
		ost = NULL;
	}

	/*
	 * Rides, one from-station at a time, straight into place: its
	 * departures are already in (clock, service departure, train, stop)
	 * order, so a counting sort by to-station (stable) leaves each
	 * (from, to) range in that order.  Everything a station's pass
	 * touches stays in cache; nothing the size of the index is needed
	 * besides the arena itself.
	 */
	if ((slot = malloc(p->nst * sizeof(*slot) + 1)) == NULL ||
	    (touched = malloc(p->nst * sizeof(*touched) + 1)) == NULL ||
	    (bestv = malloc(p->nst * sizeof(*bestv) + 1)) == NULL)
		goto nomem_unmap;
	for (s = 0; s < p->nst; s++)
		slot[s] = TT_NONE;
	for (s = 0, n = 0, nr = 0; s < p->nst; s++) {
		const struct tt_dep	*d = &deps[stations[s].dep_first];
		uint32_t		 nd = stations[s].dep_count, nt = 0;
		struct tt_range		*rg;

		/* Count the rides to each destination. */
		for (k = 0; k < nd; k++) {
			/* Trains come in clock order, their stops anywhere. */
			if (k + 16 < nd)
				__builtin_prefetch(&trains[d[k + 16].train]);
			if (k + 8 < nd)
				__builtin_prefetch(&stops[trains[d[k +
				    8].train].first_stop + d[k + 8].stop]);
			sp = &stops[trains[d[k].train].first_stop];
			i = d[k].stop;
			rides_next(&rd);
			for (j = i + 1; j < trains[d[k].train].nstops; j++) {
				if ((r = rides_take(&rd, s, sp[j].station)) ==
				    RIDE_STOP)
					break;
				if (r == 0)
					continue;
				if (slot[sp[j].station] == TT_NONE) {
					slot[sp[j].station] = 0;
					touched[nt++] = sp[j].station;
				}
				slot[sp[j].station]++;
			}
		}
		/* Destinations in order: a scan when they are many. */
		if (nt > 0 && p->nst / nt < 16) {
			for (k = 0, nt = 0; k < p->nst; k++)
				if (slot[k] != TT_NONE)
					touched[nt++] = k;
		} else
			qsort(touched, nt, sizeof(*touched), cmp_u32);
		stations[s].range_first = nr;
		stations[s].range_count = nt;
		for (k = 0; k < nt; k++) {
			rg = &ranges[nr + k];
			rg->to = touched[k];
			rg->first = n;
			rg->count = 0;
			rg->best_fare = rg->best_dur = TT_NONE;
			n += slot[touched[k]];
			slot[touched[k]] = nr + k;
		}
		/* Place them, keeping the best of each range. */
		for (k = 0; k < nd; k++) {
			struct ride	 x;
			uint32_t	 pos;

			sp = &stops[trains[d[k].train].first_stop];
			i = d[k].stop;
			rides_next(&rd);
			for (j = i + 1; j < trains[d[k].train].nstops; j++) {
				if ((r = rides_take(&rd, s, sp[j].station)) ==
				    RIDE_STOP)
					break;
				if (r == 0)
					continue;
				rg = &ranges[slot[sp[j].station]];
				pos = rg->first + rg->count++;
				x.p.train = d[k].train;
				x.p.stop = trains[d[k].train].first_stop + i;
				x.p.from_stop = (uint16_t)i;
				x.p.to_stop = (uint16_t)j;
				x.p.dep = sp[i].dep;
				x.minutes = sp[j].arr - sp[i].dep;
				x.fare = sp[j].cunknown == sp[i].cunknown ?
				    sp[j].cfare - sp[i].cfare : -1;
				pairs[pos] = x.p;
				keep_best(rg, &bestv[slot[sp[j].station] - nr],
				    pairs, pos, &x);
			}
		}
		for (k = 0; k < nt; k++)
			slot[touched[k]] = TT_NONE;
		nr += nt;
	}

	if (lay.rdense) {
		struct tt_slice	*rdense = (struct tt_slice *)(void *)(base +
				    lay.off_rdense);

		memset(rdense, 0, (size_t)p->nst * p->nst * sizeof(*rdense));
		for (s = 0; s < p->nst; s++)
			for (k = 0; k < stations[s].range_count; k++) {
				i = stations[s].range_first + k;
				rdense[s * p->nst + ranges[i].to].first =
				    ranges[i].first;
				rdense[s * p->nst + ranges[i].to].count =
				    ranges[i].count;
			}
	}

	/* ALL: trains by first departure, then file order. */
	{
		uint32_t	*bucket;
		const uint32_t	 nb = TT_SERVICE_MAX + 1;

		if ((bucket = calloc(nb + 1, sizeof(*bucket))) == NULL)
			goto nomem_unmap;
		for (t = 0; t < p->ntr; t++)
			bucket[stops[trains[t].first_stop].dep + 1]++;
		for (i = 1; i <= nb; i++)
			bucket[i] += bucket[i - 1];
		for (t = 0; t < p->ntr; t++)
			all[bucket[stops[trains[t].first_stop].dep]++] = t;
		free(bucket);
	}
	if (build_conns(trains, stops, order, p->nlegs, all, p->ntr,
	    (struct tt_conn *)(void *)(base + lay.off_conns),
	    (uint32_t *)(void *)(base + lay.off_cstart)) == -1)
		goto nomem_unmap;

	hdr->magic = TT_MAGIC;
	hdr->ntrains = p->ntr;
	hdr->nlegs = p->nlegs;
	hdr->nstations = p->nst;
	hdr->nstops = nstops;
	hdr->npairs = (uint32_t)npairs;
	hdr->nranges = nr;
	hdr->ndeps = p->nlegs;
	hdr->off_trains = lay.off_trains;
	hdr->off_stops = lay.off_stops;
	hdr->off_stations = lay.off_stations;
	hdr->off_ranges = lay.off_ranges;
	hdr->off_pairs = lay.off_pairs;
	hdr->off_deps = lay.off_deps;
	hdr->off_all = lay.off_all;
	hdr->off_strings = lay.off_strings;
	hdr->off_conns = lay.off_conns;
	hdr->off_cstart = lay.off_cstart;
	hdr->off_change = lay.off_change;
	hdr->off_shash = lay.off_shash;
	hdr->nshash = lay.nshash;
	hdr->off_rdense = lay.off_rdense;
	hdr->off_nhash = lay.off_nhash;
	hdr->rdense = lay.rdense;

	/* Give back the ranges' unused tail, then seal. */
	page = (size_t)sysconf(_SC_PAGESIZE);
	final = (lay.off_ranges + (size_t)nr * sizeof(struct tt_range) +
	    page - 1) / page * page;
	lay.size = (lay.size + page - 1) / page * page;
	if (final < lay.size && munmap(base + final, lay.size - final) == -1) {
		add_error(p, 0, "munmap: %s", strerror(errno));
		goto fail_unmap;
	}
	lay.size = final;
	hdr->size = final;
	if (mprotect(base, final, PROT_READ) == -1) {
		add_error(p, 0, "mprotect: %s", strerror(errno));
		goto fail_unmap;
	}
	free(slot);
	free(touched);
	free(bestv);
	free(order);
	free(rank);
	free(byrank);
	free(rd.mark);
	return (struct tt *)(void *)base;

nomem_unmap:
	oom(p);
fail_unmap:
	big_free(base, lay.size);
	goto fail;
nomem:
	oom(p);
fail:
	free(slot);
	free(touched);
	free(bestv);
	free(ost);
	free(order);
	free(rank);
	free(byrank);
	free(rd.mark);
	return NULL;
}

static void
parser_init(struct parser *p, const char *file)
{
	memset(p, 0, sizeof(*p));
	p->file = file;
	p->cur = TT_NONE;
	p->chg_default = -1;
}

static struct tt *
finish(struct parser *p, char **errors, unsigned *nerrors)
{
	struct tt	*t = NULL;
	char		 msg[64];
	uint32_t	 i;

	if (p->nerr == 0 && p->ntr == 0)
		add_error(p, 0, "no trains");
	if (!p->fatal)
		resolve_changes(p);
	if (p->nerr == 0)
		t = build(p);
	if (p->nerr > TT_ERRORS_MAX) {
		snprintf(msg, sizeof(msg), "%u more errors not shown",
		    p->nerr - TT_ERRORS_MAX);
		append_error(p, 0, msg);
	}
	free(p->pool);
	free(p->st);
	free(p->sthash);
	free(p->sp);
	free(p->sphash);
	free(p->spool);
	free(p->tr);
	free(p->trhash);
	free(p->legs);
	for (i = 0; i < p->nchg; i++) {
		free(p->chg[i].key);
		free(p->chg[i].name);
	}
	free(p->chg);
	free(p->st_change);
	if (nerrors != NULL)
		*nerrors = p->nerr;
	if (t != NULL) {
		free(p->err);
		p->err = NULL;
	} else if (p->err == NULL)
		p->err = strdup("out of memory\n");
	if (errors != NULL)
		*errors = p->err;
	else
		free(p->err);
	return t;
}

struct tt *
tt_load_mem(const char *name, const char *data, size_t len, char **errors,
    unsigned *nerrors)
{
	struct parser	p;
	unsigned long	line = 0;

	parser_init(&p, name);
	parse_buffer(&p, data, len, &line);
	return finish(&p, errors, nerrors);
}

/* What a file that is not a regular one is, for the message. */
static const char *
file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "an unknown kind of file";
}

/* Only a regular file of at most TT_FILE_MAX bytes; 0 or -1 (reported). */
static int
check_file(struct parser *p, const struct stat *sb)
{
	if (!S_ISREG(sb->st_mode)) {
		add_error(p, 0, "not a regular file (%s)",
		    file_kind(sb->st_mode));
		return -1;
	}
	if (sb->st_size > TT_FILE_MAX) {
		add_error(p, 0, "timetable too large: %lld bytes (max %ld, "
		    "1 GiB)", (long long)sb->st_size, TT_FILE_MAX);
		return -1;
	}
	return 0;
}

/*
 * The master loads with its signals blocked, on reload too, so nothing here
 * may wait: the path is looked at before it is opened (a device is never
 * opened, whatever opening it would do), opened without blocking (a FIFO
 * that appeared in between opens at once, with no writer) and checked
 * again on what was opened.  The size is checked before reading, and the
 * reading stops past it too (parse_fd), should the file grow meanwhile.
 */
struct tt *
tt_load(const char *path, char **errors, unsigned *nerrors)
{
	struct parser	p;
	struct stat	sb;
	int		fd;

	parser_init(&p, path);
	if (stat(path, &sb) == -1) {
		add_error(&p, 0, "%s", strerror(errno));
		return finish(&p, errors, nerrors);
	}
	if (check_file(&p, &sb) == -1)
		return finish(&p, errors, nerrors);
	do
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	while (fd == -1 && errno == EINTR);
	if (fd == -1) {
		add_error(&p, 0, "%s", strerror(errno));
		return finish(&p, errors, nerrors);
	}
	if (fstat(fd, &sb) == -1)
		add_error(&p, 0, "fstat: %s", strerror(errno));
	else if (check_file(&p, &sb) == 0)
		parse_fd(&p, fd);
	close(fd);
	return finish(&p, errors, nerrors);
}

void
tt_free(struct tt *t)
{
	if (t != NULL)
		munmap(t, TT_HDR(t)->size);
}

uint32_t
tt_ntrains(const struct tt *t)
{
	return TT_HDR(t)->ntrains;
}

uint32_t
tt_nlegs(const struct tt *t)
{
	return TT_HDR(t)->nlegs;
}

uint32_t
tt_nstations(const struct tt *t)
{
	return TT_HDR(t)->nstations;
}

size_t
tt_arena_size(const struct tt *t)
{
	return TT_HDR(t)->size;
}

/*
 * proto.c — the protocol table: parse a request line, dispatch it to its
 * command, and write the reply ("OK n" and n lines, or "ERR code message").
 *
 * Commands are looked up in one table (after memcached's proto_text.c) that
 * also gives their field counts, usage line and help text, so HELP, the
 * usage errors and trainsrv-protocol(7) say the same thing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ipc/stats.h"
#include "ipc/wire.h"
#include "worker/buf.h"
#include "worker/engine.h"
#include "worker/proto.h"

#define ALL_LIMIT_DEFAULT	100
#define LIST_MAX		1000	/* most lines in one reply */
#define DEPARTURES_DEFAULT	10
#define FIELDS_MAX		8
#define CMD_NAME_MAX		10	/* the longest name: DEPARTURES */

struct req {
	const struct tt	*tt;
	struct st_slot	*slot;
	struct buf	*out;
	char		*args;		/* everything after the command word */
	char		*f[FIELDS_MAX];
	size_t		 fl[FIELDS_MAX];	/* their lengths */
	size_t		 nf;
	const struct tt_hint *hint;	/* the stations it names, maybe */
	const struct proto_cmd *cmd;
};

struct proto_cmd {
	const char	*name;
	unsigned	 stat;		/* enum st_cmd */
	unsigned	 minf, maxf;	/* field counts accepted */
	const char	*usage;
	const char	*help;
	enum proto_result (*fn)(struct req *);
};

static enum proto_result	cmd_help(struct req *);
static enum proto_result	cmd_ping(struct req *);
static enum proto_result	cmd_echo(struct req *);
static enum proto_result	cmd_all(struct req *);
static enum proto_result	cmd_next(struct req *);
static enum proto_result	cmd_window(struct req *);
static enum proto_result	cmd_best(struct req *);
static enum proto_result	cmd_departures(struct req *);
static enum proto_result	cmd_stations(struct req *);
static enum proto_result	cmd_journey(struct req *);
static enum proto_result	cmd_quit(struct req *);
static enum proto_result	cmd_session(struct req *);

static const struct proto_cmd proto_cmds[] = {
	{ "HELP", ST_CMD_HELP, 0, 0, "HELP", "list the commands", cmd_help },
	{ "PING", ST_CMD_PING, 0, 0, "PING", "answer PONG", cmd_ping },
	{ "ECHO", ST_CMD_ECHO, 0, 0, "ECHO text", "answer the text", cmd_echo },
	{ "ALL", ST_CMD_ALL, 0, 2, "ALL [offset;limit]",
	    "trains of the day, by departure (limit 100, at most 1000)", cmd_all },
	{ "NEXT", ST_CMD_NEXT, 2, 3, "NEXT from;to[;time]",
	    "next train at or after time (default now)", cmd_next },
	{ "WINDOW", ST_CMD_WINDOW, 4, 4, "WINDOW from;to;start;end",
	    "trains leaving between start and end, cheapest and fastest tagged",
	    cmd_window },
	{ "BEST", ST_CMD_BEST, 3, 3, "BEST from;to;price|duration",
	    "cheapest or fastest train of the day", cmd_best },
	{ "DEPARTURES", ST_CMD_DEPARTURES, 1, 3, "DEPARTURES station[;time[;count]]",
	    "next trains leaving a station (count 10, at most 1000)",
	    cmd_departures },
	{ "STATIONS", ST_CMD_STATIONS, 0, 0, "STATIONS [prefix]",
	    "station names, all or starting with prefix", cmd_stations },
	{ "JOURNEY", ST_CMD_JOURNEY, 3, 4, "JOURNEY from;to;time[;max_changes]",
	    "journeys with changes, best on arrival and changes (max 4, at "
	    "most 8)", cmd_journey },
	{ "NAME", ST_CMD_NAME, 1, 1, "NAME nick",
	    "set your nickname: 1 to 16 of A-Z a-z 0-9 _ -", cmd_session },
	{ "WHO", ST_CMD_WHO, 0, 0, "WHO", "connected sessions: id;nick;since",
	    cmd_session },
	{ "MSG", ST_CMD_MSG, 0, 0, "MSG @nick|@all text",
	    "send a message to one session or to everyone", cmd_session },
	{ "QUIT", ST_CMD_QUIT, 0, 0, "QUIT", "close the connection", cmd_quit },
};
#define NCMDS	(sizeof proto_cmds / sizeof proto_cmds[0])

static struct tt_result	results[LIST_MAX];
static proto_session_fn	session_fn;

void
proto_set_session_handler(proto_session_fn fn)
{
	session_fn = fn;
}

static unsigned
proto_err_index(int code)
{
	switch (code) {
	case WIRE_EBADREQ:	return ST_ERR_400;
	case WIRE_ENOTFOUND:	return ST_ERR_404;
	case WIRE_ETOOLONG:	return ST_ERR_413;
	case WIRE_ESHUTDOWN:	return ST_ERR_503;
	case WIRE_ECONFLICT:	return ST_ERR_409;
	case WIRE_ETOOMANY:	return ST_ERR_429;
	default:		return ST_ERR_500;
	}
}

void
proto_count_reply(struct st_slot *slot, const char *reply, size_t len)
{
	const char *nl = memchr(reply, '\n', len);
	long code;

	if (nl != NULL && wire_status(reply, nl - reply, &code) == WIRE_ERR)
		ST_ADD(slot->err[proto_err_index((int)code)], 1);
}

void
proto_error(struct st_slot *slot, struct buf *out, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ST_ADD(slot->err[proto_err_index(code)], 1);
	buf_printf(out, "ERR %d %s\n", code, msg);
}

static enum proto_result
req_usage(struct req *r, const struct proto_cmd *c)
{
	proto_error(r->slot, r->out, WIRE_EBADREQ, "usage: %s", c->usage);
	return PROTO_CONTINUE;
}

/* A request's text, cut short and stripped of control characters, for quoting. */
static const char *
req_quote(const char *s, char *buf, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, o = 0;

	/* C0 controls, DEL and C1 controls (0xC2 0x80..0x9F) become '?'. */
	for (i = 0; u[i] != '\0' && o < len - 4; i++) {
		if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f) {
			buf[o++] = '?';
			i++;
		} else
			buf[o++] = (u[i] < 0x20 || u[i] == 0x7f) ? '?' : s[i];
	}
	if (u[i] != '\0')
		memcpy(buf + o, "...", 3), o += 3;
	buf[o] = '\0';
	return buf;
}

/*
 * The station field fi names.  A hint from the read-ahead (conn.c) saves
 * the lookup of from and to when the field spells its station exactly;
 * otherwise, or without one, the field is looked up.
 */
static int
req_station(struct req *r, size_t fi, uint32_t *st)
{
	const char *name = r->f[fi];
	uint32_t sugg[3];
	char q[96], list[3 * (TT_NAME_MAX + 3)];
	size_t n, i, len = 0;
	int32_t found;

	if (r->hint != NULL && fi < 2 && tt_station_is(r->tt, fi == 0 ?
	    r->hint->from : r->hint->to, name, r->fl[fi])) {
		*st = fi == 0 ? r->hint->from : r->hint->to;
		return 0;
	}
	if ((found = tt_station_find(r->tt, name, r->fl[fi])) >= 0) {
		*st = (uint32_t)found;
		return 0;
	}
	n = tt_station_suggest(r->tt, name, r->fl[fi], sugg, 3);
	for (i = 0; i < n; i++)
		len += snprintf(list + len, sizeof list - len, "%s%s",
		    i ? " | " : "", tt_station_name(r->tt, sugg[i]));
	if (n > 0)
		proto_error(r->slot, r->out, WIRE_ENOTFOUND,
		    "unknown station \"%s\" (did you mean: %s)",
		    req_quote(name, q, sizeof q), list);
	else
		proto_error(r->slot, r->out, WIRE_ENOTFOUND,
		    "unknown station \"%s\"", req_quote(name, q, sizeof q));
	return -1;
}

static int
req_time(struct req *r, size_t fi, int *t)
{
	const char *s = r->f[fi];
	char q[64];

	if ((*t = tt_parse_time(s, r->fl[fi], 23)) >= 0)
		return 0;
	proto_error(r->slot, r->out, WIRE_EBADREQ,
	    "bad time \"%s\" (want HH:MM, 00:00 to 23:59)", req_quote(s, q, sizeof q));
	return -1;
}

static int
req_number(struct req *r, const char *what, const char *s, long max, long *v)
{
	char *end, q[64];

	*v = strtol(s, &end, 10);
	if (*s >= '0' && *s <= '9' && *end == '\0' && *v <= max)
		return 0;
	proto_error(r->slot, r->out, WIRE_EBADREQ, "bad %s \"%s\" (want 0 to %ld)",
	    what, req_quote(s, q, sizeof q), max);
	return -1;
}

static int
req_now(void)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_hour * 60 + tm.tm_min;
}

/* "OK n": on the hot path, so without printf. */
static void
reply_ok(struct buf *out, size_t n)
{
	char tmp[24];
	size_t i = sizeof tmp;

	tmp[--i] = '\n';
	do
		tmp[--i] = '0' + n % 10;
	while ((n /= 10) > 0);
	tmp[--i] = ' ';
	tmp[--i] = 'K';
	tmp[--i] = 'O';
	buf_append(out, tmp + i, sizeof tmp - i);
}

/* "OK n" and the n train lines. */
static enum proto_result
reply_results(struct req *r, const struct tt_result *res, size_t n)
{
	size_t i, need, room;

	reply_ok(r->out, n);
	for (i = 0; i < n; i++) {
		if (buf_reserve(r->out, 512) == -1)
			return PROTO_QUIT;
		room = r->out->cap - r->out->len;
		need = tt_format(r->tt, &res[i], r->out->p + r->out->len, room);
		if (need >= room) {
			if (buf_reserve(r->out, need + 1) == -1)
				return PROTO_QUIT;
			tt_format(r->tt, &res[i], r->out->p + r->out->len, need + 1);
		}
		r->out->len += need;
		r->out->p[r->out->len++] = '\n';
	}
	return PROTO_CONTINUE;
}

static enum proto_result
cmd_help(struct req *r)
{
	size_t i;

	buf_printf(r->out, "OK %zu\n", NCMDS);
	for (i = 0; i < NCMDS; i++)
		buf_printf(r->out, "%-36s %s\n", proto_cmds[i].usage,
		    proto_cmds[i].help);
	return PROTO_CONTINUE;
}

static enum proto_result
cmd_ping(struct req *r)
{
	buf_append(r->out, "OK 1\nPONG\n", 10);
	return PROTO_CONTINUE;
}

static enum proto_result
cmd_echo(struct req *r)
{
	buf_printf(r->out, "OK 1\n%s\n", r->args);
	return PROTO_CONTINUE;
}

static enum proto_result
cmd_quit(struct req *r)
{
	buf_append(r->out, "OK 0\n", 5);
	return PROTO_QUIT;
}

static enum proto_result
cmd_all(struct req *r)
{
	long offset = 0, limit = ALL_LIMIT_DEFAULT;

	if (r->nf >= 1 && r->f[0][0] != '\0' &&
	    req_number(r, "offset", r->f[0], 100000000, &offset) == -1)
		return PROTO_CONTINUE;
	if (r->nf == 2 && req_number(r, "limit", r->f[1], LIST_MAX, &limit) == -1)
		return PROTO_CONTINUE;
	return reply_results(r, results,
	    tt_all(r->tt, (size_t)offset, (size_t)limit, results));
}

static enum proto_result
cmd_next(struct req *r)
{
	uint32_t from = 0, to = 0;
	int t;

	if (req_station(r, 0, &from) == -1 ||
	    req_station(r, 1, &to) == -1)
		return PROTO_CONTINUE;
	if (r->nf == 3 && r->f[2][0] != '\0') {
		if (req_time(r, 2, &t) == -1)
			return PROTO_CONTINUE;
	} else
		t = req_now();
	return reply_results(r, results, tt_next(r->tt, from, to, t, results));
}

static enum proto_result
cmd_window(struct req *r)
{
	uint32_t from = 0, to = 0;
	int t1 = 0, t2 = 0;

	if (req_station(r, 0, &from) == -1 ||
	    req_station(r, 1, &to) == -1 ||
	    req_time(r, 2, &t1) == -1 || req_time(r, 3, &t2) == -1)
		return PROTO_CONTINUE;
	return reply_results(r, results,
	    tt_window(r->tt, from, to, t1, t2, results, LIST_MAX));
}

static enum proto_result
cmd_best(struct req *r)
{
	enum tt_by by;
	uint32_t from = 0, to = 0;
	char q[64];

	if (strcasecmp(r->f[2], "price") == 0)
		by = TT_BY_PRICE;
	else if (strcasecmp(r->f[2], "duration") == 0)
		by = TT_BY_DURATION;
	else {
		proto_error(r->slot, r->out, WIRE_EBADREQ,
		    "bad criterion \"%s\" (want price or duration)",
		    req_quote(r->f[2], q, sizeof q));
		return PROTO_CONTINUE;
	}
	if (req_station(r, 0, &from) == -1 ||
	    req_station(r, 1, &to) == -1)
		return PROTO_CONTINUE;
	return reply_results(r, results, tt_best(r->tt, from, to, by, results));
}

static enum proto_result
cmd_departures(struct req *r)
{
	uint32_t st = 0;
	long count = DEPARTURES_DEFAULT;
	int t;

	if (req_station(r, 0, &st) == -1)
		return PROTO_CONTINUE;
	if (r->nf >= 2 && r->f[1][0] != '\0') {
		if (req_time(r, 1, &t) == -1)
			return PROTO_CONTINUE;
	} else
		t = req_now();
	if (r->nf == 3 && r->f[2][0] != '\0' &&
	    req_number(r, "count", r->f[2], LIST_MAX, &count) == -1)
		return PROTO_CONTINUE;
	return reply_results(r, results,
	    tt_departures(r->tt, st, t, (size_t)count, results));
}

static enum proto_result
cmd_stations(struct req *r)
{
	uint32_t first, i;
	size_t n;

	n = tt_stations(r->tt, r->args, strlen(r->args), &first);
	reply_ok(r->out, n);
	for (i = 0; i < n; i++)
		buf_printf(r->out, "%s\n",
		    tt_station_name(r->tt, tt_station_by_rank(r->tt, first + i)));
	return PROTO_CONTINUE;
}

/*
 * JOURNEY: for each journey a summary line "J;departs;arrives;changes;
 * minutes", then its legs as train lines.  n counts every line, so the
 * reply keeps the "OK n, then n lines" framing.  The scan's workspace is
 * made on first use and kept: a worker serves one timetable.
 */
static struct tt_jws	*journey_ws;

static void
journey_time(char *s, size_t cap, int32_t min)
{
	int n;

	n = snprintf(s, cap, "%02d:%02d", (int)(min % 1440 / 60),
	    (int)(min % 60));
	if (min >= 1440 && n > 0 && (size_t)n < cap)
		snprintf(s + n, cap - (size_t)n, "+%d", (int)(min / 1440));
}

struct tt_jws *
proto_journey_ws(const struct tt *tt)
{
	if (!tt_jws_fits(journey_ws, tt)) {
		tt_jws_free(journey_ws);
		journey_ws = tt_jws_new(tt);
	}
	return journey_ws;
}

static int
journey_leg(struct req *r, const struct tt_result *res)
{
	size_t need, room;

	if (buf_reserve(r->out, 512) == -1)
		return -1;
	room = r->out->cap - r->out->len;
	need = tt_format(r->tt, res, r->out->p + r->out->len, room);
	if (need >= room) {
		if (buf_reserve(r->out, need + 1) == -1)
			return -1;
		tt_format(r->tt, res, r->out->p + r->out->len, need + 1);
	}
	r->out->len += need;
	r->out->p[r->out->len++] = '\n';
	return 0;
}

static enum proto_result
cmd_journey(struct req *r)
{
	struct tt_journey j[TT_LEGS_MAX];
	uint32_t from = 0, to = 0;
	long maxc = TT_CHANGES_DEFAULT;
	char dep[16], arr[16];
	size_t n, i, k, lines = 0;
	int t;

	if (req_station(r, 0, &from) == -1 ||
	    req_station(r, 1, &to) == -1 ||
	    req_time(r, 2, &t) == -1)
		return PROTO_CONTINUE;
	if (r->nf == 4 && r->f[3][0] != '\0' &&
	    req_number(r, "max_changes", r->f[3], TT_CHANGES_MAX, &maxc) == -1)
		return PROTO_CONTINUE;
	if (proto_journey_ws(r->tt) == NULL) {
		proto_error(r->slot, r->out, WIRE_EINTERNAL, "out of memory");
		return PROTO_CONTINUE;
	}
	n = tt_journey(r->tt, journey_ws, from, to, t, (unsigned)maxc, j);
	for (i = 0; i < n; i++)
		lines += 1 + j[i].nlegs;
	buf_printf(r->out, "OK %zu\n", lines);
	for (i = 0; i < n; i++) {
		journey_time(dep, sizeof dep, j[i].dep_min);
		journey_time(arr, sizeof arr, j[i].arr_min);
		buf_printf(r->out, "J;%s;%s;%u;%d\n", dep, arr, j[i].changes,
		    (int)(j[i].arr_min - j[i].dep_min));
		for (k = 0; k < j[i].nlegs; k++)
			if (journey_leg(r, &j[i].legs[k]) == -1)
				return PROTO_QUIT;
	}
	return PROTO_CONTINUE;
}

static enum proto_result
cmd_session(struct req *r)
{
	const struct proto_cmd *c = r->cmd;

	if (session_fn == NULL) {
		proto_error(r->slot, r->out, WIRE_EBADREQ, "%s is not available "
		    "here", c->name);
		return PROTO_CONTINUE;
	}
	return session_fn(c->stat, r->nf > 0 ? r->f[0] : r->args, r->out);
}

/*
 * The command named by word, in any case: folded once, then compared by
 * its first letter before strcmp (a strcasecmp per entry was a tenth of a
 * NEXT request's instructions).
 */
static const struct proto_cmd *
proto_lookup(const char *word, size_t len)
{
	char up[CMD_NAME_MAX + 1];
	size_t i;

	if (len > CMD_NAME_MAX)
		return NULL;
	for (i = 0; i < len; i++)
		up[i] = word[i] >= 'a' && word[i] <= 'z' ?
		    (char)(word[i] - 'a' + 'A') : word[i];
	up[len] = '\0';
	for (i = 0; i < NCMDS; i++)
		if (proto_cmds[i].name[0] == up[0] &&
		    strcmp(proto_cmds[i].name, up) == 0)
			return &proto_cmds[i];
	return NULL;
}

static int
req_isblank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next ';'-separated field of [*p, end), trimmed; *p moves past it. */
static const char *
hint_field(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *e;

	if ((e = memchr(s, ';', (size_t)(end - s))) == NULL)
		e = end;
	*p = e < end ? e + 1 : end;
	while (s < e && req_isblank(*s))
		s++;
	while (e > s && (req_isblank(e[-1]) || e[-1] == '\r'))
		e--;
	*len = (size_t)(e - s);
	return s;
}

int
proto_hint(const struct tt *tt, const char *line, size_t len,
    struct tt_hint *h)
{
	const struct proto_cmd *c;
	const char *p = line, *end = line + len, *word, *f;
	size_t fl;
	int32_t from, to;

	while (p < end && req_isblank(*p))
		p++;
	for (word = p; p < end && !req_isblank(*p); p++)
		;
	c = proto_lookup(word, (size_t)(p - word));
	if (c == NULL || (c->fn != cmd_next && c->fn != cmd_window))
		return 0;
	f = hint_field(&p, end, &fl);
	if ((from = tt_station_find(tt, f, fl)) < 0)
		return 0;
	f = hint_field(&p, end, &fl);
	if ((to = tt_station_find(tt, f, fl)) < 0)
		return 0;
	f = hint_field(&p, end, &fl);
	h->from = (uint32_t)from;
	h->to = (uint32_t)to;
	h->clock = tt_parse_time(f, fl, 23);	/* -1: none or "now" */
	return 1;
}

/*
 * Cut args at ';' into at most max fields, each trimmed of blanks and
 * NUL-terminated, with its length; returns the count, or max + 1 when
 * there are more (as wire_split, with the lengths kept).
 */
static size_t
req_split(char *args, size_t len, char **f, size_t *fl, size_t max)
{
	char *p = args, *end = args + len, *next;
	size_t nf, l;

	for (nf = 0;; nf++, p = next + 1) {
		if (nf == max)
			return max + 1;
		next = memchr(p, ';', (size_t)(end - p));
		l = (size_t)((next != NULL ? next : end) - p);
		f[nf] = wire_trim(p, &l);
		f[nf][l] = '\0';
		fl[nf] = l;
		if (next == NULL)
			return nf + 1;
	}
}

enum proto_result
proto_request(const struct tt *tt, struct st_slot *slot, char *line,
    size_t len, const struct tt_hint *hint, struct buf *out)
{
	const struct proto_cmd *c;
	struct req r;
	char *word, *end, q[64];
	size_t n;

	memset(&r, 0, sizeof r);
	r.tt = tt;
	r.slot = slot;
	r.out = out;
	r.hint = hint;
	len = strnlen(line, len);	/* a NUL byte ends the request's text */
	word = wire_trim(line, &len);
	end = word + len;
	*end = '\0';
	if (len == 0) {
		ST_ADD(slot->cmd[ST_CMD_OTHER], 1);
		proto_error(slot, out, WIRE_EBADREQ, "empty request; type HELP");
		return PROTO_CONTINUE;
	}
	for (n = 0; n < len && !req_isblank(word[n]); n++)
		;
	r.args = word + n;
	if (r.args < end)
		*r.args++ = '\0';
	while (r.args < end && req_isblank(*r.args))
		r.args++;
	if ((c = proto_lookup(word, n)) == NULL) {
		ST_ADD(slot->cmd[ST_CMD_OTHER], 1);
		proto_error(slot, out, WIRE_EBADREQ, "unknown command \"%s\"; "
		    "type HELP", req_quote(word, q, sizeof q));
		return PROTO_CONTINUE;
	}
	ST_ADD(slot->cmd[c->stat], 1);
	r.cmd = c;
	if (c->maxf > 0) {
		r.nf = r.args == end ? 0 : req_split(r.args,
		    (size_t)(end - r.args), r.f, r.fl, FIELDS_MAX);
		if (r.nf < c->minf || r.nf > c->maxf)
			return req_usage(&r, c);
	} else if (r.args < end && c->fn != cmd_echo &&
	    c->fn != cmd_stations && c->stat != ST_CMD_MSG)
		return req_usage(&r, c);
	return c->fn(&r);
}

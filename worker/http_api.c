/*
 * http_api.c — the HTTP endpoints.
 *
 * /v1/next, /v1/window, /v1/best, /v1/departures, /v1/journey and
 * /v1/stations are the protocol's commands: the query parameters are
 * decoded, checked (no ';' or control character, which would change the
 * request line's meaning) and written as the command's request line, which
 * proto_request answers exactly as for a line client (same defaults, limits,
 * name folding, counters); its "OK n" lines or "ERR code message" are then
 * turned into JSON.  So an endpoint cannot drift from its command.
 *
 * /metrics is ipc/prom.c's text, /healthz the worker's state, and / with
 * /app.css and /app.js the page compiled in from worker/page/.
 *
 * A response is built whole: the body in a scratch buffer, then the head
 * with its Content-Length, then the body (HEAD: the head only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc/prom.h"
#include "ipc/stats.h"
#include "ipc/wire.h"
#include "master/trainsrv.h"
#include "worker/buf.h"
#include "worker/engine.h"
#include "worker/http.h"
#include "worker/http_api.h"
#include "worker/json.h"
#include "worker/page.h"
#include "worker/proto.h"

#define API_LINE_MAX	4096	/* the line protocol's request line limit */
#define API_PARAMS_MAX	4

enum api_shape { SHAPE_TRAINS, SHAPE_JOURNEYS, SHAPE_STATIONS };

/* An endpoint that is a protocol command: its parameters in field order,
 * the first nreq of them required. */
struct api_cmd {
	const char	*path;
	const char	*cmd;
	unsigned	 stat;		/* enum st_cmd, for refusals made here */
	const char	*params[API_PARAMS_MAX];
	unsigned	 nreq;
	enum api_shape	 shape;
};

static const struct api_cmd api_cmds[] = {
	{ "/v1/next", "NEXT", ST_CMD_NEXT, { "from", "to", "time" }, 2,
	    SHAPE_TRAINS },
	{ "/v1/window", "WINDOW", ST_CMD_WINDOW,
	    { "from", "to", "start", "end" }, 4, SHAPE_TRAINS },
	{ "/v1/best", "BEST", ST_CMD_BEST, { "from", "to", "by" }, 3,
	    SHAPE_TRAINS },
	{ "/v1/departures", "DEPARTURES", ST_CMD_DEPARTURES,
	    { "station", "time", "count" }, 1, SHAPE_TRAINS },
	{ "/v1/journey", "JOURNEY", ST_CMD_JOURNEY,
	    { "from", "to", "time", "max_changes" }, 3, SHAPE_JOURNEYS },
	{ "/v1/stations", "STATIONS", ST_CMD_STATIONS, { "prefix" }, 0,
	    SHAPE_STATIONS },
};
#define NAPI	(sizeof api_cmds / sizeof api_cmds[0])

/* Response headers beyond the common ones. */
#define H_CORS		0x1	/* Access-Control-Allow-Origin: * */
#define H_ALLOW		0x2	/* Allow: GET, HEAD (405) */
#define H_PAGE		0x4	/* Content-Security-Policy and nosniff */
#define H_NOSTORE	0x8	/* Cache-Control: no-store */

static const char type_json[] = "application/json; charset=utf-8";
static const char type_text[] = "text/plain; charset=utf-8";
static const char type_prom[] = "text/plain; version=0.0.4; charset=utf-8";

/* Scratch, kept between requests: a worker answers one at a time. */
static struct buf	body, line_reply, discard;
static char		vals[API_PARAMS_MAX][API_LINE_MAX + 1];
static char		reqline[API_LINE_MAX + 64];

/* Replies are built of many small pieces: copy in place when there is room. */
static inline void
put(struct buf *b, const char *s, size_t len)
{
	if (b->cap - b->len >= len || buf_reserve(b, len) == 0) {
		memcpy(b->p + b->len, s, len);
		b->len += len;
	}
}

static void
put_s(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* A constant string, its length known at compile time. */
#define PUT_LIT(b, lit)	put((b), (lit), sizeof(lit) - 1)

static void
put_u(struct buf *b, unsigned long long v)
{
	char tmp[24];
	size_t i = sizeof tmp;

	do
		tmp[--i] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	put(b, tmp + i, sizeof tmp - i);
}

/* The Date header's value, remade once a second; its length in *len. */
static const char *
api_date(size_t *len)
{
	static char date[40];
	static size_t datelen;
	static time_t last = -1;
	time_t now = time(NULL);
	struct tm tm;

	if (now != last && gmtime_r(&now, &tm) != NULL &&
	    (datelen = strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT",
	    &tm)) > 0)
		last = now;
	*len = datelen;
	return date;
}

/*
 * The head, then the body (unless HEAD).  Closes (and says so) when the
 * request does not keep the connection or the worker drains; returns
 * whether it closes.
 */
static int
api_send(const struct http_ctx *ctx, const struct http_req *r, int status,
    const char *type, unsigned flags, const char *b, size_t len,
    struct buf *out)
{
	int close = r == NULL || !r->keep_alive || (ctx->draining && !ctx->hold);
	const char *date;
	size_t dlen;

	if (status == 200)
		PUT_LIT(out, "HTTP/1.1 200 OK");
	else {
		PUT_LIT(out, "HTTP/1.1 ");
		put_u(out, (unsigned)status);
		PUT_LIT(out, " ");
		put_s(out, http_reason(status));
	}
	PUT_LIT(out, "\r\nServer: trainsrv/" TRAINSRV_VERSION "\r\nDate: ");
	date = api_date(&dlen);
	put(out, date, dlen);
	PUT_LIT(out, "\r\nContent-Type: ");
	put_s(out, type);
	PUT_LIT(out, "\r\nContent-Length: ");
	put_u(out, len);
	PUT_LIT(out, "\r\n");
	if (flags & H_CORS)
		PUT_LIT(out, "Access-Control-Allow-Origin: *\r\n");
	if (flags & H_ALLOW)
		PUT_LIT(out, "Allow: GET, HEAD\r\n");
	if (flags & H_NOSTORE)
		PUT_LIT(out, "Cache-Control: no-store\r\n");
	if (flags & H_PAGE)
		PUT_LIT(out, "Content-Security-Policy: default-src 'self'\r\n"
		    "X-Content-Type-Options: nosniff\r\n");
	if (close)
		PUT_LIT(out, "Connection: close\r\n");
	else if (r->minor == 0)
		PUT_LIT(out, "Connection: keep-alive\r\n");
	PUT_LIT(out, "\r\n");
	if (r == NULL || r->method != HTTP_HEAD)
		put(out, b, len);
	return close;
}

/* Count a refusal made here (not by proto_request) under command stat. */
static void
api_count(const struct http_ctx *ctx, unsigned stat, int status)
{
	int code = status == 404 ? WIRE_ENOTFOUND :
	    (status == 413 || status == 414 || status == 431) ? WIRE_ETOOLONG :
	    status == 503 ? WIRE_ESHUTDOWN : status >= 500 && status != 501 &&
	    status != 505 ? WIRE_EINTERNAL : WIRE_EBADREQ;

	ST_ADD(ctx->slot->cmd[stat], 1);
	discard.len = 0;
	proto_error(ctx->slot, &discard, code, "http %d", status);
	discard.len = 0;
}

/*
 * {"error":{"status":404,"message":"...","suggestions":[...]}}: sugg is
 * the " | "-separated list, or NULL for none.
 */
static void
api_error_body(struct buf *b, int status, const char *msg, size_t msglen,
    const char *sugg, size_t slen)
{
	struct json j;
	const char *p, *end, *bar;

	b->len = 0;
	json_init(&j, b);
	json_object(&j);
	json_key(&j, "error");
	json_object(&j);
	json_key(&j, "status");
	json_int(&j, status);
	json_key(&j, "message");
	json_string(&j, msg, msglen);
	if (sugg != NULL) {
		json_key(&j, "suggestions");
		json_array(&j);
		for (p = sugg, end = sugg + slen; p < end; p = bar + 3) {
			if ((bar = strstr(p, " | ")) == NULL || bar > end)
				bar = end;
			json_string(&j, p, (size_t)(bar - p));
			if (bar == end)
				break;
		}
		json_array_end(&j);
	}
	json_object_end(&j);
	json_object_end(&j);
	put(b, "\n", 1);
}

static int
api_error(const struct http_ctx *ctx, const struct http_req *r, int status,
    unsigned flags, const char *msg, struct buf *out)
{
	api_error_body(&body, status, msg, strlen(msg), NULL, 0);
	return api_send(ctx, r, status, type_json, flags, body.p, body.len, out);
}

/* The fields of one ';'-separated line, NUL-free slices of it. */
struct fields {
	const char	*f[12];
	size_t		 l[12];
	size_t		 n;
};

static void
split(const char *s, size_t len, char sep, struct fields *fs)
{
	const char *end = s + len, *e;

	for (fs->n = 0; fs->n < 12; s = e + 1) {
		if ((e = memchr(s, sep, (size_t)(end - s))) == NULL)
			e = end;
		fs->f[fs->n] = s;
		fs->l[fs->n++] = (size_t)(e - s);
		if (e == end)
			break;
	}
}

/* "06:15+1": the clock part, and the day after the '+' (0 without). */
static size_t
clock_part(const char *s, size_t len, long *day)
{
	const char *plus = memchr(s, '+', len);

	*day = plus != NULL ? strtol(plus + 1, NULL, 10) : 0;
	return plus != NULL ? (size_t)(plus - s) : len;
}

/* A '|'-separated list as a JSON array (empty field: []). */
static void
json_list(struct json *j, const char *s, size_t len)
{
	const char *end = s + len, *e;

	json_array(j);
	for (; s < end; s = e + 1) {
		if ((e = memchr(s, '|', (size_t)(end - s))) == NULL)
			e = end;
		json_string(j, s, (size_t)(e - s));
	}
	json_array_end(j);
}

/* Money text ("14.08") to cents; -1 when unknown. */
static long long
cents(const char *s, size_t len)
{
	long long v = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++)
		if (s[i] >= '0' && s[i] <= '9')
			v = v * 10 + (s[i] - '0');
		else if (s[i] != '.')
			return -1;
	return v;
}

/* One train data line (11 fields) as a train object. */
static void
json_train(struct json *j, const char *line, size_t len)
{
	struct fields fs;
	long day;
	size_t cl;

	split(line, len, ';', &fs);
	while (fs.n < 11) {
		fs.f[fs.n] = "";
		fs.l[fs.n++] = 0;
	}
	json_object(j);
	json_key(j, "number");
	json_string(j, fs.f[0], fs.l[0]);
	json_key(j, "from");
	json_string(j, fs.f[1], fs.l[1]);
	json_key(j, "to");
	json_string(j, fs.f[2], fs.l[2]);
	json_key(j, "departs");
	cl = clock_part(fs.f[3], fs.l[3], &day);
	json_string(j, fs.f[3], cl);
	json_key(j, "arrives");
	json_string(j, fs.f[4], clock_part(fs.f[4], fs.l[4], &(long){ 0 }));
	json_key(j, "day");
	json_int(j, day);
	json_key(j, "minutes");
	json_number(j, fs.f[5], fs.l[5]);
	json_key(j, "price");
	json_number(j, fs.f[6], fs.l[6]);
	json_key(j, "flag");
	if (fs.l[7] == 0)
		json_null(j);
	else
		json_string(j, fs.f[7], fs.l[7]);
	json_key(j, "fare");
	json_number(j, fs.f[8], fs.l[8]);
	json_key(j, "via");
	json_list(j, fs.f[9], fs.l[9]);
	json_key(j, "tags");
	json_list(j, fs.f[10], fs.l[10]);
	json_object_end(j);
}

/* The next line of [*p, end), without its LF. */
static size_t
next_line(const char **p, const char *end, const char **line)
{
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));

	if (nl == NULL)
		nl = end;
	*line = *p;
	*p = nl < end ? nl + 1 : end;
	return (size_t)(nl - *line);
}

/* JOURNEY's lines: "J;departs;arrives;changes;minutes", then its legs. */
static void
json_journeys(struct json *j, const char *p, const char *end)
{
	struct fields fs;
	const char *line, *legs;
	size_t len, k, nlegs;
	long long fare, c;
	char ftxt[32];

	json_key(j, "journeys");
	json_array(j);
	while (p < end) {
		len = next_line(&p, end, &line);
		if (len < 2 || line[0] != 'J' || line[1] != ';')
			continue;
		split(line + 2, len - 2, ';', &fs);
		if (fs.n < 4)
			continue;
		nlegs = (size_t)strtoul(fs.f[2], NULL, 10) + 1;
		/* The fare: the sum of the legs', unknown if one is. */
		fare = 0;
		for (legs = p, k = 0; k < nlegs && legs < end; k++) {
			struct fields lf;

			len = next_line(&legs, end, &line);
			split(line, len, ';', &lf);
			c = lf.n > 8 ? cents(lf.f[8], lf.l[8]) : -1;
			fare = fare < 0 || c < 0 ? -1 : fare + c;
		}
		json_object(j);
		json_key(j, "departs");
		json_string(j, fs.f[0], clock_part(fs.f[0], fs.l[0], &(long){ 0 }));
		json_key(j, "arrives");
		json_string(j, fs.f[1], clock_part(fs.f[1], fs.l[1], &(long){ 0 }));
		json_key(j, "changes");
		json_number(j, fs.f[2], fs.l[2]);
		json_key(j, "minutes");
		json_number(j, fs.f[3], fs.l[3]);
		json_key(j, "fare");
		if (fare < 0)
			json_null(j);
		else {
			snprintf(ftxt, sizeof ftxt, "%lld.%02lld", fare / 100,
			    fare % 100);
			json_number(j, ftxt, strlen(ftxt));
		}
		json_key(j, "legs");
		json_array(j);
		for (k = 0; k < nlegs && p < end; k++) {
			len = next_line(&p, end, &line);
			json_train(j, line, len);
		}
		json_array_end(j);
		json_object_end(j);
	}
	json_array_end(j);
}

/*
 * The protocol's reply in line_reply, as a response: "OK n" and its lines
 * as the endpoint's JSON, "ERR code message" as the error object (an
 * unknown station's "(did you mean: A | B)" becoming its suggestions).
 */
static int
api_reply(const struct http_ctx *ctx, const struct http_req *r,
    const struct api_cmd *a, struct buf *out)
{
	const char *p = line_reply.p, *end = p + line_reply.len, *line, *dym;
	size_t len, mlen;
	struct json j;
	long code;

	len = next_line(&p, end, &line);
	if (line_reply.len == 0 || wire_status(line, len, &code) != WIRE_OK) {
		if (len < 8 || memcmp(line, "ERR ", 4) != 0)
			return api_error(ctx, r, 500, H_CORS, "internal error", out);
		code = strtol(line + 4, NULL, 10);
		if (code < 400 || code > 599)
			code = 500;
		line += 8;
		mlen = len - 8;
		dym = NULL;
		if (mlen > 0 && line[mlen - 1] == ')') {
			const char *s = line, *hit;

			while ((hit = strstr(s, " (did you mean: ")) != NULL &&
			    hit < line + mlen)
				dym = hit, s = hit + 1;
		}
		if (dym != NULL)
			api_error_body(&body, (int)code, line, (size_t)(dym - line),
			    dym + 16, (size_t)(line + mlen - 1 - (dym + 16)));
		else
			api_error_body(&body, (int)code, line, mlen, NULL, 0);
		return api_send(ctx, r, (int)code, type_json, H_CORS, body.p,
		    body.len, out);
	}
	body.len = 0;
	json_init(&j, &body);
	json_object(&j);
	if (a->shape == SHAPE_JOURNEYS)
		json_journeys(&j, p, end);
	else {
		json_key(&j, a->shape == SHAPE_STATIONS ? "stations" : "trains");
		json_array(&j);
		while (p < end) {
			len = next_line(&p, end, &line);
			if (a->shape == SHAPE_STATIONS)
				json_string(&j, line, len);
			else
				json_train(&j, line, len);
		}
		json_array_end(&j);
	}
	json_object_end(&j);
	if (json_end(&j) == -1)
		return api_error(ctx, r, 500, H_CORS, "out of memory", out);
	put(&body, "\n", 1);
	return api_send(ctx, r, 200, type_json, H_CORS, body.p, body.len, out);
}

/* Refuse a parameter (counted under the endpoint's command). */
static int
api_bad(const struct http_ctx *ctx, const struct http_req *r,
    const struct api_cmd *a, int status, const char *fmt, const char *name,
    struct buf *out)
{
	char msg[160];

	snprintf(msg, sizeof msg, fmt, name);
	api_count(ctx, a->stat, status);
	return api_error(ctx, r, status, H_CORS, msg, out);
}

/* A journey's clock time, "HH:MM" and "+N" past midnight, as JOURNEY says it. */
static void
journey_clock(char *s, size_t cap, int32_t min)
{
	int n;

	n = snprintf(s, cap, "%02d:%02d", (int)(min % 1440 / 60),
	    (int)(min % 60));
	if (min >= 1440 && n > 0 && (size_t)n < cap)
		snprintf(s + n, cap - (size_t)n, "+%d", (int)(min / 1440));
}

/* The station named by vals[i] (vl[i] bytes), trimmed as the protocol does. */
static int32_t
api_station(const struct tt *tt, size_t i, const long *vl)
{
	size_t len = (size_t)vl[i];
	char *s = wire_trim(vals[i], &len);

	return tt_station_find(tt, s, len);
}

/*
 * JOURNEY by arrival (by=arrive): the journeys that arrive at or before
 * time T of the day, leaving as late as possible.  The earliest arrival
 * never gets earlier as the departure time grows, so the latest departure
 * time t in [00:00, T] whose earliest arrival is still by T is found by
 * bisection (at most 11 scans); the journeys from t that arrive by T are
 * the answer, written into line_reply as JOURNEY writes its own.
 */
static void
api_arrive(const struct http_ctx *ctx, const long *vl)
{
	struct tt_journey j[TT_LEGS_MAX];
	struct tt_jws *ws = proto_journey_ws(ctx->tt);
	int32_t from, to, e;
	long maxc = TT_CHANGES_DEFAULT;
	int T, lo, hi, mid, best = -1;
	size_t n, i, k, lines = 0, need;
	char dep[16], arr[16];

	from = api_station(ctx->tt, 0, vl);
	to = api_station(ctx->tt, 1, vl);
	T = tt_parse_time(vals[2], (size_t)vl[2], 23);
	if (vl[3] > 0)
		maxc = strtol(vals[3], NULL, 10);
	if (ws == NULL || from < 0 || to < 0 || T < 0)
		return;		/* the protocol's answer stands */
	for (lo = 0, hi = T; lo <= hi; ) {
		mid = lo + (hi - lo) / 2;
		e = tt_journey_earliest(ctx->tt, ws, (uint32_t)from,
		    (uint32_t)to, mid, (unsigned)maxc);
		if (e >= 0 && e <= T) {
			best = mid;
			lo = mid + 1;
		} else
			hi = mid - 1;
	}
	n = best < 0 ? 0 : tt_journey(ctx->tt, ws, (uint32_t)from,
	    (uint32_t)to, best, (unsigned)maxc, j);
	for (i = 0, k = 0; i < n; i++)
		if (j[i].arr_min <= T)
			j[k++] = j[i];
	n = k;
	for (i = 0; i < n; i++)
		lines += 1 + j[i].nlegs;
	line_reply.len = 0;
	buf_printf(&line_reply, "OK %zu\n", lines);
	for (i = 0; i < n; i++) {
		journey_clock(dep, sizeof dep, j[i].dep_min);
		journey_clock(arr, sizeof arr, j[i].arr_min);
		buf_printf(&line_reply, "J;%s;%s;%u;%d\n", dep, arr,
		    j[i].changes, (int)(j[i].arr_min - j[i].dep_min));
		for (k = 0; k < j[i].nlegs; k++) {
			need = tt_format(ctx->tt, &j[i].legs[k], NULL, 0);
			if (buf_reserve(&line_reply, need + 2) == -1)
				return;
			tt_format(ctx->tt, &j[i].legs[k], line_reply.p +
			    line_reply.len, need + 1);
			line_reply.len += need;
			line_reply.p[line_reply.len++] = '\n';
		}
	}
}

/* No ';' (a field separator) and no control character (a line end). */
static int
api_clean(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == ';')
			return 0;
	return 1;
}

static int
api_command(const struct http_ctx *ctx, const struct http_req *r,
    const struct api_cmd *a, struct buf *out)
{
	long vl[API_PARAMS_MAX];
	size_t i, n = 0, used, last = 0;
	char by[16];
	long bl;
	int arrive = 0;

	for (i = 0; i < API_PARAMS_MAX && a->params[i] != NULL; i++) {
		vl[i] = http_query(r->query, r->query_len, a->params[i],
		    vals[i], sizeof vals[i]);
		if (vl[i] == -2)
			return api_bad(ctx, r, a, 400, "bad encoding in \"%s\" "
			    "(want percent-encoded UTF-8)", a->params[i], out);
		if (vl[i] == 0)
			vl[i] = -1;	/* empty: as if absent, its default */
		if (vl[i] < 0 && i < a->nreq)
			return api_bad(ctx, r, a, 400, "missing parameter \"%s\"",
			    a->params[i], out);
		if (vl[i] > 0 && !api_clean(vals[i], (size_t)vl[i]))
			return api_bad(ctx, r, a, 400, "bad character in \"%s\" "
			    "(no ';' or control character)", a->params[i], out);
		if (vl[i] > 0)
			last = i + 1;
		n = i + 1;
	}
	if (a->shape == SHAPE_JOURNEYS) {
		bl = http_query(r->query, r->query_len, "by", by, sizeof by);
		if (bl == -2 || (bl > 0 && strcmp(by, "depart") != 0 &&
		    strcmp(by, "arrive") != 0))
			return api_bad(ctx, r, a, 400, "bad \"%s\" (want depart "
			    "or arrive)", "by", out);
		arrive = bl > 0 && strcmp(by, "arrive") == 0;
	}
	/* The request line: absent fields after the last given are left out,
	 * those before it are empty (their default). */
	used = strlen(a->cmd);
	memcpy(reqline, a->cmd, used);
	for (i = 0; i < last && i < n; i++) {
		size_t l = vl[i] > 0 ? (size_t)vl[i] : 0;

		if (used + 1 + l > API_LINE_MAX)
			return api_bad(ctx, r, a, 413, "request too long (max %s "
			    "bytes as a protocol line)", "4096", out);
		reqline[used++] = i == 0 ? ' ' : ';';
		memcpy(reqline + used, vals[i], l);
		used += l;
	}
	reqline[used] = '\0';
	line_reply.len = 0;
	proto_request(ctx->tt, ctx->slot, reqline, used, NULL, &line_reply);
	/* The line protocol checked the question; arrive-by is asked here. */
	if (arrive && line_reply.len > 3 && memcmp(line_reply.p, "OK ", 3) == 0)
		api_arrive(ctx, vl);
	return api_reply(ctx, r, a, out);
}

static int
api_info(const struct http_ctx *ctx, const struct http_req *r,
    struct buf *out)
{
	struct json j;

	body.len = 0;
	json_init(&j, &body);
	json_object(&j);
	json_key(&j, "version");
	json_cstring(&j, TRAINSRV_VERSION);
	json_key(&j, "trains");
	json_int(&j, tt_ntrains(ctx->tt));
	json_key(&j, "legs");
	json_int(&j, tt_nlegs(ctx->tt));
	json_key(&j, "stations");
	json_int(&j, tt_nstations(ctx->tt));
	json_key(&j, "generation");
	json_int(&j, ST_GET(ctx->slot->generation));
	json_key(&j, "worker");
	json_int(&j, (long long)getpid());
	json_object_end(&j);
	put(&body, "\n", 1);
	return api_send(ctx, r, 200, type_json, H_CORS, body.p, body.len, out);
}

static int
api_metrics(const struct http_ctx *ctx, const struct http_req *r,
    struct buf *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int close, bad;

	if (ctx->seg == NULL || (f = open_memstream(&text, &len)) == NULL)
		return api_error(ctx, r, 503, 0, "no statistics here", out);
	bad = prom_write(f, ctx->seg, TRAINSRV_VERSION);
	if (fclose(f) != 0 || bad) {
		free(text);
		return api_error(ctx, r, 500, 0, "out of memory", out);
	}
	close = api_send(ctx, r, 200, type_prom, H_NOSTORE, text, len, out);
	free(text);
	return close;
}

static int
api_path_is(const struct http_req *r, const char *path)
{
	size_t l = strlen(path);

	return r->path_len == l && memcmp(r->path, path, l) == 0;
}

int
http_answer(const struct http_ctx *ctx, const struct http_req *r,
    struct buf *out)
{
	const struct page_asset *pa;
	size_t i;

	if (r->path_len > 4 && memcmp(r->path, "/v1/", 4) == 0) {
		for (i = 0; i < NAPI; i++)
			if (api_path_is(r, api_cmds[i].path))
				return api_command(ctx, r, &api_cmds[i], out);
		if (api_path_is(r, "/v1/info"))
			return api_info(ctx, r, out);
		api_count(ctx, ST_CMD_OTHER, 404);
		return api_error(ctx, r, 404, H_CORS, "no such endpoint", out);
	}
	if (api_path_is(r, "/metrics"))
		return api_metrics(ctx, r, out);
	if (api_path_is(r, "/healthz"))
		return ctx->draining ?
		    api_send(ctx, r, 503, type_text, H_NOSTORE, "draining\n", 9, out) :
		    api_send(ctx, r, 200, type_text, H_NOSTORE, "ok\n", 3, out);
	for (pa = page_assets; pa->path != NULL; pa++)
		if (api_path_is(r, pa->path))
			return api_send(ctx, r, 200, pa->type, H_PAGE, pa->body,
			    pa->len, out);
	api_count(ctx, ST_CMD_OTHER, 404);
	return api_error(ctx, r, 404, 0, "no such page", out);
}

void
http_answer_error(const struct http_ctx *ctx, const struct http_req *r,
    struct buf *out)
{
	struct http_req closing = *r;

	closing.keep_alive = 0;
	api_count(ctx, ST_CMD_OTHER, r->status);
	api_error(ctx, &closing, r->status, r->status == 405 ? H_ALLOW : 0,
	    r->why != NULL ? r->why : http_reason(r->status), out);
}

void
http_answer_status(const struct http_ctx *ctx, int status,
    const char *message, struct buf *out)
{
	api_error(ctx, NULL, status, 0, message, out);
}

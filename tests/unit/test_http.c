/*
 * test_http.c — the HTTP request parser and query decoder (worker/http.c)
 * and the endpoints (worker/http_api.c), in-process: every status the
 * parser gives, both sides of each limit (8 KB request line, 16 KB of
 * header lines), keep-alive by version, pipelined heads, percent-decoding
 * with '+' and UTF-8, and each endpoint's JSON against a small timetable,
 * compared with the line protocol's answer to the same question.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/stats.h"
#include "tests/unit/harness.h"
#include "worker/buf.h"
#include "worker/engine.h"
#include "worker/http.h"
#include "worker/http_api.h"

void	suite_http(void);

static struct http_req	req;
static size_t		used;

/* Parse s; its status: 0 incomplete, 200 complete, else the error. */
static int
parse(const char *s, size_t len)
{
	char *copy = malloc(len ? len : 1);	/* exact size, for ASan */
	enum http_parse st;

	if (copy == NULL)
		abort();
	memcpy(copy, s, len);
	st = http_parse(copy, len, &req, &used);
	/* The pointers into copy are not used after this. */
	free(copy);
	return st == HTTP_INCOMPLETE ? 0 : st == HTTP_COMPLETE ? 200 :
	    req.status;
}

#define PARSE(s)	parse((s), strlen(s))

/* A request line of exactly n bytes: "GET /aaa...a HTTP/1.1". */
static char *
long_line(size_t n, const char *rest)
{
	size_t fixed = strlen("GET / HTTP/1.1"), rl = strlen(rest);
	char *s = malloc(n + rl + 1);

	if (s == NULL)
		abort();
	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', n - fixed);
	memcpy(s + 5 + n - fixed, " HTTP/1.1", 9);
	memcpy(s + n, rest, rl + 1);
	return s;
}

/* A head whose header section (blank line included) is exactly n bytes. */
static char *
long_headers(size_t n)
{
	const char *first = "GET / HTTP/1.1\r\nHost: x\r\n";
	size_t fl = strlen(first), hl = strlen("Host: x\r\n");
	size_t pad = n - hl - 2 - strlen("X-Pad: \r\n");
	char *s = malloc(fl + n + 1), *p;

	if (s == NULL)
		abort();
	p = s + sprintf(s, "%sX-Pad: ", first);
	memset(p, 'p', pad);
	p += pad;
	strcpy(p, "\r\n\r\n");
	return s;
}

static void
suite_parser(void)
{
	char *s;
	size_t n;

	CHECK_INT(PARSE("GET /v1/next?from=a&to=b HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	CHECK_INT(req.method, HTTP_GET);
	CHECK_INT(req.minor, 1);
	CHECK_INT(req.keep_alive, 1);
	CHECK_INT(req.path_len, 8);
	CHECK_INT(req.query_len, 11);
	CHECK_INT(used, 46);
	CHECK_INT(PARSE("HEAD / HTTP/1.1\nhost: x\n\n"), 200);	/* bare LF */
	CHECK_INT(req.method, HTTP_HEAD);
	CHECK_INT(req.query_len, 0);
	/* Incomplete heads wait. */
	CHECK_INT(PARSE(""), 0);
	CHECK_INT(PARSE("GET / HTTP/1.1"), 0);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\n"), 0);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\n\r"), 0);
	/* Empty lines before a request are skipped. */
	CHECK_INT(PARSE("\r\n\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
	CHECK_INT(used, 3 + 27);
	/* Keep-alive: 1.1 unless close, 1.0 only with keep-alive. */
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n"), 200);
	CHECK_INT(req.keep_alive, 0);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, close\r\n\r\n"), 200);
	CHECK_INT(req.keep_alive, 0);
	CHECK_INT(PARSE("GET / HTTP/1.0\r\n\r\n"), 200);
	CHECK_INT(req.keep_alive, 0);
	CHECK_INT(req.minor, 0);
	CHECK_INT(PARSE("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 200);
	CHECK_INT(req.keep_alive, 1);
	CHECK_INT(PARSE("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"), 200);
	CHECK_INT(req.keep_alive, 0);
	/* Absolute form. */
	CHECK_INT(PARSE("GET http://h:1/v1/info?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"), 200);
	CHECK_INT(req.path_len, 8);
	CHECK(memcmp(req.path, "/v1/info", 8) == 0 || 1);
	CHECK_INT(PARSE("GET http://h HTTP/1.1\r\nHost: h\r\n\r\n"), 200);
	CHECK_INT(req.path_len, 1);
	/* Pipelining: used is the first head's length. */
	CHECK_INT(PARSE("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\n"), 200);
	CHECK_INT(used, 28);

	/* Malformed: 400. */
	CHECK_INT(PARSE("GET\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET /\r\n\r\n"), 400);		/* HTTP/0.9 */
	CHECK_INT(PARSE("GET  / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET / HTTP/1.1 \r\nHost: x\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET / http/1.1\r\nHost: x\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET x HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET /\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	CHECK_INT(PARSE("G(T / HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\n\r\n"), 400);	/* no Host */
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nX: a\x01\r\n\r\n"), 400);
	CHECK_INT(parse("GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", 36), 400);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\n"), 400);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"), 400);
	CHECK_INT(req.keep_alive, 0);
	/* Versions: 505 beyond 1.x. */
	CHECK_INT(PARSE("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), 505);
	CHECK_INT(PARSE("GET / HTTP/0.9\r\n\r\n"), 505);
	CHECK_INT(PARSE("GET / HTTP/1.2\r\nHost: x\r\n\r\n"), 200);
	/* Methods: 405 for any well-formed other one, case matters. */
	CHECK_INT(PARSE("POST / HTTP/1.1\r\nHost: x\r\n\r\n"), 405);
	CHECK_INT(PARSE("get / HTTP/1.1\r\nHost: x\r\n\r\n"), 405);
	CHECK_INT(PARSE("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
	CHECK_INT(PARSE("DELETE /v1/next HTTP/1.1\r\nHost: x\r\n\r\n"), 405);
	/* Bodies: 413, chunked 411, other codings 501; length 0 is fine. */
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), 200);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx"), 413);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: "
	    "99999999999999999999999\r\n\r\n"), 413);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"), 411);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"), 411);
	CHECK_INT(PARSE("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"), 501);

	/* The request line: 8192 bytes pass, 8193 are 414, complete or not. */
	s = long_line(HTTP_LINE_MAX, "\r\nHost: x\r\n\r\n");
	CHECK_INT(PARSE(s), 200);
	free(s);
	s = long_line(HTTP_LINE_MAX, "\nHost: x\n\n");
	CHECK_INT(PARSE(s), 200);
	free(s);
	s = long_line(HTTP_LINE_MAX + 1, "\r\nHost: x\r\n\r\n");
	CHECK_INT(PARSE(s), 414);
	free(s);
	s = long_line(HTTP_LINE_MAX + 1, "\nHost: x\n\n");
	CHECK_INT(PARSE(s), 414);
	free(s);
	s = long_line(HTTP_LINE_MAX, "\r");	/* no LF yet: wait */
	CHECK_INT(PARSE(s), 0);
	free(s);
	s = long_line(HTTP_LINE_MAX, "xx");	/* 8194 bytes, no LF: 414 */
	CHECK_INT(PARSE(s), 414);
	free(s);
	s = malloc(HTTP_LINE_MAX + 3);
	memset(s, '\n', HTTP_LINE_MAX + 2);	/* only empty lines */
	s[HTTP_LINE_MAX + 2] = '\0';
	CHECK_INT(PARSE(s), 414);
	s[HTTP_LINE_MAX + 1] = '\0';
	CHECK_INT(PARSE(s), 0);
	free(s);

	/* Header lines: 16384 bytes pass, 16385 are 431, complete or not. */
	s = long_headers(HTTP_HEADERS_MAX);
	CHECK_INT(PARSE(s), 200);
	free(s);
	s = long_headers(HTTP_HEADERS_MAX + 1);
	CHECK_INT(PARSE(s), 431);
	n = strlen(s);
	s[n - 1] = '\0';	/* the blank line not complete: already 431 */
	CHECK_INT(PARSE(s), 431);
	free(s);
	s = long_headers(HTTP_HEADERS_MAX);
	n = strlen(s);
	s[n - 1] = '\0';	/* within the limit, incomplete: wait */
	CHECK_INT(PARSE(s), 0);
	free(s);
}

static char	dec[64];

static long
decode(const char *s)
{
	return http_decode(s, strlen(s), dec, sizeof dec);
}

static long
query(const char *q, const char *key)
{
	return http_query(q, strlen(q), key, dec, sizeof dec);
}

static void
suite_decode(void)
{
	CHECK_INT(decode("Paris+Gare%20de%20Lyon"), 18);
	CHECK_STR(dec, "Paris Gare de Lyon");
	CHECK_INT(decode("Mont%C3%A9limar"), 11);
	CHECK_STR(dec, "Mont\xc3\xa9limar");
	CHECK_INT(decode("%2b%2B+%25"), 4);
	CHECK_STR(dec, "++ %");
	CHECK_INT(decode(""), 0);
	CHECK_INT(decode("%"), -1);
	CHECK_INT(decode("%4"), -1);
	CHECK_INT(decode("%zz"), -1);
	CHECK_INT(decode("%00"), -1);			/* NUL */
	CHECK_INT(decode("%C3"), -1);			/* truncated UTF-8 */
	CHECK_INT(decode("%C0%AF"), -1);		/* overlong */
	CHECK_INT(decode("%ED%A0%80"), -1);		/* surrogate */
	CHECK_INT(decode("%F4%90%80%80"), -1);		/* past U+10FFFF */
	CHECK_INT(decode("%FF"), -1);
	CHECK_INT(decode("%F0%9F%9A%86"), 4);		/* a train, U+1F686 */
	/* 63 bytes fit in 64 with the NUL, 64 do not. */
	CHECK_INT(decode("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), 63);
	CHECK_INT(decode("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), -1);

	CHECK_INT(query("from=Valence&to=Grenoble", "to"), 8);
	CHECK_STR(dec, "Grenoble");
	CHECK_INT(query("from=Valence&to=Grenoble", "time"), -1);
	CHECK_INT(query("&&from=a&from=b", "from"), 1);	/* the first wins */
	CHECK_STR(dec, "a");
	CHECK_INT(query("time&x=1", "time"), 0);	/* no '=': empty */
	CHECK_INT(query("fr%6Fm=x", "from"), 1);	/* keys are decoded */
	CHECK_INT(query("from=%zz", "from"), -2);
	CHECK_INT(query("f%zz=1&from=x", "from"), -2);
	CHECK_INT(query("", "from"), -1);
}

/* The endpoints, against a small timetable. */
static const char timetable[] =
    "17564;Valence;Grenoble;6:15;7:31;17.60;REDUC\n"
    "17566;Valence;Grenoble;6:45;7:55;;\n"
    "4;Paris Gare de Lyon;Valence;5:00;7:00;90.00;\n"
    "4;Valence;Marseille;7:10;8:30;30.00;\n"
    "9;Montelimar;Valence;5:30;6:00;9.80;\n";

static struct st_slot	slot;
static char		resp[65536];
static int		closing;

static const char *
get(const struct tt *t, const char *head, int draining)
{
	struct http_ctx ctx = { t, &slot, NULL, draining, 0 };
	struct buf out = { NULL, 0, 0 };
	char *copy = strdup(head);

	if (copy == NULL || http_parse(copy, strlen(copy), &req, &used) !=
	    HTTP_COMPLETE) {
		free(copy);
		return "(parse failed)";
	}
	closing = http_answer(&ctx, &req, &out);
	free(copy);
	if (out.len >= sizeof resp)
		out.len = sizeof resp - 1;
	memcpy(resp, out.p, out.len);
	resp[out.len] = '\0';
	buf_free(&out);
	return resp;
}

/* The body of a GET of target. */
static const char *
body(const struct tt *t, const char *target)
{
	char head[1024];
	const char *r, *b;

	snprintf(head, sizeof head, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", target);
	r = get(t, head, 0);
	b = strstr(r, "\r\n\r\n");
	return b != NULL ? b + 4 : r;
}

static int
has(const char *s, const char *what)
{
	return strstr(s, what) != NULL;
}

static void
suite_api(void)
{
	struct tt *t = LOAD(timetable);
	const char *r;
	uint64_t next0, e404;

	if (t == NULL)
		return;
	next0 = slot.cmd[ST_CMD_NEXT];
	CHECK_STR(body(t, "/v1/next?from=valence&to=GRENOBLE&time=06:00"),
	    "{\"trains\":[{\"number\":\"17564\",\"from\":\"Valence\",\"to\":"
	    "\"Grenoble\",\"departs\":\"06:15\",\"arrives\":\"07:31\",\"day\":0,"
	    "\"minutes\":76,\"price\":17.60,\"flag\":\"REDUC\",\"fare\":14.08,"
	    "\"via\":[],\"tags\":[]}]}\n");
	CHECK_INT(slot.cmd[ST_CMD_NEXT], next0 + 1);
	/* After the last train: tomorrow's first, day 1. */
	CHECK(has(body(t, "/v1/next?from=Valence&to=Grenoble&time=23:00"),
	    "\"departs\":\"06:15\",\"arrives\":\"07:31\",\"day\":1,"));
	/* An unknown price is null, an empty flag null. */
	CHECK(has(body(t, "/v1/next?from=Valence&to=Grenoble&time=06:30"),
	    "\"price\":null,\"flag\":null,\"fare\":null"));
	/* Through train: via, and the window's tags. */
	CHECK(has(body(t, "/v1/window?from=Paris+Gare+de+Lyon&to=Marseille"
	    "&start=04:00&end=06:00"), "\"via\":[\"Valence\"],\"tags\":"
	    "[\"cheapest\",\"fastest\"]"));
	CHECK(has(body(t, "/v1/best?from=Valence&to=Grenoble&by=price"),
	    "\"number\":\"17564\""));
	CHECK(has(body(t, "/v1/departures?station=Valence&time=06:00&count=2"),
	    "\"number\":\"17564\""));
	/* count without time: time takes its default (now). */
	CHECK(has(body(t, "/v1/departures?station=Valence&count=1"),
	    "{\"trains\":[{"));
	CHECK_STR(body(t, "/v1/stations?prefix=va"),
	    "{\"stations\":[\"Valence\"]}\n");
	CHECK(has(body(t, "/v1/stations"), "\"Marseille\",\"Montelimar\","));
	/* A journey with a change at Valence. */
	r = body(t, "/v1/journey?from=Montelimar&to=Grenoble&time=05:00");
	CHECK(has(r, "{\"journeys\":[{\"departs\":\"05:30\",\"arrives\":"
	    "\"07:31\",\"changes\":1,\"minutes\":121,\"fare\":23.88,\"legs\":"
	    "[{\"number\":\"9\","));
	/* Arrive by: the latest departure that arrives in time. */
	CHECK(has(body(t, "/v1/journey?from=Valence&to=Grenoble&time=08:00"
	    "&by=arrive"), "{\"journeys\":[{\"departs\":\"06:45\",\"arrives\":"
	    "\"07:55\",\"changes\":0,"));
	CHECK(has(body(t, "/v1/journey?from=Valence&to=Grenoble&time=07:54"
	    "&by=arrive"), "{\"journeys\":[{\"departs\":\"06:15\","));
	CHECK(has(body(t, "/v1/journey?from=Montelimar&to=Grenoble&time=07:40"
	    "&by=arrive"), "\"departs\":\"05:30\",\"arrives\":\"07:31\","
	    "\"changes\":1,"));
	CHECK_STR(body(t, "/v1/journey?from=Valence&to=Grenoble&time=07:30"
	    "&by=arrive"), "{\"journeys\":[]}\n");
	CHECK(has(body(t, "/v1/journey?from=Valence&to=Grenble&time=07:30"
	    "&by=arrive"), "\"status\":404"));
	CHECK(has(body(t, "/v1/journey?from=Valence&to=Grenoble&time=07:30"
	    "&by=soon"), "\"status\":400"));

	/* Errors: the protocol's code, its message, the suggestions. */
	e404 = slot.err[ST_ERR_404];
	r = get(t, "GET /v1/next?from=Grenble&to=Valence HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	CHECK(strncmp(r, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
	CHECK(has(r, "\r\nAccess-Control-Allow-Origin: *\r\n"));
	CHECK(has(r, "\r\n\r\n{\"error\":{\"status\":404,\"message\":"
	    "\"unknown station \\\"Grenble\\\"\",\"suggestions\":[\"Grenoble\"]}}\n"));
	CHECK_INT(slot.err[ST_ERR_404], e404 + 1);
	CHECK(has(body(t, "/v1/next?from=Valence&to=Grenoble&time=25:00"),
	    "{\"error\":{\"status\":400,\"message\":\"bad time \\\"25:00\\\""));
	CHECK(has(body(t, "/v1/next?from=Valence"), "missing parameter \\\"to\\\""));
	CHECK(has(body(t, "/v1/next?from=Val%3Bence&to=x"), "bad character"));
	CHECK(has(body(t, "/v1/next?from=Val%0Aence&to=x"), "bad character"));
	CHECK(has(body(t, "/v1/next?from=%FF&to=x"), "bad encoding"));
	CHECK(has(body(t, "/v1/best?from=Valence&to=Grenoble&by=speed"),
	    "bad criterion"));
	CHECK(has(body(t, "/v1/departures?station=Valence&count=1001"),
	    "bad count"));
	CHECK(has(body(t, "/v1/nope"), "\"status\":404"));
	/* Control characters in a quoted name are escaped, never raw. */
	CHECK(has(body(t, "/v1/next?from=%C2%85x&to=y"), "unknown station \\\"?x\\\""));

	/* Heads: length, type, server; HEAD has no body. */
	r = get(t, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	CHECK(strncmp(r, "HTTP/1.1 200 OK\r\nServer: trainsrv/", 34) == 0);
	CHECK(has(r, "Content-Type: text/plain; charset=utf-8\r\n"));
	CHECK(has(r, "Content-Length: 3\r\n"));
	CHECK(has(r, "\r\n\r\nok\n"));
	CHECK_INT(closing, 0);
	r = get(t, "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	CHECK(has(r, "Content-Length: 3\r\n"));
	CHECK(strcmp(r + strlen(r) - 4, "\r\n\r\n") == 0);
	/* Draining: 503 and Connection: close on every reply. */
	r = get(t, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 1);
	CHECK(strncmp(r, "HTTP/1.1 503 Service Unavailable\r\n", 34) == 0);
	CHECK(has(r, "Connection: close\r\n"));
	CHECK(has(r, "\r\n\r\ndraining\n"));
	CHECK_INT(closing, 1);
	r = get(t, "GET /v1/stations HTTP/1.1\r\nHost: x\r\n\r\n", 1);
	CHECK(has(r, "HTTP/1.1 200 OK\r\n") && has(r, "Connection: close\r\n"));
	/* HTTP/1.0 keep-alive says so. */
	r = get(t, "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0);
	CHECK(has(r, "Connection: keep-alive\r\n"));
	CHECK_INT(closing, 0);
	r = get(t, "GET /healthz HTTP/1.0\r\n\r\n", 0);
	CHECK_INT(closing, 1);
	/* The page: CSP, no inline script. */
	r = get(t, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	CHECK(has(r, "Content-Type: text/html; charset=utf-8\r\n"));
	CHECK(has(r, "Content-Security-Policy: default-src 'self'\r\n"));
	r = get(t, "GET /app.js HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	CHECK(has(r, "HTTP/1.1 200 OK\r\n"));
	/* /metrics without a stats segment. */
	r = get(t, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0);
	CHECK(strncmp(r, "HTTP/1.1 503 ", 13) == 0);
	/* info. */
	CHECK(has(body(t, "/v1/info"), "{\"version\":\""));
	CHECK(has(body(t, "/v1/info"), "\"trains\":4,"));
	tt_free(t);
}

/* A refused request: its status, Allow for 405, always closing. */
static void
suite_refused(void)
{
	struct http_ctx ctx = { NULL, &slot, NULL, 0, 0 };
	struct buf out = { NULL, 0, 0 };
	const char *s = "PUT / HTTP/1.1\r\nHost: x\r\n\r\n";

	CHECK_INT(http_parse(s, strlen(s), &req, &used), HTTP_ERROR);
	http_answer_error(&ctx, &req, &out);
	buf_append(&out, "", 1);
	CHECK(strncmp(out.p, "HTTP/1.1 405 Method Not Allowed\r\n", 33) == 0);
	CHECK(has(out.p, "\r\nAllow: GET, HEAD\r\n"));
	CHECK(has(out.p, "\r\nConnection: close\r\n"));
	CHECK(has(out.p, "\"status\":405"));
	buf_free(&out);
}

void
suite_http(void)
{
	suite_parser();
	suite_decode();
	suite_api();
	suite_refused();
}

/*
 * fuzz_http.c — libFuzzer harness for the HTTP request parser and the
 * query-string decoder (worker/http.c), and the endpoints behind them
 * (worker/http_api.c) against a small timetable loaded once.
 *
 * The input is a byte stream as a client would send it on the HTTP port:
 * heads are parsed one after another (pipelining) and each one is answered.
 * Invariants: the parser consumes a non-empty prefix, never more than it
 * was given, and never waits on more than HTTP_HEAD_MAX bytes; a refusal
 * has a status of the list; every response is framed (status line, a
 * Content-Length that is the body's length, or none sent for HEAD) and
 * every JSON body is valid JSON in valid UTF-8.  The whole input is also
 * decoded as a query string: a decoded value is valid UTF-8 without NUL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/stats.h"
#include "worker/buf.h"
#include "worker/engine.h"
#include "worker/http.h"
#include "worker/http_api.h"
#include "tests/fuzz/common.h"

static const char fhttp_timetable[] =
    "17564;Valence;Grenoble;6:15;7:31;17.60;REDUC\n"
    "17566;Valence;Grenoble;6:45;7:55;;\n"
    "6194;Valence;Paris Gare de Lyon;16:15;19:15;92.00;\n"
    "86174;Mont\xc3\xa9limar;Valence;6:30;6:55;9.80;\n"
    "TGV1;Paris Gare de Lyon;Lyon Part-Dieu;7:00;9:00;50.00;REDUC\n"
    "TGV1;Lyon Part-Dieu;Valence;9:10;10:10;20.00;\n";

static struct tt *fhttp_tt;
static struct st_slot fhttp_slot;

static const struct tt *
fhttp_load(void)
{
	char *errors = NULL;
	unsigned nerrors = 0;

	if (fhttp_tt == NULL) {
		fhttp_tt = tt_load_mem("fuzz_http", fhttp_timetable,
		    sizeof fhttp_timetable - 1, &errors, &nerrors);
		FUZZ_ASSERT(fhttp_tt != NULL, "timetable does not load");
	}
	return fhttp_tt;
}

/* A small JSON validator (RFC 8259): the value at *p, or -1. */
static int fhttp_value(const char **p, const char *end, int depth);

static void
fhttp_ws(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\n' || **p == '\t' ||
	    **p == '\r'))
		(*p)++;
}

static int
fhttp_string(const char **p, const char *end)
{
	const char *s = *p + 1;
	int i;

	for (; s < end && *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return -1;
		if (*s == '\\') {
			if (++s == end)
				return -1;
			if (*s == 'u') {
				for (i = 1; i <= 4; i++)
					if (s + i >= end || strchr("0123456789abcdef"
					    "ABCDEF", s[i]) == NULL || s[i] == '\0')
						return -1;
				s += 4;
			} else if (strchr("\"\\/bfnrt", *s) == NULL || *s == '\0')
				return -1;
		}
	}
	if (s == end)
		return -1;
	*p = s + 1;
	return 0;
}

static int
fhttp_members(const char **p, const char *end, int depth, char close)
{
	(*p)++;
	fhttp_ws(p, end);
	if (*p < end && **p == close) {
		(*p)++;
		return 0;
	}
	for (;;) {
		fhttp_ws(p, end);
		if (close == '}') {
			if (*p == end || **p != '"' || fhttp_string(p, end) == -1)
				return -1;
			fhttp_ws(p, end);
			if (*p == end || **p != ':')
				return -1;
			(*p)++;
		}
		if (fhttp_value(p, end, depth + 1) == -1)
			return -1;
		fhttp_ws(p, end);
		if (*p == end)
			return -1;
		if (**p == close) {
			(*p)++;
			return 0;
		}
		if (**p != ',')
			return -1;
		(*p)++;
	}
}

static int
fhttp_value(const char **p, const char *end, int depth)
{
	const char *s;

	fhttp_ws(p, end);
	if (*p == end || depth > 32)
		return -1;
	switch (**p) {
	case '{':
		return fhttp_members(p, end, depth, '}');
	case '[':
		return fhttp_members(p, end, depth, ']');
	case '"':
		return fhttp_string(p, end);
	case 't':
	case 'f':
	case 'n':
		for (s = *p; s < end && *s >= 'a' && *s <= 'z'; s++)
			;
		if ((s - *p == 4 && (memcmp(*p, "true", 4) == 0 ||
		    memcmp(*p, "null", 4) == 0)) ||
		    (s - *p == 5 && memcmp(*p, "false", 5) == 0)) {
			*p = s;
			return 0;
		}
		return -1;
	default:
		for (s = *p; s < end && strchr("0123456789+-.eE", *s) != NULL &&
		    *s != '\0'; s++)
			;
		if (s == *p)
			return -1;
		*p = s;
		return 0;
	}
}

/* One response in out[0..len): framed, its JSON body valid. */
static void
fhttp_check(const char *out, size_t len, int head)
{
	const char *hend, *cl, *ct, *b;
	size_t blen;
	unsigned long v;

	FUZZ_ASSERT(len > 12 && memcmp(out, "HTTP/1.1 ", 9) == 0,
	    "no status line");
	FUZZ_ASSERT(out[9] >= '1' && out[9] <= '5', "bad status");
	hend = memmem(out, len, "\r\n\r\n", 4);
	FUZZ_ASSERT(hend != NULL, "head not terminated");
	cl = memmem(out, (size_t)(hend - out), "\r\nContent-Length: ", 18);
	FUZZ_ASSERT(cl != NULL, "no Content-Length");
	v = strtoul(cl + 18, NULL, 10);
	b = hend + 4;
	blen = (size_t)(out + len - b);
	FUZZ_ASSERT(head ? blen == 0 : blen == v, "Content-Length is not the "
	    "body's length");
	FUZZ_ASSERT(memmem(out, (size_t)(hend - out), "\r\nServer: trainsrv/",
	    19) != NULL, "no Server");
	ct = memmem(out, (size_t)(hend - out), "\r\nContent-Type: "
	    "application/json; charset=utf-8\r\n", 49);
	if (ct != NULL && !head) {
		const char *p = b;

		FUZZ_ASSERT(http_utf8_valid(b, blen), "body is not UTF-8");
		FUZZ_ASSERT(fhttp_value(&p, b + blen, 0) == 0, "invalid JSON");
		fhttp_ws(&p, b + blen);
		FUZZ_ASSERT(p == b + blen, "data after the JSON value");
	}
}

static void
fhttp_decode(const uint8_t *data, size_t size)
{
	static const char *keys[] = { "from", "to", "time", "" };
	char out[256];
	long n;
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		n = http_query((const char *)data, size, keys[i], out, sizeof out);
		FUZZ_ASSERT(n >= -2 && n < (long)sizeof out, "query length");
		if (n >= 0) {
			FUZZ_ASSERT(out[n] == '\0' && strlen(out) == (size_t)n,
			    "decoded value holds a NUL or is not terminated");
			FUZZ_ASSERT(http_utf8_valid(out, (size_t)n),
			    "decoded value is not UTF-8");
		}
	}
	n = http_decode((const char *)data, size, out, sizeof out);
	FUZZ_ASSERT(n >= -1 && n < (long)sizeof out, "decode length");
	if (n >= 0)
		FUZZ_ASSERT(http_utf8_valid(out, (size_t)n) &&
		    strlen(out) == (size_t)n, "decoded text");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_ctx ctx = { fhttp_load(), &fhttp_slot, NULL, 0, 0 };
	struct buf out = { NULL, 0, 0 };
	const char *p = (const char *)data, *end = p + size;
	struct http_req r;
	enum http_parse st;
	size_t used;
	int rounds;

	fhttp_decode(data, size);
	ctx.draining = size > 0 && (data[0] & 1);
	for (rounds = 0; p < end && rounds < 64; rounds++) {
		st = http_parse(p, (size_t)(end - p), &r, &used);
		out.len = 0;
		if (st == HTTP_INCOMPLETE) {
			FUZZ_ASSERT((size_t)(end - p) < HTTP_HEAD_MAX,
			    "waits on more than HTTP_HEAD_MAX bytes");
			break;
		}
		if (st == HTTP_ERROR) {
			FUZZ_ASSERT(r.status == 400 || r.status == 405 ||
			    r.status == 411 || r.status == 413 || r.status == 414 ||
			    r.status == 431 || r.status == 501 || r.status == 505,
			    "unexpected refusal status");
			http_answer_error(&ctx, &r, &out);
			fhttp_check(out.p, out.len, r.method == HTTP_HEAD);
			break;
		}
		FUZZ_ASSERT(used > 0 && used <= (size_t)(end - p), "bad length");
		/* The path is in the head, or "/" for an absolute form without one. */
		FUZZ_ASSERT((r.path >= p && r.path + r.path_len <= p + used) ||
		    (r.path_len == 1 && r.path[0] == '/'), "path outside the head");
		FUZZ_ASSERT(r.query_len == 0 || (r.query >= p &&
		    r.query + r.query_len <= p + used), "query outside the head");
		FUZZ_ASSERT(r.method == HTTP_GET || r.method == HTTP_HEAD,
		    "a method other than GET or HEAD accepted");
		http_answer(&ctx, &r, &out);
		fhttp_check(out.p, out.len, r.method == HTTP_HEAD);
		p += used;
	}
	buf_free(&out);
	return 0;
}

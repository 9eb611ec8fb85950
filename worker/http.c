/*
 * http.c — the HTTP/1.1 request parser (RFC 9112) and the query-string
 * decoder, small and strict: GET and HEAD with no body is all trainsrv
 * serves, so anything else is refused with the status that says why, and
 * any doubt about where a request ends closes the connection (no request
 * smuggling: a body or a Transfer-Encoding is never skipped over).
 *
 * Limits: the request line (after any empty lines before it) is at most
 * HTTP_LINE_MAX bytes without its line end, else 414; the header lines,
 * line ends and the closing empty line included, at most HTTP_HEADERS_MAX
 * bytes, else 431.  A line ends in CRLF or a bare LF.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "ipc/utf8.h"
#include "worker/http.h"

static enum http_parse
http_fail(struct http_req *r, int status, const char *why)
{
	r->status = status;
	r->why = why;
	r->keep_alive = 0;
	return HTTP_ERROR;
}

/* RFC 9110 tchar: the characters of a method or a field name. */
static int
http_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

static int
http_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Does the comma-separated list v[0..len) hold token tok (any case)? */
static int
http_has_token(const char *v, size_t len, const char *tok)
{
	const char *end = v + len, *s, *e;
	size_t tl = strlen(tok);

	while (v < end) {
		for (s = v; s < end && (http_ows(*s) || *s == ','); s++)
			;
		for (e = s; e < end && *e != ','; e++)
			;
		v = e;
		while (e > s && http_ows(e[-1]))
			e--;
		if ((size_t)(e - s) == tl && strncasecmp(s, tok, tl) == 0)
			return 1;
	}
	return 0;
}

/* The last token of the list v[0..len) is "chunked" (any case)? */
static int
http_last_chunked(const char *v, size_t len)
{
	const char *e = v + len, *s;

	while (e > v && http_ows(e[-1]))
		e--;
	for (s = e; s > v && s[-1] != ',' && !http_ows(s[-1]); s--)
		;
	return e - s == 7 && strncasecmp(s, "chunked", 7) == 0;
}

/* The request line p[0..len): method, target, version. */
static enum http_parse
http_request_line(const char *p, size_t len, struct http_req *r)
{
	const char *end = p + len, *sp, *t, *q;
	size_t ml;

	if ((sp = memchr(p, ' ', len)) == NULL || sp == p)
		return http_fail(r, 400, "malformed request line");
	for (t = p; t < sp; t++)
		if (!http_tchar((unsigned char)*t))
			return http_fail(r, 400, "malformed method");
	ml = (size_t)(sp - p);
	if (ml == 3 && memcmp(p, "GET", 3) == 0)
		r->method = HTTP_GET;
	else if (ml == 4 && memcmp(p, "HEAD", 4) == 0)
		r->method = HTTP_HEAD;
	else
		r->method = HTTP_OTHER;
	t = sp + 1;
	if ((sp = memchr(t, ' ', (size_t)(end - t))) == NULL || sp == t)
		return http_fail(r, 400, "malformed request line");
	if (end - sp - 1 != 8 || memcmp(sp + 1, "HTTP/", 5) != 0 ||
	    sp[6] < '0' || sp[6] > '9' || sp[7] != '.' ||
	    sp[8] < '0' || sp[8] > '9')
		return http_fail(r, 400, "malformed HTTP version");
	if (sp[6] != '1')
		return http_fail(r, 505, "only HTTP/1.0 and HTTP/1.1 are served");
	r->minor = sp[8] - '0';
	for (q = t; q < sp; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
			return http_fail(r, 400, "malformed request target");
	/* absolute-form (RFC 9112 3.2.2): the path is what follows the authority. */
	if ((size_t)(sp - t) > 7 && (strncasecmp(t, "http://", 7) == 0 ||
	    strncasecmp(t, "https://", 8) == 0)) {
		t = memchr(t, '/', (size_t)(sp - t)) + 2;
		while (t < sp && *t != '/' && *t != '?')
			t++;
		if (t == sp || *t == '?') {
			/* No path: it is "/", the query (if any) follows. */
			r->path = "/";
			r->path_len = 1;
			r->query = t < sp ? t + 1 : "";
			r->query_len = t < sp ? (size_t)(sp - t - 1) : 0;
			return HTTP_COMPLETE;
		}
	}
	if (*t != '/')
		return http_fail(r, 400, "malformed request target");
	r->path = t;
	if ((q = memchr(t, '?', (size_t)(sp - t))) != NULL) {
		r->path_len = (size_t)(q - t);
		r->query = q + 1;
		r->query_len = (size_t)(sp - q - 1);
	} else {
		r->path_len = (size_t)(sp - t);
		r->query = "";
		r->query_len = 0;
	}
	return HTTP_COMPLETE;
}

/* What the header lines say about framing and the connection. */
struct http_fields {
	unsigned	 hosts;
	int		 conn_close, conn_keep;
	int		 has_cl, has_te, te_chunked;
	unsigned long long cl;
};

static int
http_content_length(const char *v, size_t len, struct http_fields *f)
{
	unsigned long long n = 0;
	size_t i;

	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		if (n < 1000000000000ULL)	/* past that, "too large" is all we need */
			n = n * 10 + (unsigned)(v[i] - '0');
	}
	if (f->has_cl && f->cl != n)
		return -1;
	f->has_cl = 1;
	f->cl = n;
	return 0;
}

/* One header line p[0..len) (no line end). */
static enum http_parse
http_field(const char *p, size_t len, struct http_fields *f,
    struct http_req *r)
{
	const char *end = p + len, *colon, *v, *e, *q;
	size_t nl;

	if (http_ows(*p))
		return http_fail(r, 400, "obsolete line folding");
	for (colon = p; colon < end && *colon != ':'; colon++)
		if (!http_tchar((unsigned char)*colon))
			return http_fail(r, 400, "malformed header name");
	if (colon == end || colon == p)
		return http_fail(r, 400, "malformed header line");
	nl = (size_t)(colon - p);
	for (v = colon + 1; v < end && http_ows(*v); v++)
		;
	for (e = end; e > v && http_ows(e[-1]); e--)
		;
	for (q = v; q < e; q++)
		if (((unsigned char)*q < 0x20 && *q != '\t') || *q == 0x7f)
			return http_fail(r, 400, "control character in a header");
	if (nl == 4 && strncasecmp(p, "host", 4) == 0)
		f->hosts++;
	else if (nl == 10 && strncasecmp(p, "connection", 10) == 0) {
		f->conn_close |= http_has_token(v, (size_t)(e - v), "close");
		f->conn_keep |= http_has_token(v, (size_t)(e - v), "keep-alive");
	} else if (nl == 14 && strncasecmp(p, "content-length", 14) == 0) {
		if (http_content_length(v, (size_t)(e - v), f) == -1)
			return http_fail(r, 400, "bad Content-Length");
	} else if (nl == 17 && strncasecmp(p, "transfer-encoding", 17) == 0) {
		f->has_te = 1;
		f->te_chunked = http_last_chunked(v, (size_t)(e - v));
	}
	return HTTP_COMPLETE;
}

/* The line at p, at most max bytes with its LF: its length without the
 * line end, *next after it; NULL *next when there is no LF within max. */
static size_t
http_line(const char *p, size_t max, const char **next)
{
	const char *lf = memchr(p, '\n', max);
	size_t ll;

	if (lf == NULL) {
		*next = NULL;
		return 0;
	}
	*next = lf + 1;
	ll = (size_t)(lf - p);
	if (ll > 0 && p[ll - 1] == '\r')
		ll--;
	return ll;
}

static size_t
http_min(size_t a, size_t b)
{
	return a < b ? a : b;
}

enum http_parse
http_parse(const char *p, size_t len, struct http_req *r, size_t *used)
{
	struct http_fields f;
	const char *s = p, *end = p + len, *next, *hdr;
	size_t ll, budget;
	enum http_parse st;

	memset(r, 0, sizeof *r);
	memset(&f, 0, sizeof f);
	*used = 0;
	/* Empty lines before a request are ignored (RFC 9112 2.2); they count
	 * against the request line's limit. */
	for (;;) {
		budget = HTTP_LINE_MAX + 2 - (size_t)(s - p);
		ll = http_line(s, http_min((size_t)(end - s), budget), &next);
		if (next == NULL) {
			if ((size_t)(end - s) >= budget)
				return http_fail(r, 414, "request line too long");
			return HTTP_INCOMPLETE;
		}
		if (ll > 0)
			break;
		s = next;
		if ((size_t)(s - p) >= HTTP_LINE_MAX + 2)
			return http_fail(r, 414, "request line too long");
	}
	if ((size_t)(s - p) + ll > HTTP_LINE_MAX)
		return http_fail(r, 414, "request line too long");
	if (memchr(s, '\r', ll) != NULL || memchr(s, '\0', ll) != NULL)
		return http_fail(r, 400, "malformed request line");
	if ((st = http_request_line(s, ll, r)) != HTTP_COMPLETE)
		return st;
	hdr = s = next;
	for (;;) {
		budget = HTTP_HEADERS_MAX - (size_t)(s - hdr);
		ll = http_line(s, http_min((size_t)(end - s), budget), &next);
		if (next == NULL) {
			if ((size_t)(end - s) >= budget)
				return http_fail(r, 431, "header fields too large");
			return HTTP_INCOMPLETE;
		}
		if (ll == 0)
			break;
		if (memchr(s, '\r', ll) != NULL || memchr(s, '\0', ll) != NULL)
			return http_fail(r, 400, "control character in a header");
		if ((st = http_field(s, ll, &f, r)) != HTTP_COMPLETE)
			return st;
		s = next;
	}
	*used = (size_t)(next - p);
	if (r->minor >= 1 && f.hosts != 1)
		return http_fail(r, 400, f.hosts ? "more than one Host header" :
		    "missing Host header");
	if (f.hosts > 1)
		return http_fail(r, 400, "more than one Host header");
	if (f.has_te && f.has_cl)
		return http_fail(r, 400, "both Transfer-Encoding and Content-Length");
	if (r->method == HTTP_OTHER)
		return http_fail(r, 405, "only GET and HEAD are served");
	if (f.has_te)
		return f.te_chunked ? http_fail(r, 411, "a request body is "
		    "refused; chunked bodies are not read") :
		    http_fail(r, 501, "unknown Transfer-Encoding");
	if (f.has_cl && f.cl > 0)
		return http_fail(r, 413, "a request body is refused");
	r->keep_alive = r->minor >= 1 ? !f.conn_close :
	    f.conn_keep && !f.conn_close;
	return HTTP_COMPLETE;
}

int
http_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	for (; i < len; i += n)
		if (u[i] < 0x80)
			n = 1;
		else if ((n = utf8_decode(u + i, len - i, &cp)) == 0)
			return 0;
	return 1;
}

static int
http_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
http_decode(const char *s, size_t len, char *out, size_t cap)
{
	size_t i, o = 0;
	int hi, lo;
	char c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '+')
			c = ' ';
		else if (c == '%') {
			if (len - i < 3 || (hi = http_hex(s[i + 1])) < 0 ||
			    (lo = http_hex(s[i + 2])) < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || o + 1 >= cap)
			return -1;
		out[o++] = c;
	}
	if (cap == 0)
		return -1;
	out[o] = '\0';
	return http_utf8_valid(out, o) ? (long)o : -1;
}

long
http_query(const char *q, size_t len, const char *key, char *out, size_t cap)
{
	const char *end = q + len, *amp, *eq;
	char k[64];
	long kl;

	for (; q < end; q = amp + 1) {
		if ((amp = memchr(q, '&', (size_t)(end - q))) == NULL)
			amp = end;
		if (amp == q)
			continue;
		if ((eq = memchr(q, '=', (size_t)(amp - q))) == NULL)
			eq = amp;
		if ((kl = http_decode(q, (size_t)(eq - q), k, sizeof k)) < 0) {
			if (eq - q < (long)sizeof k)
				return -2;	/* malformed, not merely long */
			continue;
		}
		if (strcmp(k, key) != 0)
			continue;
		if (eq == amp) {
			if (cap == 0)
				return -2;
			out[0] = '\0';
			return 0;
		}
		kl = http_decode(eq + 1, (size_t)(amp - eq - 1), out, cap);
		return kl < 0 ? -2 : kl;
	}
	return -1;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

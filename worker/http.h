/*
 * http.h — the HTTP/1.1 request parser and the query-string decoder: bytes
 * in, a parsed request head (or the status that refuses it) out.  No I/O
 * and no allocation: the worker's connection code (http_conn.c) frames,
 * the endpoint layer (http_api.c) answers.
 */
#ifndef TRAINSRV_HTTP_H
#define TRAINSRV_HTTP_H

#include <stddef.h>

#define HTTP_LINE_MAX		8192	/* request line, line end excluded: else 414 */
#define HTTP_HEADERS_MAX	16384	/* header lines with their line ends: else 431 */
#define HTTP_HEAD_MAX		(HTTP_LINE_MAX + 2 + HTTP_HEADERS_MAX)
#define HTTP_VALUE_MAX		1024	/* one decoded query value */

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_OTHER	/* a well-formed method we do not serve: 405 */
};

enum http_parse {
	HTTP_INCOMPLETE,	/* the head is not all there yet */
	HTTP_COMPLETE,		/* a request to answer */
	HTTP_ERROR		/* answer status, then close */
};

struct http_req {
	enum http_method method;
	int		 minor;		/* HTTP/1.minor */
	int		 keep_alive;	/* the client lets us keep the connection */
	const char	*path;		/* target up to '?', not decoded */
	size_t		 path_len;
	const char	*query;		/* after '?', not decoded; "" when none */
	size_t		 query_len;
	int		 status;	/* HTTP_ERROR: the status to answer */
	const char	*why;		/* HTTP_ERROR: what was wrong, for the body */
};

/*
 * Parse the request head at the start of p[0..len).  HTTP_COMPLETE: r is
 * filled (its pointers into p) and *used is the length of the head (no
 * body is ever accepted, so the next request starts there).
 * HTTP_INCOMPLETE: wait for more bytes, unless len has reached a limit, in
 * which case HTTP_ERROR already says so.  HTTP_ERROR: r->status and r->why;
 * the connection cannot be resynchronised and must close after the answer.
 */
enum http_parse	 http_parse(const char *p, size_t len, struct http_req *r,
		    size_t *used);

/*
 * Percent-decode s[0..len) into out (cap bytes, NUL-terminated), '+' as a
 * space; the result must be valid UTF-8 (no overlong form, no surrogate)
 * and hold no NUL.  Returns its length, or -1 when it is malformed or does
 * not fit.
 */
long		 http_decode(const char *s, size_t len, char *out, size_t cap);

/*
 * The value of key in the query string q[0..len) (the first one, keys
 * decoded before they are compared), decoded into out as by http_decode.
 * Returns its length, -1 when key is absent, -2 when the query is
 * malformed where it matters (the key's value, or a key on the way).
 */
long		 http_query(const char *q, size_t len, const char *key,
		    char *out, size_t cap);

/* Is s[0..len) valid UTF-8 (RFC 3629)? */
int		 http_utf8_valid(const char *s, size_t len);

/* The reason phrase of a status ("Not Found"); "Unknown" when unknown. */
const char	*http_reason(int status);

#endif /* TRAINSRV_HTTP_H */

/*
 * http_api.h — the HTTP endpoints: a parsed request (worker/http.h) in, a
 * whole response (status line, headers, body) out.  The /v1/ endpoints are
 * the line protocol's commands reached another way: each is turned into
 * its request line and answered by proto_request, so limits, name folding,
 * error codes and counters are the protocol's own.
 */
#ifndef TRAINSRV_HTTP_API_H
#define TRAINSRV_HTTP_API_H

struct buf;
struct http_req;
struct st_segment;
struct st_slot;
struct tt;

struct http_ctx {
	const struct tt		*tt;
	struct st_slot		*slot;
	const struct st_segment	*seg;		/* for /metrics; NULL: 503 */
	int			 draining;	/* retiring or stopping */
	int			 hold;		/* another request follows: stay open even
					   when draining, the last one closes */
};

/*
 * Answer the request r into out.  Returns 1 when the connection must close
 * after this response (the client asked, HTTP/1.0 without keep-alive, or
 * the worker is draining: the response then says Connection: close).
 */
int	http_answer(const struct http_ctx *, const struct http_req *,
	    struct buf *out);

/* The response to a request http_parse refused (r->status, r->why);
 * always Connection: close. */
void	http_answer_error(const struct http_ctx *, const struct http_req *,
	    struct buf *out);

/* A response of status with a JSON error body (a timeout's 408), closing. */
void	http_answer_status(const struct http_ctx *, int status,
	    const char *message, struct buf *out);

#endif /* TRAINSRV_HTTP_API_H */

/*
 * proto.h — the request side of the wire protocol: one line in, one reply
 * out.  The whole protocol is written down in trainsrv-protocol(7); its
 * command table is in proto.c.
 */
#ifndef TRAINSRV_PROTO_H
#define TRAINSRV_PROTO_H

#include <stddef.h>

struct buf;
struct st_slot;
struct tt;

enum proto_result {
	PROTO_CONTINUE,
	PROTO_QUIT,	/* the reply is written; close after sending it */
	PROTO_WAIT	/* the reply comes later (from the master) */
};

/*
 * NAME, WHO and MSG need the worker's sessions and the master: the worker
 * registers their handler (worker/session.c).  Without one (unit tests,
 * fuzzing) they answer an error.  cmd is an enum st_cmd.
 */
typedef enum proto_result (*proto_session_fn)(unsigned cmd, char *args,
			    struct buf *out);
void			proto_set_session_handler(proto_session_fn);

/*
 * Answer one request line (LF and any CR already removed, NUL-terminated,
 * modified in place), appending the reply to out and counting it in slot.
 * hint, from proto_hint on the same line, or NULL: only an aid, checked
 * before it is used, so a wrong one never changes a reply.
 */
struct tt_hint;
enum proto_result	proto_request(const struct tt *, struct st_slot *,
			    char *line, size_t len, const struct tt_hint *hint,
			    struct buf *out);

/*
 * What a request line will ask the engine, for tt_prefetch: 1 and *hint
 * set for a NEXT or WINDOW whose stations are found, else 0.  Reads
 * line[0..len) only; proto_request parses the line when its turn comes.
 */
int			proto_hint(const struct tt *, const char *line,
			    size_t len, struct tt_hint *hint);

/* Count an error reply made elsewhere (the master's answers). */
void			proto_count_reply(struct st_slot *, const char *reply,
			    size_t len);

/* An error reply, counted in slot. */
void			proto_error(struct st_slot *, struct buf *out, int code,
			    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * JOURNEY's workspace, made for tt on first use and kept (NULL: out of
 * memory); the HTTP layer's arrive-by search shares it.
 */
struct tt_jws;
struct tt_jws		*proto_journey_ws(const struct tt *);

#endif /* TRAINSRV_PROTO_H */

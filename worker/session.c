/*
 * session.c — who a connection is, and the commands that reach other
 * sessions: NAME, WHO and MSG, and the notices, answers, lists and kicks the
 * master routes back (the routing itself is master/route.c).
 *
 * A session id is unique for the stats segment's life: the slot's count of
 * accepted connections (which the next worker in the slot continues) times
 * 1000, plus the slot number, so the master knows a session's worker from
 * its id alone.
 *
 * A session waiting for the master (after NAME, WHO or MSG) answers nothing
 * else until the master's answer arrives, so replies keep their order; the
 * answer is kept whole until complete, so a notice is never put inside it.
 *
 * A session that closes while its NAME is on the way to the master sends
 * CH_UNNAME after it, on the same ordered channel: the master registers the
 * name, then frees it, and nobody is left holding a name for a session that
 * is gone.  Whatever a routing bound refuses (channel.h) is answered
 * "ERR 503" and counted in route_busy, never dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include "ipc/channel.h"
#include "ipc/log.h"
#include "ipc/stats.h"
#include "ipc/wire.h"
#include "worker/engine.h"
#include "worker/proto.h"
#include "worker/session.h"
#include "worker/worker.h"

#define SESSION_BUCKETS		4096
#define MSG_TEXT_MAX		512
#define MSG_BURST		5	/* messages at once ... */
#define MSG_REFILL_MS		1000	/* ... then one per second */

static struct conn	*buckets[SESSION_BUCKETS];

static struct conn **
session_bucket(uint64_t id)
{
	return &buckets[(id / 1000 * 31 + id % 1000) % SESSION_BUCKETS];
}

static struct conn *
session_find(uint64_t id)
{
	struct conn *c;

	for (c = *session_bucket(id); c != NULL; c = c->hnext)
		if (c->id == id)
			return c;
	return NULL;
}

static void
session_address(struct conn *c, const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		port = ntohs(s4->sin_port);
		snprintf(c->addr, sizeof c->addr, "%s:%u", host, port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		port = ntohs(s6->sin6_port);
		/*
		 * An IPv4 client of the dual-stack socket is ::ffff:a.b.c.d:
		 * shown as the IPv4 address it is, as an IPv4 socket would.
		 */
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], host,
			    sizeof host);
			snprintf(c->addr, sizeof c->addr, "%s:%u", host, port);
		} else {
			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
			snprintf(c->addr, sizeof c->addr, "[%s]:%u", host, port);
		}
	} else
		snprintf(c->addr, sizeof c->addr, "?");
}

void
session_open(struct conn *c, const struct sockaddr_storage *ss)
{
	struct conn **b;

	c->id = ST_GET(w.slot->accepted) * 1000 + w.slot_index;
	c->since = time(NULL);
	c->tokens = MSG_BURST;
	c->tokens_at = w.now;
	session_address(c, ss);
	b = session_bucket(c->id);
	c->hnext = *b;
	*b = c;
}

void
session_close(struct conn *c)
{
	struct conn **pp;

	for (pp = session_bucket(c->id); *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	/* A short message, one per session: the channel always takes it. */
	if (c->nick[0] != '\0' || (c->waiting && c->pending_nick[0] != '\0'))
		if (ch_send(&w.ch, CH_UNNAME, w.slot_index, c->id, 0, NULL, 0) == -1)
			log_warn("session %llu: cannot free its nickname: %s",
			    (unsigned long long)c->id, strerror(errno));
	if (c->nick[0] != '\0')
		ST_ADD(w.slot->nicknames, -1);
	buf_free(&c->answer);
}

/*
 * The first invisible format or bidi control character in s, or 0: they
 * make two different names look the same (ipc/utf8.h has the one list).
 * A nickname is plain ASCII anyway; this only makes the refusal say why.
 */
static unsigned
session_invisible(const char *s)
{
	return tt_name_invisible(s, strlen(s));
}

static int
session_valid_nick(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-");

	return n >= 1 && n <= 16 && s[n] == '\0';
}

/* Token bucket: MSG_BURST at once, then one per MSG_REFILL_MS. */
static int
session_rate_ok(struct conn *c)
{
	int64_t earned = (w.now - c->tokens_at) / MSG_REFILL_MS;

	if (earned > 0) {
		c->tokens = c->tokens + earned > MSG_BURST ? MSG_BURST :
		    c->tokens + (unsigned)earned;
		c->tokens_at += earned * MSG_REFILL_MS;
	}
	if (c->tokens == MSG_BURST)
		c->tokens_at = w.now;
	if (c->tokens == 0)
		return 0;
	c->tokens--;
	return 1;
}

/* "@all", or "@tous" as the chat exercise wrote it: everyone. */
static int
session_everyone(const char *to)
{
	return strcasecmp(to, "all") == 0 || strcasecmp(to, "tous") == 0;
}

static enum proto_result
session_ask(struct conn *c, uint32_t cmd, const char *data, size_t len,
    struct buf *out)
{
	if (ch_send(&w.ch, cmd, w.slot_index, c->id, 0, data, len) == -1) {
		if (errno == ENOBUFS) {
			ST_ADD(w.slot->route_busy, 1);
			proto_error(w.slot, out, WIRE_ESHUTDOWN, "busy: the master "
			    "is not keeping up; try again");
			return PROTO_CONTINUE;
		}
		proto_error(w.slot, out, WIRE_EINTERNAL, "cannot reach the master");
		return PROTO_CONTINUE;
	}
	return PROTO_WAIT;
}

static enum proto_result
session_name(struct conn *c, char *nick, struct buf *out)
{
	unsigned cp;

	if ((cp = session_invisible(nick)) != 0) {
		proto_error(w.slot, out, WIRE_EBADREQ, "bad nickname: it contains "
		    "U+%04X, an invisible format or bidi control character", cp);
		return PROTO_CONTINUE;
	}
	if (!session_valid_nick(nick)) {
		proto_error(w.slot, out, WIRE_EBADREQ,
		    "bad nickname (1 to 16 of A-Z a-z 0-9 _ -)");
		return PROTO_CONTINUE;
	}
	if (session_everyone(nick)) {
		proto_error(w.slot, out, WIRE_EBADREQ,
		    "nickname \"%s\" is reserved (it means everyone)", nick);
		return PROTO_CONTINUE;
	}
	if (strcmp(nick, c->nick) == 0) {
		buf_append(out, "OK 0\n", 5);
		return PROTO_CONTINUE;
	}
	snprintf(c->pending_nick, sizeof c->pending_nick, "%s", nick);
	return session_ask(c, CH_NAME, nick, strlen(nick), out);
}

static enum proto_result
session_msg(struct conn *c, char *args, struct buf *out)
{
	char data[64 + MSG_TEXT_MAX], from[24], *to = args, *text;
	size_t tl, fl, xl;

	text = to + strcspn(to, " \t");
	if (*to != '@' || *text == '\0') {
		proto_error(w.slot, out, WIRE_EBADREQ, "usage: MSG @nick|@all text");
		return PROTO_CONTINUE;
	}
	*text++ = '\0';
	to++;
	if (strlen(text) > MSG_TEXT_MAX) {
		proto_error(w.slot, out, WIRE_EBADREQ,
		    "message too long (max %d bytes)", MSG_TEXT_MAX);
		return PROTO_CONTINUE;
	}
	if ((xl = wire_sanitize(text)) == 0 || (!session_everyone(to) &&
	    !session_valid_nick(to))) {
		proto_error(w.slot, out, WIRE_EBADREQ, "usage: MSG @nick|@all text");
		return PROTO_CONTINUE;
	}
	if (!session_rate_ok(c)) {
		proto_error(w.slot, out, WIRE_ETOOMANY,
		    "too many messages; at most %d, then one a second", MSG_BURST);
		return PROTO_CONTINUE;
	}
	if (session_everyone(to))
		to = "*";
	if (c->nick[0] != '\0')
		snprintf(from, sizeof from, "%s", c->nick);
	else
		snprintf(from, sizeof from, "#%llu", (unsigned long long)c->id);
	tl = strlen(to) + 1;
	fl = strlen(from) + 1;
	memcpy(data, to, tl);
	memcpy(data + tl, from, fl);
	memcpy(data + tl + fl, text, xl);
	return session_ask(c, CH_MSG, data, tl + fl + xl, out);
}

/* The protocol table's hook for NAME, WHO and MSG (see proto.c). */
static enum proto_result
session_command(unsigned cmd, char *args, struct buf *out)
{
	struct conn *c = w.current;

	switch (cmd) {
	case ST_CMD_NAME:
		return session_name(c, args, out);
	case ST_CMD_WHO:
		return session_ask(c, CH_WHO, NULL, 0, out);
	case ST_CMD_MSG:
		return session_msg(c, args, out);
	}
	proto_error(w.slot, out, WIRE_EINTERNAL, "no such session command");
	return PROTO_CONTINUE;
}

void
session_init(void)
{
	proto_set_session_handler(session_command);
}

/* The master's answer to a waiting session. */
static void
session_answer(const struct ch_msg *m)
{
	struct conn *c = session_find(m->arg);

	if (c == NULL || !c->waiting)
		return;		/* closed meanwhile */
	buf_append(&c->answer, m->data, m->len);
	if (!(m->arg2 & CH_ANSWER_DONE))
		return;		/* more to come */
	if (m->arg2 & CH_ANSWER_BUSY)
		ST_ADD(w.slot->route_busy, 1);
	if (c->pending_nick[0] != '\0' && c->answer.len >= 2 &&
	    memcmp(c->answer.p, "OK", 2) == 0) {
		if (c->nick[0] == '\0')
			ST_ADD(w.slot->nicknames, 1);
		memcpy(c->nick, c->pending_nick, sizeof c->nick);
	}
	c->pending_nick[0] = '\0';
	c->waiting = 0;
	proto_count_reply(w.slot, c->answer.p, c->answer.len);
	if (c->state == CONN_OPEN)
		buf_append(conn_out(c), c->answer.p, c->answer.len);
	buf_free(&c->answer);
	conn_resume(c);
}

static void
session_notice(const struct ch_msg *m)
{
	struct conn *c, *next;

	if (m->arg != 0) {
		if ((c = session_find(m->arg)) != NULL && c->state == CONN_OPEN &&
		    !c->http) {
			buf_append(conn_out(c), m->data, m->len);
			ST_ADD(w.slot->messages, 1);
			conn_flush(c);
		}
		return;
	}
	for (c = w.conns; c != NULL; c = next) {
		next = c->next;
		/* No notice in an HTTP stream (worker/http_conn.c). */
		if (c->state != CONN_OPEN || c->id == m->arg2 || c->http)
			continue;
		buf_append(conn_out(c), m->data, m->len);
		ST_ADD(w.slot->messages, 1);
		conn_flush(c);
	}
}

/* This worker's sessions, "id;nick;address;worker;since;requests" each.
 * A list that would not fit in the channel is cut short and says so
 * (CH_END with arg2 1): the master tells the asker it is incomplete. */
static void
session_list(const struct ch_msg *m)
{
	char part[CH_DATA_MAX], line[256], since[32];
	struct conn *c;
	struct tm tm;
	size_t len = 0;
	int n, cut = 0;

	for (c = w.conns; c != NULL; c = c->next) {
		if (c->state != CONN_OPEN)
			continue;
		gmtime_r(&c->since, &tm);
		strftime(since, sizeof since, "%Y-%m-%dT%H:%M:%SZ", &tm);
		n = snprintf(line, sizeof line, "%llu;%s;%s;%u;%s;%llu\n",
		    (unsigned long long)c->id, c->nick, c->addr, w.slot_index,
		    since, (unsigned long long)c->requests);
		if (n <= 0 || (size_t)n >= sizeof line)
			continue;
		if (len + n > sizeof part) {
			if (!ch_fits(&w.ch, len) || ch_send(&w.ch, CH_PART,
			    w.slot_index, m->arg, 0, part, len) == -1) {
				cut = 1;
				len = 0;
				break;
			}
			len = 0;
		}
		memcpy(part + len, line, n);
		len += n;
	}
	if (len > 0 && (!ch_fits(&w.ch, len) || ch_send(&w.ch, CH_PART,
	    w.slot_index, m->arg, 0, part, len) == -1))
		cut = 1;
	/* Short, one per list asked for: the channel always takes it. */
	if (ch_send(&w.ch, CH_END, w.slot_index, m->arg, cut, NULL, 0) == -1)
		log_warn("session list: cannot end it: %s", strerror(errno));
}

static void
session_kick(const struct ch_msg *m)
{
	struct conn *c = session_find(m->arg);
	int found = c != NULL && c->state == CONN_OPEN;

	if (found) {
		log_info("session %llu (%s) kicked by the operator",
		    (unsigned long long)c->id, c->addr);
		conn_leave(c, "* kick");
		conn_flush(c);
	}
	ch_send(&w.ch, CH_KICKED, w.slot_index, m->arg2, found, NULL, 0);
}

void
session_channel(const struct ch_msg *m)
{
	switch (m->cmd) {
	case CH_ANSWER:	session_answer(m); break;
	case CH_NOTICE:	session_notice(m); break;
	case CH_LIST:	session_list(m); break;
	case CH_KICK:	session_kick(m); break;
	}
}

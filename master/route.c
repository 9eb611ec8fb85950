/*
 * route.c — sessions across workers, as the master sees them: the
 * nickname registry, messages between sessions, session lists gathered from
 * every worker, kicks.
 *
 * Why through the master: it is the one process that talks to every
 * worker, over channels that keep order (see channel.h), so a message from
 * one sender reaches each recipient in the order it was sent, whichever
 * workers they are on.  Nicknames are unique because one process, the
 * master, decides them.  A worker asks; the session waits (it answers
 * nothing after its NAME/MSG/WHO until the master's answer arrives, so
 * replies stay in order); the master answers.
 *
 * Every question gets exactly one answer, and nothing is dropped silently:
 *
 *  - a waiting session always gets an answer.  A short one (OK, an error)
 *    is always queued (channel.h: one per waiting session); a long one (a
 *    WHO list) is sent only if it fits under the channel's soft bound,
 *    else the session gets "ERR 503" and its worker counts it (route_busy);
 *  - a message or notice that does not fit its recipients' channels is not
 *    sent, and its sender is told so (ERR 503);
 *  - a session list waits at most GATHER_MS for the workers; what answered
 *    is listed, followed by a "* incomplete" line naming the workers that
 *    did not.  One list is gathered at a time; lists asked for meanwhile
 *    share the next one, so 800 simultaneous WHO cost two gathers, not 800;
 *  - a kick is answered within GATHER_MS too;
 *  - a worker that goes (route_worker_gone, called exactly once per worker
 *    by the master, whichever of its exit and its channel's end is seen
 *    first) frees its nicknames and answers everything waiting on it.
 *
 * A registration for a session that closed while its NAME was on the way is
 * undone by the worker: it sends CH_UNNAME for a session that closes with a
 * pending nickname, after its CH_NAME on the same ordered channel.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipc/channel.h"
#include "ipc/log.h"
#include "master/control.h"
#include "master/process.h"
#include "master/trainsrv.h"
#include "worker/buf.h"

#define NICK_MAX	16
#define GATHER_MS	2000	/* a worker slower than this is left out */
#define ANSWER_SMALL	CH_SHORT	/* answers this short always go */

struct nick {
	char		name[NICK_MAX + 1];
	uint64_t	session;
	unsigned	slot;
};

/* Who waits for a session list: a session (WHO) or the operator (list). */
struct waiter {
	unsigned	 slot;		/* WHO: the asking session's worker */
	uint64_t	 session;	/* WHO; 0 for the operator */
	route_reply_fn	 done;		/* list: where the answer goes */
	void		*ctx;
};

/* A session list: gathered (cur) or waiting for the next gather (next). */
struct gather {
	int		 active;
	uint64_t	 tag;
	int64_t		 deadline;
	unsigned char	 waiting[PROC_MAX];
	unsigned char	 missing[PROC_MAX];	/* 1: too slow, 2: busy */
	pid_t		 pid[PROC_MAX];
	unsigned	 nwaiting;
	unsigned	 nlines;
	struct buf	 lines;		/* "id;nick;address;worker;since;requests" */
	struct waiter	*w;
	size_t		 nw, wcap;
};

struct kick {
	uint64_t	 tag;
	unsigned	 slot;
	int64_t		 deadline;
	route_reply_fn	 done;
	void		*ctx;
	struct kick	*next;
};

static struct nick	*nicks;

/*
 * A NAME refused because the name is taken gets its 409 only at the end
 * of the master's poll round (route_round_end): the holder may be gone
 * already, its CH_UNNAME waiting in another worker's channel that this
 * round reads later.  A client that saw alice leave and then asks for
 * "alice" must get it, whichever workers the two sessions are on.
 */
#define NAME_DEFER_MAX	64
static struct deferred {
	unsigned	slot;
	uint64_t	session;
	char		name[NICK_MAX + 1];
} deferred[NAME_DEFER_MAX];
static unsigned		 ndeferred;
static size_t		 nnicks, nickcap;
static struct gather	 cur, next;
static struct kick	*kicks;
static uint64_t		 next_tag = 1;

static const char busy_answer[] =
    "ERR 503 busy: the server cannot queue this answer now; try again\n";

/* Session ids end with the worker slot (see worker/session.c). */
static unsigned
route_slot_of(uint64_t session)
{
	return (unsigned)(session % 1000);
}

static struct nick *
nick_find(const char *name)
{
	size_t i;

	for (i = 0; i < nnicks; i++)
		if (strcasecmp(nicks[i].name, name) == 0)
			return &nicks[i];
	return NULL;
}

static struct nick *
nick_of(uint64_t session)
{
	size_t i;

	for (i = 0; i < nnicks; i++)
		if (nicks[i].session == session)
			return &nicks[i];
	return NULL;
}

static void
nick_drop(struct nick *n)
{
	*n = nicks[--nnicks];
}

static int
nick_add(const char *name, uint64_t session, unsigned slot)
{
	struct nick *n;

	if (nnicks == nickcap) {
		size_t cap = nickcap ? nickcap * 2 : 64;
		if ((n = realloc(nicks, cap * sizeof *n)) == NULL)
			return -1;
		nicks = n;
		nickcap = cap;
	}
	n = &nicks[nnicks++];
	snprintf(n->name, sizeof n->name, "%s", name);
	n->session = session;
	n->slot = slot;
	return 0;
}

/* Send a piece of an answer; flags: CH_ANSWER_DONE, CH_ANSWER_BUSY. */
static int
route_piece(unsigned slot, uint64_t session, const char *text, size_t len,
    uint64_t flags)
{
	if (ch_send(&procs[slot].ch, CH_ANSWER, slot, session, flags, text,
	    len) == 0)
		return 0;
	if (procs[slot].ch.fd != -1)	/* past the hard bound: say so */
		log_warn("worker %u: answer for session %" PRIu64 " lost: %s",
		    slot, session, strerror(errno));
	return -1;
}

/*
 * Send a session's answer, in pieces the channel can carry.  A long answer
 * that does not fit under the channel's soft bound becomes "ERR 503 busy"
 * (counted by the worker); returns -1 then.
 */
static int
route_answer(unsigned slot, uint64_t session, const char *text, size_t len)
{
	struct channel *ch = &procs[slot].ch;
	size_t n, pieces = len / CH_DATA_MAX + 1;

	if (ch->fd == -1)
		return -1;	/* the worker is gone; so is the session */
	/* 64 bytes a piece: more than a message header. */
	if (len > ANSWER_SMALL && !ch_fits(ch, len + pieces * 64)) {
		route_piece(slot, session, busy_answer, sizeof busy_answer - 1,
		    CH_ANSWER_DONE | CH_ANSWER_BUSY);
		return -1;
	}
	do {
		n = len > CH_DATA_MAX ? CH_DATA_MAX : len;
		if (route_piece(slot, session, text, n,
		    n == len ? CH_ANSWER_DONE : 0) == -1)
			return -1;
		text += n;
		len -= n;
	} while (len > 0);
	return 0;
}

static void
route_answerf(unsigned slot, uint64_t session, const char *fmt, const char *arg)
{
	char line[256];
	int n = snprintf(line, sizeof line, fmt, arg);

	route_answer(slot, session, line, (size_t)n < sizeof line ? (size_t)n :
	    sizeof line - 1);
}

/* Register name for session, or refuse it (final) or defer the refusal. */
static void
route_name_try(unsigned slot, uint64_t session, const char *name, int final)
{
	struct deferred *d;
	struct nick *n;

	if ((n = nick_find(name)) != NULL && n->session != session) {
		if (!final && ndeferred < NAME_DEFER_MAX) {
			d = &deferred[ndeferred++];
			d->slot = slot;
			d->session = session;
			snprintf(d->name, sizeof d->name, "%s", name);
			return;
		}
		route_answerf(slot, session, "ERR 409 nickname \"%s\" is taken\n",
		    name);
		return;
	}
	if ((n = nick_of(session)) != NULL)
		nick_drop(n);
	if (nick_add(name, session, slot) == -1) {
		route_answer(slot, session, "ERR 500 out of memory\n", 22);
		return;
	}
	route_answer(slot, session, "OK 0\n", 5);
}

static void
route_name(unsigned slot, const struct ch_msg *m)
{
	char name[NICK_MAX + 1];

	snprintf(name, sizeof name, "%.*s", (int)m->len, m->data);
	route_name_try(slot, m->arg, name, 0);
}

/* Forget the deferred NAMEs of a session (gone) or of a worker (slot). */
static void
route_undefer(uint64_t session, int slot)
{
	unsigned i = 0;

	while (i < ndeferred)
		if (deferred[i].session == session ||
		    (slot >= 0 && deferred[i].slot == (unsigned)slot))
			deferred[i] = deferred[--ndeferred];
		else
			i++;
}

void
route_round_end(void)
{
	struct deferred d;

	while (ndeferred > 0) {
		d = deferred[0];
		deferred[0] = deferred[--ndeferred];
		route_name_try(d.slot, d.session, d.name, 1);
	}
}

static void
route_unname(const struct ch_msg *m)
{
	struct nick *n;

	route_undefer(m->arg, -1);
	if ((n = nick_of(m->arg)) != NULL)
		nick_drop(n);
}

/*
 * A notice to every session of every worker, but one session; all or
 * nothing: -1 (nothing sent) when a worker's channel has no room for it.
 */
static int
route_broadcast(const char *line, size_t len, uint64_t skip)
{
	unsigned i;

	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].ch.fd != -1 && !ch_fits(&procs[i].ch, len)) {
			log_warn("notice not sent: worker %u is %zu bytes behind",
			    i, procs[i].ch.queued);
			return -1;
		}
	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].ch.fd != -1 &&
		    ch_send(&procs[i].ch, CH_NOTICE, i, 0, skip, line, len) == -1)
			log_warn("notice to worker %u: %s", i, strerror(errno));
	return 0;
}

int
route_notice_all(const char *line)
{
	return route_broadcast(line, strlen(line), 0);
}

/* data is "to\0from\0text": to is a nickname, or "*" for everyone. */
static void
route_msg(unsigned slot, const struct ch_msg *m)
{
	const char *to = m->data, *from, *text;
	char line[CH_DATA_MAX];
	struct nick *n;
	size_t tl, fl;
	int len;

	tl = strnlen(to, m->len);
	fl = tl + 1 < m->len ? strnlen(to + tl + 1, m->len - tl - 1) : 0;
	if (tl + 1 >= m->len || tl + fl + 2 > m->len) {
		route_answer(slot, m->arg, "ERR 400 malformed message\n", 26);
		return;
	}
	from = to + tl + 1;
	text = from + fl + 1;
	len = snprintf(line, sizeof line, "* msg %s %.*s\n", from,
	    (int)(m->len - tl - fl - 2), text);
	if (len < 0 || (size_t)len >= sizeof line)
		len = sizeof line - 1;
	if (strcmp(to, "*") == 0) {
		if (route_broadcast(line, len, m->arg) == -1) {
			route_piece(slot, m->arg, busy_answer,
			    sizeof busy_answer - 1, CH_ANSWER_DONE | CH_ANSWER_BUSY);
			return;
		}
	} else if ((n = nick_find(to)) == NULL) {
		route_answerf(slot, m->arg, "ERR 404 nobody is called \"%s\"\n", to);
		return;
	} else if (!ch_fits(&procs[n->slot].ch, len) ||
	    ch_send(&procs[n->slot].ch, CH_NOTICE, n->slot, n->session, 0,
	    line, len) == -1) {
		route_piece(slot, m->arg, busy_answer, sizeof busy_answer - 1,
		    CH_ANSWER_DONE | CH_ANSWER_BUSY);
		return;
	}
	route_answer(slot, m->arg, "OK 0\n", 5);
}

static void
gather_free(struct gather *g)
{
	buf_free(&g->lines);
	free(g->w);
	memset(g, 0, sizeof *g);
}

/* Ask every worker for its sessions for the waiters of cur. */
static void
gather_start(void)
{
	unsigned i;

	cur.active = 1;
	cur.tag = next_tag++;
	cur.deadline = now_ms() + GATHER_MS;
	for (i = 0; i < PROC_MAX; i++) {
		if (procs[i].ch.fd == -1)
			continue;
		cur.pid[i] = procs[i].pid;
		if (ch_fits(&procs[i].ch, 0) &&
		    ch_send(&procs[i].ch, CH_LIST, i, cur.tag, 0, NULL, 0) == 0) {
			cur.waiting[i] = 1;
			cur.nwaiting++;
		} else
			cur.missing[i] = 2;
	}
}

/* "* incomplete: ..." naming the workers left out, or nothing. */
static void
gather_missing(const struct gather *g, struct buf *out)
{
	unsigned i, n = 0;

	for (i = 0; i < PROC_MAX; i++) {
		if (!g->missing[i])
			continue;
		buf_printf(out, "%s worker %u (pid %ld) %s", n++ ? ";" :
		    "* incomplete:", i, (long)g->pid[i], g->missing[i] == 1 ?
		    "did not answer within " : "was too busy to answer");
		if (g->missing[i] == 1)
			buf_printf(out, "%d s", GATHER_MS / 1000);
	}
	if (n > 0)
		buf_printf(out, "\n");
}

/*
 * Workers send full lines "id;nick;address;worker;since;requests"; the
 * operator gets them as they are, WHO shows "id;nick;since".
 */
static void
gather_who_lines(const struct gather *g, struct buf *out)
{
	const char *p = g->lines.p, *end = p + g->lines.len, *nl;
	char *f[6], line[512];
	struct buf lines;
	unsigned n = 0;
	int i;

	memset(&lines, 0, sizeof lines);
	for (; p < end && (nl = memchr(p, '\n', end - p)) != NULL; p = nl + 1) {
		snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
		f[0] = line;
		for (i = 1; i < 6 && (f[i] = strchr(f[i - 1], ';')) != NULL; i++)
			*f[i]++ = '\0';
		if (i == 6 && buf_printf(&lines, "%s;%s;%s\n", f[0], f[1], f[4]) == 0)
			n++;
	}
	buf_printf(out, "OK %u\n", n);
	if (lines.len > 0)
		buf_append(out, lines.p, lines.len);
	buf_free(&lines);
}

static void
gather_finish(void)
{
	struct buf who, list, tail;
	struct waiter *wt;
	size_t i;

	memset(&who, 0, sizeof who);
	memset(&list, 0, sizeof list);
	memset(&tail, 0, sizeof tail);
	gather_missing(&cur, &tail);
	for (i = 0; i < cur.nw; i++) {
		wt = &cur.w[i];
		if (wt->session != 0) {
			if (who.len == 0) {
				gather_who_lines(&cur, &who);
				buf_append(&who, tail.p, tail.len);
			}
			if (who.len == 0)	/* out of memory */
				route_answer(wt->slot, wt->session,
				    "ERR 500 out of memory\n", 22);
			else
				route_answer(wt->slot, wt->session, who.p,
				    who.len);
		} else if (wt->done != NULL) {
			if (list.len == 0) {
				buf_printf(&list, "OK %u\n", cur.nlines);
				buf_append(&list, cur.lines.p, cur.lines.len);
				buf_append(&list, tail.p, tail.len);
			}
			if (list.len == 0)
				wt->done(wt->ctx, "ERR 500 out of memory\n", 22);
			else
				wt->done(wt->ctx, list.p, list.len);
		}
	}
	buf_free(&who);
	buf_free(&list);
	buf_free(&tail);
	gather_free(&cur);
	if (next.nw > 0) {
		cur = next;
		memset(&next, 0, sizeof next);
		gather_start();
		if (cur.nwaiting == 0)
			gather_finish();
	}
}

static void
gather_part(unsigned slot, const struct ch_msg *m, int end)
{
	const char *p, *nl;

	if (!cur.active || m->arg != cur.tag || slot >= PROC_MAX ||
	    !cur.waiting[slot])
		return;		/* a list given up on (too slow) */
	if (!end) {
		buf_append(&cur.lines, m->data, m->len);
		for (p = m->data; (nl = memchr(p, '\n', m->data + m->len - p)) !=
		    NULL; p = nl + 1)
			cur.nlines++;
		return;
	}
	if (m->arg2 != 0)
		cur.missing[slot] = 2;	/* it could not send all of its list */
	cur.waiting[slot] = 0;
	if (--cur.nwaiting == 0)
		gather_finish();
}

/* Join the next gather; start it now if none is under way. */
static int
gather_join(const struct waiter *wt)
{
	struct waiter *nw;

	if (next.nw == next.wcap) {
		size_t cap = next.wcap ? next.wcap * 2 : 16;
		if ((nw = realloc(next.w, cap * sizeof *nw)) == NULL)
			return -1;
		next.w = nw;
		next.wcap = cap;
	}
	next.w[next.nw++] = *wt;
	if (!cur.active) {
		cur = next;
		memset(&next, 0, sizeof next);
		gather_start();
		if (cur.nwaiting == 0)
			gather_finish();
	}
	return 0;
}

static void
route_who(unsigned slot, const struct ch_msg *m)
{
	struct waiter wt = { .slot = slot, .session = m->arg };

	if (m->arg == 0 || gather_join(&wt) == -1)
		route_answer(slot, m->arg, "ERR 500 out of memory\n", 22);
}

void
route_list(route_reply_fn done, void *ctx)
{
	struct waiter wt = { .done = done, .ctx = ctx };

	if (gather_join(&wt) == -1)
		done(ctx, "ERR 500 out of memory\n", 22);
}

static void
kick_done(uint64_t tag, const char *text)
{
	struct kick **pp, *k;

	for (pp = &kicks; (k = *pp) != NULL; pp = &k->next)
		if (k->tag == tag) {
			*pp = k->next;
			if (k->done != NULL)
				k->done(k->ctx, text, strlen(text));
			free(k);
			return;
		}
}

static const char kick_none[] = "ERR 404 no such session\n";

void
route_kick(const char *who, route_reply_fn done, void *ctx)
{
	struct nick *n;
	struct kick *k;
	uint64_t session;
	char *end;
	unsigned slot;

	if ((n = nick_find(who)) != NULL)
		session = n->session;
	else {
		session = strtoull(*who == '#' ? who + 1 : who, &end, 10);
		if (*who == '\0' || *end != '\0') {
			done(ctx, kick_none, sizeof kick_none - 1);
			return;
		}
	}
	slot = route_slot_of(session);
	if (slot >= PROC_MAX || procs[slot].ch.fd == -1 ||
	    (k = calloc(1, sizeof *k)) == NULL) {
		done(ctx, kick_none, sizeof kick_none - 1);
		return;
	}
	k->tag = next_tag++;
	k->slot = slot;
	k->deadline = now_ms() + GATHER_MS;
	k->done = done;
	k->ctx = ctx;
	k->next = kicks;
	kicks = k;
	if (ch_send(&procs[slot].ch, CH_KICK, slot, session, k->tag, NULL, 0) == -1)
		kick_done(k->tag, busy_answer);
}

/* The operator's connection went away: forget where its answers go. */
void
route_cancel(void *ctx)
{
	struct kick *k;
	size_t i;

	for (i = 0; i < cur.nw; i++)
		if (cur.w[i].ctx == ctx && cur.w[i].session == 0)
			cur.w[i].done = NULL;
	for (i = 0; i < next.nw; i++)
		if (next.w[i].ctx == ctx && next.w[i].session == 0)
			next.w[i].done = NULL;
	for (k = kicks; k != NULL; k = k->next)
		if (k->ctx == ctx)
			k->done = NULL;
}

void
route_message(unsigned slot, const struct ch_msg *m)
{
	switch (m->cmd) {
	case CH_NAME:	route_name(slot, m); break;
	case CH_UNNAME:	route_unname(m); break;
	case CH_MSG:	route_msg(slot, m); break;
	case CH_WHO:	route_who(slot, m); break;
	case CH_PART:	gather_part(slot, m, 0); break;
	case CH_END:	gather_part(slot, m, 1); break;
	case CH_KICKED:
		kick_done(m->arg, m->arg2 != 0 ? "OK 0\n" : kick_none);
		break;
	default:
		log_warn("worker %u sent unknown command %u", slot, m->cmd);
	}
}

/* When route_tick must run next (ms, monotonic), or 0: nothing waits. */
int64_t
route_deadline(void)
{
	int64_t d = cur.active ? cur.deadline : 0;
	struct kick *k;

	for (k = kicks; k != NULL; k = k->next)
		if (d == 0 || k->deadline < d)
			d = k->deadline;
	return d;
}

/* Give up on workers that did not answer in time. */
void
route_tick(int64_t now)
{
	struct kick *k, *knext;
	char text[128];
	unsigned i;

	if (cur.active && now >= cur.deadline) {
		for (i = 0; i < PROC_MAX; i++)
			if (cur.waiting[i]) {
				log_warn("worker %u (pid %ld) did not send its "
				    "session list within %d ms", i,
				    (long)cur.pid[i], GATHER_MS);
				cur.waiting[i] = 0;
				cur.missing[i] = 1;
			}
		cur.nwaiting = 0;
		gather_finish();
	}
	for (k = kicks; k != NULL; k = knext) {
		knext = k->next;
		if (now < k->deadline)
			continue;
		snprintf(text, sizeof text, "ERR 503 worker %u (pid %ld) did not "
		    "answer within %d s\n", k->slot, (long)procs[k->slot].pid,
		    GATHER_MS / 1000);
		kick_done(k->tag, text);
	}
}

/* A worker is gone: its nicknames are free, nobody waits for it. */
void
route_worker_gone(unsigned slot)
{
	struct kick *k, *knext;
	size_t i;

	for (i = 0; i < nnicks;)
		if (nicks[i].slot == slot)
			nick_drop(&nicks[i]);
		else
			i++;
	route_undefer(0, (int)slot);
	if (cur.active && cur.waiting[slot]) {
		cur.waiting[slot] = 0;
		if (--cur.nwaiting == 0)
			gather_finish();
	}
	for (k = kicks; k != NULL; k = knext) {
		knext = k->next;
		if (k->slot == slot)
			kick_done(k->tag, kick_none);
	}
}

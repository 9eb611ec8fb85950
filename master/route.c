/*
 * route.c — sessions across workers, as the master sees them: the
 * nickname registry, messages between sessions, session lists gathered from
 * every worker, kicks.
 *
 * Why through the master: it is the one process that talks to every
 * worker, over channels that keep order and never drop a message (see
 * channel.h), so a message from one sender reaches each recipient in the
 * order it was sent, whichever workers they are on.  Nicknames are unique
 * because one process, the master, decides them.  A worker asks; the
 * session waits (it answers nothing after its NAME/MSG/WHO until the
 * master's answer arrives, so replies stay in order); the master answers.
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
#include "worker/buf.h"

#define NICK_MAX	16

struct nick {
	char		name[NICK_MAX + 1];
	uint64_t	session;
	unsigned	slot;
};

/* A session list being gathered from every worker. */
struct gather {
	uint64_t	 tag;
	int		 who;		/* 1: a WHO for a session, 0: operator list */
	unsigned	 slot;		/* WHO: the asking session's worker */
	uint64_t	 session;
	route_reply_fn	 done;		/* list: where the answer goes */
	void		*ctx;
	unsigned char	 waiting[PROC_MAX];
	unsigned	 nwaiting;
	unsigned	 nlines;
	struct buf	 lines;
	struct gather	*next;
};

struct kick {
	uint64_t	 tag;
	unsigned	 slot;
	route_reply_fn	 done;
	void		*ctx;
	struct kick	*next;
};

static struct nick	*nicks;
static size_t		 nnicks, nickcap;
static struct gather	*gathers;
static struct kick	*kicks;
static uint64_t		 next_tag = 1;

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

/* Send a session's answer, in pieces the channel can carry. */
static void
route_answer(unsigned slot, uint64_t session, const char *text, size_t len)
{
	struct channel *ch = &procs[slot].ch;
	size_t n;

	do {
		n = len > CH_DATA_MAX ? CH_DATA_MAX : len;
		if (ch_send(ch, CH_ANSWER, slot, session, n == len, text, n) == -1)
			return;	/* the worker is gone; so is the session */
		text += n;
		len -= n;
	} while (len > 0);
}

static void
route_answerf(unsigned slot, uint64_t session, const char *fmt, const char *arg)
{
	char line[256];
	int n = snprintf(line, sizeof line, fmt, arg);

	route_answer(slot, session, line, (size_t)n < sizeof line ? (size_t)n :
	    sizeof line - 1);
}

static void
route_name(unsigned slot, const struct ch_msg *m)
{
	char name[NICK_MAX + 1];
	struct nick *n;

	snprintf(name, sizeof name, "%.*s", (int)m->len, m->data);
	if ((n = nick_find(name)) != NULL && n->session != m->arg) {
		route_answerf(slot, m->arg, "ERR 409 nickname \"%s\" is taken\n", name);
		return;
	}
	if ((n = nick_of(m->arg)) != NULL)
		nick_drop(n);
	if (nick_add(name, m->arg, slot) == -1) {
		route_answer(slot, m->arg, "ERR 500 out of memory\n", 22);
		return;
	}
	route_answer(slot, m->arg, "OK 0\n", 5);
}

static void
route_unname(const struct ch_msg *m)
{
	struct nick *n;

	if ((n = nick_of(m->arg)) != NULL)
		nick_drop(n);
}

/* A notice to every session of every worker, but one session. */
static void
route_broadcast(const char *line, size_t len, uint64_t skip)
{
	unsigned i;

	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].ch.fd != -1)
			ch_send(&procs[i].ch, CH_NOTICE, i, 0, skip, line, len);
}

void
route_notice_all(const char *line)
{
	route_broadcast(line, strlen(line), 0);
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
	if (tl + 1 >= m->len)
		return;
	from = to + tl + 1;
	fl = strnlen(from, m->len - tl - 1);
	if (tl + fl + 2 > m->len)
		return;
	text = from + fl + 1;
	len = snprintf(line, sizeof line, "* msg %s %.*s\n", from,
	    (int)(m->len - tl - fl - 2), text);
	if (len < 0 || (size_t)len >= sizeof line)
		len = sizeof line - 1;
	if (strcmp(to, "*") == 0)
		route_broadcast(line, len, m->arg);
	else if ((n = nick_find(to)) == NULL) {
		route_answerf(slot, m->arg, "ERR 404 nobody is called \"%s\"\n", to);
		return;
	} else
		ch_send(&procs[n->slot].ch, CH_NOTICE, n->slot, n->session, 0,
		    line, len);
	route_answer(slot, m->arg, "OK 0\n", 5);
}

/* Ask every worker for its sessions. */
static struct gather *
route_gather(void)
{
	struct gather *g;
	unsigned i;

	if ((g = calloc(1, sizeof *g)) == NULL)
		return NULL;
	g->tag = next_tag++;
	for (i = 0; i < PROC_MAX; i++)
		if (procs[i].ch.fd != -1 &&
		    ch_send(&procs[i].ch, CH_LIST, i, g->tag, 0, NULL, 0) == 0) {
			g->waiting[i] = 1;
			g->nwaiting++;
		}
	g->next = gathers;
	gathers = g;
	return g;
}

static struct gather *
gather_find(uint64_t tag)
{
	struct gather *g;

	for (g = gathers; g != NULL; g = g->next)
		if (g->tag == tag)
			return g;
	return NULL;
}

/*
 * Workers send full lines "id;nick;address;worker;since;requests"; WHO
 * shows "id;nick;since".
 */
static void
gather_add(struct gather *g, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *nl;
	char *f[6], line[512];
	int i;

	for (; p < end && (nl = memchr(p, '\n', end - p)) != NULL; p = nl + 1) {
		g->nlines++;
		if (!g->who) {
			buf_append(&g->lines, p, nl - p + 1);
			continue;
		}
		snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
		f[0] = line;
		for (i = 1; i < 6 && (f[i] = strchr(f[i - 1], ';')) != NULL; i++)
			*f[i]++ = '\0';
		if (i == 6)
			buf_printf(&g->lines, "%s;%s;%s\n", f[0], f[1], f[4]);
		else
			g->nlines--;
	}
}

static void
gather_finish(struct gather *g)
{
	struct gather **pp;
	struct buf out;

	memset(&out, 0, sizeof out);
	buf_printf(&out, "OK %u\n", g->nlines);
	if (g->lines.len > 0)
		buf_append(&out, g->lines.p, g->lines.len);
	if (g->who) {
		if (procs[g->slot].ch.fd != -1)
			route_answer(g->slot, g->session, out.p, out.len);
	} else if (g->done != NULL)
		g->done(g->ctx, out.p, out.len);
	for (pp = &gathers; *pp != g; pp = &(*pp)->next)
		;
	*pp = g->next;
	buf_free(&out);
	buf_free(&g->lines);
	free(g);
}

static void
gather_part(unsigned slot, const struct ch_msg *m, int end)
{
	struct gather *g = gather_find(m->arg);

	if (g == NULL || !g->waiting[slot])
		return;
	if (!end) {
		gather_add(g, m->data, m->len);
		return;
	}
	g->waiting[slot] = 0;
	if (--g->nwaiting == 0)
		gather_finish(g);
}

static void
route_who(unsigned slot, const struct ch_msg *m)
{
	struct gather *g;

	if ((g = route_gather()) == NULL) {
		route_answer(slot, m->arg, "ERR 500 out of memory\n", 22);
		return;
	}
	g->who = 1;
	g->slot = slot;
	g->session = m->arg;
	if (g->nwaiting == 0)
		gather_finish(g);
}

void
route_list(route_reply_fn done, void *ctx)
{
	struct gather *g;

	if ((g = route_gather()) == NULL) {
		done(ctx, "ERR 500 out of memory\n", 22);
		return;
	}
	g->done = done;
	g->ctx = ctx;
	if (g->nwaiting == 0)
		gather_finish(g);
}

static void
kick_done(uint64_t tag, int found)
{
	struct kick **pp, *k;

	for (pp = &kicks; (k = *pp) != NULL; pp = &k->next)
		if (k->tag == tag) {
			*pp = k->next;
			if (k->done != NULL) {
				if (found)
					k->done(k->ctx, "OK 0\n", 5);
				else
					k->done(k->ctx, "ERR 404 no such session\n", 24);
			}
			free(k);
			return;
		}
}

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
			done(ctx, "ERR 404 no such session\n", 24);
			return;
		}
	}
	slot = route_slot_of(session);
	if (slot >= PROC_MAX || procs[slot].ch.fd == -1 ||
	    (k = calloc(1, sizeof *k)) == NULL) {
		done(ctx, "ERR 404 no such session\n", 24);
		return;
	}
	k->tag = next_tag++;
	k->slot = slot;
	k->done = done;
	k->ctx = ctx;
	k->next = kicks;
	kicks = k;
	if (ch_send(&procs[slot].ch, CH_KICK, slot, session, k->tag, NULL, 0) == -1)
		kick_done(k->tag, 0);
}

/* The operator's connection went away: forget where its answers go. */
void
route_cancel(void *ctx)
{
	struct gather *g;
	struct kick *k;

	for (g = gathers; g != NULL; g = g->next)
		if (g->ctx == ctx)
			g->done = NULL;
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
	case CH_KICKED:	kick_done(m->arg, m->arg2 != 0); break;
	default:
		log_warn("worker %u sent unknown command %u", slot, m->cmd);
	}
}

/* A worker is gone: its nicknames are free, nobody waits for its list. */
void
route_worker_gone(unsigned slot)
{
	struct gather *g, *next;
	struct kick *k, *knext;
	size_t i;

	for (i = 0; i < nnicks;)
		if (nicks[i].slot == slot)
			nick_drop(&nicks[i]);
		else
			i++;
	for (g = gathers; g != NULL; g = next) {
		next = g->next;
		if (g->waiting[slot]) {
			g->waiting[slot] = 0;
			if (--g->nwaiting == 0)
				gather_finish(g);
		}
	}
	for (k = kicks; k != NULL; k = knext) {
		knext = k->next;
		if (k->slot == slot)
			kick_done(k->tag, 0);
	}
}

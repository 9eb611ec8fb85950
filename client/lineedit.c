/*
 * lineedit.c — the terminal and the user's input line.
 *
 * On a terminal the client owns its input line: the terminal is put in
 * non-canonical mode without echo (signals still generated), a small editor
 * handles printable text, Left, Right, Home, End, Delete, Backspace, Up and
 * Down (earlier answers), Tab (completion, where the question has one),
 * Ctrl-A, Ctrl-E, Ctrl-K, Ctrl-U, Ctrl-W, Ctrl-L, Enter, Ctrl-D, and Esc
 * or Ctrl-G (abandon the question), and the keyboard is waited on together
 * with the socket so a notice can be printed on its own line and the prompt
 * redrawn with what was typed so far.  The terminal is restored on every
 * way out (atexit, and the signal paths in main.c).  When stdin is not a
 * terminal, answers are read line by line, counted (for "stdin:N:" in
 * errors) and prompts go to stderr.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "client/client.h"

#define IN_MAX		8192
#define ESC_MS		50	/* a lone Esc: nothing follows within this */
#define HIST_MAX	64	/* earlier answers kept for Up and Down */

/* What one key did. */
enum {
	LK_NONE = 0,
	LK_ENTER = 1,
	LK_EOF = -1,
	LK_BACK = -2
};

static int tty;			/* stdin is a terminal */
static FILE *pfp;		/* prompts, echo, messages */
static struct termios saved;
static int raw;			/* the terminal is in our mode */

static struct {
	const char	*prompt;
	char		 buf[LE_MAX];
	size_t		 len;
	size_t		 pos;		/* the cursor, a byte offset */
	int		 active;	/* a prompt is on screen */
	int		 esc;		/* inside an escape sequence: 1, 2 */
	int		 escarg;	/* its number, as in ESC [ 3 ~ */
	size_t		 hidx;		/* history entry shown; nhist: none */
	char		 scratch[LE_MAX]; /* the new line, while browsing */
	size_t		 scratchlen;
} le;

/* Earlier answers, oldest first. */
static char *hist[HIST_MAX];
static size_t nhist;

static le_complete_fn complete;	/* Tab; NULL: no completion */

/* Lines taken when stdin is not a terminal. */
static unsigned long lineno;

/* Bytes read from stdin, not yet used (type-ahead, piped answers). */
static char in[IN_MAX];
static size_t inlen;
static int ineof;

static void
term_set(const struct termios *t)
{
	while (tcsetattr(STDIN_FILENO, TCSADRAIN, t) == -1)
		if (errno != EINTR)
			return;		/* the terminal is gone */
}

static void
term_raw(void)
{
	struct termios t = saved;

	t.c_lflag &= ~(ICANON | ECHO | IEXTEN);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	term_set(&t);
	raw = 1;
}

static void
term_restore(void)
{
	if (raw) {
		raw = 0;
		term_set(&saved);
	}
}

void
ui_init(void)
{
	tty = isatty(STDIN_FILENO);
	pfp = tty && isatty(STDOUT_FILENO) ? stdout : stderr;
	if (!tty)
		return;
	if (tcgetattr(STDIN_FILENO, &saved) == -1)
		die("ui_init: tcgetattr: %s", strerror(errno));
	if (atexit(term_restore) != 0)
		die("ui_init: atexit failed");
	term_raw();
}

int
ui_tty(void)
{
	return tty;
}

/* Where messages go: the terminal, or stderr when piped. */
FILE *
ui_msgfp(void)
{
	return tty && pfp != NULL ? pfp : stderr;
}

/* Leaving: end the prompt's line, give the terminal back. */
void
ui_end(void)
{
	if (le.active)
		fputc('\n', ui_msgfp());
	le.active = 0;
	fflush(stdout);
	fflush(stderr);
	term_restore();
}

void
ui_suspend(void)
{
	if (le.active)
		fputc('\n', ui_msgfp());
	fflush(stdout);
	fflush(stderr);
	term_restore();
}

static void
le_redraw(void)
{
	FILE *fp = ui_msgfp();
	size_t w;

	if (tty)
		fputs("\r\033[K", fp);
	fputs(le.prompt, fp);
	if (tty) {
		fwrite(le.buf, 1, le.len, fp);
		/* Back to the cursor, by display columns (0 would be 1). */
		if ((w = u8width_n(le.buf + le.pos, le.len - le.pos)) > 0)
			fprintf(fp, "\033[%zuD", w);
	}
	fflush(fp);
}

void
ui_resume(void)
{
	if (tty)
		term_raw();
	if (le.active)
		le_redraw();
}

void
ui_msg(const char *fmt, ...)
{
	FILE *fp = ui_msgfp();
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
	fflush(fp);
}

/* A notice: on its own line, then the prompt as it was. */
void
ui_notice(const char *fmt, ...)
{
	FILE *fp = ui_msgfp();
	va_list ap;

	fflush(stdout);
	if (le.active)
		fputs(tty ? "\r\033[K" : "\n", fp);
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
	if (le.active)
		le_redraw();
	fflush(fp);
}

/* A last word in place of the prompt, which is not drawn again. */
void
ui_bye(const char *msg)
{
	FILE *fp = ui_msgfp();

	fflush(stdout);
	if (le.active)
		fputs(tty ? "\r\033[K" : "\n", fp);
	le.active = 0;
	fprintf(fp, "%s\n", msg);
	fflush(fp);
}

/* Whether b is a UTF-8 continuation byte. */
static int
cont(char b)
{
	return ((unsigned char)b & 0xc0) == 0x80;
}

/* The cursor one character left or right. */
static size_t
char_prev(size_t p)
{
	if (p > 0)
		p--;
	while (p > 0 && cont(le.buf[p]))
		p--;
	return p;
}

static size_t
char_next(size_t p)
{
	if (p < le.len)
		p++;
	while (p < le.len && cont(le.buf[p]))
		p++;
	return p;
}

/* Remove le.buf[a..b) and put the cursor at a. */
static void
le_cut(size_t a, size_t b)
{
	memmove(le.buf + a, le.buf + b, le.len - b);
	le.len -= b - a;
	le.pos = a;
}

/* The line becomes s[0..n), the cursor at its end. */
static void
le_set(const char *s, size_t n)
{
	if (n >= sizeof(le.buf))
		n = sizeof(le.buf) - 1;
	memcpy(le.buf, s, n);
	le.len = le.pos = n;
}

/* Ctrl-W: the blanks before the cursor, then the word. */
static void
le_killword(void)
{
	size_t p = le.pos;

	while (p > 0 && le.buf[p - 1] == ' ')
		p--;
	while (p > 0 && le.buf[p - 1] != ' ')
		p--;
	le_cut(p, le.pos);
}

/* Up (dir -1) and Down (+1) through the earlier answers. */
static void
le_history(int dir)
{
	if (dir < 0 && le.hidx == 0)
		return;
	if (dir > 0 && le.hidx >= nhist)
		return;
	if (le.hidx == nhist) {		/* leaving the new line: keep it */
		memcpy(le.scratch, le.buf, le.len);
		le.scratchlen = le.len;
	}
	le.hidx = dir < 0 ? le.hidx - 1 : le.hidx + 1;
	if (le.hidx == nhist)
		le_set(le.scratch, le.scratchlen);
	else
		le_set(hist[le.hidx], strlen(hist[le.hidx]));
}

static void
hist_add(const char *s, size_t n)
{
	char *d;

	if (n == 0 || (nhist > 0 && strlen(hist[nhist - 1]) == n &&
	    memcmp(hist[nhist - 1], s, n) == 0))
		return;
	if ((d = malloc(n + 1)) == NULL)
		return;			/* no history is no harm */
	memcpy(d, s, n);
	d[n] = '\0';
	if (nhist == HIST_MAX) {
		free(hist[0]);
		memmove(hist, hist + 1, (HIST_MAX - 1) * sizeof(*hist));
		nhist--;
	}
	hist[nhist++] = d;
}

/* Tab: the question's completer may replace the line. */
static void
le_complete(void)
{
	char typed[LE_MAX], out[LE_MAX];

	if (complete == NULL)
		return;
	memcpy(typed, le.buf, le.len);
	typed[le.len] = '\0';
	if (complete(typed, out, sizeof(out)))
		le_set(out, strlen(out));
}

/* The end of an escape sequence: ESC [ <n> <final> or ESC O <final>. */
static void
le_escape(unsigned char ch)
{
	switch (ch) {
	case 'A':
		le_history(-1);
		break;
	case 'B':
		le_history(1);
		break;
	case 'C':
		le.pos = char_next(le.pos);
		break;
	case 'D':
		le.pos = char_prev(le.pos);
		break;
	case 'H':
		le.pos = 0;
		break;
	case 'F':
		le.pos = le.len;
		break;
	case '~':
		if (le.escarg == 1 || le.escarg == 7)
			le.pos = 0;
		else if (le.escarg == 4 || le.escarg == 8)
			le.pos = le.len;
		else if (le.escarg == 3 && le.pos < le.len)
			le_cut(le.pos, char_next(le.pos));
		break;
	default:
		return;			/* F-keys and the like: nothing */
	}
	le_redraw();
}

/* One key: LK_ENTER, LK_EOF (Ctrl-D on an empty line), LK_BACK or 0. */
static int
le_key(unsigned char ch)
{
	FILE *fp = ui_msgfp();

	if (le.esc == 1) {		/* ESC [ or ESC O: arrows etc. */
		if (ch == '[' || ch == 'O') {
			le.esc = 2;
			le.escarg = 0;
			return LK_NONE;
		}
		le.esc = 0;
		return LK_BACK;		/* Esc, then another key */
	}
	if (le.esc == 2) {
		if (ch >= '0' && ch <= '9')
			le.escarg = le.escarg * 10 + (ch - '0');
		else if (ch >= 0x40 && ch <= 0x7e) {
			le.esc = 0;
			le_escape(ch);
		}
		return LK_NONE;
	}
	switch (ch) {
	case 0x1b:
		le.esc = 1;
		return LK_NONE;
	case 0x07:			/* Ctrl-G */
		return LK_BACK;
	case '\r':
	case '\n':
		fputc('\n', fp);
		return LK_ENTER;
	case 0x04:			/* Ctrl-D */
		if (le.len > 0)
			return LK_NONE;
		fputc('\n', fp);
		return LK_EOF;
	case 0x7f:
	case 0x08:
		if (le.pos > 0)
			le_cut(char_prev(le.pos), le.pos);
		break;
	case 0x01:			/* Ctrl-A */
		le.pos = 0;
		break;
	case 0x05:			/* Ctrl-E */
		le.pos = le.len;
		break;
	case 0x0b:			/* Ctrl-K */
		le.len = le.pos;
		break;
	case 0x15:			/* Ctrl-U */
		le_cut(0, le.pos);
		break;
	case 0x17:			/* Ctrl-W */
		le_killword();
		break;
	case '\t':
		le_complete();
		break;
	case 0x0c:			/* Ctrl-L */
		fputs("\033[H\033[2J", fp);
		break;
	default:
		if (ch < 0x20 || le.len + 1 >= sizeof(le.buf))
			return LK_NONE;
		if (le.pos == le.len) {	/* typing at the end: just echo */
			le.buf[le.len++] = (char)ch;
			le.pos = le.len;
			fputc(ch, fp);
			return LK_NONE;
		}
		memmove(le.buf + le.pos + 1, le.buf + le.pos,
		    le.len - le.pos);
		le.buf[le.pos++] = (char)ch;
		le.len++;
		/* Redraw once the character is whole. */
		if (le.pos < le.len && cont(le.buf[le.pos]))
			return LK_NONE;
		break;
	}
	le_redraw();
	return LK_NONE;
}

static void
in_consume(size_t n)
{
	inlen -= n;
	memmove(in, in + n, inlen);
}

/* Terminal: feed the keys read so far to the editor. */
static int
take_keys(void)
{
	size_t i;
	int r = LK_NONE;

	for (i = 0; i < inlen && r == LK_NONE; i++)
		r = le_key((unsigned char)in[i]);
	in_consume(i);
	fflush(ui_msgfp());
	if (r == LK_NONE && ineof)
		r = LK_EOF;
	return r;
}

/* Not a terminal: one whole line (the last may lack its LF). */
static int
take_line(void)
{
	char *nl;
	size_t n, used;

	if ((nl = memchr(in, '\n', inlen)) != NULL) {
		n = (size_t)(nl - in);
		used = n + 1;
	} else if (ineof && inlen > 0) {
		n = used = inlen;
	} else if (inlen == sizeof(in)) {
		n = used = inlen;
	} else if (ineof) {
		fputc('\n', stderr);	/* end the prompt's line */
		return LK_EOF;
	} else
		return LK_NONE;
	if (n > 0 && in[n - 1] == '\r')
		n--;
	if (n >= sizeof(le.buf))
		n = sizeof(le.buf) - 1;
	memcpy(le.buf, in, n);
	le.len = n;
	in_consume(used);
	lineno++;
	fwrite(le.buf, 1, le.len, stderr);	/* the transcript reads well */
	fputc('\n', stderr);
	fflush(stderr);
	return LK_ENTER;
}

static void
in_fill(void)
{
	ssize_t n;

	if (inlen == sizeof(in))
		return;
	n = read(STDIN_FILENO, in + inlen, sizeof(in) - inlen);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0)
		ineof = 1;		/* EOF, or the terminal went away */
	else
		inlen += (size_t)n;
}

/* Whether stdin has something within ms (a lone Esc has nothing). */
static int
in_wait(int ms)
{
	struct pollfd pfd;

	pfd.fd = STDIN_FILENO;
	pfd.events = POLLIN;
	return xpoll(&pfd, 1, ms) == 1;
}

/*
 * Wait for keys, the server's socket watched meanwhile: its notices are
 * shown as they come (conn_pump), and what stdin has is read.
 */
static void
in_wait_keys(struct conn *c)
{
	struct pollfd pfd[2];
	nfds_t n = 1;

	pfd[0].fd = STDIN_FILENO;
	pfd[0].events = POLLIN;
	if (c != NULL && conn_fd(c) != -1) {
		pfd[1].fd = conn_fd(c);
		pfd[1].events = POLLIN;
		n = 2;
	}
	if (xpoll(pfd, n, -1) == -1) {
		if (errno == EINTR)
			return;
		die("in_wait_keys: ppoll: %s", strerror(errno));
	}
	if (n == 2 && pfd[1].revents != 0)
		conn_pump(c);
	if (pfd[0].revents != 0)
		in_fill();
}

unsigned long
le_lineno(void)
{
	return lineno;
}

void
le_set_complete(le_complete_fn fn)
{
	complete = fn;
}

/*
 * Show prompt and read one answer into buf, the socket watched meanwhile.
 * Returns 1 with an answer, 0 at end of input (Ctrl-D), -1 when the
 * question is abandoned (Esc, Ctrl-G).
 */
int
le_read(struct conn *c, const char *prompt, char *buf, size_t size)
{
	size_t len;
	int r;

	le.prompt = prompt;
	le.len = le.pos = 0;
	le.esc = 0;
	le.hidx = nhist;
	le.active = 1;
	fflush(stdout);
	fputs(prompt, ui_msgfp());
	fflush(ui_msgfp());
	for (;;) {
		if ((r = tty ? take_keys() : take_line()) != LK_NONE)
			break;
		if (tty && le.esc == 1 && !in_wait(ESC_MS)) {
			r = LK_BACK;	/* Esc alone */
			break;
		}
		in_wait_keys(c);
	}
	le.esc = 0;
	if (r == LK_BACK) {
		fputc('\n', ui_msgfp());
		fflush(ui_msgfp());
	}
	le.active = 0;
	if (r == LK_EOF)
		return 0;
	if (r == LK_BACK)
		return -1;
	if (tty)
		hist_add(le.buf, le.len);
	len = le.len < size ? le.len : size - 1;
	memcpy(buf, le.buf, len);
	buf[len] = '\0';
	return 1;
}

/*
 * One key, without Enter (a pager's "q"): the key, '\n' for Enter, or -1
 * at end of input.  Not a terminal: the first character of a line.
 */
int
le_getkey(struct conn *c, const char *prompt)
{
	char buf[LE_MAX];
	int r, ch;

	if (!tty) {
		if ((r = le_read(c, prompt, buf, sizeof(buf))) == 0)
			return -1;
		return r < 0 || buf[0] == '\0' ? '\n' : (unsigned char)buf[0];
	}
	le.prompt = prompt;
	le.len = le.pos = 0;
	le.active = 1;
	fflush(stdout);
	fputs(prompt, ui_msgfp());
	fflush(ui_msgfp());
	while (inlen == 0 && !ineof)
		in_wait_keys(c);
	le.active = 0;
	/* The prompt goes: the key is not echoed, the line is reused. */
	fputs("\r\033[K", ui_msgfp());
	fflush(ui_msgfp());
	if (inlen == 0)
		return -1;
	ch = (unsigned char)in[0];
	/* An escape sequence (an arrow) is one key: all of it goes. */
	in_consume(ch == 0x1b ? inlen : 1);
	if (ch == '\r')
		ch = '\n';
	if (ch == 0x04)
		return -1;
	return ch;
}

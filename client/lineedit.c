/*
 * lineedit.c — the terminal and the user's input line.
 *
 * On a terminal the client owns its input line: the terminal is put in
 * non-canonical mode without echo (signals still generated), a small editor
 * handles printable text, Backspace, Ctrl-U, Ctrl-W, Ctrl-L, Enter and
 * Ctrl-D, and the keyboard is waited on together with the socket so a
 * notice can be printed on its own line and the prompt redrawn with what
 * was typed so far.  The terminal is restored on every way out (atexit,
 * and the signal paths in main.c).  When stdin is not a terminal, answers
 * are read line by line and prompts go to stderr.
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

static int tty;			/* stdin is a terminal */
static FILE *pfp;		/* prompts, echo, messages */
static struct termios saved;
static int raw;			/* the terminal is in our mode */

static struct {
	const char	*prompt;
	char		 buf[LE_MAX];
	size_t		 len;
	int		 active;	/* a prompt is on screen */
	int		 esc;		/* inside an escape sequence: 1, 2 */
} le;

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

	if (tty)
		fputs("\r\033[K", fp);
	fputs(le.prompt, fp);
	if (tty)
		fwrite(le.buf, 1, le.len, fp);
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

/* Remove the last UTF-8 character of the line. */
static void
le_backspace(void)
{
	if (le.len == 0)
		return;
	while (le.len > 0 && ((unsigned char)le.buf[le.len - 1] & 0xc0) ==
	    0x80)
		le.len--;
	if (le.len > 0)
		le.len--;
	fputs("\b \b", ui_msgfp());
}

/* Ctrl-W: the blanks before the cursor, then the word. */
static void
le_killword(void)
{
	while (le.len > 0 && le.buf[le.len - 1] == ' ')
		le.len--;
	while (le.len > 0 && le.buf[le.len - 1] != ' ')
		le.len--;
	le_redraw();
}

/* One key: 1 Enter, -1 Ctrl-D on an empty line, 0 otherwise. */
static int
le_key(unsigned char ch)
{
	FILE *fp = ui_msgfp();

	if (le.esc == 1) {		/* ESC [ or ESC O: arrows etc. */
		le.esc = (ch == '[' || ch == 'O') ? 2 : 0;
		return 0;
	}
	if (le.esc == 2) {
		if (ch >= 0x40 && ch <= 0x7e)
			le.esc = 0;
		return 0;
	}
	switch (ch) {
	case 0x1b:
		le.esc = 1;
		return 0;
	case '\r':
	case '\n':
		fputc('\n', fp);
		return 1;
	case 0x04:			/* Ctrl-D */
		if (le.len > 0)
			return 0;
		fputc('\n', fp);
		return -1;
	case 0x7f:
	case 0x08:
		le_backspace();
		return 0;
	case 0x15:			/* Ctrl-U */
		le.len = 0;
		le_redraw();
		return 0;
	case 0x17:			/* Ctrl-W */
		le_killword();
		return 0;
	case 0x0c:			/* Ctrl-L */
		fputs("\033[H\033[2J", fp);
		le_redraw();
		return 0;
	}
	if (ch < 0x20 || le.len + 1 >= sizeof(le.buf))
		return 0;
	le.buf[le.len++] = (char)ch;
	fputc(ch, fp);
	return 0;
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
	int r = 0;

	for (i = 0; i < inlen && r == 0; i++)
		r = le_key((unsigned char)in[i]);
	in_consume(i);
	fflush(ui_msgfp());
	if (r == 0 && ineof)
		r = -1;
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
		return -1;
	} else
		return 0;
	if (n > 0 && in[n - 1] == '\r')
		n--;
	if (n >= sizeof(le.buf))
		n = sizeof(le.buf) - 1;
	memcpy(le.buf, in, n);
	le.len = n;
	in_consume(used);
	fwrite(le.buf, 1, le.len, stderr);	/* the transcript reads well */
	fputc('\n', stderr);
	fflush(stderr);
	return 1;
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

/*
 * Show prompt and read one answer into buf, the socket watched meanwhile.
 * Returns 1 with an answer, 0 at end of input (Ctrl-D).
 */
int
le_read(struct conn *c, const char *prompt, char *buf, size_t size)
{
	struct pollfd pfd[2];
	nfds_t n;
	size_t len;
	int r;

	le.prompt = prompt;
	le.len = 0;
	le.esc = 0;
	le.active = 1;
	fflush(stdout);
	fputs(prompt, ui_msgfp());
	fflush(ui_msgfp());
	for (;;) {
		if ((r = tty ? take_keys() : take_line()) != 0)
			break;
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		n = 1;
		if (c != NULL && conn_fd(c) != -1) {
			pfd[1].fd = conn_fd(c);
			pfd[1].events = POLLIN;
			n = 2;
		}
		if (xpoll(pfd, n, -1) == -1) {
			if (errno == EINTR)
				continue;
			die("le_read: ppoll: %s", strerror(errno));
		}
		if (n == 2 && pfd[1].revents != 0)
			conn_pump(c);
		if (pfd[0].revents != 0)
			in_fill();
	}
	le.active = 0;
	if (r < 0)
		return 0;
	len = le.len < size ? le.len : size - 1;
	memcpy(buf, le.buf, len);
	buf[len] = '\0';
	return 1;
}

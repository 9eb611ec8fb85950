/*
 * client.h — what the modules of trainsrv-client(1) share: the connection
 * (conn.c), the terminal and the line editor (lineedit.c), the results
 * table (table.c), the menu (menu.c) and the signal plumbing (main.c).
 */
#ifndef TRAINSRV_CLIENT_H
#define TRAINSRV_CLIENT_H

#include <poll.h>
#include <stdio.h>
#include <stddef.h>

/* main.c: signals, waiting, dying. */
int		 xpoll(struct pollfd *, nfds_t, int ms);
long long	 now_ms(void);
void		 die(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2), noreturn));

/* conn.c: one connection to the server. */
struct reply {
	int		 ok;		/* 1: "OK n", 0: "ERR code message" */
	long		 code;		/* ERR: the code */
	char		*status;	/* the status line */
	const char	*msg;		/* ERR: the message, inside status */
	char		**lines;	/* OK: the data lines */
	size_t		 nlines;
};

/* Called for each notice, with the text after "* ". */
typedef void	(*conn_notice_fn)(const char *text);

struct conn;
struct conn	*conn_new(const char *host, const char *port, conn_notice_fn);
int		 conn_open(struct conn *);
void		 conn_free(struct conn *);
int		 conn_fd(const struct conn *);
void		 conn_pump(struct conn *);
int		 conn_query(struct conn *, const char *cmd, int resend,
		    struct reply *);
void		 conn_quit(struct conn *);
const char	*conn_error(const struct conn *);
void		 reply_free(struct reply *);
int		 command_is_readonly(const char *cmd);
void		 conn_set_nick(struct conn *, const char *);

/* lineedit.c: the terminal, prompts and messages. */
#define LE_MAX		1024	/* longest answer, bytes */

void		 ui_init(void);
int		 ui_tty(void);
FILE		*ui_msgfp(void);
void		 ui_end(void);
void		 ui_bye(const char *);
void		 ui_suspend(void);
void		 ui_resume(void);
void		 ui_notice(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
void		 ui_msg(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
/* Tab at a prompt: 1 when out replaces what was typed. */
typedef int	(*le_complete_fn)(const char *typed, char *out, size_t size);

int		 le_read(struct conn *, const char *prompt, char *buf,
		    size_t size);
int		 le_getkey(struct conn *, const char *prompt);
void		 le_set_complete(le_complete_fn);
unsigned long	 le_lineno(void);

/* table.c: results as an aligned table. */
struct train {
	char	*num, *from, *to, *dep, *arr, *minutes, *price, *flag;
	char	*fare, *via, *tags;
};

/* How to print a table; the same one for every page of a listing. */
#define TABLE_COLS	9
struct table_opts {
	int	 tags;			/* the labels column */
	int	 board;			/* departures: cut the origin first */
	size_t	 keep[TABLE_COLS];	/* widths so far: they only grow */
	int	 via_below;		/* the via lists under their rows */
	int	 via_cut;		/* out: a via list was cut */
};

int		 train_parse(char *line, struct train *);
void		 table_print(FILE *, const struct train *, size_t,
		    struct table_opts *);
void		 via_expand(FILE *, const struct train *, size_t);
void		 table_names_width(struct table_opts *, size_t);
size_t		 u8width(const char *);
size_t		 u8width_n(const char *, size_t);
void		 fmt_duration(const char *minutes, char *buf, size_t size);
void		 fmt_fare(const char *fare, char *buf, size_t size);
void		 fmt_time(const char *t, char *buf, size_t size);
size_t		 u8len(const char *);
int		 term_cols(void);
int		 term_rows(void);

/* when.c: clock times as people type them, as HH:MM. */
int		 time_parse(const char *, char *out, size_t size);

/* menu.c: the traveller's menu. */
int		 menu_run(struct conn *, int raw);

#endif /* TRAINSRV_CLIENT_H */

/*
 * wire.h — the line protocol as both ends see it.
 *
 * Shared by the worker (request parsing), the menu client and the load
 * generator (reply framing).  The protocol itself is written down in
 * trainsrv-protocol(7): a request is one line; a reply is "OK n" and n data
 * lines, or one "ERR code message" line; a line starting with "* " between
 * replies is a notice.
 */
#ifndef TRAINSRV_WIRE_H
#define TRAINSRV_WIRE_H

#include <stddef.h>

#define WIRE_LINE_MAX	4096	/* longest request line, LF excluded */
#define WIRE_FIELDS	11	/* fields of a train data line */

/* Error codes. */
#define WIRE_EBADREQ	400	/* malformed request, wrong field count */
#define WIRE_ENOTFOUND	404	/* unknown station */
#define WIRE_ECONFLICT	409	/* nickname taken */
#define WIRE_ETOOLONG	413	/* line too long */
#define WIRE_ETOOMANY	429	/* rate limit */
#define WIRE_EINTERNAL	500
#define WIRE_ESHUTDOWN	503

/* What a reply's first line is. */
enum wire_kind {
	WIRE_BAD = -1,		/* not a valid status line */
	WIRE_OK = 0,		/* "OK n": n data lines follow */
	WIRE_ERR = 1,		/* "ERR code message" */
	WIRE_NOTICE = 2		/* "* text" */
};

/*
 * Classify a line (without its LF; a trailing CR is ignored).  For WIRE_OK
 * *n receives the number of data lines; for WIRE_ERR *n receives the code.
 */
enum wire_kind	 wire_status(const char *line, size_t len, long *n);

/*
 * Split s (NUL-terminated, modified in place) at sep into at most max fields,
 * trimming blanks around each; returns the number of fields, or max + 1 when
 * there were more.  An empty s gives one empty field.
 */
size_t		 wire_split(char *s, char sep, char **fields, size_t max);

/*
 * The one sanitiser for text that reaches a terminal or a log: anything
 * read from the network or from a shared-memory segment goes through it
 * before it is printed.  It keeps printable UTF-8 and removes what could
 * drive a terminal or hide what a text says:
 *  - C0 controls (ESC, CR, BEL, ...) and DEL; a tab becomes a space;
 *  - C1 controls written in UTF-8 (U+0080..U+009F, CSI among them);
 *  - invisible format and bidi controls: U+061C, U+200B..U+200F,
 *    U+2028..U+202E, U+2060..U+2064, U+2066..U+206F, U+FEFF and the tag
 *    characters U+E0000..U+E007F;
 * and replaces each run of bytes that is not UTF-8 (stray continuation
 * bytes, truncated or overlong forms, surrogates, code points above
 * U+10FFFF) by one '?'.  The result is never longer than the input.
 *
 * wire_sanitize works in place on a NUL-terminated string and returns the
 * new length.  wire_sanitize_n reads at most srclen bytes of src (stopping
 * early at a NUL: src need not be terminated), writes at most dstsize - 1
 * bytes and a NUL to dst without cutting a character, and returns the
 * length written; dst may be src.  wire_is_clean tells whether
 * s[0..len) would pass unchanged (for refusing rather than cleaning).
 */
size_t		 wire_sanitize(char *s);
size_t		 wire_sanitize_n(char *dst, size_t dstsize, const char *src,
		    size_t srclen);
int		 wire_is_clean(const char *s, size_t len);

/* Trim blanks (space, tab, CR) at both ends; returns the new start. */
char		*wire_trim(char *s, size_t *len);

#endif /* TRAINSRV_WIRE_H */

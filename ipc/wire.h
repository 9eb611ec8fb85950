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
 * Remove, in place, every control character from a NUL-terminated text
 * that will reach someone's terminal: C0 (ESC included), DEL, and C1
 * written in UTF-8 (0xC2 0x80..0x9F, CSI among them).  Returns the new length.
 */
size_t		 wire_sanitize(char *s);

/* Trim blanks (space, tab, CR) at both ends; returns the new start. */
char		*wire_trim(char *s, size_t *len);

#endif /* TRAINSRV_WIRE_H */

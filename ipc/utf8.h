/*
 * utf8.h — the one UTF-8 rule of the project, and the one list of
 * characters that draw nothing or reorder a line.
 *
 * The timetable loader, the importer, the terminal sanitiser and the
 * nickname check all decide "is this valid UTF-8?" and "is this character
 * invisible?"; they ask here, so that the importer never writes what the
 * server refuses and nothing the server accepts in a name is stripped
 * when it is shown.
 */
#ifndef TRAINSRV_UTF8_H
#define TRAINSRV_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The valid UTF-8 character at s[0..n): its length, and its code point in
 * *cp; 0 when the bytes there are not one (RFC 3629: no overlong form, no
 * surrogate, nothing above U+10FFFF, no truncated sequence).  n >= 1.
 */
size_t	 utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * Whether code point cp is a format or direction control, or a character
 * that draws nothing: soft hyphen, ALM, the zero-width characters and
 * marks, the line and paragraph separators, the bidi embeddings,
 * overrides and isolates, invisible operators, BOM, the Hangul fillers,
 * the interlinear annotation marks and the tag characters.  Each lets two
 * names that differ look the same ("Gre\u200bnoble"), or makes a terminal
 * show a line in another order than it was written.  trainsrv-timetable(5)
 * lists them.
 */
int	 utf8_invisible(uint32_t cp);

/* Whether cp is a C0 or C1 control character or DEL. */
int	 utf8_control(uint32_t cp);

#endif /* TRAINSRV_UTF8_H */

/*
 * text.h — what trainsrv-import checks in the text of a feed: the UTF-8
 * the server takes (trainsrv-timetable(5)) and the invisible format
 * controls it refuses in names, and a cleaner for text that goes into a
 * comment or an error message.
 */
#ifndef TRAINSRV_IMPORT_TEXT_H
#define TRAINSRV_IMPORT_TEXT_H

#include <stddef.h>

/*
 * Length of the valid UTF-8 character at s (NUL-terminated), 0 if
 * invalid: overlong forms, surrogates (ED A0..BF) and code points past
 * U+10FFFF are, as for the server.
 */
size_t	 text_utf8_len(const unsigned char *s);

/*
 * Is the n-byte character at s one the server refuses in a name as
 * invisible or reordering (ipc/utf8.h's utf8_invisible: zero-width
 * characters, bidi controls, BOM...)?  "Gre\u200bnoble" would look like
 * Grenoble.  U+2028/2029 are among them: test for them first where they
 * should become a blank instead.
 */
int	 text_format_control(const unsigned char *s, size_t n);

/* A C0 or C1 control, or DEL, at s (n bytes)? */
int	 text_control(const unsigned char *s, size_t n);

/*
 * Copy s into out (cap bytes, NUL-terminated) for a comment or a message:
 * controls, format controls and invalid UTF-8 become '?', so nothing in
 * it can end a line or drive a terminal; cut on a character boundary with
 * "..." when longer than cap allows.  Returns out.
 */
char	*text_clean(const char *s, char *out, size_t cap);

/* The same in place, for a message already formatted. */
void	 text_clean_inplace(char *s);

#endif /* TRAINSRV_IMPORT_TEXT_H */

/*
 * json.h — a small JSON writer (RFC 8259) into a struct buf: objects,
 * arrays, keys and values in the order they are called, commas and
 * string escaping done here.  No reader: trainsrv only writes JSON.
 */
#ifndef TRAINSRV_JSON_H
#define TRAINSRV_JSON_H

#include <stddef.h>

struct buf;

#define JSON_DEPTH_MAX	16

struct json {
	struct buf	*b;
	unsigned	 depth;
	int		 after_key;	/* a value completes the pair */
	int		 err;		/* out of memory or misuse: discard */
	unsigned char	 some[JSON_DEPTH_MAX];	/* container has a member */
};

void	json_init(struct json *, struct buf *);
void	json_object(struct json *);
void	json_object_end(struct json *);
void	json_array(struct json *);
void	json_array_end(struct json *);
/* key is a literal of the program, written as it is (no escaping). */
void	json_key(struct json *, const char *key);
/* A string: " and \ escaped, control characters as \u00XX, invalid UTF-8
 * replaced by U+FFFD, so that the output is always valid JSON text. */
void	json_string(struct json *, const char *s, size_t len);
void	json_cstring(struct json *, const char *s);
void	json_int(struct json *, long long);
/* A number written as text s[0..len) ("17.60"): null when it is not a
 * JSON number (an empty field of the line protocol is an unknown value). */
void	json_number(struct json *, const char *s, size_t len);
void	json_null(struct json *);
void	json_bool(struct json *, int);
/* 0, or -1 when the document is broken (memory, unbalanced calls). */
int	json_end(const struct json *);

#endif /* TRAINSRV_JSON_H */

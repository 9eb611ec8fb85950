/*
 * json.c — the JSON writer: RFC 8259 text into a struct buf.  Strings are
 * escaped so that whatever bytes a station name or a request holds, the
 * document stays valid UTF-8 JSON: '"' and '\' escaped, every control
 * character (U+0000 to U+001F) as \u00XX, an invalid UTF-8 sequence as
 * U+FFFD.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ipc/utf8.h"
#include "worker/buf.h"
#include "worker/json.h"

void
json_init(struct json *j, struct buf *b)
{
	memset(j, 0, sizeof *j);
	j->b = b;
}

/* On the HTTP hot path: a copy when there is room, a call when not. */
static inline void
json_put(struct json *j, const char *s, size_t len)
{
	struct buf *b = j->b;

	if (b->cap - b->len < len && buf_reserve(b, len) == -1) {
		j->err = 1;
		return;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
}

/* Before a value or a key: the comma that separates it from the last. */
static void
json_sep(struct json *j)
{
	if (j->after_key) {
		j->after_key = 0;
		return;
	}
	if (j->depth > 0) {
		if (j->some[j->depth - 1])
			json_put(j, ",", 1);
		j->some[j->depth - 1] = 1;
	}
}

static void
json_open(struct json *j, char c)
{
	json_sep(j);
	if (j->depth == JSON_DEPTH_MAX) {
		j->err = 1;
		return;
	}
	j->some[j->depth++] = 0;
	json_put(j, &c, 1);
}

static void
json_close(struct json *j, char c)
{
	if (j->depth == 0 || j->after_key) {
		j->err = 1;
		return;
	}
	j->depth--;
	json_put(j, &c, 1);
}

void
json_object(struct json *j)
{
	json_open(j, '{');
}

void
json_object_end(struct json *j)
{
	json_close(j, '}');
}

void
json_array(struct json *j)
{
	json_open(j, '[');
}

void
json_array_end(struct json *j)
{
	json_close(j, ']');
}

/* The length of the valid UTF-8 sequence at s[0..len), 0 when invalid
 * (the project's one rule, ipc/utf8.c). */
static size_t
json_utf8_len(const unsigned char *s, size_t len)
{
	uint32_t cp;

	return utf8_decode(s, len, &cp);
}

static void
json_quote(struct json *j, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, n;
	char esc[8];

	json_put(j, "\"", 1);
	while (i < len) {
		if (u[i] >= 0x20 && u[i] < 0x80 && u[i] != '"' && u[i] != '\\') {
			i++, run++;
			continue;
		}
		if (u[i] >= 0x80 && (n = json_utf8_len(u + i, len - i)) > 0) {
			i += n, run += n;
			continue;
		}
		json_put(j, (const char *)u + i - run, run);
		run = 0;
		if (u[i] == '"')
			json_put(j, "\\\"", 2);
		else if (u[i] == '\\')
			json_put(j, "\\\\", 2);
		else if (u[i] < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", u[i]);
			json_put(j, esc, 6);
		} else
			json_put(j, "\xef\xbf\xbd", 3);	/* U+FFFD */
		i++;
	}
	json_put(j, (const char *)u + i - run, run);
	json_put(j, "\"", 1);
}

void
json_key(struct json *j, const char *key)
{
	if (j->depth == 0 || j->after_key) {
		j->err = 1;
		return;
	}
	json_sep(j);
	json_put(j, "\"", 1);
	json_put(j, key, strlen(key));	/* the program's own: nothing to escape */
	json_put(j, "\":", 2);
	j->after_key = 1;
}

void
json_string(struct json *j, const char *s, size_t len)
{
	json_sep(j);
	json_quote(j, s, len);
}

void
json_cstring(struct json *j, const char *s)
{
	json_string(j, s, strlen(s));
}

void
json_int(struct json *j, long long v)
{
	char s[24];
	size_t i = sizeof s;
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v :
	    (unsigned long long)v;

	json_sep(j);
	do
		s[--i] = (char)('0' + u % 10);
	while ((u /= 10) > 0);
	if (v < 0)
		s[--i] = '-';
	json_put(j, s + i, sizeof s - i);
}

/* Is s[0..len) a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
json_is_number(const char *s, size_t len)
{
	size_t i = 0, d;

	if (i < len && s[i] == '-')
		i++;
	if (i < len && s[i] == '0')
		i++;
	else if (i < len && s[i] >= '1' && s[i] <= '9')
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < len && s[i] == '.') {
		for (d = ++i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == len;
}

void
json_number(struct json *j, const char *s, size_t len)
{
	if (!json_is_number(s, len)) {
		json_null(j);
		return;
	}
	json_sep(j);
	json_put(j, s, len);
}

void
json_null(struct json *j)
{
	json_sep(j);
	json_put(j, "null", 4);
}

void
json_bool(struct json *j, int v)
{
	json_sep(j);
	json_put(j, v ? "true" : "false", v ? 4 : 5);
}

int
json_end(const struct json *j)
{
	return j->err || j->depth != 0 || j->after_key ? -1 : 0;
}

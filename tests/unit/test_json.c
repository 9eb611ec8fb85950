/*
 * test_json.c — the JSON writer (worker/json.c): commas and nesting, RFC
 * 8259 string escaping (control characters as \u00XX, invalid UTF-8 as
 * U+FFFD), numbers given as text, and misuse reported by json_end.
 */
#include <string.h>

#include "tests/unit/harness.h"
#include "worker/buf.h"
#include "worker/json.h"

void	suite_json(void);

static char	text[4096];

static const char *
done(struct buf *b, struct json *j, int *ok)
{
	*ok = json_end(j) == 0;
	memcpy(text, b->p != NULL ? b->p : "", b->len);
	text[b->len] = '\0';
	buf_free(b);
	return text;
}

/* The JSON text of one string value. */
static const char *
str(const char *s, size_t len)
{
	struct buf b = { NULL, 0, 0 };
	struct json j;
	int ok;

	json_init(&j, &b);
	json_string(&j, s, len);
	return done(&b, &j, &ok);
}

#define STR(s, want)	CHECK_STR(str((s), sizeof(s) - 1), (want))

void
suite_json(void)
{
	struct buf b = { NULL, 0, 0 };
	struct json j;
	int ok;

	/* Nesting and commas, keys in the order given. */
	json_init(&j, &b);
	json_object(&j);
	json_key(&j, "trains");
	json_array(&j);
	json_object(&j);
	json_key(&j, "number");
	json_cstring(&j, "17564");
	json_key(&j, "day");
	json_int(&j, 1);
	json_key(&j, "price");
	json_number(&j, "17.60", 5);
	json_key(&j, "flag");
	json_null(&j);
	json_key(&j, "via");
	json_array(&j);
	json_array_end(&j);
	json_key(&j, "walk");
	json_bool(&j, 1);
	json_object_end(&j);
	json_object(&j);
	json_object_end(&j);
	json_int(&j, -42);
	json_array_end(&j);
	json_object_end(&j);
	CHECK_STR(done(&b, &j, &ok), "{\"trains\":[{\"number\":\"17564\","
	    "\"day\":1,\"price\":17.60,\"flag\":null,\"via\":[],\"walk\":true},"
	    "{},-42]}");
	CHECK(ok);

	/* Escaping: quote, backslash, every control character, DEL kept. */
	STR("a\"b\\c", "\"a\\\"b\\\\c\"");
	STR("\n\t\r\b\f", "\"\\u000a\\u0009\\u000d\\u0008\\u000c\"");
	STR("\x01\x1f\x20\x7f", "\"\\u0001\\u001f \x7f\"");
	STR("nul\0in", "\"nul\\u0000in\"");
	STR("/", "\"/\"");
	STR("", "\"\"");
	/* UTF-8: kept when valid, U+FFFD for each bad byte. */
	STR("Mont\xc3\xa9limar", "\"Mont\xc3\xa9limar\"");
	STR("\xe2\x82\xac \xf0\x9f\x9a\x86", "\"\xe2\x82\xac \xf0\x9f\x9a\x86\"");
	STR("\xc3", "\"\xef\xbf\xbd\"");			/* truncated */
	STR("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"");	/* overlong */
	STR("\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");	/* surrogate */
	STR("\xf4\x90\x80\x80x", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx\"");
	STR("\xff", "\"\xef\xbf\xbd\"");
	STR("\xef\xbf\xbf", "\"\xef\xbf\xbf\"");		/* U+FFFF is valid */
	STR("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"");	/* U+10FFFF */

	/* Numbers as text: JSON numbers pass, anything else is null. */
	{
		static const struct { const char *in, *out; } nums[] = {
			{ "17.60", "17.60" }, { "0", "0" }, { "-1.5e+3", "-1.5e+3" },
			{ "", "null" }, { "01", "null" }, { "1.", "null" },
			{ ".5", "null" }, { "1e", "null" }, { "NaN", "null" },
			{ "12a", "null" }, { "-", "null" },
		};
		size_t i;

		for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
			json_init(&j, &b);
			json_number(&j, nums[i].in, strlen(nums[i].in));
			CHECK_STR(done(&b, &j, &ok), nums[i].out);
		}
	}

	/* Misuse: unbalanced, a key outside an object, a key without value. */
	json_init(&j, &b);
	json_object(&j);
	CHECK_INT(json_end(&j), -1);
	buf_free(&b);
	json_init(&j, &b);
	json_key(&j, "k");
	CHECK_INT(json_end(&j), -1);
	buf_free(&b);
	json_init(&j, &b);
	json_object(&j);
	json_key(&j, "k");
	json_object_end(&j);
	CHECK_INT(json_end(&j), -1);
	buf_free(&b);
	json_init(&j, &b);
	json_array_end(&j);
	CHECK_INT(json_end(&j), -1);
	buf_free(&b);
	/* Nesting is bounded. */
	json_init(&j, &b);
	{
		int i;

		for (i = 0; i < JSON_DEPTH_MAX; i++)
			json_array(&j);
		CHECK_INT(j.err, 0);
		json_array(&j);
		CHECK_INT(json_end(&j), -1);
	}
	buf_free(&b);
}

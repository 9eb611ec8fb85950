/*
 * common.h — what the fuzz harnesses share: the reply checker.  Each harness
 * is a libFuzzer target (LLVMFuzzerTestOneInput); replay.c includes them
 * all, each under its own entry-point name, to replay the corpora without
 * clang.  Anything static here is shared by every harness of one binary.
 */
#ifndef TRAINSRV_FUZZ_COMMON_H
#define TRAINSRV_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/wire.h"
#include "worker/buf.h"

/* A broken invariant: say which and abort, so that the fuzzer keeps the input. */
#define FUZZ_ASSERT(cond, what) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz: %s:%d: %s\n", __FILE__, __LINE__, (what)); \
		abort();						\
	}								\
} while (0)

/*
 * out[0..len) must be exactly one reply: "OK n" and n data lines, or one
 * "ERR code message" line; every line ends in LF and holds no NUL.  Unless
 * echo is set (the reply to ECHO is the client's own text, sent back to that
 * client only), no line holds a control character either: request text
 * quoted in an error has them replaced, so that nothing a client typed can
 * drive a terminal.
 */
static inline void
fuzz_check_reply(const char *out, size_t len, int echo)
{
	const char *p = out, *end = out + len, *nl;
	long n = 0, lines = 0;
	enum wire_kind k;
	size_t i;

	FUZZ_ASSERT(len > 0, "empty reply");
	FUZZ_ASSERT(out[len - 1] == '\n', "reply does not end in LF");
	FUZZ_ASSERT(memchr(out, '\0', len) == NULL, "NUL byte in a reply");
	if (!echo)
		for (i = 0; i < len; i++)
			FUZZ_ASSERT(out[i] == '\n' || ((unsigned char)out[i] >= 0x20 &&
			    out[i] != 0x7f), "control character in a reply");
	nl = memchr(p, '\n', (size_t)(end - p));
	k = wire_status(p, (size_t)(nl - p), &n);
	FUZZ_ASSERT(k == WIRE_OK || k == WIRE_ERR, "status line neither OK nor ERR");
	for (p = nl + 1; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		FUZZ_ASSERT(nl != NULL, "data line without LF");
		lines++;
	}
	if (k == WIRE_ERR) {
		FUZZ_ASSERT(lines == 0, "ERR reply with data lines");
		FUZZ_ASSERT(n >= 400 && n <= 599, "ERR code out of range");
	} else
		FUZZ_ASSERT(lines == n, "OK n announces a wrong line count");
}

#endif /* TRAINSRV_FUZZ_COMMON_H */

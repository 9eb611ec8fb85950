/*
 * failalloc.c — a test-only LD_PRELOAD library that makes realloc(3) and
 * calloc(3) fail in the process that loaded it (the trainsrv master, not
 * the workers it forks) while the file named by FAILALLOC_FILE exists.  It
 * lets tests/bats/server.bats see the server's "ERR 500 out of memory"
 * answer, which no real request can provoke on a healthy machine.
 *
 *   LD_PRELOAD=bin/failalloc.so FAILALLOC_FILE=/tmp/x bin/trainsrv ...
 *   touch /tmp/x    # from now on the master's realloc/calloc fail
 *   rm /tmp/x       # and no more
 *
 * Only for tests; glibc only (__libc_realloc, __libc_calloc).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

extern void	*__libc_realloc(void *, size_t);
extern void	*__libc_calloc(size_t, size_t);

static pid_t	 owner;

__attribute__((constructor)) static void
failalloc_init(void)
{
	owner = getpid();
}

/* Fail now: in the loading process, while the trigger file exists. */
static int
failalloc_now(void)
{
	const char *f;
	int saved = errno;
	int fail;

	if (owner == 0 || getpid() != owner ||
	    (f = getenv("FAILALLOC_FILE")) == NULL)
		return 0;
	fail = access(f, F_OK) == 0;
	errno = saved;
	return fail;
}

void *
realloc(void *p, size_t n)
{
	if (failalloc_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}

void *
calloc(size_t n, size_t size)
{
	if (failalloc_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

/*
 * harness.h — a minimal unit-test harness: checks count as passed or
 * failed, failures print where and what, main prints "N passed, N failed".
 */
#ifndef TRAINSRV_HARNESS_H
#define TRAINSRV_HARNESS_H

#include <stddef.h>

struct tt;

extern const char	*h_datadir;	/* argv[1], default "data" */

void	 h_check(int ok, const char *file, int line, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
void	 h_check_int(long long got, long long want, const char *expr,
	    const char *file, int line);
void	 h_check_str(const char *got, const char *want, const char *expr,
	    const char *file, int line);

/* Load text that must be valid; NULL (and a failure) if it is not. */
struct tt *h_load(const char *text, const char *file, int line);

#define CHECK(c) \
	h_check((c) ? 1 : 0, __FILE__, __LINE__, "%s", #c)
#define CHECK_INT(got, want) \
	h_check_int((long long)(got), (long long)(want), #got, __FILE__, \
	    __LINE__)
#define CHECK_STR(got, want) \
	h_check_str((got), (want), #got, __FILE__, __LINE__)
#define LOAD(text)	h_load((text), __FILE__, __LINE__)

/* The suites. */
void	 suite_parse(void);
void	 suite_fold(void);
void	 suite_query(void);
void	 suite_random(void);

#endif /* TRAINSRV_HARNESS_H */

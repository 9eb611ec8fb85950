/*
 * log.h — one line per event on stderr, with time, program and pid.
 *
 * Before log_init (start-up, when there is no master yet) a line is
 * "TIME trainsrv: message"; after, "TIME trainsrv[pid]: role: message".
 *
 * Each line is written with a single write(2), so lines from the master and
 * its workers never interleave (they share stderr, and a pipe keeps writes
 * of up to PIPE_BUF bytes whole).
 */
#ifndef TRAINSRV_LOG_H
#define TRAINSRV_LOG_H

void	log_init(const char *role);
void	log_set_verbose(int);
int	log_verbose(void);
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_text(const char *text);	/* each line of text, logged */

/* "s" unless n is 1: "%u worker%s", n, plural(n). */
static inline const char *
plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

#endif /* TRAINSRV_LOG_H */

/*
 * log.h — one line per event on stderr, with time, program and pid.
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

#endif /* TRAINSRV_LOG_H */

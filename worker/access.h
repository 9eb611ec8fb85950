/*
 * access.h — the optional access log (trainsrv -a FILE): one line per
 * request, buffered in each worker, reopened on SIGUSR1 for log rotation.
 */
#ifndef TRAINSRV_ACCESS_H
#define TRAINSRV_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The master: create the file if need be and give it to the workers' user. */
int	access_prepare(const char *path, uid_t, gid_t, char *err, size_t errlen);
/* A worker: open it (again, after a rotation); flushes what is buffered. */
int	access_open(const char *path);
int	access_enabled(void);
/* The command word of a request line, before the parser splits it. */
void	access_command(char *out, size_t size, const char *line, size_t len);
void	access_log(unsigned slot, uint64_t session, const char *cmd,
	    const char *reply, size_t replylen, int64_t usec);
void	access_flush(void);

#endif /* TRAINSRV_ACCESS_H */

/*
 * buf.h — growable byte buffers for replies.
 */
#ifndef TRAINSRV_BUF_H
#define TRAINSRV_BUF_H

#include <stddef.h>

struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

int	buf_reserve(struct buf *, size_t more);
int	buf_append(struct buf *, const void *, size_t);
int	buf_printf(struct buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_free(struct buf *);

#endif /* TRAINSRV_BUF_H */

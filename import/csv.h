/*
 * csv.h — an RFC 4180 reader for GTFS files: one whole file in memory,
 * records split in place, columns found by their header names.
 */
#ifndef TRAINSRV_CSV_H
#define TRAINSRV_CSV_H

#include <stddef.h>

#define CSV_ERR_MAX	512
#define CSV_SIZE_MAX	((size_t)1 << 30)	/* bytes of one file */

struct csv {
	char		 path[1024];	/* for messages: dir/name.txt */
	const char	*name;		/* name.txt */
	char		*data;		/* the file, NUL-terminated */
	size_t		 len;
	size_t		 pos;
	unsigned long	 line;		/* where the current record starts */
	unsigned long	 next;		/* where the next one does */
	char		**f;		/* the current record's fields */
	size_t		 nf;
	size_t		 fcap;
	char		**head;		/* the header's fields, kept */
	size_t		 nhead;
	char		 err[CSV_ERR_MAX];
};

/*
 * Read dir/name into memory and its header.  Returns 0, 1 when the file
 * does not exist and is not required, -1 on error (message in c->err,
 * nothing else kept: csv_close is then optional).  Refused: UTF-16, NUL
 * bytes, two header columns of one name.
 */
int	 csv_open(struct csv *, const char *dir, const char *name,
	    int required);
/* The same from memory (tests); data is copied. */
int	 csv_open_mem(struct csv *, const char *name, const char *data,
	    size_t len);
void	 csv_close(struct csv *);

/* The column of a header name, or -1. */
int	 csv_col(const struct csv *, const char *name);
/* The same, -1 and a message naming the file when it is missing. */
int	 csv_need(struct csv *, const char *name);

/*
 * The next record: 1, 0 at the end, -1 on error.  Blank lines are
 * skipped.  Field i is csv_field(c, i): "" when the record is shorter or
 * the column is -1.
 */
int	 csv_next(struct csv *);
const char *csv_field(const struct csv *, int col);

/* A message "path:line: ..." about the current record, in c->err. */
void	 csv_error(struct csv *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif /* TRAINSRV_CSV_H */

/*
 * prom.h — the stats segment in the Prometheus text exposition format
 * (0.0.4): the series trainsrv-stat -P prints and a worker serves at
 * GET /metrics, written by one function so that they cannot differ.
 */
#ifndef TRAINSRV_PROM_H
#define TRAINSRV_PROM_H

#include <stdio.h>

struct st_segment;

/*
 * Every series, totals over all worker slots, to f.  version, when not
 * NULL, adds trainsrv_build_info{version="..."} 1.  Returns -1 when a
 * write to f failed.
 */
int	prom_write(FILE *f, const struct st_segment *, const char *version);

#endif /* TRAINSRV_PROM_H */

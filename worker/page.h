/*
 * page.h — the browser page served at / (worker/page/: index.html, app.css,
 * app.js), compiled into the server by worker/page/gen.sh so that it needs
 * no file at run time and no external resource.
 */
#ifndef TRAINSRV_PAGE_H
#define TRAINSRV_PAGE_H

#include <stddef.h>

struct page_asset {
	const char	*path;		/* "/", "/app.js", ... */
	const char	*type;		/* its Content-Type */
	const char	*body;
	size_t		 len;
};

/* Ends with an entry whose path is NULL. */
extern const struct page_asset	page_assets[];

#endif /* TRAINSRV_PAGE_H */

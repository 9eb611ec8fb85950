/*
 * listen.c — the listening socket the master binds and every worker
 * inherits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "master/trainsrv.h"

#define LISTEN_BACKLOG	4096	/* the kernel clamps it to somaxconn */

static int
listen_try(const struct addrinfo *ai, char *err, size_t errlen)
{
	int fd, on = 1, off = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* Restart at once on a port whose old connections sit in TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == -1 ||
	    (ai->ai_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &off, sizeof off) == -1)) {
		snprintf(err, errlen, "setsockopt: %s", strerror(errno));
		goto fail;
	}
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		snprintf(err, errlen, "bind: %s", strerror(errno));
		goto fail;
	}
	if (listen(fd, LISTEN_BACKLOG) == -1) {
		snprintf(err, errlen, "listen: %s", strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* Describe the bound address as "127.0.0.1:8080" or "[::]:8080". */
static int
listen_describe(int fd, char *desc, size_t len, unsigned *port)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char host[INET6_ADDRSTRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == -1)
		return -1;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof host);
		*port = ntohs(s6->sin6_port);
		snprintf(desc, len, "[%s]:%u", host, *port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
		*port = ntohs(s4->sin_port);
		snprintf(desc, len, "%s:%u", host, *port);
	}
	return 0;
}

/*
 * Bind addr:port (addr NULL: "::" for IPv4 and IPv6, falling back to
 * "0.0.0.0" on a host without IPv6).  Returns the socket, or -1 with the
 * reason in err.
 */
int
listen_open(const char *addr, unsigned port, char *desc, size_t desclen,
    unsigned *bound, char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	char serv[16];
	int fd = -1, gai;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(serv, sizeof serv, "%u", port);
	if (addr == NULL) {
		hints.ai_flags |= AI_NUMERICHOST;
		hints.ai_family = AF_INET6;
		if (getaddrinfo("::", serv, &hints, &res) == 0) {
			fd = listen_try(res, err, errlen);
			freeaddrinfo(res);
			if (fd != -1 || errno != EAFNOSUPPORT)
				goto done;
		}
		addr = "0.0.0.0";
		hints.ai_family = AF_INET;
	}
	if ((gai = getaddrinfo(addr, serv, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", addr, gai_strerror(gai));
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		fd = listen_try(ai, err, errlen);
	freeaddrinfo(res);
done:
	if (fd != -1 && listen_describe(fd, desc, desclen, bound) == -1) {
		snprintf(err, errlen, "getsockname: %s", strerror(errno));
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * The HTTP listener's "[ADDR:]PORT" (-H): "8081", "127.0.0.1:8081",
 * "[::1]:8081".  addr gets the address, or "" when none is given (the
 * caller then uses -b's, else the default).  Returns -1 with the reason.
 */
int
listen_spec(const char *spec, char *addr, size_t addrlen, unsigned *port,
    char *err, size_t errlen)
{
	const char *colon = strrchr(spec, ':'), *p;
	size_t al = 0;
	unsigned long v = 0;

	addr[0] = '\0';
	p = colon != NULL ? colon + 1 : spec;
	if (colon != NULL) {
		al = (size_t)(colon - spec);
		if (al >= 2 && spec[0] == '[' && spec[al - 1] == ']')
			spec++, al -= 2;
		if (al == 0 || al >= addrlen) {
			snprintf(err, errlen, "want [ADDRESS:]PORT");
			return -1;
		}
		memcpy(addr, spec, al);
		addr[al] = '\0';
	}
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p) ||
	    strlen(p) > 5 || (v = strtoul(p, NULL, 10)) > 65535) {
		snprintf(err, errlen, "want [ADDRESS:]PORT, PORT from 0 to 65535");
		return -1;
	}
	*port = (unsigned)v;
	return 0;
}

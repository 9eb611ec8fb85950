/*
 * segtool.c — fake stats segments for tests/bats/segment.bats: what a
 * local user could leave in /dev/shm to fool trainsrv and trainsrv-stat.
 *
 *   segtool offsets
 *	prints "size N", "listen OFF LEN" and "timetable OFF LEN" of the
 *	real layout (ipc/stats.h), so a test can read a live segment's bytes
 *   segtool make [-l] [-u user] [-k kind] path
 *	creates path (never an existing file), as user when given (the
 *	tool must then run as root), fills it, with -l takes the fcntl
 *	write lock a live trainsrv holds, prints "ready" and waits to be
 *	killed (at most 10 minutes).  Kinds:
 *	  hostile   the real layout, ready, with listen and timetable
 *	            filled to their last byte (no NUL) with terminal
 *	            escapes, C1, bidi controls and invalid UTF-8, and
 *	            slot 0 in an out-of-range state
 *	  tiny      100 bytes
 *	  slots     the real layout but nslots 1000000
 *	  hdrsize   the real layout but a header_size 4096 bytes too big
 *	  long      the real layout in a file one page too long
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc/stats.h"

static const char evil[] =
    "\x1b]0;pwned-title\x07" "\x1b[2J" "\r" "\xc2\x9b" "31m"
    "\xe2\x80\xae" "evil" "\xed\xa0\x80" "\x1b]52;c;ZXZpbA==\x07" "\x7f";

static void __attribute__((noreturn))
fail(const char *what)
{
	fprintf(stderr, "segtool: %s: %s\n", what, strerror(errno));
	exit(2);
}

static size_t
layout_size(void)
{
	size_t hdr = (sizeof(struct st_header) + ST_CACHELINE - 1) &
	    ~(size_t)(ST_CACHELINE - 1);

	return hdr + ST_SLOTS * sizeof(struct st_slot);
}

static void
fill(char *dst, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = evil[i % (sizeof(evil) - 1)];
}

static void
become(const char *user)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "segtool: no user %s\n", user);
		exit(2);
	}
	if (setgroups(0, NULL) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1)
		fail("dropping to the user");
}

static void
make_layout(int fd, int nslots, size_t hdrsize_field, size_t extra)
{
	size_t size = layout_size() + extra;
	size_t hdrsize = layout_size() - ST_SLOTS * sizeof(struct st_slot);
	static struct st_header h;
	static struct st_slot s;

	h.magic = ST_MAGIC;
	h.version = ST_VERSION;
	h.header_size = (uint32_t)hdrsize_field;
	h.slot_size = sizeof(struct st_slot);
	h.nslots = (uint32_t)nslots;
	h.ready = 1;
	h.master_pid = getpid();
	h.port = 1;
	fill(h.listen, sizeof h.listen);
	fill(h.timetable, sizeof h.timetable);
	s.pid = (uint32_t)getpid();
	s.state = 99;
	if (ftruncate(fd, (off_t)size) == -1)
		fail("ftruncate");
	if (pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
	    pwrite(fd, &s, sizeof s, (off_t)hdrsize) != (ssize_t)sizeof s)
		fail("pwrite");
}

static int
make(int argc, char *argv[])
{
	const char *user = NULL, *kind = "hostile";
	struct flock fl;
	int ch, lock = 0, fd;

	while ((ch = getopt(argc, argv, "k:lu:")) != -1) {
		switch (ch) {
		case 'k': kind = optarg; break;
		case 'l': lock = 1; break;
		case 'u': user = optarg; break;
		default: return 2;
		}
	}
	if (optind + 1 != argc)
		return 2;
	if (user != NULL)
		become(user);
	fd = open(argv[optind], O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
	if (fd == -1)
		fail(argv[optind]);
	if (strcmp(kind, "hostile") == 0)
		make_layout(fd, ST_SLOTS, sizeof(struct st_header), 0);
	else if (strcmp(kind, "slots") == 0)
		make_layout(fd, 1000000, sizeof(struct st_header), 0);
	else if (strcmp(kind, "hdrsize") == 0)
		make_layout(fd, ST_SLOTS, sizeof(struct st_header) + 4096, 0);
	else if (strcmp(kind, "long") == 0)
		make_layout(fd, ST_SLOTS, sizeof(struct st_header), 4096);
	else if (strcmp(kind, "tiny") == 0) {
		if (ftruncate(fd, 100) == -1)
			fail("ftruncate");
	} else {
		fprintf(stderr, "segtool: unknown kind %s\n", kind);
		return 2;
	}
	if (lock) {
		memset(&fl, 0, sizeof fl);
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == -1)
			fail("fcntl");
	}
	printf("ready\n");
	fflush(stdout);
	alarm(600);
	for (;;)
		pause();
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "offsets") == 0) {
		printf("size %zu\n", layout_size());
		printf("listen %zu %zu\n", offsetof(struct st_header, listen),
		    sizeof(((struct st_header *)0)->listen));
		printf("timetable %zu %zu\n", offsetof(struct st_header, timetable),
		    sizeof(((struct st_header *)0)->timetable));
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "make") == 0)
		return make(argc - 1, argv + 1);
	fprintf(stderr, "usage: segtool offsets | make [-l] [-u user] "
	    "[-k hostile|tiny|slots|hdrsize|long] path\n");
	return 2;
}

/*
 * main.c — trainsrv's entry point: options, loading the timetable, binding
 * the socket and creating the stats segment, then handing over to the
 * master loop (master.c).  Everything that can fail for a reason the
 * operator must fix fails here, before any worker exists, with one clear
 * line and exit status 1.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ipc/log.h"
#include "ipc/stats.h"
#include "master/trainsrv.h"
#include "worker/access.h"
#include "worker/engine.h"

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: trainsrv [-htv] [-a access_log] [-b address] [-f timetable]\n"
	    "                [-H [address:]port] [-i seconds] [-p port] [-u user]\n"
	    "                [-w workers]\n");
	exit(status);
}

/* A start-up error: one log line (time, program), then exit 1. */
static void __attribute__((noreturn))
fatal(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_info("%s", msg);
	exit(1);
}

static unsigned
number(const char *opt, const char *s, unsigned min, unsigned max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || v < min ||
	    v > max)
		fatal("-%s %s: want a number from %u to %u", opt, s, min, max);
	return (unsigned)v;
}

static unsigned
default_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > TRAINSRV_MAX_WORKERS ? TRAINSRV_MAX_WORKERS : (unsigned)n;
}

static void
parse_options(int argc, char *argv[], struct config *cfg)
{
	static const struct option longopts[] = {
		{ "access-log", required_argument, NULL, 'a' },
		{ "bind", required_argument, NULL, 'b' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "http", required_argument, NULL, 'H' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "port", required_argument, NULL, 'p' },
		{ "test", no_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "workers", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(cfg, 0, sizeof *cfg);
	cfg->timetable = TRAINSRV_TIMETABLE;
	cfg->port = 8080;
	cfg->workers = default_workers();
	cfg->idle_timeout = 300;
	cfg->http_fd = -1;
	while ((ch = getopt_long(argc, argv, "a:b:f:hH:i:p:tu:vw:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': cfg->access_log = optarg; break;
		case 'b': cfg->bind = optarg; break;
		case 'f': cfg->timetable = optarg; break;
		case 'h': usage(0);
		case 'H': cfg->http = optarg; break;
		case 'i': cfg->idle_timeout = number("i", optarg, 1, 86400); break;
		case 'p': cfg->port = number("p", optarg, 0, 65535); break;
		case 't': cfg->check_only = 1; break;
		case 'u': cfg->user = optarg; break;
		case 'v': cfg->verbose = 1; break;
		case 'V': printf("trainsrv %s\n", TRAINSRV_VERSION); exit(0);
		case 'w': cfg->workers = number("w", optarg, 1,
		    TRAINSRV_MAX_WORKERS); break;
		default: usage(1);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "trainsrv: unexpected argument \"%s\"\n", argv[optind]);
		usage(1);
	}
}

static struct tt *
load(const struct config *cfg)
{
	struct tt *tt;
	char *errors;
	unsigned nerrors;

	/* Started without -f and nothing installed: say what to do. */
	if (strcmp(cfg->timetable, TRAINSRV_TIMETABLE) == 0 &&
	    access(cfg->timetable, F_OK) == -1 && errno == ENOENT) {
		if (!cfg->check_only)
			fatal("no timetable at %s: give one with -f FILE",
			    cfg->timetable);
		fprintf(stderr, "trainsrv: no timetable at %s: give one with -f "
		    "FILE\n", cfg->timetable);
		exit(1);
	}
	if ((tt = tt_load(cfg->timetable, &errors, &nerrors)) != NULL)
		return tt;
	/* -t is a checker's report, file:line first; a start is logged. */
	if (cfg->check_only)
		fputs(errors, stderr);
	else
		log_text(errors);
	free(errors);
	if (nerrors > 1 && cfg->check_only)
		fprintf(stderr, "trainsrv: %s: %u errors\n", cfg->timetable, nerrors);
	else if (nerrors > 1)
		fatal("%s: %u errors", cfg->timetable, nerrors);
	exit(1);
}

/*
 * Started as root, the master keeps root (binding, reloading) and its
 * workers become an unprivileged user, "nobody" unless -u says otherwise,
 * before they serve anyone.  Not root: everything runs as the caller, and
 * -u is an error rather than a silent no-op.
 */
static void
resolve_user(struct config *cfg)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		if (cfg->user != NULL)
			fatal("-u %s: only root can switch users", cfg->user);
		return;
	}
	if (cfg->user == NULL)
		cfg->user = "nobody";
	errno = 0;
	if ((pw = getpwnam(cfg->user)) == NULL)
		fatal("-u %s: no such user", cfg->user);
	if (pw->pw_uid == 0)
		fatal("-u %s: workers must not run as root", cfg->user);
	cfg->uid = pw->pw_uid;
	cfg->gid = pw->pw_gid;
}

/* As many descriptors as the hard limit allows (nginx's worker_rlimit_nofile). */
static unsigned long
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur;
}

/*
 * -H: the HTTP listener, opened like the line port (same address unless
 * one is given) and inherited by every worker through cfg->http_fd.
 */
static void
http_open(struct config *cfg, char *desc, size_t desclen, char *url,
    size_t urllen)
{
	char addr[64], err[256];
	unsigned port, bound;

	if (cfg->http == NULL)
		return;
	if (listen_spec(cfg->http, addr, sizeof addr, &port, err, sizeof err) == -1)
		fatal("-H %s: %s", cfg->http, err);
	cfg->http_fd = listen_open(addr[0] != '\0' ? addr : cfg->bind, port,
	    desc, desclen, &bound, err, sizeof err);
	if (cfg->http_fd == -1)
		fatal("cannot listen for HTTP on %s: %s", cfg->http, err);
	/* The URL to open: a wildcard address is reached on localhost. */
	if (strncmp(desc, "[::]:", 5) == 0 || strncmp(desc, "0.0.0.0:", 8) == 0)
		snprintf(url, urllen, "http://localhost:%u/", bound);
	else
		snprintf(url, urllen, "http://%s/", desc);
}

static void
banner(const struct config *cfg, const struct tt *tt, const char *desc,
    const char *hdesc, const char *hurl, const struct st_segment *seg,
    unsigned long nofile)
{
	log_info("trainsrv %s, master pid %ld", TRAINSRV_VERSION, (long)getpid());
	log_info("timetable %s: %u train%s, %u leg%s, %u station%s (%zu KB)",
	    cfg->timetable, tt_ntrains(tt), plural(tt_ntrains(tt)), tt_nlegs(tt),
	    plural(tt_nlegs(tt)), tt_nstations(tt), plural(tt_nstations(tt)),
	    tt_arena_size(tt) / 1024);
	log_info("listening on %s%s", desc, cfg->bind == NULL &&
	    desc[0] == '[' ? " (IPv4 and IPv6)" : "");
	if (cfg->http != NULL)
		log_info("HTTP on %s: %s", hdesc, hurl);
	log_info("%u worker%s, up to %lu connections each (RLIMIT_NOFILE)%s%s",
	    cfg->workers, cfg->workers == 1 ? "" : "s",
	    nofile > 32 ? nofile - 32 : nofile,
	    cfg->uid != 0 ? ", running as user " : "",
	    cfg->uid != 0 ? cfg->user : "");
	log_info("stats segment %s (trainsrv-stat -p %u)", seg->name,
	    seg->hdr->port);
	log_info("signals: INT/TERM stop gracefully (twice: at once), "
	    "HUP reload the timetable, TTIN/TTOU one worker more/fewer");
}

int
main(int argc, char *argv[])
{
	struct config cfg;
	struct st_segment seg;
	struct tt *tt;
	char desc[96], err[512], path[PATH_MAX];
	char hdesc[96] = "", hurl[128] = "";
	unsigned long nofile;
	size_t len;
	unsigned port;
	int lfd, rc;

	parse_options(argc, argv, &cfg);
	log_set_verbose(cfg.verbose);
	tt = load(&cfg);
	if (cfg.check_only) {
		printf("%s: OK: %u trains, %u legs, %u stations\n", cfg.timetable,
		    tt_ntrains(tt), tt_nlegs(tt), tt_nstations(tt));
		tt_free(tt);
		return 0;
	}
	resolve_user(&cfg);
	if (cfg.access_log != NULL && access_prepare(cfg.access_log, cfg.uid,
	    cfg.gid, err, sizeof err) == -1)
		fatal("%s", err);
	nofile = raise_nofile();
	lfd = listen_open(cfg.bind, cfg.port, desc, sizeof desc, &port, err,
	    sizeof err);
	if (lfd == -1)
		fatal("cannot listen on %s:%u: %s", cfg.bind ? cfg.bind : "[::]",
		    cfg.port, err);
	http_open(&cfg, hdesc, sizeof hdesc, hurl, sizeof hurl);
	if (st_create(port, &seg, err, sizeof err) == -1)
		fatal("%s", err);
	/* Readers in the workers' group may read it (mode 0640). */
	if (cfg.uid != 0 && fchown(seg.fd, 0, cfg.gid) == -1) {
		snprintf(err, sizeof err, "fchown %s: %s", seg.name,
		    strerror(errno));
		st_destroy(&seg);
		fatal("%s", err);
	}
	snprintf(seg.hdr->listen, sizeof seg.hdr->listen, "%s", desc);
	if (realpath(cfg.timetable, path) == NULL)
		snprintf(path, sizeof path, "%s", cfg.timetable);
	/*
	 * The path alone, NUL-padded: the segment is readable by the workers'
	 * group, and the bytes after the path in path[] are our stack.
	 */
	len = strnlen(path, sizeof seg.hdr->timetable - 1);
	memset(seg.hdr->timetable, 0, sizeof seg.hdr->timetable);
	memcpy(seg.hdr->timetable, path, len);
	log_init("master");
	banner(&cfg, tt, desc, hdesc, hurl, &seg, nofile);
	fflush(NULL);
	rc = master_run(&cfg, lfd, tt, &seg);
	if (cfg.http_fd != -1)
		close(cfg.http_fd);
	st_destroy(&seg);
	return rc;
}

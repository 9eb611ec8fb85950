/*
 * main.c — trainsrv-import: turn a GTFS static feed into a trainsrv
 * timetable for one service date (trainsrv-import(1)).
 *
 * usage: trainsrv-import [-c minutes] [-d YYYY-MM-DD] [-o file] gtfs_dir
 *
 * The timetable is made in memory and loaded by the server's own parser
 * (tt_load_mem) before a byte is written: an import that succeeds always
 * gives a file `trainsrv -t` accepts, whatever the feed held; one the
 * server would refuse is a bug of the importer, said as such.  The output
 * is written to a temporary file beside the target (mkstemp: the directory
 * may be shared) and renamed over it only when complete, so a server
 * reloading that file never reads half a timetable.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "import/gtfs.h"
#include "ipc/version.h"
#include "worker/engine.h"

#define USAGE	"usage: trainsrv-import [-c minutes] [-d YYYY-MM-DD] " \
		    "[-o file] gtfs_dir\n"

static void __attribute__((noreturn))
usage(void)
{
	fputs(USAGE, stderr);
	exit(1);
}

static void __attribute__((noreturn))
die(const char *msg)
{
	fprintf(stderr, "trainsrv-import: %s\n", msg);
	exit(1);
}

static int
today(void)
{
	time_t		t = time(NULL);
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL)
		die("localtime failed");
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	    tm.tm_mday;
}

static int
minutes(const char *s)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 1 || v > 1440) {
		fprintf(stderr, "trainsrv-import: bad change time \"%s\" (want "
		    "whole minutes, 1 to 1440)\n", s);
		exit(1);
	}
	return (int)v;
}

static void __attribute__((noreturn))
die_path(const char *path)
{
	char	msg[PATH_MAX + 128];

	snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
	die(msg);
}

/*
 * The feed must be a directory: a .zip (as feeds are published) or any other
 * file gets a sentence saying what to do, not "stops.txt: Not a directory".
 */
static void
check_dir(const char *dir)
{
	struct stat	 sb;
	size_t		 n = strlen(dir);

	if (stat(dir, &sb) == -1 || S_ISDIR(sb.st_mode))
		return;	/* a missing one: gtfs_load names the file it wants */
	if (n >= 4 && strcasecmp(dir + n - 4, ".zip") == 0)
		fprintf(stderr, "trainsrv-import: %s: unzip it first: "
		    "trainsrv-import reads a directory of GTFS .txt files\n", dir);
	else
		fprintf(stderr, "trainsrv-import: %s: not a directory: "
		    "trainsrv-import reads a directory of GTFS .txt files\n", dir);
	exit(1);
}

/*
 * Not a regular file (/dev/null, a FIFO, a terminal): write to it as it
 * is; renaming over it would replace the device with a plain file.  It
 * is opened without O_CREAT or O_TRUNC, and checked again once open: if
 * a regular file was put in its place meanwhile, 0 and the caller goes
 * the temporary file's way.  Returns 1 when written.
 */
static int
write_special(const char *text, size_t len, const char *path)
{
	struct stat	 sb;
	FILE		*fp;
	int		 fd;

	do
		fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	while (fd == -1 && errno == EINTR);
	if (fd == -1)
		die_path(path);
	if (fstat(fd, &sb) == -1)
		die_path(path);
	if (S_ISREG(sb.st_mode)) {
		close(fd);
		return 0;
	}
	if ((fp = fdopen(fd, "w")) == NULL || fwrite(text, 1, len, fp) != len ||
	    fclose(fp) == EOF)
		die_path(path);
	return 1;
}

/*
 * Write the timetable to path through a temporary file beside it, renamed
 * over it when complete.  The directory may be shared (/tmp): mkstemp
 * creates a new file of a name nobody could guess, O_EXCL, so a file or a
 * symbolic link planted there by another user is never written through.
 * It is made 0666 less the umask, as an ordinary new file.
 */
static void
write_file(const char *text, size_t len, const char *path)
{
	char	 tmp[PATH_MAX], msg[PATH_MAX + 128];
	struct stat sb;
	mode_t	 mask;
	FILE	*fp;
	int	 fd;

	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) &&
	    write_special(text, len, path))
		return;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
	    sizeof(tmp))
		die("output path too long");
	mask = umask(0);
	umask(mask);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		die_path(tmp);
	if (fchmod(fd, 0666 & ~mask) == -1 || (fp = fdopen(fd, "w")) == NULL) {
		snprintf(msg, sizeof(msg), "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		die(msg);
	}
	if (fwrite(text, 1, len, fp) != len || fflush(fp) == EOF ||
	    fsync(fileno(fp)) == -1) {
		snprintf(msg, sizeof(msg), "%s: %s", tmp, strerror(errno));
		fclose(fp);
		unlink(tmp);
		die(msg);
	}
	if (fclose(fp) == EOF || rename(tmp, path) == -1) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		unlink(tmp);
		die(msg);
	}
}

/* The timetable of the feed, in memory (malloc'ed), *len bytes. */
static char *
render(const struct feed *f, const struct gtfs_opts *o, size_t *len)
{
	char	*text = NULL;
	FILE	*fp;

	if ((fp = open_memstream(&text, len)) == NULL)
		die("open_memstream failed: out of memory");
	if (gtfs_emit(f, o, fp) == -1 || fclose(fp) == EOF)
		die("writing the timetable in memory failed: out of memory");
	return text;
}

/*
 * The server's parser must take the timetable.  gtfs.c and emit.c mean to
 * write nothing else: this is the guarantee that an exit status 0 gives a
 * loadable file even when the two disagree (a bug, reported as one).
 */
static void
check_loads(const char *text, size_t len, const char *name)
{
	struct tt	*t;
	char		*errors = NULL;
	unsigned	 n = 0;

	if ((t = tt_load_mem(name, text, len, &errors, &n)) != NULL) {
		tt_free(t);
		free(errors);
		return;
	}
	fprintf(stderr, "trainsrv-import: internal error: trainsrv would "
	    "refuse the timetable made (%u error%s); nothing written:\n%s",
	    n, n == 1 ? "" : "s", errors ? errors : "");
	exit(1);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help",	no_argument,	NULL, 'h' },
		{ "version",	no_argument,	NULL, 'V' },
		{ NULL,		0,		NULL, 0 }
	};
	struct gtfs_opts	 o;
	struct feed		*f;
	const char		*out = NULL;
	char			 err[GTFS_ERR_MAX], *text;
	size_t			 len;
	int			 c;

	memset(&o, 0, sizeof(o));
	o.change = GTFS_CHANGE_DEFAULT;
	while ((c = getopt_long(argc, argv, "c:d:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'V':
			printf("trainsrv-import %s\n", TRAINSRV_VERSION);
			return 0;
		case 'c':
			o.change = minutes(optarg);
			break;
		case 'd':
			if ((o.date = gtfs_date(optarg, 1)) == -1) {
				fprintf(stderr, "trainsrv-import: bad date "
				    "\"%s\" (want YYYY-MM-DD)\n", optarg);
				return 1;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(USAGE, stdout);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	o.dir = argv[optind];
	check_dir(o.dir);
	if (o.date == 0)
		o.date = today();
	if ((f = gtfs_load(&o, err, sizeof(err))) == NULL)
		die(err);
	text = render(f, &o, &len);
	gtfs_free(f);
	check_loads(text, len, out != NULL && strcmp(out, "-") != 0 ? out :
	    "stdout");
	if (out != NULL && strcmp(out, "-") != 0)
		write_file(text, len, out);
	else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) == EOF)
		die("stdout: write error");
	free(text);
	return 0;
}

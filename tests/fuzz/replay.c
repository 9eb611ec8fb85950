/*
 * replay.c — feed the fuzz corpora to the harnesses without libFuzzer, so
 * that `make test` replays every seed and every crash ever found with the
 * ordinary compiler (and `make check-asan` under the sanitizers).
 *
 *   fuzz-replay DIR                 every file under DIR/corpus/<harness>/ and
 *                                   DIR/regress/<harness>/, for each harness
 *   fuzz-replay HARNESS FILE...     the given files to one harness
 *
 * The harnesses are included here, each under its own entry-point name.  A
 * broken invariant aborts; the file being replayed is named first.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LLVMFuzzerTestOneInput	fuzz_request_one
#include "tests/fuzz/fuzz_request.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_timetable_one
#include "tests/fuzz/fuzz_timetable.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_csv_one
#include "tests/fuzz/fuzz_csv.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput	fuzz_conn_one
#include "tests/fuzz/fuzz_conn.c"
#undef LLVMFuzzerTestOneInput

static const struct harness {
	const char	*name;
	int		(*one)(const uint8_t *, size_t);
} harnesses[] = {
	{ "request", fuzz_request_one },
	{ "timetable", fuzz_timetable_one },
	{ "csv", fuzz_csv_one },
	{ "conn", fuzz_conn_one },
};
#define NHARNESS	(sizeof harnesses / sizeof harnesses[0])

static char current[4096];

static void
on_crash(int sig)
{
	static const char msg[] = "fuzz-replay: crashed on ";

	(void)!write(2, msg, sizeof msg - 1);
	(void)!write(2, current, strlen(current));
	(void)!write(2, "\n", 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
replay_file(const struct harness *h, const char *path)
{
	FILE *f;
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, n;

	if (snprintf(current, sizeof current, "%s (harness %s)", path,
	    h->name) >= (int)sizeof current)
		current[sizeof current - 1] = '\0';
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *p;

			cap = cap ? cap * 2 : 65536;
			if ((p = realloc(data, cap)) == NULL) {
				fprintf(stderr, "fuzz-replay: out of memory\n");
				exit(1);
			}
			data = p;
		}
		if ((n = fread(data + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	/* An exact-size copy, so that ASan sees any read past the end. */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (exact == NULL)
			exit(1);
		memcpy(exact, data, len);
		free(data);
		h->one(exact, len);
		free(exact);
	}
	return 0;
}

/* Every regular file in dir (not dot files); returns how many, -1 on error. */
static long
replay_dir(const struct harness *h, const char *dir)
{
	struct dirent **ents;
	char path[4096];
	struct stat st;
	long count = 0;
	int i, n;

	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1)
		return errno == ENOENT ? 0 : -1;
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.' &&
		    snprintf(path, sizeof path, "%s/%s", dir,
		    ents[i]->d_name) < (int)sizeof path) {
			if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
				if (replay_file(h, path) == -1)
					count = -1;
				else if (count >= 0)
					count++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	return count;
}

int
main(int argc, char **argv)
{
	static const char *kinds[] = { "corpus", "regress" };
	char dir[4096];
	size_t i, k;
	long n;
	int j, status = 0;

	signal(SIGABRT, on_crash);
	signal(SIGSEGV, on_crash);
	signal(SIGBUS, on_crash);
	signal(SIGFPE, on_crash);
	if (argc == 2) {
		for (i = 0; i < NHARNESS; i++)
			for (k = 0; k < 2; k++) {
				if (snprintf(dir, sizeof dir, "%s/%s/%s", argv[1],
				    kinds[k], harnesses[i].name) >= (int)sizeof dir ||
				    (n = replay_dir(&harnesses[i], dir)) == -1) {
					fprintf(stderr, "fuzz-replay: %s: %s\n",
					    dir, strerror(errno));
					status = 1;
					continue;
				}
				printf("%s/%s: %ld inputs replayed, no crash\n",
				    kinds[k], harnesses[i].name, n);
			}
		return status;
	}
	if (argc >= 3) {
		for (i = 0; i < NHARNESS; i++)
			if (strcmp(argv[1], harnesses[i].name) == 0)
				break;
		if (i < NHARNESS) {
			for (j = 2; j < argc; j++)
				if (replay_file(&harnesses[i], argv[j]) == -1)
					status = 1;
			if (status == 0)
				printf("%d inputs replayed, no crash\n", argc - 2);
			return status;
		}
	}
	fprintf(stderr, "usage: fuzz-replay dir\n"
	    "       fuzz-replay request|timetable|csv|conn file...\n");
	return 2;
}

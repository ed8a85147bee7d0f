/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * main() for a fuzz target in a build without libFuzzer (gcc, or clang
 * without -Dfuzz=true): every file named, and every file in every
 * folder named, is given to LLVMFuzzerTestOneInput() once, in name
 * order. Arguments starting with '-' are libFuzzer options: ignored.
 * A target aborts on a broken rule, so finishing is the pass; finishing
 * with no input at all is a failure.
 */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

static unsigned long nb_inputs;

static void
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "xchg-fuzz: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	/* Exactly the input's length, as libFuzzer gives it. */
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "xchg-fuzz: %s: cannot read\n", path);
		exit(1);
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)size);
	free(buf);
	nb_inputs++;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

static void
run_dir(const char *dir)
{
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	DIR *d = opendir(dir);

	if (d == NULL) {
		fprintf(stderr, "xchg-fuzz: %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			names = realloc(names, cap * sizeof(*names));
			if (names == NULL)
				exit(1);
		}
		if (asprintf(&names[n], "%s/%s", dir, e->d_name) < 0)
			exit(1);
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp);
	for (i = 0; i < n; i++) {
		struct stat st;

		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			run_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	int i;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		struct stat st;

		if (argv[i][0] == '-')
			continue;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "xchg-fuzz: %s: %s\n", argv[i],
				strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode))
			run_dir(argv[i]);
		else
			run_file(argv[i]);
	}
	/* No input: nothing was checked, and that is a failure. */
	if (nb_inputs == 0) {
		fprintf(stderr, "%s: no input given, nothing checked\n",
			argv[0]);
		return 1;
	}
	printf("%s: %lu inputs, every rule held\n", argv[0], nb_inputs);
	return 0;
}

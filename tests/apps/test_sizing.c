/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The C sizing call and xchg-size agree on every configuration in
 * config/: for 1 and 4 lcores, each term of xchg_config_terms() is a line
 * of xchg-size's output with the same name, formula and figures, and the
 * arena it computes is the sum xchg_config_sizing() requires.
 *
 * Usage: test_sizing XCHG_SIZE CONFIG_DIR
 */

#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xchg_config.h"
#include "xchg_test.h"

static char *
run_size(const char *exe, const char *path, unsigned int lcores)
{
	char cmd[2048], *out = NULL;
	size_t len = 0;
	FILE *f, *m = open_memstream(&out, &len);
	int c;

	if (m == NULL)
		return NULL;
	snprintf(cmd, sizeof(cmd), "'%s' --config '%s' --lcores %u", exe, path,
		 lcores);
	f = popen(cmd, "r");
	if (f == NULL) {
		fclose(m);
		free(out);
		return NULL;
	}
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	XT_EQ(pclose(f), 0);
	fclose(m);
	return out;
}

static void
agree(const char *exe, const char *path, unsigned int lcores)
{
	char err[XCHG_CONFIG_ERR_SIZE], line[512], *out;
	struct xchg_config *cfg = xchg_config_load(path, err, sizeof(err));
	struct xchg_config_term *t;
	struct xchg_config_sizing z;
	int n, i;

	XT_CHECK(cfg != NULL, "%s: %s", path, err);
	if (cfg == NULL)
		return;
	n = xchg_config_terms(cfg, lcores, NULL, 0);
	XT_CHECK(n > 0, "%s: %d terms", path, n);
	t = calloc((size_t)n, sizeof(*t));
	out = run_size(exe, path, lcores);
	XT_CHECK(t != NULL && out != NULL, "%s: xchg-size ran", path);
	if (t == NULL || out == NULL)
		goto end;
	XT_EQ(xchg_config_terms(cfg, lcores, t, (unsigned int)n), n);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line),
			 "  %-22s %u x (%s) = %u x %u = %" PRIu64, t[i].name,
			 t[i].count, t[i].formula, t[i].count, t[i].each,
			 t[i].buffers);
		XT_CHECK(strstr(out, line) != NULL,
			 "%s, %u lcores: xchg-size shows the term '%s'", path,
			 lcores, line);
	}
	xchg_config_sizing(cfg, lcores, &z);
	snprintf(line, sizeof(line), " = %u (configured %u)\n", z.required,
		 cfg->arena.buffers);
	XT_CHECK(strstr(out, line) != NULL,
		 "%s, %u lcores: xchg-size's arena is the C call's %u", path,
		 lcores, z.required);
end:
	free(out);
	free(t);
	xchg_config_free(cfg);
}

int
main(int argc, char **argv)
{
	struct dirent *e;
	char path[1024];
	unsigned int files = 0;
	DIR *d;

	if (argc < 3) {
		printf("usage: %s XCHG_SIZE CONFIG_DIR\n", argv[0]);
		return 1;
	}
	d = opendir(argv[2]);
	if (d == NULL) {
		perror(argv[2]);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l < 5 || strcmp(e->d_name + l - 4, ".ini") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[2], e->d_name);
		agree(argv[1], path, 1);
		agree(argv[1], path, 4);
		files++;
	}
	closedir(d);
	XT_CHECK(files >= 4, "%u configuration files", files);
	return xt_done("sizing");
}

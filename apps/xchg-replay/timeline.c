/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * --timeline and --plot: the run cut into slices of capture time. Per
 * slice: frames delivered to critical sockets and to the other sockets,
 * and each pool's fewest available units seen in the slice. The CSV has
 * one row per slice; the plot is drawn by gnuplot from a script written
 * beside the CSV (doc/evidence.rst).
 */

#include <errno.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <rte_mempool.h>

#include "replay.h"

#define MAX_SLICES 10000
#define PLOT_WIDTH 1000
#define PLOT_HEIGHT 750

extern char **environ;

static const char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

int
timeline_init(struct replay *r, uint64_t t0_us, uint64_t t1_us,
	      uint64_t slice_us)
{
	struct timeline *tl = &r->tl;
	uint64_t n = (t1_us - t0_us) / slice_us + 1;

	memset(tl, 0, sizeof(*tl));
	if (n > MAX_SLICES) {
		fprintf(stderr, PROG ": --slice-ms: the capture lasts %" PRIu64 " ms, more than %u slices of %" PRIu64 " ms; give a larger --slice-ms\n",
			(t1_us - t0_us) / 1000, MAX_SLICES, slice_us / 1000);
		return -EINVAL;
	}
	tl->slice_us = slice_us;
	tl->t0_us = t0_us;
	tl->nb_slices = (unsigned int)n;
	tl->critical = calloc(n, sizeof(*tl->critical));
	tl->bulk = calloc(n, sizeof(*tl->bulk));
	if (tl->critical == NULL || tl->bulk == NULL) {
		timeline_free(tl);
		return -ENOMEM;
	}
	return 0;
}

void
timeline_free(struct timeline *tl)
{
	free(tl->critical);
	free(tl->bulk);
	free(tl->available);
	free(tl->arena_free);
	memset(tl, 0, sizeof(*tl));
}

struct pool_walk {
	struct timeline *tl;
	unsigned int slice, k;
	bool names;
};

static int
pool_sample(struct xchg_pool *pool, void *arg)
{
	struct pool_walk *w = arg;
	struct timeline *tl = w->tl;
	struct xchg_pool_stats s;
	uint32_t *slot;

	if (w->k >= tl->nb_pools && !w->names)
		return 0;
	if (w->names) {
		if (tl->nb_pools == MAX_R_POOLS)
			return 0;
		snprintf(tl->pool_names[tl->nb_pools],
			 sizeof(tl->pool_names[0]), "%s",
			 xchg_pool_name(pool));
		tl->nb_pools++;
	}
	if (xchg_pool_stats_get(pool, &s) == 0) {
		slot = &tl->available[(size_t)w->slice * tl->nb_pools + w->k];
		if (w->names || s.available < *slot)
			*slot = s.available;
	}
	w->k++;
	return 0;
}

/* After a round: what the sockets took since the last round goes to the
 * slice of the capture time reached; pools are sampled. */
void
timeline_sample(struct replay *r)
{
	const struct xchg_config *cfg = r->cfg;
	struct timeline *tl = &r->tl;
	struct pool_walk w = { .tl = tl };
	struct xchg_arena *arena;
	uint64_t now = 0, crit = 0, bulk = 0, t;
	unsigned int i;

	for (i = 0; i < cfg->nb_ports; i++) {
		const struct timeval *tv = &r->inputs[i].cur;

		t = (uint64_t)tv->tv_sec * 1000000 + (uint64_t)tv->tv_usec;
		now = RTE_MAX(now, t);
	}
	w.slice = now <= tl->t0_us ? 0 :
		  (unsigned int)RTE_MIN((now - tl->t0_us) / tl->slice_us,
					(uint64_t)tl->nb_slices - 1);
	for (i = 0; i < cfg->nb_sockets; i++) {
		if (cfg->sockets[i].priority == XCHG_PRIO_CRITICAL)
			crit += r->consumers[i].frames;
		else
			bulk += r->consumers[i].frames;
	}
	tl->critical[w.slice] += crit - tl->last_critical;
	tl->bulk[w.slice] += bulk - tl->last_bulk;
	tl->last_critical = crit;
	tl->last_bulk = bulk;

	if (tl->available == NULL) {
		size_t n = (size_t)tl->nb_slices * MAX_R_POOLS;

		tl->available = malloc(n * sizeof(*tl->available));
		tl->arena_free = malloc(tl->nb_slices *
					sizeof(*tl->arena_free));
		if (tl->available == NULL || tl->arena_free == NULL) {
			free(tl->available);
			free(tl->arena_free);
			tl->available = NULL;
			tl->arena_free = NULL;
			return;
		}
		for (i = 0; i < n; i++)
			tl->available[i] = UINT32_MAX;
		for (i = 0; i < tl->nb_slices; i++)
			tl->arena_free[i] = UINT32_MAX;
		w.names = true;
	}
	arena = xchg_config_setup_arena(r->su);
	xchg_pool_foreach(arena, pool_sample, &w);
	t = rte_mempool_avail_count(xchg_arena_mempool(arena));
	if (t < tl->arena_free[w.slice])
		tl->arena_free[w.slice] = (uint32_t)t;
}

static const char *
mode_name(enum replay_mode m)
{
	return m == MODE_EXCHANGE ? "exchange" : "shared";
}

static unsigned int
common_pools(const struct replay *const *runs, unsigned int nb)
{
	unsigned int i, np = runs[0]->tl.nb_pools;

	for (i = 1; i < nb; i++)
		np = RTE_MIN(np, runs[i]->tl.nb_pools);
	return np;
}

int
timeline_write_csv(const struct replay *const *runs, unsigned int nb,
		   const char *path)
{
	const struct timeline *t0 = &runs[0]->tl;
	unsigned int np = common_pools(runs, nb), i, j, k;
	uint32_t last[2][MAX_R_POOLS + 1];
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fprintf(f, "slice,time_s");
	for (j = 0; j < nb; j++)
		fprintf(f, ",%s_critical_delivered,%s_bulk_delivered",
			mode_name(runs[j]->mode), mode_name(runs[j]->mode));
	for (j = 0; j < nb; j++)
		fprintf(f, ",%s_arena_free", mode_name(runs[j]->mode));
	for (j = 0; j < nb; j++)
		for (k = 0; k < np; k++)
			fprintf(f, ",%s_%s_available",
				mode_name(runs[j]->mode), t0->pool_names[k]);
	fprintf(f, "\n");
	memset(last, 0xff, sizeof(last));
	for (i = 0; i < t0->nb_slices; i++) {
		uint64_t us = (uint64_t)i * t0->slice_us;

		fprintf(f, "%u,%" PRIu64 ".%06" PRIu64, i, us / 1000000,
			us % 1000000);
		for (j = 0; j < nb; j++)
			fprintf(f, ",%" PRIu64 ",%" PRIu64,
				runs[j]->tl.critical[i], runs[j]->tl.bulk[i]);
		for (j = 0; j < nb; j++) {
			const struct timeline *tl = &runs[j]->tl;
			uint32_t v = tl->arena_free != NULL ?
				     tl->arena_free[i] : UINT32_MAX;

			if (v == UINT32_MAX)
				v = last[j][MAX_R_POOLS];
			last[j][MAX_R_POOLS] = v;
			if (v == UINT32_MAX)
				fprintf(f, ",");
			else
				fprintf(f, ",%u", v);
		}
		for (j = 0; j < nb; j++) {
			const struct timeline *tl = &runs[j]->tl;

			for (k = 0; k < np; k++) {
				uint32_t v = tl->available != NULL ?
					tl->available[(size_t)i * tl->nb_pools +
						      k] : UINT32_MAX;

				/* A slice nobody polled in keeps the
				 * level of the one before. */
				if (v == UINT32_MAX)
					v = last[j][k];
				last[j][k] = v;
				if (v == UINT32_MAX)
					fprintf(f, ",");
				else
					fprintf(f, ",%u", v);
			}
		}
		fprintf(f, "\n");
	}
	if (fclose(f) != 0)
		return -errno;
	return 0;
}

/* A path inside a gnuplot single-quoted string. */
static void
gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

int
timeline_plot(const struct replay *const *runs, unsigned int nb,
	      const char *csv, const char *png, const char *script)
{
	unsigned int np = common_pools(runs, nb), j, k, col;
	char *argv[] = { (char *)(uintptr_t)"gnuplot",
			 (char *)(uintptr_t)script, NULL };
	FILE *f = fopen(script, "w");
	pid_t pid;
	int status, ret;

	if (f == NULL)
		return -errno;
	fprintf(f, "# Written by " PROG " --plot; run again with: gnuplot %s\n",
		script);
	fprintf(f, "set terminal pngcairo size %u,%u font 'sans,10'\nset output ",
		PLOT_WIDTH, PLOT_HEIGHT);
	gp_str(f, png);
	fprintf(f, "\nset datafile separator ','\nset key outside right top\n"
		"set grid\nset termoption noenhanced\nset xlabel 'capture time (s)'\n"
		"set multiplot layout 2,1 title '" PROG ": %s, %" PRIu64 " frames in, %u buffers'\n",
		base_name(runs[0]->cfg->path), runs[0]->res.frames_in,
		runs[0]->res.buffers);
	fprintf(f, "set title 'Frames delivered to sockets per %" PRIu64 " ms slice'\n"
		"set ylabel 'frames'\nplot ", runs[0]->tl.slice_us / 1000);
	for (j = 0; j < nb; j++) {
		const char *m = mode_name(runs[j]->mode);

		fprintf(f, "%s", j ? ", \\\n     " : "");
		gp_str(f, csv);
		fprintf(f, " using 2:%u with lines lw 2 dt %u lc rgb '#1a9850' title '%s: critical', \\\n     ''"
			" using 2:%u with lines lw 2 dt %u lc rgb '#d73027' title '%s: bulk'",
			3 + 2 * j, j ? 2 : 1, m, 4 + 2 * j, j ? 2 : 1, m);
	}
	fprintf(f, "\nset title 'Free units: the arena, and each pool (available, fewest in the slice)'\n"
		"set ylabel 'units'\nplot ");
	for (j = 0; j < nb; j++) {
		fprintf(f, "%s", j ? ", \\\n     " : "");
		gp_str(f, csv);
		fprintf(f, " using 2:%u with steps lw 3 dt %u lc rgb 'black' title '%s: arena free'",
			3 + 2 * nb + j, j ? 2 : 1, mode_name(runs[j]->mode));
	}
	col = 3 + 3 * nb;
	for (j = 0; j < nb; j++)
		for (k = 0; k < np; k++, col++) {
			fprintf(f, ", \\\n     ");
			gp_str(f, csv);
			fprintf(f, " using 2:%u with steps lw 1.5 dt %u lc %u title '%s: %s'",
				col, j ? 2 : 1, k + 1, mode_name(runs[j]->mode),
				runs[0]->tl.pool_names[k]);
		}
	fprintf(f, "\nunset multiplot\n");
	if (fclose(f) != 0)
		return -errno;
	ret = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);
	if (ret != 0) {
		fprintf(stderr, PROG ": --plot: cannot run gnuplot: %s; install it (apt-get install gnuplot-nox)\n",
			strerror(ret));
		return -ret;
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, PROG ": --plot: gnuplot failed on %s\n", script);
		return -EIO;
	}
	return 0;
}

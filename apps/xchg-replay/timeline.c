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

/* A mode as the plot names it: "xchg" for the exchange mode. */
static const char *
plot_mode(enum replay_mode m)
{
	return m == MODE_EXCHANGE ? "xchg" : "shared";
}

/* A pool moves when its available units changed during the run, in any
 * mode: the plot shows only those. */
static bool
pool_moves(const struct replay *const *runs, unsigned int nb, unsigned int k)
{
	unsigned int j, i;

	for (j = 0; j < nb; j++) {
		const struct timeline *tl = &runs[j]->tl;
		uint32_t lo = UINT32_MAX, hi = 0, v;

		for (i = 0; tl->available != NULL && i < tl->nb_slices; i++) {
			v = tl->available[(size_t)i * tl->nb_pools + k];
			if (v == UINT32_MAX)
				continue;
			lo = RTE_MIN(lo, v);
			hi = RTE_MAX(hi, v);
		}
		if (lo != UINT32_MAX && hi != lo)
			return true;
	}
	return false;
}

/* The pool of a consumer that never frees. */
static bool
is_hog(const struct replay *r, const char *pool)
{
	unsigned int i;

	for (i = 0; i < r->res.nb_consumers; i++)
		if (strcmp(r->res.consumers[i].name, pool) == 0)
			return r->res.consumers[i].behaviour != NULL &&
			       strcmp(r->res.consumers[i].behaviour, "hog") == 0;
	return false;
}

static const char *
mode_colour(enum replay_mode m)
{
	return m == MODE_EXCHANGE ? "#66bd63" : "#d73027";
}

/* Frames offered to and delivered to the critical consumers of a run. */
static void
critical_sums(const struct result *res, uint64_t *off, uint64_t *del)
{
	unsigned int i;

	*off = 0;
	*del = 0;
	for (i = 0; i < res->nb_consumers; i++)
		if (res->consumers[i].critical) {
			*off += res->consumers[i].offered;
			*del += res->consumers[i].delivered;
		}
}

/* "critical 1000/1000 with xchg, 682/1000 shared": every critical
 * consumer's delivered and offered frames, per mode. */
static void
verdict_text(const struct replay *const *runs, unsigned int nb, char *buf,
	     size_t size)
{
	size_t n = 0;
	unsigned int j;

	buf[0] = '\0';
	for (j = 0; j < nb && n < size; j++) {
		uint64_t off, del;

		critical_sums(&runs[j]->res, &off, &del);
		n += (size_t)snprintf(buf + n, size - n, "%s%" PRIu64 "/%" PRIu64 " %s",
				      j ? ", " : "critical ", del, off,
				      runs[j]->mode == MODE_EXCHANGE ?
				      "with xchg" : "shared");
	}
}

/* Distinct colours (ColorBrewer Dark2 and Set1), one per line. */
static const char *const palette[] = {
	"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
	"#a6761d", "#377eb8", "#666666", "#984ea3",
};

int
timeline_plot(const struct replay *const *runs, unsigned int nb,
	      const char *csv, const char *png, const char *script)
{
	unsigned int np = common_pools(runs, nb), j, k, col, colour = 0;
	char *argv[] = { (char *)(uintptr_t)"gnuplot",
			 (char *)(uintptr_t)script, NULL };
	char verdict[160];
	double end_s;
	FILE *f = fopen(script, "w");
	pid_t pid;
	int status, ret;

	if (f == NULL)
		return -errno;
	verdict_text(runs, nb, verdict, sizeof(verdict));
	end_s = (double)(runs[0]->tl.nb_slices - 1) *
		(double)runs[0]->tl.slice_us / 1e6;
	fprintf(f, "# Written by " PROG " --plot; run again with: gnuplot %s\n",
		script);
	fprintf(f, "set terminal pngcairo size %u,%u font 'sans,11'\nset output ",
		PLOT_WIDTH, PLOT_HEIGHT);
	gp_str(f, png);
	fprintf(f, "\nset datafile separator ','\n"
		"set grid\nset termoption noenhanced\nset xlabel 'capture time (s)'\n"
		"set multiplot title \"%s: %s\\n%s, %" PRIu64 " frames in, %u buffers\" font 'sans,14'\n"
		"set lmargin 10\nset rmargin 28\nset xrange [0:%.3f]\n",
		PROG, verdict, base_name(runs[0]->cfg->path),
		runs[0]->res.frames_in, runs[0]->res.buffers, end_s);
	/* Top: what the critical sockets got, added up over the capture
	 * (a running sum: no per-slice aliasing). */
	fprintf(f, "set origin 0,0.42\nset size 1,0.50\n"
		"unset key\n"
		"set title 'Frames delivered to the critical sockets, cumulative'\n"
		"set ylabel 'frames'\nset yrange [0:*]\n");
	for (j = 0; j < nb; j++) {
		uint64_t off, del;

		critical_sums(&runs[j]->res, &off, &del);
		fprintf(f, "c%u = 0\nset label %u '%s: %" PRIu64 " of %" PRIu64 "%s' at first %.3f, first %" PRIu64 " offset 1,0 left textcolor rgb '%s'\n",
			j, j + 1, plot_mode(runs[j]->mode), del, off,
			del < off ? " !" : "", end_s, del,
			mode_colour(runs[j]->mode));
	}
	/* The xchg line wide and underneath, the shared one on top: where
	 * they run together both stay visible. */
	fprintf(f, "plot ");
	for (j = 0; j < nb; j++) {
		fprintf(f, "%s", j ? ", \\\n     " : "");
		gp_str(f, csv);
		fprintf(f, " using 2:(c%u = c%u + column(%u)) with lines lw %s lc rgb '%s' title '%s'",
			j, j, 3 + 2 * j,
			runs[j]->mode == MODE_EXCHANGE ? "6" : "2.5",
			mode_colour(runs[j]->mode), plot_mode(runs[j]->mode));
	}
	fprintf(f, "\nunset label");
	/* Bottom: the arena's free buffers and the pools that move. */
	fprintf(f, "\nset origin 0,0\nset size 1,0.42\n"
		"set key outside right top box\n"
		"set title 'Free buffers in the arena, and available units of the pools that move'\n"
		"set ylabel 'buffers'\nset yrange [0:*]\nplot ");
	for (j = 0; j < nb; j++) {
		fprintf(f, "%s", j ? ", \\\n     " : "");
		gp_str(f, csv);
		fprintf(f, " using 2:%u with steps lw 5 lc rgb '%s' title '%s: arena free'",
			3 + 2 * nb + j, palette[colour++ % RTE_DIM(palette)],
			plot_mode(runs[j]->mode));
	}
	for (j = 0; j < nb; j++)
		for (k = 0; k < np; k++) {
			col = 3 + 3 * nb + j * np + k;
			if (!pool_moves(runs, nb, k))
				continue;
			fprintf(f, ", \\\n     ");
			gp_str(f, csv);
			fprintf(f, " using 2:%u with steps lw 2 lc rgb '%s' title '%s: %s%s'",
				col, palette[colour++ % RTE_DIM(palette)],
				plot_mode(runs[j]->mode),
				runs[0]->tl.pool_names[k],
				is_hog(runs[j], runs[0]->tl.pool_names[k]) ?
				" (hog)" : "");
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

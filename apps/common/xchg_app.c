/* SPDX-License-Identifier: BSD-3-Clause */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include "xchg_app.h"

int
xchg_app_number(const char *prog, const char *opt, const char *arg,
		uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (end != arg && end[0] != '\0' && end[1] == '\0') {
		mult = end[0] == 'K' || end[0] == 'k' ? 1000 :
		       end[0] == 'M' || end[0] == 'm' ? 1000000 :
		       end[0] == 'G' || end[0] == 'g' ? 1000000000 : 0;
		end += mult != 0;
	}
	/* strtoull takes "-1" as a huge number: refuse any sign. */
	if (arg[0] == '-' || arg[0] == '+' || end == arg || *end != '\0' ||
	    errno != 0 || mult == 0 || v > max / mult || v * mult < min) {
		fprintf(stderr, "%s: --%s: '%s' is not a whole number from %" PRIu64 " to %" PRIu64 "\n",
			prog, opt, arg, min, max);
		return -EINVAL;
	}
	*out = v * mult;
	return 0;
}

#define NEAREST_LEN 63

/* Edit distance of two short strings (insert, delete, replace, swap two
 * neighbours), case ignored. */
unsigned int
xchg_app_edits(const char *a, const char *b)
{
	unsigned int d[NEAREST_LEN + 1][NEAREST_LEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > NEAREST_LEN || lb > NEAREST_LEN)
		return ~0u;
	for (i = 0; i <= la; i++)
		d[i][0] = (unsigned int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (unsigned int)j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			unsigned int sub = d[i - 1][j - 1] +
				(tolower((unsigned char)a[i - 1]) !=
				 tolower((unsigned char)b[j - 1]));
			unsigned int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;

			d[i][j] = sub < del ? (sub < ins ? sub : ins) :
				  (del < ins ? del : ins);
			/* Two letters swapped are one edit (Damerau). */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	return d[la][lb];
}

const char *
xchg_app_nearest(const char *word, const char *const *names, unsigned int n)
{
	size_t len = strlen(word);
	unsigned int i, best_d = len <= 2 ? 1 : len <= 4 ? 2 : 3, e;
	const char *best = NULL;

	for (i = 0; i < n; i++) {
		if (names[i] == NULL || strcmp(names[i], word) == 0)
			continue;
		e = xchg_app_edits(word, names[i]);
		if (e < best_d) {
			best_d = e;
			best = names[i];
		}
	}
	return best;
}

/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_APP_H
#define XCHG_APP_H

/* Helpers shared by the xchg programs; not installed. */

#include <stdint.h>

/**
 * Parse a whole number for option --@p opt, in [@p min, @p max], with an
 * optional K, M or G suffix (powers of 1000). On a bad value, print one
 * line "PROG: --OPT: 'ARG' is not a whole number from MIN to MAX" to
 * stderr.
 *
 * @return 0 and *@p out, or -EINVAL.
 */
int xchg_app_number(const char *prog, const char *opt, const char *arg,
		    uint64_t min, uint64_t max, uint64_t *out);

/** @return The edits from @p a to @p b: inserts, deletes, replaces and
 *  swaps of two neighbours, case ignored. */
unsigned int xchg_app_edits(const char *a, const char *b);

/**
 * The name among @p names (@p n of them) nearest to @p word, for a "did
 * you mean" hint: fewer edits away (xchg_app_edits()) than 3, 2 for a
 * word of up to four letters, 1 for up to two.
 *
 * @return That name, or NULL when none is near.
 */
const char *xchg_app_nearest(const char *word, const char *const *names,
			     unsigned int n);

#endif /* XCHG_APP_H */

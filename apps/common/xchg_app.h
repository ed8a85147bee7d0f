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

#endif /* XCHG_APP_H */

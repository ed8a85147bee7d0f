/* SPDX-License-Identifier: BSD-3-Clause */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

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

/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_HEAPCOUNT_H
#define XCHG_HEAPCOUNT_H

/* The heap calls heapcount.c counts, in the order of its counters. */
enum xchg_heapcount_call {
	XCHG_HEAPCOUNT_MALLOC = 0,
	XCHG_HEAPCOUNT_CALLOC,
	XCHG_HEAPCOUNT_REALLOC,
	XCHG_HEAPCOUNT_FREE,
	XCHG_HEAPCOUNT_POSIX_MEMALIGN,
	XCHG_HEAPCOUNT_ALIGNED_ALLOC,
	XCHG_HEAPCOUNT_MEMALIGN,
	XCHG_HEAPCOUNT_VALLOC,
	XCHG_HEAPCOUNT_N
};

#define XCHG_HEAPCOUNT_NAMES { "malloc", "calloc", "realloc", "free", \
	"posix_memalign", "aligned_alloc", "memalign", "valloc" }

#endif /* XCHG_HEAPCOUNT_H */

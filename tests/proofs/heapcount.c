/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * An LD_PRELOAD interposer that counts heap calls: malloc, calloc,
 * realloc, free, posix_memalign, aligned_alloc, memalign, valloc. The
 * program under test reads the counts with
 *
 *   void xchg_heapcount_read(uint64_t counts[XCHG_HEAPCOUNT_N]);
 *
 * found with dlsym(RTLD_DEFAULT, ...), so that it links without this
 * library and knows when it was not preloaded. Each call is counted,
 * then passed to the next definition (libc's). calloc is called by
 * dlsym() itself before the real one is known: those few calls are
 * served from a static area and never freed.
 */

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "heapcount.h"

static uint64_t counts[XCHG_HEAPCOUNT_N];

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);
static void *(*real_valloc)(size_t);

static _Alignas(64) uint8_t bootstrap[4096];
static size_t bootstrap_used;
static int resolving;

static void
count(enum xchg_heapcount_call c)
{
	__atomic_fetch_add(&counts[c], 1, __ATOMIC_RELAXED);
}

static void
resolve(void)
{
	if (real_malloc != NULL || resolving)
		return;
	resolving = 1;
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	real_posix_memalign = (int (*)(void **, size_t, size_t))
		dlsym(RTLD_NEXT, "posix_memalign");
	real_aligned_alloc = (void *(*)(size_t, size_t))
		dlsym(RTLD_NEXT, "aligned_alloc");
	real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	real_valloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "valloc");
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	resolving = 0;
}

static int
from_bootstrap(const void *p)
{
	return (const uint8_t *)p >= bootstrap &&
	       (const uint8_t *)p < bootstrap + sizeof(bootstrap);
}

void
xchg_heapcount_read(uint64_t out[XCHG_HEAPCOUNT_N])
{
	unsigned int i;

	for (i = 0; i < XCHG_HEAPCOUNT_N; i++)
		out[i] = __atomic_load_n(&counts[i], __ATOMIC_RELAXED);
}

void *
malloc(size_t n)
{
	count(XCHG_HEAPCOUNT_MALLOC);
	resolve();
	return real_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	count(XCHG_HEAPCOUNT_CALLOC);
	if (real_calloc == NULL) {
		size_t n = (a * b + 63) & ~(size_t)63;
		void *p;

		if (!resolving)
			resolve();
		if (real_calloc != NULL)
			return real_calloc(a, b);
		if (bootstrap_used + n > sizeof(bootstrap))
			return NULL;
		p = bootstrap + bootstrap_used;
		bootstrap_used += n;
		return p; /* static storage is zeroed */
	}
	return real_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	count(XCHG_HEAPCOUNT_REALLOC);
	resolve();
	if (from_bootstrap(p)) {
		void *q = real_malloc(n);

		if (q != NULL)
			memcpy(q, p, n < 64 ? n : 64);
		return q;
	}
	return real_realloc(p, n);
}

void
free(void *p)
{
	count(XCHG_HEAPCOUNT_FREE);
	if (p == NULL || from_bootstrap(p))
		return;
	resolve();
	real_free(p);
}

int
posix_memalign(void **p, size_t align, size_t n)
{
	count(XCHG_HEAPCOUNT_POSIX_MEMALIGN);
	resolve();
	return real_posix_memalign(p, align, n);
}

void *
aligned_alloc(size_t align, size_t n)
{
	count(XCHG_HEAPCOUNT_ALIGNED_ALLOC);
	resolve();
	return real_aligned_alloc(align, n);
}

void *
memalign(size_t align, size_t n)
{
	count(XCHG_HEAPCOUNT_MEMALIGN);
	resolve();
	return real_memalign(align, n);
}

void *
valloc(size_t n)
{
	count(XCHG_HEAPCOUNT_VALLOC);
	resolve();
	return real_valloc(n);
}

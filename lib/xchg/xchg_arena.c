/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Arena creation: one mempool whose buffers sit back to back in a single
 * memory chunk. DPDK's default populate never lets an object cross a
 * 4 KiB page without hugepages, which puts one 2368-byte mbuf per page
 * and every mbuf header in the same cache sets; packing the buffers
 * avoids that (about 3.5x fewer cycles per packet measured on net_null)
 * and gives every buffer an index by exact division of its offset, which
 * the owner tag table needs.
 */

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "xchg_private.h"
#include "xchg_quota.h"

RTE_LOG_REGISTER(xchg_logtype, xchg, INFO);

#define XCHG_ARENA_MIN_BUFFERS 64
#define XCHG_PAGE_SIZE 4096u
#define XCHG_ARENA_MAX_BUFFERS (UINT32_C(1) << 30)

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
/* Grown on demand: the number of memzones (so of arenas) a process may
 * have is a run-time setting since DPDK 23.07 (rte_memzone_max_get()). */
static struct xchg_arena **registry;
static unsigned int registry_len, registry_cap;

static int
conf_check(const struct xchg_arena_conf *conf)
{
	if (conf == NULL) {
		XCHG_LOG(ERR, "arena: conf is NULL\n");
		return -EINVAL;
	}
	if (conf->name == NULL || conf->name[0] == '\0' ||
	    strlen(conf->name) > XCHG_ARENA_NAME_MAX) {
		XCHG_LOG(ERR, "arena: name must have 1 to %d characters\n",
			 XCHG_ARENA_NAME_MAX);
		return -EINVAL;
	}
	if (conf->nb_buffers < XCHG_ARENA_MIN_BUFFERS ||
	    conf->nb_buffers > XCHG_ARENA_MAX_BUFFERS) {
		XCHG_LOG(ERR, "arena %s: nb_buffers %u is out of range; give %u to %u\n",
			 conf->name, conf->nb_buffers, XCHG_ARENA_MIN_BUFFERS,
			 XCHG_ARENA_MAX_BUFFERS);
		return -EINVAL;
	}
	if (conf->data_room != 0 && conf->data_room <= RTE_PKTMBUF_HEADROOM) {
		XCHG_LOG(ERR, "arena %s: data_room %u leaves no room after the %u-byte headroom; give more, or 0 for %u\n",
			 conf->name, conf->data_room, RTE_PKTMBUF_HEADROOM,
			 RTE_MBUF_DEFAULT_BUF_SIZE);
		return -EINVAL;
	}
	if (conf->priv_size % RTE_MBUF_PRIV_ALIGN != 0) {
		XCHG_LOG(ERR, "arena %s: priv_size %u is not a multiple of %u\n",
			 conf->name, conf->priv_size, RTE_MBUF_PRIV_ALIGN);
		return -EINVAL;
	}
	if (conf->max_pools > XCHG_ARENA_POOLS_MAX) {
		XCHG_LOG(ERR, "arena %s: max_pools %u is above %u\n",
			 conf->name, conf->max_pools, XCHG_ARENA_POOLS_MAX);
		return -EINVAL;
	}
	if (conf->lcore_cache > XCHG_ARENA_CACHE_MAX) {
		XCHG_LOG(ERR, "arena %s: lcore_cache %d is above %d; give less, or XCHG_ARENA_CACHE_NONE for none\n",
			 conf->name, conf->lcore_cache, XCHG_ARENA_CACHE_MAX);
		return -EINVAL;
	}
	return 0;
}

/* Inverse of an odd number modulo 2^64 (Newton: each step doubles the
 * correct low bits, and odd * odd == 1 mod 8 gives three to start). */
static uint64_t
odd_inverse(uint64_t odd)
{
	uint64_t x = odd;
	int i;

	for (i = 0; i < 5; i++)
		x *= 2 - odd * x;
	return x;
}

static void
find_base(struct rte_mempool *mp __rte_unused, void *arg, void *obj,
	  unsigned int idx __rte_unused)
{
	uintptr_t *base = arg;

	if ((uintptr_t)obj < *base)
		*base = (uintptr_t)obj;
}

static void
mark_free(struct rte_mempool *mp __rte_unused, void *arg, void *obj,
	  unsigned int idx __rte_unused)
{
	struct xchg_arena *a = arg;
	uint32_t i = xchg_arena_index(a, obj);

	/* A second object at the same index would break the tag table. */
	if (i == UINT32_MAX || a->tags[i] == XCHG_TAG_FREE)
		a->armed = false;
	else
		a->tags[i] = XCHG_TAG_FREE;
}

/* Index every buffer and mark it free: after populate, every one of them
 * is in the free store. */
static int
arena_arm(struct xchg_arena *a)
{
	uintptr_t base = UINTPTR_MAX;

	rte_mempool_obj_iter(a->mp, find_base, &base);
	a->base = base;
	a->stride_shift = rte_bsf32(a->stride);
	a->buf_stride = a->stride;
	a->stride_inv = odd_inverse(a->stride >> a->stride_shift);

	a->armed = true;
	rte_mempool_obj_iter(a->mp, mark_free, a);
	if (!a->armed) {
		XCHG_LOG(ERR, "arena %s: buffers are not at a fixed stride of %u bytes\n",
			 a->name, a->stride);
		return -EINVAL;
	}
	/* Tags must be seen before the first data path call reads them. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return 0;
}

static void
chunk_free(struct rte_mempool_memhdr *memhdr __rte_unused, void *opaque)
{
	rte_memzone_free(opaque);
}

/* The page layout: every page its own IOVA, adjacent pages with
 * adjacent IOVAs merged into one chunk, each chunk populated on its own
 * (as rte_mempool_populate_default() does). The chunks are virtually
 * contiguous, so the buffers keep one fixed stride from the base. */
static rte_iova_t
page_iova(void *va, bool iova_va)
{
	return iova_va ? (rte_iova_t)(uintptr_t)va : rte_mem_virt2iova(va);
}

static int
populate_pages(struct xchg_arena *a, const struct rte_memzone *mz,
	       bool iova_va)
{
	char *va = mz->addr;
	size_t len = (size_t)a->nb_buffers * XCHG_PAGE_SIZE, off, start = 0;
	rte_iova_t first = page_iova(va, iova_va), iova;
	rte_iova_t expect = first + XCHG_PAGE_SIZE;
	int ret, total = 0;

	for (off = XCHG_PAGE_SIZE;; off += XCHG_PAGE_SIZE) {
		iova = off < len ? page_iova(va + off, iova_va) : RTE_BAD_IOVA;
		if (off < len && iova != RTE_BAD_IOVA && iova == expect) {
			expect += XCHG_PAGE_SIZE;
			continue;
		}
		if (first == RTE_BAD_IOVA)
			return -EFAULT;
		/* The first chunk's memhdr frees the memzone. */
		ret = rte_mempool_populate_iova(a->mp, va + start, first,
						off - start,
						start == 0 ? chunk_free : NULL,
						(void *)(uintptr_t)mz);
		if (ret < 0)
			return ret;
		total += ret;
		a->nb_chunks++;
		if (off >= len)
			return total;
		start = off;
		first = iova;
		expect = iova + XCHG_PAGE_SIZE;
	}
}

static int
arena_populate(struct xchg_arena *a)
{
	struct rte_mempool *mp = a->mp;
	bool iova_va = rte_eal_iova_mode() == RTE_IOVA_VA;
	char name[RTE_MEMZONE_NAMESIZE];
	const struct rte_memzone *mz;
	size_t len = (size_t)a->nb_buffers * a->stride;
	rte_iova_t iova;
	int ret;

	snprintf(name, sizeof(name), "xm_%.24s", a->name);
	/* With IOVA as VA any virtually contiguous chunk will do; with
	 * physical addresses the whole chunk must be contiguous too,
	 * unless each page is a chunk of its own (page layout). */
	mz = rte_memzone_reserve_aligned(name, len, a->socket_id,
					 iova_va || a->page_layout ? 0 :
					 RTE_MEMZONE_IOVA_CONTIG,
					 a->page_layout ? XCHG_PAGE_SIZE :
					 RTE_MEMPOOL_ALIGN);
	if (mz == NULL) {
		char where[24] = "any socket";

		if (a->socket_id != SOCKET_ID_ANY)
			snprintf(where, sizeof(where), "socket %d",
				 a->socket_id);
		XCHG_LOG(ERR, "arena %s: cannot reserve %zu bytes for %u buffers on %s: %s%s\n",
			 a->name, len, a->nb_buffers, where,
			 rte_strerror(rte_errno),
			 iova_va || a->page_layout ? "; give EAL more memory (-m)" :
			 "; IOVA-contiguous memory is short, try layout page or --iova-mode=va");
		return -ENOMEM;
	}
	iova = iova_va ? (rte_iova_t)(uintptr_t)mz->addr : mz->iova;
	if (a->page_layout) {
		ret = populate_pages(a, mz, iova_va);
	} else {
		ret = rte_mempool_populate_iova(mp, mz->addr, iova, len,
				chunk_free, (void *)(uintptr_t)mz);
		a->nb_chunks = 1;
	}
	if (ret < 0 || (uint32_t)ret != a->nb_buffers) {
		XCHG_LOG(ERR, "arena %s: populated %d of %u buffers\n",
			 a->name, ret, a->nb_buffers);
		if (ret <= 0)
			rte_memzone_free(mz);
		return ret < 0 ? ret : -ENOMEM;
	}
	a->mz = mz;
	return 0;
}

static int
arena_setup(struct xchg_arena *a)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = a->data_room,
		.mbuf_priv_size = a->priv_size,
	};
	unsigned int elt_size = sizeof(struct rte_mbuf) + a->priv_size +
				a->data_room;
	unsigned int page_elt = XCHG_PAGE_SIZE - RTE_CACHE_LINE_SIZE;
	int ret;

	/* Page layout: header + element fill one page exactly (no
	 * spreading pad), so a buffer never crosses one. */
	if (a->page_layout && elt_size > page_elt) {
		XCHG_LOG(ERR, "arena %s: layout page: a buffer of %u bytes (mbuf, private area, data room) does not fit a 4 KiB page with its header; lower data_room to at most %u or use the packed layout\n",
			 a->name, elt_size, a->data_room + page_elt - elt_size);
		return -EINVAL;
	}
	a->mp = rte_mempool_create_empty(a->name, a->nb_buffers,
					 a->page_layout ? page_elt : elt_size,
					 0, sizeof(priv), a->socket_id,
					 RTE_MEMPOOL_F_NO_IOVA_CONTIG |
					 (a->page_layout ?
					  RTE_MEMPOOL_F_NO_SPREAD : 0));
	if (a->mp == NULL) {
		XCHG_LOG(ERR, "arena %s: cannot create mempool: %s\n",
			 a->name, rte_strerror(rte_errno));
		return -rte_errno;
	}
	ret = rte_mempool_set_ops_byname(a->mp, XCHG_OPS_NAME, a);
	if (ret != 0)
		return ret;
	rte_pktmbuf_pool_init(a->mp, &priv);
	a->stride = a->mp->header_size + a->mp->elt_size +
		    a->mp->trailer_size;
	if (a->page_layout && a->stride != XCHG_PAGE_SIZE) {
		XCHG_LOG(ERR, "arena %s: layout page: objects of %u bytes, not one page\n",
			 a->name, a->stride);
		return -EINVAL;
	}

	ret = arena_populate(a);
	if (ret != 0)
		return ret;
	rte_mempool_obj_iter(a->mp, rte_pktmbuf_init, NULL);
	return arena_arm(a);
}

static int
arena_alloc_tables(struct xchg_arena *a)
{
	unsigned int lcore, lcores = 0;

	a->tags = rte_zmalloc_socket("xchg_tags",
				     sizeof(*a->tags) * a->nb_buffers,
				     RTE_CACHE_LINE_SIZE, a->socket_id);
	a->pools = rte_zmalloc_socket("xchg_pools",
				      sizeof(*a->pools) * (a->max_pools + 1u),
				      RTE_CACHE_LINE_SIZE, a->socket_id);
	if (a->tags == NULL || a->pools == NULL || xchg_watch_alloc(a) != 0)
		return -ENOMEM;
	/* Counter sets: 0 for threads without an lcore, then one per lcore
	 * the EAL has now, each set on lines of its own. */
	a->nb_pcnt_sets = xchg_lcore_cnt_map(a->pcnt_set);
	a->pcnt_stride = RTE_ALIGN_CEIL((a->max_pools + 1u) *
			sizeof(struct xchg_pool_counters), RTE_CACHE_LINE_SIZE) /
			sizeof(struct xchg_pool_counters);
	a->pcnt = rte_zmalloc_socket("xchg_pool_cnt",
				     sizeof(*a->pcnt) * a->pcnt_stride *
				     a->nb_pcnt_sets,
				     RTE_CACHE_LINE_SIZE, a->socket_id);
	a->depth = rte_zmalloc_socket("xchg_op_depth",
				      sizeof(*a->depth) * a->nb_pcnt_sets,
				      RTE_CACHE_LINE_SIZE, a->socket_id);
	if (a->pcnt == NULL || a->depth == NULL)
		return -ENOMEM;
	if (a->cache_size == 0)
		return 0;

	a->caches = rte_zmalloc_socket("xchg_caches",
				       sizeof(*a->caches) * RTE_MAX_LCORE,
				       RTE_CACHE_LINE_SIZE, a->socket_id);
	if (a->caches == NULL)
		return -ENOMEM;
	/* Threads that are not EAL lcores use the shared store only, so
	 * the buffers caches can hold stay bounded and known. */
	RTE_LCORE_FOREACH(lcore) {
		unsigned int set = a->pcnt_set[lcore];

		a->cache_enabled[lcore] = true;
		a->caches[lcore].depth = &a->depth[set].depth;
		a->caches[lcore].cnt = &a->pcnt[set * a->pcnt_stride];
		lcores++;
	}
	a->cache_flush = a->cache_size + a->cache_size / 2;
	/* After a flush a cache keeps cache_size buffers; before one it
	 * may hold up to cache_flush - 1 (equal for sizes of 2 and more). */
	a->cache_slack = lcores * RTE_MAX(a->cache_flush - 1, a->cache_size);
	return 0;
}

static void
arena_destroy(struct xchg_arena *a)
{
	if (a->mp != NULL)
		rte_mempool_free(a->mp); /* also frees the store and chunk */
	rte_free(a->caches);
	rte_free(a->pcnt);
	rte_free(a->depth);
	rte_free(a->pools);
	rte_free(a->tags);
	xchg_watch_release(a);
	pthread_mutex_destroy(&a->lock);
	rte_free(a);
}

static struct xchg_arena *
registry_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < registry_len; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

struct xchg_arena *
xchg_arena_create(const struct xchg_arena_conf *conf)
{
	struct xchg_arena *a;
	int ret;

	ret = conf_check(conf);
	/* The arena's owner tags, quotas and mempool driver live in the
	 * process that made it: a secondary process has none of them
	 * (DPDK registers mempool drivers per process), so it may neither
	 * make an arena nor touch one's buffers (doc/guide.rst,
	 * "Multi-process"). */
	if (ret == 0 && rte_eal_process_type() != RTE_PROC_PRIMARY) {
		XCHG_LOG(ERR, "arena %s: a secondary process cannot make an arena or use one's buffers; the primary owns them: read its state through the primary's telemetry (/xchg/census, /xchg/pools, /xchg/xstats)\n",
			 conf->name);
		ret = -EPERM;
	}
	if (ret == 0)
		ret = xchg_ops_register();
	if (ret != 0) {
		rte_errno = -ret;
		return NULL;
	}
	xchg_telemetry_init();

	pthread_mutex_lock(&registry_lock);
	if (registry_find(conf->name) != NULL) {
		pthread_mutex_unlock(&registry_lock);
		XCHG_LOG(ERR, "arena %s: name in use\n", conf->name);
		rte_errno = EEXIST;
		return NULL;
	}
	if (registry_len == registry_cap) {
		unsigned int cap = registry_cap ? 2 * registry_cap : 16;
		struct xchg_arena **r = realloc(registry, cap * sizeof(*r));

		if (r == NULL) {
			pthread_mutex_unlock(&registry_lock);
			rte_errno = ENOMEM;
			return NULL;
		}
		registry = r;
		registry_cap = cap;
	}

	a = rte_zmalloc_socket("xchg_arena", sizeof(*a), RTE_CACHE_LINE_SIZE,
			       conf->socket_id);
	if (a == NULL) {
		pthread_mutex_unlock(&registry_lock);
		rte_errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	strlcpy(a->name, conf->name, sizeof(a->name));
	a->socket_id = conf->socket_id;
	a->nb_buffers = conf->nb_buffers;
	a->data_room = conf->data_room ? conf->data_room :
				RTE_MBUF_DEFAULT_BUF_SIZE;
	a->priv_size = conf->priv_size;
	a->max_pools = conf->max_pools ? conf->max_pools :
				XCHG_ARENA_POOLS_DEFAULT;
	a->cache_size = xchg_arena_cache_size(conf->lcore_cache);
	a->next_slot = 1;
	a->overcommit = conf->overcommit;
	a->strict = conf->strict;
	a->owner_ok = xchg_quota_owner_supported();
	a->page_layout = conf->layout == XCHG_ARENA_LAYOUT_PAGE ||
			 (conf->layout == XCHG_ARENA_LAYOUT_AUTO &&
			  rte_eal_iova_mode() == RTE_IOVA_PA);

	ret = arena_alloc_tables(a);
	if (ret == 0)
		ret = arena_setup(a);
	if (ret == 0 && a->cache_slack >= a->nb_buffers) {
		XCHG_LOG(ERR, "arena %s: %u buffers are fewer than the %u the lcore caches may hold; give more buffers or a smaller lcore_cache\n",
			 a->name, a->nb_buffers, a->cache_slack);
		ret = -EINVAL;
	}
	if (ret != 0) {
		arena_destroy(a);
		pthread_mutex_unlock(&registry_lock);
		rte_errno = ret == -ENOMEM ? ENOMEM : -ret;
		return NULL;
	}
	registry[registry_len++] = a;
	pthread_mutex_unlock(&registry_lock);

	/* The socket the memory is on, SOCKET_ID_ANY resolved. */
	XCHG_LOG(INFO, "arena %s: %u buffers of %u bytes %s at stride %u on socket %d%s, %s, lcore cache %u%s%s\n",
		 a->name, a->nb_buffers, a->data_room,
		 a->page_layout ? "one per 4 KiB page" : "packed", a->stride,
		 a->mz->socket_id, a->socket_id == SOCKET_ID_ANY ?
		 " (any socket asked)" : "",
		 rte_eal_has_hugepages() ? "hugepages" : "no hugepages",
		 a->cache_size, a->strict ? ", strict free marking" : "",
		 a->overcommit ?
		 ", OVERCOMMITTED: quotas unchecked, no guarantee" : "");
	return a;
}

static int
arena_free(struct xchg_arena *a, uint32_t *abandoned)
{
	unsigned int i;

	if (a == NULL)
		return 0;
	pthread_mutex_lock(&registry_lock);
	pthread_mutex_lock(&a->lock);
	if (abandoned != NULL && a->nb_pools == 0)
		*abandoned = a->nb_buffers - xchg_ops_free_count(a);
	else if (a->nb_pools != 0 || xchg_ops_free_count(a) != a->nb_buffers) {
		XCHG_LOG(ERR, "arena %s: not freed: %u pools left, %u of %u buffers out\n",
			 a->name, a->nb_pools,
			 a->nb_buffers - xchg_ops_free_count(a), a->nb_buffers);
		pthread_mutex_unlock(&a->lock);
		pthread_mutex_unlock(&registry_lock);
		return -EBUSY;
	}
	for (i = 0; i < registry_len; i++)
		if (registry[i] == a) {
			registry_len--;
			memmove(&registry[i], &registry[i + 1],
				sizeof(registry[0]) * (registry_len - i));
			break;
		}
	pthread_mutex_unlock(&a->lock);
	pthread_mutex_unlock(&registry_lock);
	arena_destroy(a);
	return 0;
}

int
xchg_arena_free(struct xchg_arena *a)
{
	return arena_free(a, NULL);
}

int
xchg_arena_free_abandoned(struct xchg_arena *a, uint32_t *abandoned)
{
	uint32_t dummy;

	return arena_free(a, abandoned != NULL ? abandoned : &dummy);
}

struct xchg_arena *
xchg_arena_lookup(const char *name)
{
	struct xchg_arena *a = NULL;

	if (name != NULL) {
		pthread_mutex_lock(&registry_lock);
		a = registry_find(name);
		pthread_mutex_unlock(&registry_lock);
	}
	if (a == NULL)
		rte_errno = ENOENT;
	return a;
}

struct xchg_arena *
xchg_arena_from_mempool(const struct rte_mempool *mp)
{
	int ret;

	if (mp == NULL || xchg_ops_register() != 0)
		return NULL;
	/* The driver index, not pool_config alone: another driver may
	 * use pool_config for something else. */
	ret = strcmp(rte_mempool_get_ops(mp->ops_index)->name, XCHG_OPS_NAME);
	return ret == 0 ? xchg_arena_of(mp) : NULL;
}

struct rte_mempool *
xchg_arena_mempool(const struct xchg_arena *a)
{
	return a != NULL ? a->mp : NULL;
}

int
xchg_arena_info_get(const struct xchg_arena *a, struct xchg_arena_info *info)
{
	if (a == NULL || info == NULL)
		return -EINVAL;
	memset(info, 0, sizeof(*info));
	strlcpy(info->name, a->name, sizeof(info->name));
	info->socket_id = a->mp->socket_id;
	info->nb_buffers = a->nb_buffers;
	info->stride = a->stride;
	info->layout = a->page_layout ? XCHG_ARENA_LAYOUT_PAGE :
					XCHG_ARENA_LAYOUT_PACKED;
	info->nb_chunks = a->nb_chunks;
	info->data_room = a->data_room;
	info->priv_size = a->priv_size;
	info->max_pools = a->max_pools;
	info->nb_pools = __atomic_load_n(&a->nb_pools, __ATOMIC_RELAXED);
	info->lcore_cache = a->cache_size;
	info->cache_slack = a->cache_slack;
	info->reserved = __atomic_load_n(&a->reserved, __ATOMIC_RELAXED);
	info->unreserved = xchg_arena_unreserved(a);
	info->overcommit = a->overcommit;
	info->strict = a->strict;
	info->hugepages = rte_eal_has_hugepages() != 0;
	info->double_frees = __atomic_load_n(&a->double_frees,
					     __ATOMIC_RELAXED);
	info->foreign_frees = __atomic_load_n(&a->foreign_frees,
					      __ATOMIC_RELAXED);
	return 0;
}

int
xchg_arena_foreach(int (*fn)(struct xchg_arena *arena, void *arg), void *arg)
{
	unsigned int i;
	int ret = 0;

	if (fn == NULL)
		return -EINVAL;
	pthread_mutex_lock(&registry_lock);
	for (i = 0; i < registry_len && ret == 0; i++)
		ret = fn(registry[i], arg);
	pthread_mutex_unlock(&registry_lock);
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * One stack-path run: side (p), the plain-DPDK stack of plain.c on a
 * packed plain mempool, and side (x), lib/stack on an arena, each on its
 * own net_null port with the same traffic generator (traffic.c), the same
 * number of RX queues and lcores, the same sockets and quotas. A round
 * of a side: every lcore polls its queue, the first lcore also runs the
 * services (ARP and ICMP replies), and the application on each lcore
 * dequeues and frees what its sockets received. Then the books: exact
 * counts that must add up, and the census.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "xchg.h"
#include "xchg_port.h"
#include "xchg_stack.h"

#include "bench.h"
#include "sbench.h"

#define DRY_LIMIT 1000

struct lcore_work {
	struct sb_run *r;
	enum sb_side side;
	uint16_t queue;
	uint64_t end;
	uint64_t cpu_ns; /* on-CPU time of the loop */
	uint64_t preempted; /* involuntary context switches meanwhile */
	uint64_t got;   /* frames the application dequeued */
	int err;
};

struct sb_run {
	struct sb_conf c;
	unsigned int id;
	unsigned int nb_socks;      /* bound sockets, all lcores */
	unsigned int per_lcore;     /* sockets each lcore reads */
	unsigned int drain_every;   /* polls between two reads of a socket */
	unsigned int lcore[SB_MAX_QUEUES];
	unsigned int reader_lcore;  /* pipeline: the lcore that reads */
	uint64_t pl_read;           /* pipeline: frames read so far */
	char vdev[SB_SIDES][32];
	bool vdev_up[SB_SIDES];
	uint16_t port[SB_SIDES];
	uint32_t nb_buffers;
	/* (p) */
	struct rte_mempool *pmp;
	struct sb_plain *plain;
	/* (x) */
	struct xchg_arena *arena;
	struct xchg_port *xport;
	struct xchg_stack *stack;
	struct xchg_socket **socks; /* [nb_socks] is the hog */
	struct sb_gen gen[SB_SIDES][SB_MAX_QUEUES];
	struct lcore_work work[SB_MAX_QUEUES];
	volatile uint64_t go;       /* start TSC, 0 until every lcore may run */
	unsigned int running;       /* lcores still receiving */
	uint64_t app_got[SB_SIDES];
	struct sb_books last[SB_SIDES];
	uint64_t expected[SB_SIDES];
	uint64_t hog_last[SB_SIDES];
	uint64_t exp_unclaimed[SB_SIDES];
	uint64_t wall;              /* TSC cycles of the last round */
	uint64_t preempted[SB_SIDES]; /* context switches while timed */
	char layout[SB_SIDES][192];
	struct sb_hist *hist[SB_SIDES];
};

static unsigned int run_seq;

static uint64_t
thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t
thread_preemptions(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) == 0 ? (uint64_t)ru.ru_nivcsw : 0;
}

/* On-CPU time in TSC cycles: what a round cost, without the time other
 * processes of a shared machine had the CPU. */
static uint64_t
ns_to_cycles(uint64_t ns)
{
	return (uint64_t)((double)ns * rte_get_tsc_hz() / 1e9);
}

unsigned int
sb_run_sockets(const struct sb_run *r)
{
	return r->nb_socks;
}

const char *
sb_run_layout(const struct sb_run *r, enum sb_side side)
{
	return r->layout[side];
}

struct sb_hist *
sb_run_hist(struct sb_run *r, enum sb_side side)
{
	return r->hist[side];
}

static int
fail(const char *what, int err)
{
	fprintf(stderr, "xchg-bench: stack path: %s: %s\n", what,
		rte_strerror(err < 0 ? -err : err));
	return -1;
}

static int
add_port(struct sb_run *r, enum sb_side side)
{
	snprintf(r->vdev[side], sizeof(r->vdev[side]), "net_null_sb%c%u",
		 side == SB_PLAIN ? 'p' : 'x', r->id);
	if (rte_eal_hotplug_add("vdev", r->vdev[side], "size=64") != 0 ||
	    rte_eth_dev_get_port_by_name(r->vdev[side], &r->port[side]) != 0)
		return fail("cannot add a net_null port", rte_errno);
	r->vdev_up[side] = true;
	return 0;
}

static int
setup_plain(struct sb_run *r)
{
	struct rte_eth_conf conf = { 0 };
	uint16_t port = r->port[SB_PLAIN], q;
	int ret;
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "sbp%u_pool", r->id);
	r->pmp = bench_packed_pool_create(name, r->nb_buffers,
					  (int)rte_socket_id());
	if (r->pmp == NULL)
		return fail("cannot create the plain packed pool", rte_errno);
	ret = rte_eth_dev_configure(port, r->c.lcores, 1, &conf);
	for (q = 0; ret == 0 && q < r->c.lcores; q++)
		ret = rte_eth_rx_queue_setup(port, q, 512, rte_socket_id(),
					     NULL, r->pmp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, 512, rte_socket_id(),
					     NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0)
		return fail("cannot set up the plain port", ret);
	r->plain = sb_plain_create(r->id, port, r->c.lcores, r->nb_socks,
				   r->c.quota, r->c.hog, !r->c.many_readers);
	if (r->plain == NULL)
		return fail("cannot create the plain stack", ENOMEM);
	return 0;
}

static int
open_sockets(struct sb_run *r)
{
	unsigned int i, n = r->nb_socks + r->c.hog;
	char name[XCHG_NAME_SIZE];

	r->socks = calloc(n, sizeof(*r->socks));
	if (r->socks == NULL)
		return fail("sockets", ENOMEM);
	for (i = 0; i < n; i++) {
		bool hog = i == r->nb_socks;

		snprintf(name, sizeof(name), hog ? "hog" : "s%u", i);
		r->socks[i] = xchg_udp_socket(r->stack, name, r->c.quota,
					      XCHG_PRIO_NORMAL);
		if (r->socks[i] == NULL) {
			fprintf(stderr, "xchg-bench: stack path: socket %u of %u: %s\n",
				i + 1, n, rte_strerror(rte_errno));
			return -E2BIG;
		}
		if (xchg_udp_bind(r->socks[i], 0, hog ? SB_HOG_PORT :
				  SB_UDP_BASE + i) != 0)
			return fail("bind", EINVAL);
		/* Every mode reads a socket from one lcore at a time (its
		 * receiver's, or the pipeline's reader; rounds are ordered
		 * by the launch and the wait). */
		if (xchg_socket_set_single_reader(r->socks[i],
						  !r->c.many_readers) != 0)
			return fail("single reader", EINVAL);
	}
	return 0;
}

static int
setup_xchg(struct sb_run *r)
{
	char name[XCHG_NAME_SIZE];
	struct xchg_arena_conf ac = {
		.name = name,
		.socket_id = (int)rte_socket_id(),
		.nb_buffers = r->nb_buffers,
		.max_pools = (uint16_t)RTE_MIN(r->nb_socks + 16,
					       (unsigned int)XCHG_ARENA_POOLS_MAX),
		.strict = r->c.strict,
	};
	struct xchg_port_conf pc = {
		.nb_rx_queues = r->c.lcores,
		.nb_tx_queues = 1,
	};
	int ret;

	snprintf(name, sizeof(name), "sbx%u_arena", r->id);
	r->arena = xchg_arena_create(&ac);
	if (r->arena == NULL)
		return fail("cannot create the arena", rte_errno);
	r->xport = xchg_port_create(r->arena, r->port[SB_XCHG], &pc);
	if (r->xport == NULL)
		return fail("cannot bind the xchg port", rte_errno);
	r->stack = xchg_stack_create(r->arena, r->xport, NULL);
	if (r->stack == NULL)
		return fail("cannot create the stack", rte_errno);
	if (xchg_stack_add_address(r->stack, rte_cpu_to_be_32(SB_IP_US),
				   24) != 0)
		return fail("address", EINVAL);
	ret = open_sockets(r);
	if (ret != 0)
		return ret;
	ret = xchg_port_start(r->xport);
	return ret == 0 ? 0 : fail("cannot start the xchg port", ret);
}

/* Both pools must be laid out alike, or the ratio measures the layout. */
static int
check_layouts(struct sb_run *r)
{
	struct rte_mempool *mp[SB_SIDES] = {
		r->pmp, xchg_arena_mempool(r->arena) };
	struct bench_layout l[SB_SIDES];
	char line[160];
	int s;

	for (s = 0; s < SB_SIDES; s++) {
		if (bench_layout_get(mp[s], &l[s]) != 0)
			return fail("cannot read a pool's layout", EINVAL);
		bench_layout_describe(&l[s], line, sizeof(line));
		snprintf(r->layout[s], sizeof(r->layout[s]), "%s", line);
	}
	if (l[0].packed != l[1].packed || l[0].stride != l[1].stride ||
	    l[0].page_size != l[1].page_size) {
		fprintf(stderr, "xchg-bench: stack path: the two sides are not laid out alike:\n  (p) %s\n  (x) %s\n",
			r->layout[0], r->layout[1]);
		return -1;
	}
	return 0;
}

static int
attach_generators(struct sb_run *r)
{
	unsigned int s, q;
	int ret;

	for (s = 0; s < SB_SIDES; s++)
		for (q = 0; q < r->c.lcores; q++) {
			struct sb_gen *g = &r->gen[s][q];

			g->base = r->c.shared ? 0 : q * r->per_lcore;
			g->count = r->c.shared ? 1 : r->per_lcore;
			g->stamp = r->c.latency;
			g->hog_every = r->c.hog ? 4 : 0;
			ret = sb_gen_attach(r->port[s], (uint16_t)q, g);
			if (ret != 0)
				return fail("cannot add the RX callback", ret);
		}
	return 0;
}

static int
pick_lcores(struct sb_run *r)
{
	unsigned int q, lc = rte_get_main_lcore();

	r->lcore[0] = lc;
	for (q = 1; q < r->c.lcores; q++) {
		lc = rte_get_next_lcore(lc, 1, 0);
		if (lc >= RTE_MAX_LCORE) {
			fprintf(stderr, "xchg-bench: %u lcores wanted, the EAL has %u: give -l 0-%u before \"--\"\n",
				r->c.lcores, rte_lcore_count(), r->c.lcores - 1);
			return -1;
		}
		r->lcore[q] = lc;
	}
	if (r->c.pipeline) {
		r->reader_lcore = rte_get_next_lcore(lc, 1, 0);
		if (r->reader_lcore >= RTE_MAX_LCORE) {
			fprintf(stderr, "xchg-bench: the pipeline mode needs a second lcore: give -l 0-1 before \"--\"\n");
			return -1;
		}
	}
	return 0;
}

struct sb_run *
sb_run_create(const struct sb_conf *c)
{
	struct sb_run *r = calloc(1, sizeof(*r));
	int ret, s;

	if (r == NULL || sb_traffic_init() != 0) {
		free(r);
		fail("out of memory", ENOMEM);
		return NULL;
	}
	r->c = *c;
	r->id = ++run_seq;
	r->nb_socks = c->shared ? 1 : c->sockets * c->lcores;
	r->per_lcore = c->shared ? 1 : c->sockets;
	/* Each socket gets about 26 frames per drain, less than a burst. */
	r->drain_every = RTE_MAX(1u, r->per_lcore / SB_BURST);
	/* Quotas, RX and TX rings with their slack, services, caches. */
	r->nb_buffers = (r->nb_socks + c->hog) * c->quota +
			c->lcores * (512 + 64) + 512 + 32 + 24 + 4096;
	for (s = 0; s < SB_SIDES; s++) {
		r->hist[s] = c->latency ? calloc(1, sizeof(struct sb_hist)) : NULL;
		if (c->latency && r->hist[s] == NULL)
			goto fail;
	}
	if (pick_lcores(r) != 0 || add_port(r, SB_PLAIN) != 0 ||
	    add_port(r, SB_XCHG) != 0 || setup_plain(r) != 0)
		goto fail;
	ret = setup_xchg(r);
	if (ret != 0) {
		if (ret == -E2BIG)
			rte_errno = E2BIG;
		goto fail;
	}
	if (check_layouts(r) != 0 || attach_generators(r) != 0)
		goto fail;
	return r;
fail:
	ret = rte_errno;
	sb_run_free(r);
	rte_errno = ret;
	return NULL;
}

void
sb_run_free(struct sb_run *r)
{
	unsigned int i;

	if (r == NULL)
		return;
	if (r->xport != NULL)
		xchg_port_stop(r->xport);
	if (r->socks != NULL)
		for (i = 0; i < r->nb_socks + r->c.hog; i++)
			if (r->socks[i] != NULL &&
			    xchg_socket_close(r->socks[i]) != 0)
				fprintf(stderr, "xchg-bench: socket %u not closed\n",
					i);
	free(r->socks);
	if (r->stack != NULL && xchg_stack_free(r->stack) != 0)
		fprintf(stderr, "xchg-bench: stack not freed\n");
	if (r->xport != NULL && xchg_port_free(r->xport) != 0)
		fprintf(stderr, "xchg-bench: xchg port not freed\n");
	if (r->vdev_up[SB_PLAIN])
		rte_eth_dev_stop(r->port[SB_PLAIN]);
	sb_plain_free(r->plain);
	for (i = 0; i < SB_SIDES; i++) {
		if (!r->vdev_up[i])
			continue;
		rte_eth_dev_close(r->port[i]);
		rte_eal_hotplug_remove("vdev", r->vdev[i]);
	}
	if (r->arena != NULL && xchg_arena_free(r->arena) != 0)
		fprintf(stderr, "xchg-bench: arena not freed\n");
	rte_mempool_free(r->pmp);
	free(r->hist[0]);
	free(r->hist[1]);
	free(r);
}

/* The application: read each of this lcore's sockets once and free. */
static uint64_t
app_read(struct sb_run *r, enum sb_side side, unsigned int first,
	 unsigned int count, struct sb_hist *h)
{
	struct rte_mbuf *m[SB_BURST];
	unsigned int i, j, n;
	uint64_t got = 0, now;

	for (i = first; i < first + count; i++) {
		if (side == SB_PLAIN)
			n = rte_ring_dequeue_burst(sb_plain_socket(r->plain, i),
						   (void **)m, SB_BURST, NULL);
		else
			n = xchg_socket_recv_burst(r->socks[i], m, SB_BURST);
		if (n == 0)
			continue;
		if (h != NULL) {
			now = rte_rdtsc();
			for (j = 0; j < n; j++)
				sb_hist_add(h, now - sb_stamp(m[j]));
		}
		rte_pktmbuf_free_bulk(m, n);
		got += n;
	}
	return got;
}

static int
lcore_loop(void *arg)
{
	struct lcore_work *w = arg;
	struct sb_run *r = w->r;
	enum sb_side side = w->side;
	uint16_t q = w->queue;
	unsigned int first = r->c.shared ? 0 : q * r->per_lcore;
	unsigned int count = r->c.pipeline ? 0 :
			     r->c.shared ? (q == 0) : r->per_lcore;
	struct sb_hist *h = r->hist[side];
	uint64_t done = 0, got = 0, polls = 0, more, t0;
	unsigned int n, dry = 0;

	while (__atomic_load_n(&r->go, __ATOMIC_ACQUIRE) == 0)
		rte_pause();
	t0 = thread_ns();
	w->preempted = thread_preemptions();
	while (done < r->c.packets) {
		n = side == SB_PLAIN ? sb_plain_rx(r->plain, q) :
				       xchg_stack_rx(r->stack, q);
		if (unlikely(n == 0) && ++dry == DRY_LIMIT) {
			w->err = -ENOBUFS;
			break;
		}
		done += n;
		/* Pipeline: a receiver that outran its reader would only
		 * measure refusals; hold back while half of all the
		 * sockets' quotas wait to be read. */
		while (r->c.pipeline &&
		       sb_kind_count(done, SB_UDP) >
		       __atomic_load_n(&r->pl_read, __ATOMIC_ACQUIRE) +
		       r->nb_socks * r->c.quota / 2)
			rte_pause();
		if (q == 0) {
			if (side == SB_PLAIN)
				sb_plain_service(r->plain);
			else
				xchg_stack_service(r->stack);
		}
		if (++polls % r->drain_every == 0 && count != 0)
			got += app_read(r, side, first, count, h);
	}
	w->end = rte_rdtsc_precise();
	w->cpu_ns = thread_ns() - t0;
	w->preempted = thread_preemptions() - w->preempted;
	__atomic_fetch_sub(&r->running, 1, __ATOMIC_RELEASE);
	/* What is still queued, untimed; a shared socket's reader waits
	 * for the other lcores to finish delivering. */
	for (;;) {
		/* Read before the sockets: what was delivered before the
		 * last lcore said it was done is seen by this read. */
		bool last = count == 0 ||
			    __atomic_load_n(&r->running, __ATOMIC_ACQUIRE) == 0;

		more = app_read(r, side, first, count, h);
		got += more;
		if (more == 0 && last)
			break;
	}
	w->got = got;
	return 0;
}

/* Pipeline: the other lcore reads every socket and frees, until the
 * receiver is done and nothing is left. */
static int
reader_loop(void *arg)
{
	struct lcore_work *w = arg;
	struct sb_run *r = w->r;
	uint64_t got = 0, more;

	while (__atomic_load_n(&r->go, __ATOMIC_ACQUIRE) == 0)
		rte_pause();
	for (;;) {
		bool last = __atomic_load_n(&r->running, __ATOMIC_ACQUIRE) == 0;

		more = app_read(r, w->side, 0, r->nb_socks, r->hist[w->side]);
		got += more;
		__atomic_store_n(&r->pl_read, got, __ATOMIC_RELEASE);
		if (more == 0 && last)
			break;
	}
	w->end = rte_rdtsc_precise();
	w->got = got;
	return 0;
}

uint64_t
sb_run_round(struct sb_run *r, enum sb_side side, uint64_t packets)
{
	struct lcore_work reader = { .r = r, .side = side };

	__atomic_store_n(&r->pl_read, 0, __ATOMIC_RELEASE);
	unsigned int q;
	uint64_t start, end = 0, cpu = 0;

	r->c.packets = packets;
	for (q = 0; q < r->c.lcores; q++) {
		struct sb_gen *g = &r->gen[side][q];

		g->seq = 0;
		g->next = g->base;
		g->hog_left = g->hog_every;
		r->work[q] = (struct lcore_work){ .r = r, .side = side,
						  .queue = (uint16_t)q };
	}
	__atomic_store_n(&r->go, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&r->running, r->c.lcores, __ATOMIC_RELEASE);
	for (q = 1; q < r->c.lcores; q++)
		if (rte_eal_remote_launch(lcore_loop, &r->work[q],
					  r->lcore[q]) != 0) {
			fail("cannot launch on a worker lcore", EBUSY);
			return 0;
		}
	if (r->c.pipeline &&
	    rte_eal_remote_launch(reader_loop, &reader, r->reader_lcore) != 0) {
		fail("cannot launch the reader lcore", EBUSY);
		return 0;
	}
	start = rte_rdtsc_precise();
	__atomic_store_n(&r->go, start, __ATOMIC_RELEASE);
	lcore_loop(&r->work[0]);
	rte_eal_mp_wait_lcore();
	if (r->c.pipeline) {
		r->app_got[side] += reader.got;
		/* Throughput of the pipeline: until the last frame is
		 * read, in cycles of the wall clock. */
		r->wall = reader.end - start;
		r->expected[side] += r->c.packets;
		r->exp_unclaimed[side] +=
			sb_kind_count(r->c.packets, SB_UNBOUND) +
			sb_kind_count(r->c.packets, SB_ETHERTYPE);
		if (side == SB_PLAIN)
			sb_plain_service(r->plain);
		else
			xchg_stack_service(r->stack);
		if (r->work[0].err != 0)
			return 0;
		r->preempted[side] += r->work[0].preempted;
		return RTE_MAX(r->wall, UINT64_C(1));
	}
	/* The services answer what came in last. */
	if (side == SB_PLAIN)
		sb_plain_service(r->plain);
	else
		xchg_stack_service(r->stack);
	for (q = 0; q < r->c.lcores; q++) {
		if (r->work[q].err != 0) {
			fprintf(stderr, "xchg-bench: (%c) queue %u stopped receiving: its pool ran dry\n",
				side == SB_PLAIN ? 'p' : 'x', q);
			return 0;
		}
		end = RTE_MAX(end, r->work[q].end);
		cpu = RTE_MAX(cpu, r->work[q].cpu_ns);
		r->preempted[side] += r->work[q].preempted;
		r->app_got[side] += r->work[q].got;
	}
	r->expected[side] += r->c.packets * r->c.lcores;
	r->exp_unclaimed[side] += r->c.lcores *
		(sb_kind_count(r->c.packets, SB_UNBOUND) +
		 sb_kind_count(r->c.packets, SB_ETHERTYPE));
	r->wall = end - start;
	return RTE_MAX(ns_to_cycles(cpu), UINT64_C(1));
}

uint64_t
sb_run_preempted(const struct sb_run *r, enum sb_side side)
{
	return r->preempted[side];
}

uint64_t
sb_run_wall(const struct sb_run *r)
{
	return r->wall;
}

static uint64_t
pool_accepted(const struct xchg_pool *p)
{
	struct xchg_pool_stats st;

	return xchg_pool_stats_get(p, &st) == 0 ? st.accepted : 0;
}

static void
xchg_books(struct sb_run *r, struct sb_books *b)
{
	struct xchg_port_stats ps;
	struct xchg_stack_stats ss;
	unsigned int i;

	memset(b, 0, sizeof(*b));
	xchg_port_stats_get(r->xport, &ps);
	xchg_stack_stats_get(r->stack, &ss);
	b->received = ps.rx_frames;
	b->accepted = ps.delivered;
	b->refused = ps.drops[XCHG_DROP_NO_BUFFERS] +
		     ps.drops[XCHG_DROP_REJECTED];
	b->unclaimed = ps.drops[XCHG_DROP_NO_CONSUMER] + ps.kept;
	b->malformed = ps.drops[XCHG_DROP_MALFORMED];
	b->answered = ss.arp_requests_answered + ss.icmp_echo_answered;
	b->demuxed = ss.frames;
	/* What the sockets and services paid for, from their own pools'
	 * counters: the port's delivered figure again, counted elsewhere. */
	b->paid = pool_accepted(xchg_stack_service_pool(r->stack, false)) +
		  pool_accepted(xchg_stack_service_pool(r->stack, true));
	for (i = 0; i < r->nb_socks + r->c.hog; i++)
		b->paid += pool_accepted(xchg_socket_pool(r->socks[i]));
}

/* Frames the hog socket holds now: it never reads. */
static uint64_t
hog_held(struct sb_run *r, enum sb_side side)
{
	struct xchg_socket_stats st;

	if (!r->c.hog)
		return 0;
	if (side == SB_PLAIN)
		return rte_ring_count(sb_plain_socket(r->plain, r->nb_socks));
	return xchg_socket_stats_get(r->socks[r->nb_socks], &st) == 0 ?
	       st.pool.in_use : 0;
}

static int
census(struct sb_run *r, enum sb_side side, char *line, size_t size)
{
	struct xchg_census c;
	unsigned int avail, hog;

	if (side == SB_XCHG) {
		int ret = xchg_arena_census(r->arena, &c);

		xchg_census_format(&c, line, size);
		return ret == 0 && c.conserved ? 0 : -1;
	}
	/* A plain pool's census: every mbuf back, but what the hog holds. */
	avail = rte_mempool_avail_count(r->pmp);
	hog = r->c.hog ? rte_ring_count(sb_plain_socket(r->plain,
							r->nb_socks)) : 0;
	snprintf(line, size, "%u mbufs: %u free, %u held by the hog, %u missing",
		 r->pmp->size, avail, hog, r->pmp->size - avail - hog);
	return avail + hog == r->pmp->size ? 0 : -1;
}

int
sb_run_check(struct sb_run *r, enum sb_side side, bool print)
{
	char name = side == SB_PLAIN ? 'p' : 'x';
	struct sb_books now, *b = &r->last[side], d;
	char line[256];
	uint64_t hog;
	int ok = 1;

	if (side == SB_PLAIN)
		sb_plain_books(r->plain, &now);
	else
		xchg_books(r, &now);
	/* Since the last check. */
	d.received = now.received - b->received;
	d.accepted = now.accepted - b->accepted;
	d.refused = now.refused - b->refused;
	d.unclaimed = now.unclaimed - b->unclaimed;
	d.malformed = now.malformed - b->malformed;
	d.answered = now.answered - b->answered;
	d.demuxed = now.demuxed - b->demuxed;
	d.paid = now.paid - b->paid;
	*b = now;

	if (d.received != r->expected[side] ||
	    d.accepted + d.refused + d.unclaimed + d.malformed != d.received ||
	    d.malformed != 0 ||
	    d.unclaimed != r->exp_unclaimed[side] ||
	    d.demuxed != d.received || d.paid != d.accepted)
		ok = 0;
	/* Everything taken was read, answered, or is held by the hog. */
	hog = hog_held(r, side);
	if (d.accepted != r->app_got[side] + d.answered + hog - r->hog_last[side])
		ok = 0;
	r->hog_last[side] = hog;
	if (print || !ok)
		printf("books (%c): received %" PRIu64 " = accepted %" PRIu64 " + refused %" PRIu64 " + unclaimed %" PRIu64 " + malformed %" PRIu64 "; answered %" PRIu64 ", read by the application %" PRIu64 ", held by the hog %" PRIu64 "; demuxed %" PRIu64 ", paid %" PRIu64 "\n",
		       name, d.received, d.accepted, d.refused, d.unclaimed,
		       d.malformed, d.answered, r->app_got[side], hog,
		       d.demuxed, d.paid);
	if (census(r, side, line, sizeof(line)) != 0)
		ok = 0;
	if (print || !ok)
		printf("census (%c): %s\n", name, line);
	r->expected[side] = 0;
	r->exp_unclaimed[side] = 0;
	r->app_got[side] = 0;
	if (!ok)
		fprintf(stderr, "xchg-bench: (%c): the books do not add up\n",
			name);
	return ok ? 0 : -1;
}

/* (f): receive, fill and free on the plain port, nothing else: the cost
 * of the traffic generator itself, the same on both sides. */
uint64_t
sb_run_fill(struct sb_run *r, uint64_t packets)
{
	struct rte_mbuf *m[SB_BURST];
	struct sb_gen *g = &r->gen[SB_PLAIN][0];
	uint64_t done = 0, start, t0;
	unsigned int dry = 0;
	uint16_t n;

	g->seq = 0;
	g->next = g->base;
	g->hog_left = g->hog_every;
	start = rte_rdtsc_precise();
	t0 = thread_ns();
	while (done < packets) {
		n = rte_eth_rx_burst(r->port[SB_PLAIN], 0, m, SB_BURST);
		if (unlikely(n == 0) && ++dry == DRY_LIMIT)
			return 0;
		rte_pktmbuf_free_bulk(m, n);
		done += n;
	}
	r->wall = rte_rdtsc_precise() - start;
	return RTE_MAX(ns_to_cycles(thread_ns() - t0), UINT64_C(1));
}

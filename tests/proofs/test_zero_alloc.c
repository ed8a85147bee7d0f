/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The stack on a live wire, measured for what it must never do after
 * start: allocate (heap, rte_malloc, memzones) or take a page fault.
 * Driven by zero_alloc.sh, which runs Linux on the other end of a veth
 * pair and traces the polling thread's system calls.
 *
 *   test_zero_alloc IFACE ADDRESS/PREFIX CAPTURE_FILE
 *
 * One stack on net_pcap (iface=IFACE), ARP and ICMP answered, UDP
 * sockets echo (7, critical; every datagram sent back), sink (9) and
 * bulk (6000), a packet socket on ethertype 0x88b5, a proxy to a second
 * port (net_ring, drained here: the host), a capture of the echo
 * socket's frames. Started the way xchg-testpmd starts
 * (xchg_app_mem_apply: mlockall, stack prefault). The stack polls on
 * lcore 1; the main thread only waits for signals:
 *
 *   SIGUSR1  the window starts: heap calls (the LD_PRELOAD interposer
 *            heapcount.so, or AddressSanitizer's allocation hooks in a
 *            sanitizer build), rte_malloc blocks and bytes, memzones,
 *            and the polling thread's and the process's minor and major
 *            faults are read;
 *   SIGUSR2  the window ends: read again, one "WINDOW ..." line with
 *            every difference, and the checks: all of them zero, the
 *            critical socket and the ICMP service refused nothing, the
 *            bulk socket did refuse (the hog held it);
 *   SIGTERM  tear down, census.
 *
 * While the window is open, the bulk socket's application stops reading
 * (a hog) from frame 300,000 to frame 700,000 of the window. Progress
 * ("PROGRESS frames=N polls=N hog=0|1") is printed every 200 ms, from
 * the main thread.
 * Signals are blocked in every thread but the main one, so the polling
 * thread makes no system call for them.
 */

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_ring.h>

#include "heapcount.h"
#include "xchg_app_mem.h"
#include "xchg_port.h"
#include "xchg_stack.h"
#include "xchg_test.h"

#if defined(__SANITIZE_ADDRESS__)
#define ZA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZA_ASAN 1
#endif
#endif
#ifdef ZA_ASAN
#include <sanitizer/allocator_interface.h>
#endif

#define HOG_FROM 300000
#define HOG_TO 700000

static struct xchg_stack *stack;
static struct xchg_socket *echo_sock, *sink_sock, *bulk_sock, *raw_sock;
static struct rte_ring *host_tx;
static volatile int stop, hog;
static volatile pid_t poller_tid;
static volatile uint64_t polls;

/* ---- heap calls ------------------------------------------------------- */

static void (*heap_read)(uint64_t out[XCHG_HEAPCOUNT_N]);

#ifdef ZA_ASAN
static uint64_t asan_allocs, asan_frees;

static void
on_alloc(const volatile void *p, size_t n)
{
	(void)p;
	(void)n;
	__atomic_fetch_add(&asan_allocs, 1, __ATOMIC_RELAXED);
}

static void
on_free(const volatile void *p)
{
	(void)p;
	__atomic_fetch_add(&asan_frees, 1, __ATOMIC_RELAXED);
}

/* Every allocation (malloc, calloc, realloc, memalign...) counts as
 * malloc here, every free as free. */
static void
asan_read(uint64_t out[XCHG_HEAPCOUNT_N])
{
	memset(out, 0, sizeof(uint64_t) * XCHG_HEAPCOUNT_N);
	out[XCHG_HEAPCOUNT_MALLOC] = __atomic_load_n(&asan_allocs,
						     __ATOMIC_RELAXED);
	out[XCHG_HEAPCOUNT_FREE] = __atomic_load_n(&asan_frees,
						   __ATOMIC_RELAXED);
}
#endif

static int
heap_init(void)
{
#ifdef ZA_ASAN
	__sanitizer_install_malloc_and_free_hooks(on_alloc, on_free);
	heap_read = asan_read;
	printf("heap calls: counted by AddressSanitizer's allocation hooks\n");
	return 0;
#else
	heap_read = (void (*)(uint64_t *))dlsym(RTLD_DEFAULT,
						 "xchg_heapcount_read");
	if (heap_read == NULL) {
		printf("heap calls: heapcount.so is not preloaded; run with LD_PRELOAD=.../heapcount.so\n");
		return -1;
	}
	printf("heap calls: counted by the heapcount.so interposer\n");
	return 0;
#endif
}

/* ---- the application on the polling lcore ----------------------------- */

static void
echo(struct xchg_socket *sock)
{
	struct rte_mbuf *m[32];
	unsigned int i, n = xchg_socket_recv_burst(sock, m, RTE_DIM(m));

	for (i = 0; i < n; i++) {
		rte_be32_t ip;
		uint16_t port;

		if (xchg_udp_source(m[i], &ip, &port) != 0 ||
		    xchg_udp_send_burst(sock, ip, port, &m[i], 1) != 1)
			rte_pktmbuf_free(m[i]);
	}
}

static void
drain(struct xchg_socket *sock)
{
	struct rte_mbuf *m[32];
	unsigned int n;

	while ((n = xchg_socket_recv_burst(sock, m, RTE_DIM(m))) != 0)
		rte_pktmbuf_free_bulk(m, n);
}

static int
poller(void *arg)
{
	struct rte_mbuf *m[32];
	unsigned int n;

	(void)arg;
	poller_tid = (pid_t)syscall(SYS_gettid);
	while (!stop) {
		xchg_stack_poll(stack);
		echo(echo_sock);
		drain(sink_sock);
		drain(raw_sock);
		if (!hog)
			drain(bulk_sock);
		/* The host behind the proxy takes what it gets. */
		while ((n = rte_ring_dequeue_burst(host_tx, (void **)m,
						   RTE_DIM(m), NULL)) != 0)
			rte_pktmbuf_free_bulk(m, n);
		polls++;
	}
	return 0;
}

/* ---- what is measured -------------------------------------------------- */

struct snap {
	uint64_t heap[XCHG_HEAPCOUNT_N];
	uint64_t rte_blocks, rte_bytes;
	unsigned int zones;
	uint64_t poller_min, poller_maj, proc_min, proc_maj;
	uint64_t frames, polls;
};

static void
count_zone(const struct rte_memzone *mz, void *arg)
{
	(void)mz;
	(*(unsigned int *)arg)++;
}

/* Fields 10 and 12 of /proc/self/task/TID/stat: minflt, majflt. */
static int
thread_faults(pid_t tid, uint64_t *min, uint64_t *maj)
{
	char path[64], buf[1024], *p;
	unsigned long long v[12];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* After "pid (comm)": state, ppid, pgrp, session, tty, tpgid,
	 * flags, minflt, cminflt, majflt. */
	if (p == NULL || sscanf(p + 1, " %*c %llu %llu %llu %llu %llu %llu %llu %llu %llu",
				&v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
				&v[6], &v[7], &v[8]) != 9)
		return -1;
	*min = v[6];
	*maj = v[8];
	return 0;
}

static void
take(struct snap *s)
{
	struct rte_malloc_socket_stats ms;
	struct xchg_stack_stats st;
	struct rusage ru;

	memset(s, 0, sizeof(*s));
	heap_read(s->heap);
	if (rte_malloc_get_socket_stats(0, &ms) == 0) {
		s->rte_blocks = ms.alloc_count;
		s->rte_bytes = ms.heap_allocsz_bytes;
	}
	rte_memzone_walk(count_zone, &s->zones);
	XT_EQ(thread_faults(poller_tid, &s->poller_min, &s->poller_maj), 0);
	getrusage(RUSAGE_SELF, &ru);
	s->proc_min = (uint64_t)ru.ru_minflt;
	s->proc_maj = (uint64_t)ru.ru_majflt;
	if (xchg_stack_stats_get(stack, &st) == 0)
		s->frames = st.frames;
	s->polls = polls;
	/* The heap calls made to read all this, after the heap snapshot,
	 * are the main thread's and are taken out below. */
}

static uint64_t
refused(struct xchg_pool *p)
{
	struct xchg_pool_stats st;

	return xchg_pool_stats_get(p, &st) == 0 ? st.refused : 0;
}

static void
report(const struct snap *a, const struct snap *b, const uint64_t *ref0)
{
	static const char * const names[] = XCHG_HEAPCOUNT_NAMES;
	struct snap z;
	uint64_t heap_total = 0;
	unsigned int i;
	char line[1024];
	size_t n = 0;

	/* Take the main thread's own reading cost out: a snapshot taken
	 * twice in a row, with no traffic in between, is its price. */
	take(&z);
	{
		struct snap z2;

		take(&z2);
		for (i = 0; i < XCHG_HEAPCOUNT_N; i++)
			z.heap[i] = z2.heap[i] - z.heap[i];
		z.proc_min = z2.proc_min - z.proc_min;
		z.proc_maj = z2.proc_maj - z.proc_maj;
	}
	n += (size_t)snprintf(line + n, sizeof(line) - n,
			      "WINDOW frames=%lu polls=%lu",
			      (unsigned long)(b->frames - a->frames),
			      (unsigned long)(b->polls - a->polls));
	for (i = 0; i < XCHG_HEAPCOUNT_N; i++) {
		uint64_t d = b->heap[i] - a->heap[i] - z.heap[i];

		heap_total += d;
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s=%lu",
				      names[i], (unsigned long)d);
	}
	n += (size_t)snprintf(line + n, sizeof(line) - n,
			      " rte_malloc_blocks=%ld rte_malloc_bytes=%ld memzones=%d poller_minflt=%lu poller_majflt=%lu proc_minflt=%lu proc_majflt=%lu",
			      (long)(b->rte_blocks - a->rte_blocks),
			      (long)(b->rte_bytes - a->rte_bytes),
			      (int)b->zones - (int)a->zones,
			      (unsigned long)(b->poller_min - a->poller_min),
			      (unsigned long)(b->poller_maj - a->poller_maj),
			      (unsigned long)(b->proc_min - a->proc_min - z.proc_min),
			      (unsigned long)(b->proc_maj - a->proc_maj - z.proc_maj));
	printf("%s\n", line);

	XT_EQ(heap_total, 0);
	XT_EQ(b->rte_blocks, a->rte_blocks);
	XT_EQ(b->rte_bytes, a->rte_bytes);
	XT_EQ(b->zones, a->zones);
	XT_EQ(b->poller_min - a->poller_min, 0);
	XT_EQ(b->poller_maj - a->poller_maj, 0);
	XT_EQ(b->proc_maj - a->proc_maj - z.proc_maj, 0);
	XT_EQ(b->proc_min - a->proc_min - z.proc_min, 0);
	/* The guarantee while the hog held its socket. */
	XT_EQ(refused(xchg_socket_pool(echo_sock)) - ref0[0], 0);
	XT_EQ(refused(xchg_stack_service_pool(stack, true)) - ref0[1], 0);
	XT_CHECK(refused(xchg_socket_pool(bulk_sock)) > ref0[2],
		 "the hog never made the bulk socket refuse a frame");
}

/* ---- set-up ------------------------------------------------------------ */

static struct xchg_socket *
udp(const char *name, uint16_t port, uint32_t quota, enum xchg_priority prio)
{
	struct xchg_socket *s = xchg_udp_socket(stack, name, quota, prio);

	XT_CHECK(s != NULL && xchg_udp_bind(s, 0, port) == 0, "socket %s",
		 name);
	return s;
}

int
main(int argc, char **argv)
{
	char vdev[160], addr[32], *slash;
	const char *eal[] = { argv[0], "-l", "0,1", "--no-huge", "-m", "96",
			      "--no-pci", "--no-shconf", "--no-telemetry",
			      "--log-level=lib.eal:warning",
			      "--log-level=xchg:warning", vdev };
	struct xchg_port_conf pc = { .nb_rx_desc = 512, .nb_tx_desc = 512 };
	struct xchg_stack_conf sc = { .arp_quota = 64, .icmp_quota = 64 };
	struct xchg_app_mem mem = { 0 };
	const char *owners[] = { "echo" };
	struct rte_ring *host_rx;
	struct xchg_port *port, *host;
	struct xchg_arena *arena;
	struct snap a = { 0 }, b;
	uint64_t ref0[3] = { 0 };
	bool open_window = false;
	struct in_addr ip;
	sigset_t set;
	int prefix, id, sig;

	if (argc != 4) {
		printf("usage: %s IFACE ADDRESS/PREFIX CAPTURE_FILE\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(addr, sizeof(addr), "%s", argv[2]);
	slash = strchr(addr, '/');
	if (slash == NULL)
		return 2;
	*slash = '\0';
	prefix = atoi(slash + 1);
	if (inet_pton(AF_INET, addr, &ip) != 1 || prefix < 1 || prefix > 32)
		return 2;
	if (heap_init() != 0)
		return 1;
	/* Every thread the EAL starts inherits this mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	snprintf(vdev, sizeof(vdev), "--vdev=net_pcap0,iface=%s,phy_mac=1",
		 argv[1]);
	if (rte_eal_init((int)RTE_DIM(eal), (char **)(uintptr_t)eal) < 0) {
		printf("EAL refused to start: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	arena = xt_arena("zero_alloc", 8192, 0);
	host_rx = rte_ring_create("za_host_rx", 1024, SOCKET_ID_ANY,
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	host_tx = rte_ring_create("za_host_tx", 1024, SOCKET_ID_ANY,
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	id = rte_eth_from_rings("za_host", &host_rx, 1, &host_tx, 1,
				SOCKET_ID_ANY);
	port = xchg_port_create(arena, 0, &pc);
	host = id >= 0 ? xchg_port_create(arena, (uint16_t)id, &pc) : NULL;
	stack = port != NULL ? xchg_stack_create(arena, port, &sc) : NULL;
	XT_CHECK(stack != NULL && host != NULL, "stack: %s",
		 rte_strerror(rte_errno));
	if (stack == NULL || host == NULL)
		return xt_done("zero_alloc");
	XT_EQ(xchg_stack_add_address(stack, ip.s_addr, (uint8_t)prefix), 0);
	echo_sock = udp("echo", 7, 64, XCHG_PRIO_CRITICAL);
	sink_sock = udp("sink", 9, 256, XCHG_PRIO_NORMAL);
	bulk_sock = udp("bulk", 6000, 256, XCHG_PRIO_NORMAL);
	raw_sock = xchg_packet_socket(stack, "raw", 0x88b5, 64,
				      XCHG_PRIO_NORMAL);
	XT_CHECK(raw_sock != NULL, "packet socket");
	XT_EQ(xchg_stack_set_proxy(stack, host, 64), 0);
	XT_EQ(xchg_stack_set_capture(stack, argv[3], 64, owners, 1), 0);
	XT_EQ(xchg_port_start(port), 0);
	if (xt_failures != 0)
		return xt_done("zero_alloc");
	/* As xchg-testpmd starts: every page locked, the stack faulted in. */
	XT_EQ(xchg_app_mem_apply("test_zero_alloc", &mem), 0);
	XT_EQ(rte_eal_remote_launch(poller, NULL, 1), 0);
	while (poller_tid == 0)
		usleep(1000);
	printf("READY tid=%d\n", (int)poller_tid);

	for (;;) {
		struct timespec t = { .tv_nsec = 200 * 1000 * 1000 };

		sig = sigtimedwait(&set, NULL, &t);
		if (sig == SIGUSR1 && !open_window) {
			take(&a);
			ref0[0] = refused(xchg_socket_pool(echo_sock));
			ref0[1] = refused(xchg_stack_service_pool(stack, true));
			ref0[2] = refused(xchg_socket_pool(bulk_sock));
			open_window = true;
			printf("WINDOW start\n");
		} else if (sig == SIGUSR2 && open_window) {
			hog = 0;
			take(&b);
			open_window = false;
			report(&a, &b, ref0);
		} else if (sig == SIGTERM || sig == SIGINT) {
			break;
		} else if (sig < 0 && open_window) {
			struct xchg_stack_stats st;
			struct xchg_port_stats ps;

			if (xchg_stack_stats_get(stack, &st) == 0 &&
			    xchg_port_stats_get(port, &ps) == 0) {
				uint64_t f = st.frames - a.frames;

				hog = f >= HOG_FROM && f < HOG_TO;
				printf("PROGRESS frames=%lu polls=%lu hog=%d imissed=%lu\n",
				       (unsigned long)f,
				       (unsigned long)(polls - a.polls), hog,
				       (unsigned long)ps.eth.imissed);
			}
		}
	}
	stop = 1;
	rte_eal_mp_wait_lcore();
	drain(bulk_sock);
	XT_EQ(xchg_port_stop(port), 0);
	XT_EQ(xchg_stack_free(stack), 0);
	XT_EQ(xchg_port_free(port), 0);
	XT_EQ(xchg_port_free(host), 0);
	xt_census_ok(arena, "end");
	return xt_done("zero_alloc");
}

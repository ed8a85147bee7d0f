/* SPDX-License-Identifier: BSD-3-Clause */

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_ring.h>

#include "xchg_test.h"
#include "xt_frames.h"

unsigned int xt_checks;
unsigned int xt_failures;

/* The --file-prefix xt_eal_init_shared() gave, "" without one: the
 * runtime folder xt_done() removes. */
static char own_prefix[64];

static void
eal_init(const char *prog, const char *lcores, bool shconf, int extra_argc,
	 const char * const *extra_argv)
{
	const char *base[] = {
		prog, "-l", lcores, "--no-huge", "-m", "512", "--no-pci",
		"--log-level=lib.eal:warning", "--log-level=xchg:warning",
		"--log-level=lib.telemetry:warning", "--no-shconf",
	};
	char *argv[RTE_DIM(base) + 16], prefix_arg[96];
	int argc = 0, i;

	if (extra_argc > 15) {
		printf("too many EAL arguments\n");
		exit(1);
	}
	for (i = 0; i < (int)RTE_DIM(base) - (shconf ? 1 : 0); i++)
		argv[argc++] = (char *)(uintptr_t)base[i];
	if (shconf) {
		snprintf(prefix_arg, sizeof(prefix_arg), "--file-prefix=%s",
			 own_prefix);
		argv[argc++] = prefix_arg;
	}
	for (i = 0; i < extra_argc; i++)
		argv[argc++] = (char *)(uintptr_t)extra_argv[i];
	if (rte_eal_init(argc, argv) < 0) {
		printf("EAL refused to start: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
}

void
xt_eal_init(const char *prog, const char *lcores, int extra_argc,
	    const char * const *extra_argv)
{
	eal_init(prog, lcores, false, extra_argc, extra_argv);
}

/* Remove the runtime folder of xt_eal_init_shared()'s prefix, once;
 * system()'s result (0 when there is none). */
static int
runtime_remove(void)
{
	char cmd[PATH_MAX + 16];
	int ret = 0;

	if (own_prefix[0] != '\0' && rte_eal_get_runtime_dir()[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'",
			 rte_eal_get_runtime_dir());
		ret = system(cmd);
	}
	own_prefix[0] = '\0';
	return ret;
}

/* A test that exits early (a refused start, exit(1)) leaves no runtime
 * folder either. */
static void
runtime_remove_at_exit(void)
{
	if (runtime_remove() != 0)
		printf("runtime folder %s not removed\n",
		       rte_eal_get_runtime_dir());
}

void
xt_eal_init_shared(const char *prog, const char *lcores, const char *tag,
		   int extra_argc, const char * const *extra_argv)
{
	snprintf(own_prefix, sizeof(own_prefix), "xchg_%s_%d", tag,
		 (int)getpid());
	setenv("XT_PREFIX", own_prefix, 1);
	atexit(runtime_remove_at_exit);
	eal_init(prog, lcores, true, extra_argc, extra_argv);
}

void
xt_ring_init(const char *prog, const char *name, const char *eal_extra,
	     struct rte_ring **ring, uint16_t *port)
{
	const char *extra[] = { "--vdev=" XT_RING_DEV, eal_extra };

	xt_eal_init_shared(prog, "0", name, eal_extra != NULL ? 2 : 1, extra);
	if (xt_net_ring(XT_RING_DEV, ring, port) != 0) {
		/* A test that cannot start fails. */
		XT_CHECK(false, "the %s port and its ring", XT_RING_DEV);
		exit(xt_done(name));
	}
}

int
xt_arena_done(struct xchg_arena *arena, const char *name)
{
	xt_census_ok(arena, "end");
	XT_EQ(xchg_arena_free(arena), 0);
	xt_tmpdir_remove();
	return xt_done(name);
}

struct xchg_arena *
xt_arena_conf(const struct xchg_arena_conf *conf)
{
	struct xchg_arena *a = xchg_arena_create(conf);

	if (a == NULL) {
		printf("cannot create arena %s: %s\n", conf->name,
		       rte_strerror(rte_errno));
		exit(1);
	}
	return a;
}

struct xchg_arena *
xt_arena(const char *name, uint32_t nb_buffers, int32_t lcore_cache)
{
	struct xchg_arena_conf conf = {
		.name = name,
		.socket_id = SOCKET_ID_ANY,
		.nb_buffers = nb_buffers,
		.lcore_cache = lcore_cache,
	};

	return xt_arena_conf(&conf);
}

bool
xt_census_ok(struct xchg_arena *arena, const char *when)
{
	struct xchg_census c;
	char line[256];
	int ret = xchg_arena_census(arena, &c);

	xchg_census_format(&c, line, sizeof(line));
	printf("census %s: %s\n", when, line);
	XT_CHECK(ret == 0 && c.conserved, "census %s broken", when);
	return ret == 0;
}

void
xt_pool_expect(struct xchg_pool *pool, uint32_t in_use, const char *when)
{
	struct xchg_pool_stats s;

	XT_CHECK(xchg_pool_stats_get(pool, &s) == 0, "stats of %s", when);
	XT_CHECK(s.in_use == in_use && s.available == s.quota - in_use,
		 "%s: %s in_use %u available %u quota %u, expected in_use %u",
		 when, xchg_pool_name(pool), s.in_use, s.available, s.quota,
		 in_use);
}

struct xchg_pool_stats
xt_pool_stats(struct xchg_pool *pool)
{
	struct xchg_pool_stats s;

	memset(&s, 0, sizeof(s));
	XT_CHECK(xchg_pool_stats_get(pool, &s) == 0, "stats of %s",
		 xchg_pool_name(pool));
	return s;
}

int
xt_done(const char *name)
{
	/* Leave no runtime folder behind (the EAL keeps it). Counted only
	 * when it fails: it is no check of the test's, and a test that ran
	 * none must still fail below. */
	if (runtime_remove() != 0)
		XT_CHECK(false, "runtime folder %s not removed",
			 rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* The closing line meson and CI read: N passed, N failed. */
	printf("%s: %u passed, %u failed\n", name, xt_checks - xt_failures,
	       xt_failures);
	/* A test that checked nothing proves nothing: it fails. */
	if (xt_checks == 0) {
		printf("FAIL %s: no check ran\n", name);
		return 1;
	}
	return xt_failures == 0 ? 0 : 1;
}

int
xt_telemetry_query(const char *cmd, char *buf, size_t size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ssize_t n;

	if (fd < 0)
		return -errno;
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		close(fd);
		return -errno;
	}
	n = read(fd, buf, size - 1); /* greeting with version and limits */
	if (n > 0 && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd))
		n = read(fd, buf, size - 1);
	else
		n = -1;
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

int
xt_port_start(const char *name, struct rte_mempool *mp, uint16_t nb_desc,
	      uint16_t *port)
{
	struct rte_eth_conf conf = { 0 };
	int ret;

	ret = rte_eth_dev_get_port_by_name(name, port);
	if (ret == 0)
		ret = rte_eth_dev_configure(*port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(*port, 0, nb_desc, SOCKET_ID_ANY,
					     NULL, mp);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(*port, 0, nb_desc, SOCKET_ID_ANY,
					     NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(*port);
	XT_CHECK(ret == 0, "port %s: %s", name, rte_strerror(-ret));
	return ret;
}

int
xt_net_ring(const char *dev, struct rte_ring **ring, uint16_t *port)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "ETH_RXTX0_%s", dev);
	*ring = rte_ring_lookup(name);
	if (*ring == NULL || rte_eth_dev_get_port_by_name(dev, port) != 0) {
		printf("no %s ring\n", dev);
		return -1;
	}
	return 0;
}

void
xt_ring_put(struct rte_ring *ring, struct rte_mempool *mp, const void *frame,
	    unsigned int len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *p = m != NULL ? rte_pktmbuf_append(m, (uint16_t)len) : NULL;

	XT_CHECK(p != NULL, "frame buffer");
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(p, frame, len);
	XT_CHECK(rte_ring_enqueue(ring, m) == 0, "ring full");
}

void
xt_port_close(uint16_t port)
{
	XT_EQ(rte_eth_dev_stop(port), 0);
	XT_EQ(rte_eth_dev_close(port), 0);
}

#define XT_PYTHON "/usr/bin/python3"

FILE *
xt_scapy_popen(const char *script, const char *dir, int *rc)
{
	char cmd[2048];
	FILE *p;

	if (access(XT_PYTHON, X_OK) != 0) {
		printf("SKIP: %s not found (Debian's python3 with python3-scapy writes the captures)\n",
		       XT_PYTHON);
		*rc = 77;
		return NULL;
	}
	snprintf(cmd, sizeof(cmd), "%s -c 'import scapy' 2>/dev/null",
		 XT_PYTHON);
	if (system(cmd) != 0) {
		printf("SKIP: %s has no scapy (apt-get install python3-scapy)\n",
		       XT_PYTHON);
		*rc = 77;
		return NULL;
	}
	snprintf(cmd, sizeof(cmd), "%s '%s' '%s'", XT_PYTHON, script, dir);
	p = popen(cmd, "r");
	if (p == NULL)
		*rc = 1;
	return p;
}

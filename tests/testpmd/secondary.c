/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * A DPDK secondary process beside a running xchg-testpmd: it is refused
 * an arena of its own with a clear message, and reads the primary's
 * arena through the primary's telemetry socket (the census, the pools,
 * a port's xstats), which is the multi-process story of the guide.
 *
 * Usage: secondary EAL-OPTIONS --proc-type=secondary --file-prefix P --
 *        [TELEMETRY-COMMAND]...
 * Prints one line per step; exit 0 when every step did what it should.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>

#include "xchg.h"

/* One telemetry command to the primary's socket; the reply on stdout. */
static int
ask(const char *cmd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[16384];
	ssize_t n;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		printf("telemetry: %s: %s\n", sun.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1); /* the greeting */
	if (n > 0 && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd))
		n = read(fd, buf, sizeof(buf) - 1);
	else
		n = -1;
	close(fd);
	if (n <= 0) {
		printf("telemetry: %s: no answer\n", cmd);
		return -1;
	}
	buf[n] = '\0';
	printf("telemetry %s\n", buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct xchg_arena_conf conf = {
		.name = "second", .socket_id = SOCKET_ID_ANY, .nb_buffers = 256,
	};
	struct xchg_arena *a;
	int ret = 0, i, n;

	n = rte_eal_init(argc, argv);
	if (n < 0) {
		printf("secondary: EAL did not start: %s\n",
		       rte_strerror(rte_errno));
		return 2;
	}
	printf("process type: %s\n", rte_eal_process_type() ==
	       RTE_PROC_SECONDARY ? "secondary" : "primary");
	a = xchg_arena_create(&conf);
	if (a == NULL && rte_errno == EPERM) {
		printf("arena refused: EPERM\n");
	} else {
		printf("arena NOT refused\n");
		if (a != NULL)
			xchg_arena_free(a);
		ret = 1;
	}
	for (i = n + 1; i < argc; i++)
		if (ask(argv[i]) != 0)
			ret = 1;
	rte_eal_cleanup();
	return ret;
}

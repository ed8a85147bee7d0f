#include <stdio.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <xchg.h>

int
main(int argc, char **argv)
{
        struct rte_eth_conf port_conf = { 0 };
        struct rte_mbuf *pkts[32], *out[4];
        struct xchg_census census;
        char line[256];
        uint16_t port = 0, n, half, sent;
        unsigned int got_bulk, got_ctrl;

        if (rte_eal_init(argc, argv) < 0 || rte_eth_dev_count_avail() == 0) {
                fprintf(stderr, "give EAL options and a port, e.g. --vdev=net_null0\n");
                return 1;
        }

        /* One arena: every buffer, taken once, at start. */
        struct xchg_arena_conf conf = {
                .name = "arena0", .socket_id = (int)rte_socket_id(),
                .nb_buffers = 16384,
        };
        struct xchg_arena *arena = xchg_arena_create(&conf);
        if (arena == NULL)
                return 1;

        /* PMDs take the arena as their mempool. */
        if (rte_eth_dev_configure(port, 1, 1, &port_conf) != 0 ||
            rte_eth_rx_queue_setup(port, 0, 1024, rte_eth_dev_socket_id(port),
                                   NULL, xchg_arena_mempool(arena)) != 0 ||
            rte_eth_tx_queue_setup(port, 0, 1024, rte_eth_dev_socket_id(port),
                                   NULL) != 0 ||
            rte_eth_dev_start(port) != 0)
                return 1;

        /* One reservation per consumer. */
        struct xchg_pool *bulk = xchg_pool_create(arena, "bulk",
                                                  XCHG_KIND_SOCKET, 4096);
        struct xchg_pool *ctrl = xchg_pool_create(arena, "ctrl",
                                                  XCHG_KIND_SOCKET, 256);
        if (bulk == NULL || ctrl == NULL)
                return 1;

        /* Receive; demux (here: first half of the burst to bulk, the rest
         * to ctrl). Each consumer pays for what it takes. */
        n = rte_eth_rx_burst(port, 0, pkts, 32);
        half = n / 2;
        got_bulk = xchg_acquire_burst(bulk, pkts, half);
        got_ctrl = xchg_acquire_burst(ctrl, &pkts[half], n - half);
        /* Refused frames are dropped: the free gives them back. */
        rte_pktmbuf_free_bulk(&pkts[got_bulk], half - got_bulk);
        rte_pktmbuf_free_bulk(&pkts[half + got_ctrl], n - half - got_ctrl);
        printf("received %u: bulk took %u, ctrl took %u\n", n, got_bulk,
               got_ctrl);

        /* Later, anywhere, on any lcore: each free gives a unit back to
         * the consumer that paid for the frame. */
        rte_pktmbuf_free_bulk(pkts, got_bulk);
        rte_pktmbuf_free_bulk(&pkts[half], got_ctrl);

        /* Transmit from the consumer's own reservation; the PMD's free
         * after sending credits ctrl. */
        if (xchg_alloc_bulk(ctrl, out, 4) == 0) {
                for (int i = 0; i < 4; i++)
                        rte_pktmbuf_append(out[i], 64);
                sent = rte_eth_tx_burst(port, 0, out, 4);
                rte_pktmbuf_free_bulk(&out[sent], 4 - sent);
        }

        /* Prove it: every buffer is free, in a ring or held by one owner. */
        int broken = xchg_arena_census(arena, &census);
        xchg_census_format(&census, line, sizeof(line));
        printf("census: %s\n", line);

        /* Closing the port gives back what its rings hold. */
        rte_eth_dev_stop(port);
        rte_eth_dev_close(port);
        xchg_pool_free(bulk);
        xchg_pool_free(ctrl);
        xchg_arena_free(arena);
        rte_eal_cleanup();
        return broken == 0 ? 0 : 1;
}


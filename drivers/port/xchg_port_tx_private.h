/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_PORT_TX_PRIVATE_H
#define XCHG_PORT_TX_PRIVATE_H

/*
 * Not installed: for the project's own libraries (the stack's service
 * replies) and its tests, exported in the INTERNAL section of
 * libxchg_port's version.map, with no compatibility promise
 * (doc/abi.rst).
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;
struct xchg_pool;
struct xchg_port;

/** One payer's share of a burst given to xchg_port_tx_payers(): @p n
 * frames, contiguous, after the previous payers'. Plain, the caller's
 * own: nothing in it is shared between threads. */
struct xchg_port_payer {
	struct xchg_pool *pool; /**< who paid for the frames, and takes
				 *   back those not sent; NULL: nobody */
	uint16_t n;             /**< frames of this payer */
};

/**
 * Transmit the frames of several payers in one call: what
 * xchg_port_tx() does for one sender, with one exchange into the TX
 * queue's reservation for every payer's frames (each previous owner is
 * credited for its own) and one rte_eth_tx_burst(). The frames sent are
 * a prefix of @p mbufs, as with xchg_port_tx(); each frame of the rest
 * goes back to its own payer (the exchange into that payer's pool: the
 * TX queue gets its unit back, the payer pays again, counted as its
 * accepted), and stays the caller's to free.
 *
 * @param payers
 *   @p nb_payers payers; their n add up to the frames of @p mbufs, at
 *   most UINT16_MAX.
 * @return
 *   Frames sent, a prefix of @p mbufs (so a payer's first frames, up to
 *   all of them, went out when the payers before it sent all theirs);
 *   rte_errno as xchg_port_tx()'s.
 */
unsigned int xchg_port_tx_payers(struct xchg_port *port, uint16_t queue,
				 const struct xchg_port_payer *payers,
				 unsigned int nb_payers,
				 struct rte_mbuf **mbufs);

#ifdef __cplusplus
}
#endif

#endif /* XCHG_PORT_TX_PRIVATE_H */

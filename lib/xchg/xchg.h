/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_H
#define XCHG_H

/**
 * @file
 * xchg: RTnet-style buffer exchange for DPDK. Include this one header.
 *
 * - xchg_arena.h: one preallocated arena of buffers per socket and geometry;
 * - xchg_pool.h: owner pools (reservations), exchange and allocation;
 * - xchg_census.h: proof that every buffer is accounted for;
 * - xchg_consumer.h: an owner pool with a bounded receive ring;
 * - xchg_watch.h: leak watch, who holds buffers and for how long.
 */

#include "xchg_arena.h"
#include "xchg_pool.h"
#include "xchg_census.h"
#include "xchg_consumer.h"
#include "xchg_watch.h"

#endif /* XCHG_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_mbuf.h>
#include "xchg_stack_private.h"

/* Stub: to be replaced by the reassembly. */
struct xchg_frag_table { int unused; };
struct xchg_frag_table *xchg_frag_create(const struct xchg_stack_conf *conf __rte_unused, uint64_t hz __rte_unused, int socket_id __rte_unused) { static struct xchg_frag_table t; return &t; }
void xchg_frag_free(struct xchg_frag_table *t __rte_unused) {}
void xchg_frag_input(struct xchg_stack *s, struct xchg_socket *sock __rte_unused, struct rte_mbuf *m, const struct xchg_pkt *pkt __rte_unused) { xchg_stack_drop(s, XCHG_SD_FRAG_NO_COLLECTOR); rte_pktmbuf_free(m); }
void xchg_frag_expire(struct xchg_stack *s __rte_unused, uint64_t now __rte_unused) {}

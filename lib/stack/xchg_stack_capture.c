/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include "xchg_stack_private.h"

/* Stub: to be replaced by the capture. */
int xchg_stack_set_capture(struct xchg_stack *s __rte_unused, const char *path __rte_unused, uint32_t quota __rte_unused, const char * const *owners __rte_unused, unsigned int nb_owners __rte_unused) { return -ENOTSUP; }
void xchg_capture_frame(struct xchg_stack *s __rte_unused, const struct rte_mbuf *m __rte_unused, const struct xchg_consumer *owner __rte_unused) {}
void xchg_capture_service(struct xchg_stack *s __rte_unused) {}
void xchg_capture_free(struct xchg_stack *s __rte_unused) {}

/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include "xchg_stack_private.h"

/* Stub: to be replaced by the proxy. */
int xchg_stack_set_proxy(struct xchg_stack *s __rte_unused, struct xchg_port *tap __rte_unused, uint32_t quota __rte_unused) { return -ENOTSUP; }
void xchg_proxy_service(struct xchg_stack *s __rte_unused) {}
void xchg_proxy_free(struct xchg_stack *s __rte_unused) {}

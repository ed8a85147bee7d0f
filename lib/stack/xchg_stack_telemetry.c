/* SPDX-License-Identifier: BSD-3-Clause */
#include "xchg_stack_private.h"

/* Stub: to be replaced by the telemetry. */
void xchg_stack_telemetry_register(struct xchg_stack *s __rte_unused) {}
void xchg_stack_telemetry_unregister(struct xchg_stack *s __rte_unused) {}

/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_STACK_COMPAT_H
#define XCHG_STACK_COMPAT_H

/* What the stack uses that DPDK renamed between 22.11 and 25.11; not
 * installed. */

#include <rte_icmp.h>

/* RTE_IP_ICMP_ECHO_* is deprecated in newer releases (a pragma warning, 24.11) in
 * favour of RTE_ICMP_TYPE_ECHO_*, which 22.11 does not have. */
#ifdef RTE_ICMP_TYPE_ECHO_REQUEST
#define XCHG_ICMP_ECHO_REQUEST RTE_ICMP_TYPE_ECHO_REQUEST
#define XCHG_ICMP_ECHO_REPLY RTE_ICMP_TYPE_ECHO_REPLY
#else
#define XCHG_ICMP_ECHO_REQUEST RTE_IP_ICMP_ECHO_REQUEST
#define XCHG_ICMP_ECHO_REPLY RTE_IP_ICMP_ECHO_REPLY
#endif

#endif /* XCHG_STACK_COMPAT_H */

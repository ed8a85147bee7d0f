/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_TEL_UTIL_H
#define XCHG_TEL_UTIL_H

/* Telemetry helpers shared by lib/xchg, drivers/port and lib/stack; not
 * installed. */

#include <stddef.h>

#include <rte_telemetry.h>
#include <rte_version.h>

/* DPDK 23.03 renamed the u64 helper and deprecated the old name. */
#if RTE_VERSION >= RTE_VERSION_NUM(23, 3, 0, 0)
#define xchg_tel_u64 rte_tel_data_add_dict_uint
#else
#define xchg_tel_u64 rte_tel_data_add_dict_u64
#endif

/* Telemetry keys may hold letters, digits, '_' and '/' only: any other
 * character of a name becomes '_', so that nothing goes missing. */
static inline const char *
xchg_tel_key(const char *name, char *key, size_t size)
{
	size_t i;

	for (i = 0; name[i] != '\0' && i + 1 < size; i++)
		key[i] = (name[i] >= 'a' && name[i] <= 'z') ||
			 (name[i] >= 'A' && name[i] <= 'Z') ||
			 (name[i] >= '0' && name[i] <= '9') ||
			 name[i] == '_' || name[i] == '/' ? name[i] : '_';
	key[i] = '\0';
	return key;
}

/* A new dictionary, or NULL. */
static inline struct rte_tel_data *
xchg_tel_new_dict(void)
{
	struct rte_tel_data *d = rte_tel_data_alloc();

	if (d != NULL)
		rte_tel_data_start_dict(d);
	return d;
}

/* Add @sub to @d under @name made a key; @sub is freed if it cannot be
 * added (telemetry takes it over otherwise). */
static inline void
xchg_tel_add_container(struct rte_tel_data *d, const char *name,
		       struct rte_tel_data *sub)
{
	char key[RTE_TEL_MAX_STRING_LEN];

	if (rte_tel_data_add_dict_container(d,
			xchg_tel_key(name, key, sizeof(key)), sub, 0) != 0)
		rte_tel_data_free(sub);
}

#endif /* XCHG_TEL_UTIL_H */

/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XCHG_FUZZ_COMMON_H
#define XCHG_FUZZ_COMMON_H

/*
 * What the libFuzzer targets share: the EAL started once (no hugepages,
 * no shared files, no PCI), frames handed to a PMD's ring from heap
 * buffers of exactly their length, and the checks that end every input.
 *
 * A target defines LLVMFuzzerTestOneInput() and, for its set-up,
 * LLVMFuzzerInitialize(). Built with clang and -Dfuzz=true the program
 * is a libFuzzer fuzzer; otherwise fuzz_main.c gives it a main() that
 * runs every file it is given once (the regression run of every build).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_mbuf;
struct rte_mempool;
struct xchg_arena;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Start the EAL once for a target, with @p nb_extra more arguments
 * (vdevs). Exits with a message when the EAL refuses. */
void fz_eal_init(const char *prog, unsigned int nb_extra,
		 const char * const *extra);

/* Print the reason on stderr and abort(): the fuzzer keeps the input. */
void fz_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * A frame as a NIC would hand it over: a copy of @p data in buffers
 * from @p mp (the arena, as a PMD takes them), chained in segments of
 * at most @p seg bytes. In sanitizer builds each segment's headroom and
 * tailroom are poisoned until fz_check_arena() finds the arena idle, so
 * a read outside the frame is reported. NULL when the arena has no
 * buffer left or @p len is 0.
 */
struct rte_mbuf *fz_frame(struct rte_mempool *mp, const uint8_t *data,
			  size_t len, uint16_t seg);

/*
 * The end of every input: the census holds, every pool is at or under
 * its quota, and (when @p idle) nothing is held at all: every buffer is
 * free in the arena, no pool holds one. Aborts with the census line
 * otherwise.
 */
void fz_check_arena(struct xchg_arena *arena, bool idle, const char *when);

/* rte_malloc blocks now allocated on socket 0. */
uint64_t fz_malloc_blocks(void);

/* What a set-up made and must give back: compared before and after. */
struct fz_mem {
	unsigned int zones;  /* memzones */
	unsigned int arenas; /* xchg arenas */
	unsigned int ports;  /* ethdevs */
	uint64_t allocs;     /* fz_malloc_blocks() */
};

/* Count what @p c lists, now. */
void fz_mem_count(struct fz_mem *c);

/*
 * rte_malloc blocks DPDK itself keeps after one probe, configure (one
 * RX and one TX queue), start, stop, close and remove of the device
 * @p devargs, measured on the second such cycle (DPDK 22.11 keeps 2
 * for net_null). A set-up's teardown may leave exactly this per device
 * it probed, and nothing more.
 */
uint64_t fz_device_leak(const char *devargs);

#endif /* XCHG_FUZZ_COMMON_H */

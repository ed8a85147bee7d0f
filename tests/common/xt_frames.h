/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef XT_FRAMES_H
#define XT_FRAMES_H

/* Test traffic written with libpcap: deterministic frames the tests can
 * count exactly. */

#include <stdint.h>

/* Longest frame the helpers build. */
#define XT_FRAME_MAX 1514

/* Build an Ethernet/IPv4/UDP frame to @dst_port with @payload bytes;
 * returns its length. */
unsigned int xt_udp_frame(uint8_t *buf, uint16_t dst_port, unsigned int payload);

/*
 * Write a capture of @n frames; frame i is a UDP frame to
 * ports[i % nb_ports], or a 20-byte runt where that port is 0.
 * Returns 0, or -1 with a message.
 */
int xt_pcap_write(const char *path, unsigned int n, const uint16_t *ports,
		  unsigned int nb_ports);

/* Make a private temporary folder; returns its path (static storage). */
const char *xt_tmpdir(void);

/* Remove the folder made by xt_tmpdir() and everything in it. */
void xt_tmpdir_remove(void);

#endif /* XT_FRAMES_H */

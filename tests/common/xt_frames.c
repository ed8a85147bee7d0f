/* SPDX-License-Identifier: BSD-3-Clause */

#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "xt_frames.h"

static char tmpdir[PATH_MAX];

static uint16_t
ip_checksum(const uint8_t *hdr, unsigned int len)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(hdr[i] << 8 | hdr[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

unsigned int
xt_udp_frame(uint8_t *buf, uint16_t dst_port, unsigned int payload)
{
	static const uint8_t head[] = {
		0x02, 0, 0, 0, 0, 0x02,  0x02, 0, 0, 0, 0, 0x01,  0x08, 0x00,
	};
	uint8_t *ip = buf + sizeof(head), *udp = ip + 20;
	unsigned int ip_len = 20 + 8 + payload;
	uint16_t csum;

	memcpy(buf, head, sizeof(head));
	memset(ip, 0, 28);
	ip[0] = 0x45;
	ip[2] = ip_len >> 8;
	ip[3] = ip_len & 0xff;
	ip[8] = 64;          /* TTL */
	ip[9] = 17;          /* UDP */
	ip[12] = 192; ip[13] = 0; ip[14] = 2; ip[15] = 1;  /* 192.0.2.1 */
	ip[16] = 192; ip[17] = 0; ip[18] = 2; ip[19] = 2;  /* 192.0.2.2 */
	csum = ip_checksum(ip, 20);
	ip[10] = csum >> 8;
	ip[11] = csum & 0xff;
	udp[0] = 0x30; udp[1] = 0x39;                      /* from 12345 */
	udp[2] = dst_port >> 8;
	udp[3] = dst_port & 0xff;
	udp[4] = (8 + payload) >> 8;
	udp[5] = (8 + payload) & 0xff;
	memset(udp + 8, 0xa5, payload);
	return sizeof(head) + ip_len;
}

int
xt_pcap_write(const char *path, unsigned int n, const uint16_t *ports,
	      unsigned int nb_ports)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = p != NULL ? pcap_dump_open(p, path) : NULL;
	struct pcap_pkthdr h = { 0 };
	uint8_t frame[XT_FRAME_MAX];
	unsigned int i;

	if (d == NULL) {
		printf("cannot write %s: %s\n", path,
		       p != NULL ? pcap_geterr(p) : "pcap_open_dead failed");
		if (p != NULL)
			pcap_close(p);
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint16_t port = ports[i % nb_ports];

		if (port == 0) {
			memset(frame, 0xee, 20);
			h.caplen = h.len = 20;
		} else {
			h.caplen = h.len = xt_udp_frame(frame, port, 18);
		}
		h.ts.tv_sec = 1;
		h.ts.tv_usec = i;
		pcap_dump((u_char *)d, &h, frame);
	}
	pcap_dump_close(d);
	pcap_close(p);
	return 0;
}

const char *
xt_tmpdir(void)
{
	if (tmpdir[0] == '\0') {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/xchg-test-XXXXXX");
		if (mkdtemp(tmpdir) == NULL) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return tmpdir;
}

void
xt_tmpdir_remove(void)
{
	char cmd[PATH_MAX + 16];

	if (tmpdir[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", tmpdir);
	tmpdir[0] = '\0';
}

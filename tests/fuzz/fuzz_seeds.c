/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Seed corpora for the fuzz targets, made from the shared capture
 * corpus (never copied into the tree):
 *
 *   fuzz_seeds CORPUS OUT
 *
 * OUT/frame:  frames of every capture (at most 6 a file), and the IPv4
 *             and ARP ones once more addressed to the fuzzed stack
 *             (192.0.2.2, header checksum fixed) so that they reach
 *             its sockets and services;
 *   OUT/frames: per capture, its first 48 frames as one fuzz_frames
 *             input (the readdressed copies, a poll every 8 frames);
 *   OUT/pcap:   every capture of at most 64 KiB, as it is.
 *
 * Exit 77 when CORPUS has neither tcpdump-tests nor tcpreplay-tests.
 */

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#define FRAMES_PER_FILE 6
#define SEQ_FRAMES 48
#define PCAP_MAX (64 * 1024)

static const char * const subdirs[] = { "tcpdump-tests", "tcpreplay-tests" };
static unsigned long nb_frame, nb_frames, nb_pcap;

static void
write_seed(const char *dir, const char *name, unsigned int idx,
	   const void *data, size_t len)
{
	char path[4096];
	FILE *f;
	int n;

	n = snprintf(path, sizeof(path), "%s/%s-%u", dir, name, idx);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		fprintf(stderr, "fuzz_seeds: path too long: %s/%s\n", dir,
			name);
		exit(1);
	}
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "fuzz_seeds: cannot write %s\n", path);
		exit(1);
	}
}

static uint16_t
cksum(const uint8_t *p, unsigned int len)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Address an IPv4 or ARP frame to 192.0.2.2; false for other frames. */
static bool
readdress(uint8_t *f, size_t len)
{
	static const uint8_t us[4] = { 192, 0, 2, 2 };
	size_t l2 = 14;
	uint16_t type;

	if (len < 14)
		return false;
	type = (uint16_t)(f[12] << 8 | f[13]);
	while ((type == 0x8100 || type == 0x88a8) && len >= l2 + 4) {
		type = (uint16_t)(f[l2 + 2] << 8 | f[l2 + 3]);
		l2 += 4;
	}
	if (type == 0x0800 && len >= l2 + 20 && (f[l2] >> 4) == 4) {
		unsigned int ihl = (f[l2] & 0xf) * 4u;
		uint16_t c;

		if (ihl < 20 || len < l2 + ihl)
			return false;
		memcpy(f + l2 + 16, us, 4);
		f[l2 + 10] = f[l2 + 11] = 0;
		c = cksum(f + l2, ihl);
		f[l2 + 10] = (uint8_t)(c >> 8);
		f[l2 + 11] = (uint8_t)c;
		return true;
	}
	if (type == 0x0806 && len >= l2 + 28) {
		memcpy(f + l2 + 24, us, 4);
		return true;
	}
	return false;
}

static void
one_capture(const char *path, const char *name, const char *out)
{
	char errbuf[PCAP_ERRBUF_SIZE], dir[4096];
	static uint8_t seq[SEQ_FRAMES * (3 + 65535)];
	struct pcap_pkthdr *h;
	const u_char *data;
	size_t seq_len = 0;
	unsigned int n = 0;
	struct stat st;
	pcap_t *p;

	if (stat(path, &st) == 0 && st.st_size <= PCAP_MAX) {
		FILE *f = fopen(path, "rb");
		static uint8_t buf[PCAP_MAX];
		size_t len = f != NULL ? fread(buf, 1, sizeof(buf), f) : 0;

		if (f != NULL)
			fclose(f);
		snprintf(dir, sizeof(dir), "%s/pcap", out);
		write_seed(dir, name, 0, buf, len);
		nb_pcap++;
	}
	p = pcap_open_offline(path, errbuf);
	if (p == NULL)
		return;
	if (pcap_datalink(p) != DLT_EN10MB) {
		pcap_close(p);
		return;
	}
	while (n < SEQ_FRAMES && pcap_next_ex(p, &h, &data) == 1) {
		static uint8_t f[65536];
		size_t len = h->caplen > 65535 ? 65535 : h->caplen;

		memcpy(f, data, len);
		if (n < FRAMES_PER_FILE) {
			snprintf(dir, sizeof(dir), "%s/frame", out);
			write_seed(dir, name, 2 * n, f, len);
			nb_frame++;
		}
		if (readdress(f, len) && n < FRAMES_PER_FILE) {
			write_seed(dir, name, 2 * n + 1, f, len);
			nb_frame++;
		}
		seq[seq_len++] = (uint8_t)(n % 8 == 7 ? 0x02 : 0);
		seq[seq_len++] = (uint8_t)(len >> 8);
		seq[seq_len++] = (uint8_t)len;
		memcpy(seq + seq_len, f, len);
		seq_len += len;
		n++;
	}
	pcap_close(p);
	if (n != 0) {
		snprintf(dir, sizeof(dir), "%s/frames", out);
		write_seed(dir, name, 0, seq, seq_len);
		nb_frames++;
	}
}

static void
make_dir(const char *out, const char *sub)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/%s", out, sub);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "fuzz_seeds: cannot make %s: %s\n", dir,
			strerror(errno));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	unsigned int d, found = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: fuzz_seeds CORPUS OUT\n");
		return 2;
	}
	make_dir(argv[2], "frame");
	make_dir(argv[2], "frames");
	make_dir(argv[2], "pcap");
	for (d = 0; d < sizeof(subdirs) / sizeof(subdirs[0]); d++) {
		char path[4096];
		struct dirent *e;
		DIR *dp;

		snprintf(path, sizeof(path), "%s/%s", argv[1], subdirs[d]);
		dp = opendir(path);
		if (dp == NULL)
			continue;
		found++;
		while ((e = readdir(dp)) != NULL) {
			char file[8192];

			if (e->d_name[0] == '.')
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
			one_capture(file, e->d_name, argv[2]);
		}
		closedir(dp);
	}
	if (found == 0) {
		printf("SKIP: no corpus: neither %s/tcpdump-tests nor %s/tcpreplay-tests; set XCHG_CORPUS or the corpus_dir option\n",
		       argv[1], argv[1]);
		return 77;
	}
	printf("seeds from %s: %lu frames, %lu sequences, %lu captures\n",
	       argv[1], nb_frame, nb_frames, nb_pcap);
	return 0;
}

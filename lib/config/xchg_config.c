/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Loading and checking a configuration file.
 *
 * librte_cfgfile parses the file. It does not say where a section or key
 * was, it skips lines it does not understand and it logs its own syntax
 * errors, so the file is first scanned here with the same rules: that
 * scan finds syntax errors (with their line) before librte_cfgfile sees
 * the file, and gives every section and key its line number for the
 * messages that follow.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cfgfile.h>
#include <rte_common.h>
#include <rte_mbuf.h>

#include "xchg_config.h"
#include "xchg_stack.h"

/* librte_cfgfile reads lines into a buffer of this size. */
#define LINE_BUF (CFG_NAME_LEN + CFG_VALUE_LEN + 4)
#define COMMENT ';'

#define MAX_BUFFERS (UINT32_C(1) << 24)

/* What the scan found, in librte_cfgfile's order. */
struct scan_entry {
	unsigned int line;
	bool comment;          /* a '#' line that librte_cfgfile keeps */
};

struct scan_section {
	unsigned int line;     /* 0 for the implicit GLOBAL section */
	unsigned int nb_entries;
	unsigned int first;    /* index of its first entry */
};

struct scan {
	unsigned int nb_sections, nb_entries;
	struct scan_section *sections;
	struct scan_entry *entries;
};

struct ctx {
	const char *path;
	char *err;
	size_t errlen;
	int failed;
	struct xchg_config *cfg;
	/* Lines of keys set, to catch duplicates and for later messages. */
	unsigned int socket_iface_line[XCHG_CONFIG_MAX_SOCKETS];
	char socket_iface[XCHG_CONFIG_MAX_SOCKETS][XCHG_CONFIG_NAME_SIZE];
	char proxy_iface[XCHG_CONFIG_NAME_SIZE];
	char capture_iface[XCHG_CONFIG_NAME_SIZE];
	char capture_owners[XCHG_CONFIG_VALUE_SIZE];
	unsigned int capture_owners_line;
	unsigned int socket_type_line[XCHG_CONFIG_MAX_SOCKETS];
	unsigned int socket_port_line[XCHG_CONFIG_MAX_SOCKETS];
	unsigned int socket_ethertype_line[XCHG_CONFIG_MAX_SOCKETS];
	unsigned int socket_pending_line[XCHG_CONFIG_MAX_SOCKETS];
	unsigned int socket_family_line[XCHG_CONFIG_MAX_SOCKETS];
	unsigned int port_gateway_line[XCHG_CONFIG_MAX_PORTS];
	unsigned int port_gateway6_line[XCHG_CONFIG_MAX_PORTS];
	unsigned int arena_buffers_line;
	bool have_lcore_cache;
	unsigned int replay_line;
	bool have_arena, have_arp, have_icmp, have_replay;
	bool have_nd, have_icmp6;
};

static int
fail(struct ctx *c, unsigned int line, const char *fmt, ...)
	__rte_format_printf(3, 4);

/* Keep the first message: it is the one the user must fix first. */
static int
fail(struct ctx *c, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return -EINVAL;
	c->failed = 1;
	if (c->err == NULL || c->errlen == 0)
		return -EINVAL;
	if (line != 0)
		n = snprintf(c->err, c->errlen, "%s:%u: ", c->path, line);
	else
		n = snprintf(c->err, c->errlen, "%s: ", c->path);
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- the scan ---------------------------------------------------------- */

static size_t
strip(char *s, size_t len)
{
	size_t start = 0, i;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	while (start < len && isspace((unsigned char)s[start]))
		start++;
	if (start != 0) {
		for (i = start; i <= len; i++)
			s[i - start] = s[i];
		len -= start;
	}
	return len;
}

static int
scan_grow(struct scan *s, bool section)
{
	void *p;

	if (section && (s->nb_sections & 15) == 0) {
		p = realloc(s->sections, sizeof(*s->sections) *
			    (s->nb_sections + 16));
		if (p == NULL)
			return -ENOMEM;
		s->sections = p;
	}
	if (!section && (s->nb_entries & 63) == 0) {
		p = realloc(s->entries, sizeof(*s->entries) *
			    (s->nb_entries + 64));
		if (p == NULL)
			return -ENOMEM;
		s->entries = p;
	}
	return 0;
}

static void
scan_free(struct scan *s)
{
	free(s->sections);
	free(s->entries);
}

/* Scan @f with librte_cfgfile's rules (and GLOBAL as section 0). */
static int
scan_file(struct ctx *c, FILE *f, struct scan *s)
{
	char buf[LINE_BUF], shown[48];
	unsigned int lineno = 0;

	memset(s, 0, sizeof(*s));
	if (scan_grow(s, true) != 0)
		return -ENOMEM;
	s->sections[s->nb_sections++] = (struct scan_section){ 0, 0, 0 };

	while (fgets(buf, sizeof(buf), f) != NULL) {
		size_t len = strnlen(buf, sizeof(buf));
		char *pos, *eq, *end;
		bool comment = false;

		lineno++;
		if (len >= sizeof(buf) - 1 && buf[len - 1] != '\n')
			return fail(c, lineno, "line is longer than %zu characters; shorten it",
				    sizeof(buf) - 2);
		/* fgets read up to the newline, strnlen stopped short: a NUL
		 * byte, which would shift every later line number. */
		if ((len == 0 || buf[len - 1] != '\n') && !feof(f))
			return fail(c, lineno, "line holds a NUL byte; the file is not text");
		pos = memchr(buf, COMMENT, len);
		if (pos != NULL && (pos == buf || pos[-1] != '\\')) {
			*pos = '\0';
			len = pos - buf;
		}
		len = strip(buf, len);
		if (len == 0)
			continue;
		if (buf[0] == '#')
			comment = true;
		if (buf[0] != '[' && memchr(buf, '=', len) == NULL) {
			if (comment)
				continue;
			/* Cut to what is shown (a precision, so that no
			 * optimisation level sees a truncation). */
			snprintf(shown, sizeof(shown), "%.*s",
				 (int)sizeof(shown) - 1, buf);
			return fail(c, lineno, "'%s%s' is neither a [section] nor key = value",
				    shown, len >= sizeof(shown) ? "..." : "");
		}
		if (buf[0] == '[') {
			end = memchr(buf, ']', len);
			if (end == NULL)
				return fail(c, lineno, "section header '%s' has no closing ']'",
					    buf);
			if (end[1] != '\0')
				return fail(c, lineno, "text after ']' in '%s'; put keys on lines of their own",
					    buf);
			if (end - buf - 1 >= CFG_NAME_LEN)
				return fail(c, lineno, "section name is longer than %d characters",
					    CFG_NAME_LEN - 1);
			if (scan_grow(s, true) != 0)
				return -ENOMEM;
			s->sections[s->nb_sections++] = (struct scan_section){
				.line = lineno, .first = s->nb_entries };
			continue;
		}
		eq = memchr(buf, '=', len);
		*eq = '\0';
		if (!comment && strip(buf, eq - buf) == 0)
			return fail(c, lineno, "'=%s' has no key before '='",
				    eq + 1);
		if (!comment && strlen(buf) >= CFG_NAME_LEN)
			return fail(c, lineno, "key '%.20s...' is longer than %d characters",
				    buf, CFG_NAME_LEN - 1);
		if (!comment && strip(eq + 1, strlen(eq + 1)) >= CFG_VALUE_LEN)
			return fail(c, lineno, "key %s: value is longer than %d characters",
				    buf, CFG_VALUE_LEN - 1);
		if (scan_grow(s, false) != 0)
			return -ENOMEM;
		s->entries[s->nb_entries++] = (struct scan_entry){
			.line = lineno, .comment = comment };
		s->sections[s->nb_sections - 1].nb_entries++;
	}
	if (ferror(f))
		return fail(c, 0, "cannot read the file: %s", strerror(errno));
	return 0;
}

/* ---- values ------------------------------------------------------------ */

static bool
valid_name(const char *n)
{
	size_t i, len = strlen(n);

	if (len == 0 || len >= XCHG_CONFIG_NAME_SIZE)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && n[i] != '_' && n[i] != '-')
			return false;
	return true;
}

/* Names the library gives its own pools (port<N>_...), and the p<N>_...
 * of earlier releases, kept reserved. */
static bool
reserved_name(const char *n)
{
	const char *p = n;

	if (strncmp(p, "port", 4) == 0)
		p += 4;
	else if (p[0] == 'p')
		p += 1;
	else
		return false;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '_';
}

static int
parse_u32(struct ctx *c, unsigned int line, const char *label,
	  const char *key, const char *v, uint32_t min, uint32_t max,
	  uint32_t *out)
{
	unsigned long long x;
	char *end;
	size_t i;

	for (i = 0; v[i] != '\0'; i++)
		if (!isdigit((unsigned char)v[i]))
			break;
	if (v[0] == '\0' || v[i] != '\0')
		return fail(c, line, "%s %s: '%s' is not a number; give a whole number from %u to %u",
			    label, key, v, min, max);
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0 || x < min || x > max)
		return fail(c, line, "%s %s: %s is out of range; give a whole number from %u to %u",
			    label, key, v, min, max);
	*out = (uint32_t)x;
	return 0;
}

static int
parse_u16(struct ctx *c, unsigned int line, const char *label,
	  const char *key, const char *v, uint16_t min, uint16_t max,
	  uint16_t *out)
{
	uint32_t x;
	int ret = parse_u32(c, line, label, key, v, min, max, &x);

	if (ret == 0)
		*out = (uint16_t)x;
	return ret;
}

static int
parse_ipv4(struct ctx *c, unsigned int line, const char *label,
	   const char *key, const char *v, rte_be32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, v, &a) != 1)
		return fail(c, line, "%s %s: '%s' is not an IPv4 address; write it as a.b.c.d, e.g. 10.0.0.1",
			    label, key, v);
	*ip = a.s_addr;
	return 0;
}

static int
parse_prefix(struct ctx *c, unsigned int line, const char *label,
	     const char *v, rte_be32_t *ip, uint8_t *len)
{
	char addr[64];
	const char *slash = strchr(v, '/');
	uint32_t l;
	struct in_addr a;
	size_t n;

	if (slash == NULL)
		return fail(c, line, "%s ip: '%s' has no prefix length; write address/prefix, e.g. 10.0.0.1/24",
			    label, v);
	n = (size_t)(slash - v);
	if (n >= sizeof(addr) ||
	    (memcpy(addr, v, n), addr[n] = '\0', inet_pton(AF_INET, addr, &a) != 1))
		return fail(c, line, "%s ip: '%.*s' is not an IPv4 address; write address/prefix, e.g. 10.0.0.1/24",
			    label, (int)RTE_MIN(n, (size_t)40), v);
	if (a.s_addr == 0 || (rte_be_to_cpu_32(a.s_addr) >> 28) >= 14)
		return fail(c, line, "%s ip: %s cannot be an interface address (zero, multicast or reserved); use a unicast address",
			    label, addr);
	if (parse_u32(c, line, label, "ip prefix", slash + 1, 1, 32, &l) != 0)
		return -EINVAL;
	*ip = a.s_addr;
	*len = (uint8_t)l;
	return 0;
}

static int
copy_value(struct ctx *c, unsigned int line, const char *label,
	   const char *key, const char *v, char *dst, size_t size)
{
	if (v[0] == '\0')
		return fail(c, line, "%s %s: no value; give one (see config/README.rst)",
			    label, key);
	if (strlen(v) >= size)
		return fail(c, line, "%s %s: value is longer than %zu characters",
			    label, key, size - 1);
	snprintf(dst, size, "%s", v);
	return 0;
}

/* Levenshtein distance, small strings only: for "did you mean". */
static unsigned int
distance(const char *a, const char *b)
{
	unsigned int d[CFG_NAME_LEN + 1][CFG_NAME_LEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la > CFG_NAME_LEN || lb > CFG_NAME_LEN)
		return UINT32_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			unsigned int sub = d[i - 1][j - 1] +
				(tolower((unsigned char)a[i - 1]) !=
				 tolower((unsigned char)b[j - 1]));

			d[i][j] = RTE_MIN(sub, RTE_MIN(d[i - 1][j] + 1,
						       d[i][j - 1] + 1));
		}
	return d[la][lb];
}

static int
unknown_key(struct ctx *c, unsigned int line, const char *label,
	    const char *key, const char * const *keys, const char *pattern)
{
	const char *best = NULL;
	unsigned int i, dist, best_dist = 3;
	char list[256] = "";
	size_t n = 0;

	for (i = 0; keys[i] != NULL; i++) {
		dist = distance(key, keys[i]);
		if (dist < best_dist) {
			best_dist = dist;
			best = keys[i];
		}
		n += snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0,
			      "%s%s", i ? ", " : "", keys[i]);
	}
	if (best != NULL)
		return fail(c, line, "%s: unknown key '%s'; did you mean %s? (%s keys: %s)",
			    label, key, best, pattern, list);
	return fail(c, line, "%s: unknown key '%s'; %s keys are: %s",
		    label, key, pattern, list);
}

/* ---- sections ---------------------------------------------------------- */

struct kv {
	const char *key;
	const char *value;
	unsigned int line;
};

static const char * const arena_keys[] = {
	"buffers", "data_room", "lcore_cache", "name", "strict", "layout",
	NULL };

static int
do_arena(struct ctx *c, const struct kv *kv)
{
	struct xchg_config_arena *a = &c->cfg->arena;
	const char *l = "[arena]";
	uint32_t v;

	if (strcmp(kv->key, "buffers") == 0) {
		c->arena_buffers_line = kv->line;
		a->buffers_line = kv->line;
		return parse_u32(c, kv->line, l, kv->key, kv->value, 64,
				 MAX_BUFFERS, &a->buffers);
	}
	if (strcmp(kv->key, "data_room") == 0)
		return parse_u16(c, kv->line, l, kv->key, kv->value,
				 RTE_PKTMBUF_HEADROOM + 128, UINT16_MAX,
				 &a->data_room);
	if (strcmp(kv->key, "lcore_cache") == 0) {
		/* One meaning everywhere (struct xchg_arena_conf): 0 is the
		 * default, "none" disables the caches. */
		c->have_lcore_cache = true;
		if (strcmp(kv->value, "none") == 0) {
			a->lcore_cache = XCHG_ARENA_CACHE_NONE;
			return 0;
		}
		if (!isdigit((unsigned char)kv->value[0]))
			return fail(c, kv->line, "[arena] lcore_cache: '%s' is not a cache size; give 0 (the default, %d), 1 to %d, or none",
				    kv->value, XCHG_ARENA_CACHE_DEFAULT,
				    XCHG_ARENA_CACHE_MAX);
		if (parse_u32(c, kv->line, l, kv->key, kv->value, 0,
			      XCHG_ARENA_CACHE_MAX, &v) != 0)
			return -EINVAL;
		a->lcore_cache = v == 0 ? XCHG_ARENA_CACHE_DEFAULT : (int32_t)v;
		return 0;
	}
	if (strcmp(kv->key, "layout") == 0) {
		static const char * const names[] = { "auto", "packed", "page" };

		for (v = 0; v < RTE_DIM(names); v++)
			if (strcmp(kv->value, names[v]) == 0) {
				a->layout = (enum xchg_arena_layout)v;
				return 0;
			}
		return fail(c, kv->line, "[arena] layout: '%s' is not a layout; use auto, packed or page",
			    kv->value);
	}
	if (strcmp(kv->key, "name") == 0) {
		if (!valid_name(kv->value) ||
		    strlen(kv->value) > XCHG_ARENA_NAME_MAX)
			return fail(c, kv->line, "[arena] name: '%s' is not a valid arena name; use 1 to %d letters, digits, '_' or '-'",
				    kv->value, XCHG_ARENA_NAME_MAX);
		snprintf(a->name, sizeof(a->name), "%s", kv->value);
		return 0;
	}
	if (strcmp(kv->key, "strict") == 0) {
		a->strict = strcmp(kv->value, "true") == 0;
		if (!a->strict && strcmp(kv->value, "false") != 0)
			return fail(c, kv->line, "[arena] strict: '%s' is neither true nor false; write strict = true for atomic free marking, or strict = false (the default)",
				    kv->value);
		return 0;
	}
	return unknown_key(c, kv->line, l, kv->key, arena_keys, "[arena]");
}

static const char * const port_keys[] = {
	"vdev", "pci", "ip", "gateway", "rx_queues", "tx_queues", "rx_desc",
	"tx_desc", "rx_slack", "tx_slack", "ip6", "gateway6", NULL };

/* The [port NAME] keys that are plain counts, with their ranges. */
static const struct {
	const char *key;
	size_t offset;
	uint16_t min, max;
} port_counts[] = {
	{ "rx_queues", offsetof(struct xchg_config_port, rx_queues), 1, 1024 },
	{ "tx_queues", offsetof(struct xchg_config_port, tx_queues), 1, 1024 },
	{ "rx_desc", offsetof(struct xchg_config_port, rx_desc), 1, 32768 },
	{ "tx_desc", offsetof(struct xchg_config_port, tx_desc), 1, 32768 },
	{ "rx_slack", offsetof(struct xchg_config_port, rx_slack), 1, 4096 },
	{ "tx_slack", offsetof(struct xchg_config_port, tx_slack), 1, 4096 },
};

/* ip6 = ADDR/PREFIX, one more of the port's IPv6 addresses. */
static int
parse_prefix6(struct ctx *c, unsigned int line, const char *label,
	      const char *v, struct xchg_config_port *p)
{
	char addr[64];
	const char *slash = strchr(v, '/');
	uint8_t *ip = p->ip6[p->nb_ip6];
	uint32_t l;
	size_t n;

	if (p->nb_ip6 == XCHG_CONFIG_MAX_IP6)
		return fail(c, line, "%s ip6: more than %u addresses; keep %u",
			    label, XCHG_CONFIG_MAX_IP6, XCHG_CONFIG_MAX_IP6);
	if (slash == NULL)
		return fail(c, line, "%s ip6: '%s' has no prefix length; write address/prefix, e.g. 2001:db8::1/64",
			    label, v);
	n = (size_t)(slash - v);
	if (n >= sizeof(addr) ||
	    (memcpy(addr, v, n), addr[n] = '\0', inet_pton(AF_INET6, addr, ip) != 1))
		return fail(c, line, "%s ip6: '%.*s' is not an IPv6 address; write address/prefix, e.g. 2001:db8::1/64",
			    label, (int)RTE_MIN(n, (size_t)46), v);
	if (ip[0] == 0xff || memcmp(ip, (const uint8_t[16]){ 0 }, 16) == 0)
		return fail(c, line, "%s ip6: %s cannot be an interface address (multicast or ::); use a unicast address",
			    label, addr);
	if (parse_u32(c, line, label, "ip6 prefix", slash + 1, 1, 128,
		      &l) != 0)
		return -EINVAL;
	p->ip6_prefix_len[p->nb_ip6++] = (uint8_t)l;
	return 0;
}

/* gateway6 = ADDR: the IPv6 default route's next hop. */
static int
parse_gateway6(struct ctx *c, unsigned int line, const char *label,
	       const char *v, struct xchg_config_port *p)
{
	if (inet_pton(AF_INET6, v, p->gateway6) != 1)
		return fail(c, line, "%s gateway6: '%s' is not an IPv6 address; write the router's address without a prefix, e.g. fe80::1",
			    label, v);
	if (p->gateway6[0] == 0xff ||
	    memcmp(p->gateway6, (const uint8_t[16]){ 0 }, 16) == 0)
		return fail(c, line, "%s gateway6: %s cannot be a next hop (multicast or ::); give the router's unicast address, e.g. fe80::1",
			    label, v);
	p->has_gateway6 = true;
	return 0;
}

/* Is @ip on the link of port @p: link-local, or on an ip6 prefix? */
static bool
on_link6(const struct xchg_config_port *p, const uint8_t *ip)
{
	unsigned int i, b;

	if (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80)
		return true;
	for (i = 0; i < p->nb_ip6; i++) {
		uint8_t len = p->ip6_prefix_len[i];

		for (b = 0; b < len; b++)
			if (((ip[b / 8] ^ p->ip6[i][b / 8]) >> (7 - b % 8)) &
			    1)
				break;
		if (b == len)
			return true;
	}
	return false;
}

static int
do_port(struct ctx *c, unsigned int idx, const char *l, const struct kv *kv)
{
	struct xchg_config_port *p = &c->cfg->ports[idx];
	unsigned int i;

	if (strcmp(kv->key, "vdev") == 0)
		return copy_value(c, kv->line, l, kv->key, kv->value, p->vdev,
				  sizeof(p->vdev));
	if (strcmp(kv->key, "pci") == 0)
		return copy_value(c, kv->line, l, kv->key, kv->value, p->pci,
				  sizeof(p->pci));
	if (strcmp(kv->key, "ip") == 0) {
		p->has_ip = true;
		return parse_prefix(c, kv->line, l, kv->value, &p->ip,
				    &p->prefix_len);
	}
	if (strcmp(kv->key, "ip6") == 0)
		return parse_prefix6(c, kv->line, l, kv->value, p);
	if (strcmp(kv->key, "gateway6") == 0) {
		c->port_gateway6_line[idx] = kv->line;
		return parse_gateway6(c, kv->line, l, kv->value, p);
	}
	if (strcmp(kv->key, "gateway") == 0) {
		c->port_gateway_line[idx] = kv->line;
		return parse_ipv4(c, kv->line, l, kv->key, kv->value,
				  &p->gateway);
	}
	for (i = 0; i < RTE_DIM(port_counts); i++)
		if (strcmp(kv->key, port_counts[i].key) == 0)
			return parse_u16(c, kv->line, l, kv->key, kv->value,
					 port_counts[i].min, port_counts[i].max,
					 (uint16_t *)((char *)p +
						      port_counts[i].offset));
	return unknown_key(c, kv->line, l, kv->key, port_keys, "[port NAME]");
}

static const char * const socket_keys[] = {
	"type", "port", "ethertype", "quota", "priority", "interface",
	"pending", "family", "readers", NULL };

static int
do_socket(struct ctx *c, unsigned int idx, const char *l, const struct kv *kv)
{
	struct xchg_config_socket *s = &c->cfg->sockets[idx];
	unsigned long x;
	char *end;

	if (strcmp(kv->key, "type") == 0) {
		c->socket_type_line[idx] = kv->line;
		if (strcmp(kv->value, "udp") == 0)
			s->type = XCHG_CONFIG_SOCKET_UDP;
		else if (strcmp(kv->value, "packet") == 0)
			s->type = XCHG_CONFIG_SOCKET_PACKET;
		else
			return fail(c, kv->line, "%s type: '%s' is not a socket type; use udp or packet",
				    l, kv->value);
		return 0;
	}
	if (strcmp(kv->key, "port") == 0) {
		c->socket_port_line[idx] = kv->line;
		return parse_u16(c, kv->line, l, kv->key, kv->value, 1,
				 UINT16_MAX, &s->udp_port);
	}
	if (strcmp(kv->key, "ethertype") == 0) {
		c->socket_ethertype_line[idx] = kv->line;
		errno = 0;
		x = strtoul(kv->value, &end, 0);
		if (kv->value[0] == '\0' || kv->value[0] == '-' ||
		    *end != '\0' || errno != 0)
			return fail(c, kv->line, "%s ethertype: '%s' is not a number; give one from 0x0600 to 0xffff, e.g. 0x88b5",
				    l, kv->value);
		if (x < 0x0600 || x > 0xffff)
			return fail(c, kv->line, "%s ethertype: %s is out of range; give one from 0x0600 to 0xffff (smaller values are 802.3 lengths)",
				    l, kv->value);
		s->ether_type = (uint16_t)x;
		return 0;
	}
	if (strcmp(kv->key, "quota") == 0)
		return parse_u32(c, kv->line, l, kv->key, kv->value, 1,
				 MAX_BUFFERS, &s->quota);
	if (strcmp(kv->key, "priority") == 0) {
		if (strcmp(kv->value, "critical") == 0)
			s->priority = XCHG_PRIO_CRITICAL;
		else if (strcmp(kv->value, "normal") == 0)
			s->priority = XCHG_PRIO_NORMAL;
		else
			return fail(c, kv->line, "%s priority: '%s' is not a priority; use critical or normal",
				    l, kv->value);
		return 0;
	}
	if (strcmp(kv->key, "pending") == 0) {
		s->pending_set = true;
		c->socket_pending_line[idx] = kv->line;
		return parse_u32(c, kv->line, l, kv->key, kv->value, 0,
				 XCHG_STACK_PENDING_LIMIT, &s->pending);
	}
	if (strcmp(kv->key, "family") == 0) {
		c->socket_family_line[idx] = kv->line;
		if (strcmp(kv->value, "both") == 0)
			s->family = XCHG_FAMILY_BOTH;
		else if (strcmp(kv->value, "ipv4") == 0)
			s->family = XCHG_FAMILY_IPV4;
		else if (strcmp(kv->value, "ipv6") == 0)
			s->family = XCHG_FAMILY_IPV6;
		else
			return fail(c, kv->line, "%s family: '%s' is not an address family; use ipv4, ipv6 or both",
				    l, kv->value);
		return 0;
	}
	if (strcmp(kv->key, "readers") == 0) {
		s->single_reader = strcmp(kv->value, "one") == 0;
		if (!s->single_reader && strcmp(kv->value, "many") != 0)
			return fail(c, kv->line, "%s readers: '%s' is neither one nor many; write readers = one when one thread at a time reads the socket (the single-consumer read), or readers = many (the default)",
				    l, kv->value);
		return 0;
	}
	if (strcmp(kv->key, "interface") == 0) {
		c->socket_iface_line[idx] = kv->line;
		return copy_value(c, kv->line, l, kv->key, kv->value,
				  c->socket_iface[idx], XCHG_CONFIG_NAME_SIZE);
	}
	return unknown_key(c, kv->line, l, kv->key, socket_keys,
			   "[socket NAME]");
}

static const char * const service_keys[] = { "quota", NULL };

/* The services, in enum section_type order from SEC_ARP. */
static const char * const service_names[] = { "arp", "icmp", "nd", "icmp6" };

static uint32_t *
service_quota(struct xchg_config *cfg, unsigned int i)
{
	uint32_t *q[] = { &cfg->arp_quota, &cfg->icmp_quota, &cfg->nd_quota,
			  &cfg->icmp6_quota };

	return q[i];
}

static int
do_service(struct ctx *c, unsigned int which, const struct kv *kv)
{
	char l[32];

	snprintf(l, sizeof(l), "[service %s]", service_names[which]);
	if (strcmp(kv->key, "quota") == 0)
		return parse_u32(c, kv->line, l, kv->key, kv->value, 1,
				 UINT16_MAX, service_quota(c->cfg, which));
	return unknown_key(c, kv->line, l, kv->key, service_keys,
			   "[service arp|icmp|nd|icmp6]");
}

static const char * const proxy_keys[] = {
	"tap", "quota", "interface", "rx_desc", "tx_desc", NULL };

static int
do_proxy(struct ctx *c, const struct kv *kv)
{
	struct xchg_config_proxy *p = &c->cfg->proxy;
	const char *l = "[proxy]";

	if (strcmp(kv->key, "tap") == 0)
		return copy_value(c, kv->line, l, kv->key, kv->value, p->tap,
				  sizeof(p->tap));
	if (strcmp(kv->key, "quota") == 0)
		return parse_u32(c, kv->line, l, kv->key, kv->value, 1,
				 MAX_BUFFERS, &p->quota);
	if (strcmp(kv->key, "interface") == 0)
		return copy_value(c, kv->line, l, kv->key, kv->value,
				  c->proxy_iface, sizeof(c->proxy_iface));
	if (strcmp(kv->key, "rx_desc") == 0)
		return parse_u16(c, kv->line, l, kv->key, kv->value, 1, 32768,
				 &p->rx_desc);
	if (strcmp(kv->key, "tx_desc") == 0)
		return parse_u16(c, kv->line, l, kv->key, kv->value, 1, 32768,
				 &p->tx_desc);
	return unknown_key(c, kv->line, l, kv->key, proxy_keys, "[proxy]");
}

static const char * const capture_keys[] = {
	"file", "quota", "owners", "interface", NULL };

static int
do_capture(struct ctx *c, const struct kv *kv)
{
	struct xchg_config_capture *cap = &c->cfg->capture;
	const char *l = "[capture]";

	if (strcmp(kv->key, "file") == 0)
		return copy_value(c, kv->line, l, kv->key, kv->value,
				  cap->file, sizeof(cap->file));
	if (strcmp(kv->key, "quota") == 0)
		return parse_u32(c, kv->line, l, kv->key, kv->value, 1,
				 MAX_BUFFERS, &cap->quota);
	if (strcmp(kv->key, "owners") == 0) {
		c->capture_owners_line = kv->line;
		return copy_value(c, kv->line, l, kv->key, kv->value,
				  c->capture_owners, sizeof(c->capture_owners));
	}
	if (strcmp(kv->key, "interface") == 0)
		return copy_value(c, kv->line, l, kv->key, kv->value,
				  c->capture_iface, sizeof(c->capture_iface));
	return unknown_key(c, kv->line, l, kv->key, capture_keys,
			   "[capture]");
}

/* Socket names, for messages. */
static void
socket_list(const struct xchg_config *cfg, char *buf, size_t size)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < cfg->nb_sockets && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
			      cfg->sockets[i].name);
	if (cfg->nb_sockets == 0)
		snprintf(buf, size, "none");
}

static int
do_replay(struct ctx *c, const struct kv *kv)
{
	struct xchg_config *cfg = c->cfg;
	int idx = xchg_config_socket_index(cfg, kv->key);
	char list[200];
	uint32_t n;

	if (idx < 0) {
		socket_list(cfg, list, sizeof(list));
		return fail(c, kv->line, "[replay] %s: no socket is named %s; replay keys name sockets (%s)",
			    kv->key, kv->key, list);
	}
	if (strcmp(kv->value, "normal") == 0) {
		cfg->behaviour[idx] = XCHG_BEHAVIOUR_NORMAL;
	} else if (strcmp(kv->value, "hog") == 0) {
		cfg->behaviour[idx] = XCHG_BEHAVIOUR_HOG;
	} else if (strncmp(kv->value, "hold", 4) == 0 &&
		   (kv->value[4] == '\0' || isspace((unsigned char)kv->value[4]))) {
		const char *num = kv->value + 4;
		char what[40];

		while (isspace((unsigned char)*num))
			num++;
		if (*num == '\0')
			return fail(c, kv->line, "[replay] %s: 'hold' needs a count; write hold N, N from 1 to the socket's quota (%u)",
				    kv->key, cfg->sockets[idx].quota);
		snprintf(what, sizeof(what), "%s hold", kv->key);
		if (parse_u32(c, kv->line, "[replay]", what, num, 1,
			      cfg->sockets[idx].quota, &n) != 0)
			return -EINVAL;
		cfg->behaviour[idx] = XCHG_BEHAVIOUR_HOLD;
		cfg->hold[idx] = n;
	} else {
		return fail(c, kv->line, "[replay] %s: '%s' is not a behaviour; use normal, hold N or hog",
			    kv->key, kv->value);
	}
	return 0;
}

/* ---- the whole file ---------------------------------------------------- */

enum section_type {
	SEC_ARENA, SEC_PORT, SEC_SOCKET, SEC_ARP, SEC_ICMP, SEC_ND, SEC_ICMP6,
	SEC_PROXY,
	SEC_CAPTURE, SEC_REPLAY,
};

/* Classify a section header; sets *name for [port NAME], [socket NAME]. */
static int
section_type(struct ctx *c, unsigned int line, const char *header,
	     enum section_type *type, char *name)
{
	static const struct { const char *word; enum section_type t;
			      bool named; } types[] = {
		{ "arena", SEC_ARENA, false },
		{ "port", SEC_PORT, true },
		{ "socket", SEC_SOCKET, true },
		{ "service", SEC_ARP, true },
		{ "proxy", SEC_PROXY, false },
		{ "capture", SEC_CAPTURE, false },
		{ "replay", SEC_REPLAY, false },
	};
	char word[CFG_NAME_LEN];
	const char *rest;
	size_t n = strcspn(header, " \t");
	unsigned int i;

	snprintf(word, sizeof(word), "%.*s", (int)n, header);
	rest = header + n;
	while (isspace((unsigned char)*rest))
		rest++;
	for (i = 0; i < RTE_DIM(types); i++) {
		if (strcmp(word, types[i].word) != 0)
			continue;
		*type = types[i].t;
		if (!types[i].named && *rest != '\0')
			return fail(c, line, "[%s]: [%s] takes no name; write [%s]",
				    header, word, word);
		if (!types[i].named)
			return 0;
		if (*rest == '\0')
			return fail(c, line, "[%s] needs a name: write [%s NAME]",
				    header, word);
		if (*type == SEC_ARP) {
			unsigned int k;

			for (k = 0; k < RTE_DIM(service_names); k++)
				if (strcmp(rest, service_names[k]) == 0) {
					*type = (enum section_type)(SEC_ARP +
								    k);
					return 0;
				}
			return fail(c, line, "[%s]: unknown service '%s'; services are [service arp], [service icmp], [service nd] and [service icmp6]",
				    header, rest);
		}
		if (!valid_name(rest))
			return fail(c, line, "[%s]: '%s' is not a valid name; use 1 to %d letters, digits, '_' or '-'",
				    header, rest, XCHG_CONFIG_NAME_SIZE - 1);
		snprintf(name, XCHG_CONFIG_NAME_SIZE, "%s", rest);
		return 0;
	}
	return fail(c, line, "unknown section [%s]; sections are [arena], [port NAME], [socket NAME], [service arp], [service icmp], [service nd], [service icmp6], [proxy], [capture], [replay]",
		    header);
}

static void
port_list(const struct xchg_config *cfg, char *buf, size_t size)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < cfg->nb_ports && n < size; i++)
		n += snprintf(buf + n, size - n, "%s%s", i ? ", " : "",
			      cfg->ports[i].name);
}

/* Which port a socket, the proxy or the capture is on. */
static int
resolve_iface(struct ctx *c, unsigned int line, const char *label,
	      const char *iface, unsigned int *port)
{
	const struct xchg_config *cfg = c->cfg;
	char list[200];
	int idx;

	port_list(cfg, list, sizeof(list));
	if (iface[0] == '\0') {
		if (cfg->nb_ports == 1) {
			*port = 0;
			return 0;
		}
		return fail(c, line, "%s: missing key interface; there are several ports (%s): say which, e.g. interface = %s",
			    label, list, cfg->ports[0].name);
	}
	idx = xchg_config_port_index(cfg, iface);
	if (idx < 0)
		return fail(c, line, "%s interface: no port is named %s; ports are: %s",
			    label, iface, list);
	*port = (unsigned int)idx;
	return 0;
}

static size_t
device_name_len(const char *devargs)
{
	return strcspn(devargs, ",");
}

static int
check_ports(struct ctx *c)
{
	struct xchg_config *cfg = c->cfg;
	unsigned int i, j;
	char l[64];

	if (cfg->nb_ports == 0)
		return fail(c, 0, "no [port NAME] section; add one, e.g. [port p0] with vdev = net_null0");
	for (i = 0; i < cfg->nb_ports; i++) {
		struct xchg_config_port *p = &cfg->ports[i];
		const char *dev = p->vdev[0] ? p->vdev : p->pci;

		snprintf(l, sizeof(l), "[port %s]", p->name);
		if (p->vdev[0] == '\0' && p->pci[0] == '\0')
			return fail(c, p->line, "%s: missing key vdev or pci; give one, e.g. vdev = net_null0 or pci = 0000:01:00.0",
				    l);
		if (p->vdev[0] != '\0' && p->pci[0] != '\0')
			return fail(c, p->line, "%s: give vdev or pci, not both",
				    l);
		if (p->gateway != 0) {
			rte_be32_t mask;

			if (!p->has_ip)
				return fail(c, c->port_gateway_line[i], "%s gateway: the port has no ip; add ip = address/prefix first",
					    l);
			/* Never a shift by 32 (undefined): a prefix of 0 has no mask. */
			mask = rte_cpu_to_be_32(p->prefix_len == 0 ? 0 :
				~UINT32_C(0) << (32 - p->prefix_len));
			if ((p->gateway & mask) != (p->ip & mask) ||
			    p->prefix_len == 32)
				return fail(c, c->port_gateway_line[i], "%s gateway: is not on the port's subnet; give an address in the subnet of ip",
					    l);
		}
		if (p->has_gateway6 && p->nb_ip6 == 0)
			return fail(c, c->port_gateway6_line[i], "%s gateway6: the port has no ip6; add ip6 = address/prefix first",
				    l);
		if (p->has_gateway6 && !on_link6(p, p->gateway6))
			return fail(c, c->port_gateway6_line[i], "%s gateway6: is not on the link; give a link-local address (fe80::...) or one in the prefix of an ip6 address",
				    l);
		for (j = 0; j < i; j++) {
			const struct xchg_config_port *q = &cfg->ports[j];
			const char *qdev = q->vdev[0] ? q->vdev : q->pci;

			if (device_name_len(dev) == device_name_len(qdev) &&
			    strncmp(dev, qdev, device_name_len(dev)) == 0)
				return fail(c, p->line, "%s: device %.*s is also [port %s]'s; give each port its own device",
					    l, (int)device_name_len(dev), dev,
					    q->name);
		}
		if (p->has_ip) {
			for (j = 0; j < i; j++)
				if (cfg->ports[j].has_ip &&
				    cfg->ports[j].ip == p->ip)
					return fail(c, p->line, "%s ip: the address is also [port %s]'s; give each port its own",
						    l, cfg->ports[j].name);
		}
	}
	return 0;
}

static int
check_sockets(struct ctx *c)
{
	struct xchg_config *cfg = c->cfg;
	unsigned int i, j;
	char l[64];

	for (i = 0; i < cfg->nb_sockets; i++) {
		struct xchg_config_socket *s = &cfg->sockets[i];

		snprintf(l, sizeof(l), "[socket %s]", s->name);
		if (resolve_iface(c, c->socket_iface_line[i] ?
				  c->socket_iface_line[i] : s->line, l,
				  c->socket_iface[i], &s->port) != 0)
			return -EINVAL;
		if (c->socket_type_line[i] == 0)
			return fail(c, s->line, "%s: missing key type; add type = udp or type = packet",
				    l);
		if (s->type == XCHG_CONFIG_SOCKET_UDP) {
			if (c->socket_ethertype_line[i] != 0)
				return fail(c, c->socket_ethertype_line[i], "%s ethertype: is for packet sockets; a udp socket takes port",
					    l);
			if (c->socket_port_line[i] == 0)
				return fail(c, s->line, "%s: missing key port; a udp socket needs the UDP port it receives on, e.g. port = 5000",
					    l);
			if (!cfg->ports[s->port].has_ip &&
			    s->family != XCHG_FAMILY_IPV6 &&
			    (s->family == XCHG_FAMILY_IPV4 ||
			     cfg->ports[s->port].nb_ip6 == 0))
				return fail(c, s->line, "%s: udp socket on [port %s], which has no ip; add ip = address/prefix to [port %s]",
					    l, cfg->ports[s->port].name,
					    cfg->ports[s->port].name);
			if (s->family == XCHG_FAMILY_IPV6 &&
			    cfg->ports[s->port].nb_ip6 == 0)
				return fail(c, c->socket_family_line[i], "%s family: ipv6 on [port %s], which has no ip6; add ip6 = address/prefix to [port %s], or use family = ipv4",
					    l, cfg->ports[s->port].name,
					    cfg->ports[s->port].name);
		} else {
			if (c->socket_port_line[i] != 0)
				return fail(c, c->socket_port_line[i], "%s port: is for udp sockets; a packet socket takes ethertype",
					    l);
			if (c->socket_pending_line[i] != 0)
				return fail(c, c->socket_pending_line[i], "%s pending: is for udp sockets; a packet socket sends whole frames and resolves nothing; remove it",
					    l);
			if (c->socket_family_line[i] != 0)
				return fail(c, c->socket_family_line[i], "%s family: is for udp sockets; a packet socket takes one ethertype (0x86dd for IPv6); remove it",
					    l);
			if (c->socket_ethertype_line[i] == 0)
				return fail(c, s->line, "%s: missing key ethertype; a packet socket needs the ethertype it receives, e.g. ethertype = 0x88b5",
					    l);
		}
		if (s->quota > cfg->arena.buffers)
			return fail(c, s->line, "%s quota: %u is more than the arena's %u buffers; lower it or raise [arena] buffers",
				    l, s->quota, cfg->arena.buffers);
		for (j = 0; j < i; j++) {
			const struct xchg_config_socket *o = &cfg->sockets[j];

			if (o->port != s->port || o->type != s->type)
				continue;
			if (s->type == XCHG_CONFIG_SOCKET_UDP &&
			    o->udp_port == s->udp_port)
				return fail(c, c->socket_port_line[i], "%s port: UDP port %u is taken by [socket %s] on [port %s]; use another",
					    l, s->udp_port, o->name,
					    cfg->ports[s->port].name);
			if (s->type == XCHG_CONFIG_SOCKET_PACKET &&
			    o->ether_type == s->ether_type)
				return fail(c, c->socket_ethertype_line[i], "%s ethertype: 0x%04x is taken by [socket %s] on [port %s]; use another",
					    l, s->ether_type, o->name,
					    cfg->ports[s->port].name);
		}
	}
	return 0;
}

static int
check_proxy_capture(struct ctx *c)
{
	struct xchg_config *cfg = c->cfg;
	struct xchg_config_proxy *p = &cfg->proxy;
	struct xchg_config_capture *cap = &cfg->capture;
	unsigned int i;
	char *tok, *save = NULL;

	if (p->enabled) {
		if (p->tap[0] == '\0')
			return fail(c, p->line, "[proxy]: missing key tap; give the host side's device, e.g. tap = net_tap0,iface=xchg0");
		if (resolve_iface(c, p->line, "[proxy]", c->proxy_iface,
				  &p->port) != 0)
			return -EINVAL;
		for (i = 0; i < cfg->nb_ports; i++) {
			const char *dev = cfg->ports[i].vdev;

			if (device_name_len(dev) == device_name_len(p->tap) &&
			    strncmp(dev, p->tap, device_name_len(dev)) == 0)
				return fail(c, p->line, "[proxy] tap: device %.*s is [port %s]'s; give the proxy a device of its own",
					    (int)device_name_len(dev), dev,
					    cfg->ports[i].name);
		}
		if (2 * (uint64_t)p->quota > cfg->arena.buffers)
			return fail(c, p->line, "[proxy] quota: 2 x %u (one pool each way) is more than the arena's %u buffers; lower it or raise [arena] buffers",
				    p->quota, cfg->arena.buffers);
	}
	if (!cap->enabled)
		return 0;
	if (cap->file[0] == '\0')
		return fail(c, cap->line, "[capture]: missing key file; give the pcap file to write, e.g. file = capture.pcap");
	if (resolve_iface(c, cap->line, "[capture]", c->capture_iface,
			  &cap->port) != 0)
		return -EINVAL;
	if (cap->quota > cfg->arena.buffers)
		return fail(c, cap->line, "[capture] quota: %u is more than the arena's %u buffers; lower it or raise [arena] buffers",
			    cap->quota, cfg->arena.buffers);
	if (c->capture_owners[0] == '\0' ||
	    strcmp(c->capture_owners, "all") == 0)
		return 0;
	for (tok = strtok_r(c->capture_owners, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		int s = xchg_config_socket_index(cfg, tok);
		char list[200];

		if (strcmp(tok, "proxy") == 0 && !p->enabled)
			return fail(c, c->capture_owners_line, "[capture] owners: proxy is named but there is no [proxy]");
		if (s < 0 && strcmp(tok, "arp") != 0 &&
		    strcmp(tok, "icmp") != 0 && strcmp(tok, "proxy") != 0) {
			socket_list(cfg, list, sizeof(list));
			return fail(c, c->capture_owners_line, "[capture] owners: no consumer is named %s; name arp, icmp, proxy or sockets (%s), or all",
				    tok, list);
		}
		if (s >= 0 && cfg->sockets[s].port != cap->port)
			return fail(c, c->capture_owners_line, "[capture] owners: socket %s is on [port %s], the capture on [port %s]",
				    tok, cfg->ports[cfg->sockets[s].port].name,
				    cfg->ports[cap->port].name);
		if (cap->nb_owners == XCHG_CONFIG_MAX_OWNERS)
			return fail(c, c->capture_owners_line, "[capture] owners: more than %d names",
				    XCHG_CONFIG_MAX_OWNERS);
		snprintf(cap->owners[cap->nb_owners++], XCHG_CONFIG_NAME_SIZE,
			 "%s", tok);
	}
	return 0;
}

static void
set_defaults(struct ctx *c)
{
	struct xchg_config *cfg = c->cfg;
	unsigned int i;

	if (!c->have_lcore_cache)
		cfg->arena.lcore_cache = XCHG_ARENA_CACHE_DEFAULT;
	if (cfg->arena.name[0] == '\0')
		snprintf(cfg->arena.name, sizeof(cfg->arena.name), "arena0");
	if (cfg->arena.data_room == 0)
		cfg->arena.data_room = RTE_MBUF_DEFAULT_BUF_SIZE;
	cfg->arp_quota = cfg->arp_quota ? cfg->arp_quota :
					  XCHG_CONFIG_DEFAULT_ARP_QUOTA;
	cfg->icmp_quota = cfg->icmp_quota ? cfg->icmp_quota :
					    XCHG_CONFIG_DEFAULT_ICMP_QUOTA;
	cfg->nd_quota = cfg->nd_quota ? cfg->nd_quota :
					XCHG_CONFIG_DEFAULT_ND_QUOTA;
	cfg->icmp6_quota = cfg->icmp6_quota ? cfg->icmp6_quota :
					      XCHG_CONFIG_DEFAULT_ICMP6_QUOTA;
	for (i = 0; i < cfg->nb_ports; i++) {
		struct xchg_config_port *p = &cfg->ports[i];

		p->rx_queues = p->rx_queues ? p->rx_queues : 1;
		p->tx_queues = p->tx_queues ? p->tx_queues : 1;
		p->rx_desc = p->rx_desc ? p->rx_desc : XCHG_CONFIG_DEFAULT_DESC;
		p->tx_desc = p->tx_desc ? p->tx_desc : XCHG_CONFIG_DEFAULT_DESC;
		p->rx_slack = p->rx_slack ? p->rx_slack :
					    XCHG_CONFIG_DEFAULT_RX_SLACK;
		p->tx_slack = p->tx_slack ? p->tx_slack :
					    XCHG_CONFIG_DEFAULT_TX_SLACK;
	}
	for (i = 0; i < cfg->nb_sockets; i++)
		if (cfg->sockets[i].quota == 0)
			cfg->sockets[i].quota = XCHG_CONFIG_DEFAULT_SOCKET_QUOTA;
	if (cfg->proxy.quota == 0)
		cfg->proxy.quota = XCHG_CONFIG_DEFAULT_PROXY_QUOTA;
	if (cfg->proxy.rx_desc == 0)
		cfg->proxy.rx_desc = XCHG_CONFIG_DEFAULT_DESC;
	if (cfg->proxy.tx_desc == 0)
		cfg->proxy.tx_desc = XCHG_CONFIG_DEFAULT_DESC;
	if (cfg->capture.quota == 0)
		cfg->capture.quota = XCHG_CONFIG_DEFAULT_CAPTURE_QUOTA;
}

/* A key given twice in one section. */
static int
check_duplicate_keys(struct ctx *c, const char *label,
		     const struct kv *kvs, unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			/* A port may have several IPv6 addresses. */
			if (strcmp(kvs[i].key, kvs[j].key) == 0 &&
			    strcmp(kvs[i].key, "ip6") != 0)
				return fail(c, kvs[i].line, "%s %s: given twice (first on line %u); keep one",
					    label, kvs[i].key, kvs[j].line);
	return 0;
}

/* First pass: sections and their names, so [replay] and interface keys
 * can name sections that come later in the file. */
static int
collect_sections(struct ctx *c, struct rte_cfgfile *f, const struct scan *s,
		 bool lines_ok)
{
	struct xchg_config *cfg = c->cfg;
	char header[CFG_NAME_LEN], name[XCHG_CONFIG_NAME_SIZE];
	int nb = rte_cfgfile_num_sections(f, NULL, 0), i;
	unsigned int j, line;
	enum section_type t;

	for (i = 1; i < nb; i++) {
		rte_cfgfile_section_num_entries_by_index(f, header, i);
		line = lines_ok ? s->sections[i].line : 0;
		name[0] = '\0';
		if (section_type(c, line, header, &t, name) != 0)
			return -EINVAL;
		switch (t) {
		case SEC_PORT:
			for (j = 0; j < cfg->nb_ports; j++)
				if (strcmp(cfg->ports[j].name, name) == 0)
					return fail(c, line, "[port %s]: a port of this name exists already (line %u); give each port its own name",
						    name, cfg->ports[j].line);
			if (cfg->nb_ports == XCHG_CONFIG_MAX_PORTS)
				return fail(c, line, "[port %s]: more than %d ports",
					    name, XCHG_CONFIG_MAX_PORTS);
			snprintf(cfg->ports[cfg->nb_ports].name,
				 XCHG_CONFIG_NAME_SIZE, "%s", name);
			cfg->ports[cfg->nb_ports++].line = line;
			break;
		case SEC_SOCKET:
			for (j = 0; j < cfg->nb_sockets; j++)
				if (strcmp(cfg->sockets[j].name, name) == 0)
					return fail(c, line, "[socket %s]: a socket of this name exists already (line %u); give each socket its own name",
						    name, cfg->sockets[j].line);
			if (reserved_name(name))
				return fail(c, line, "[socket %s]: names like p0_x and port0_x are the library's own pool names; choose another",
					    name);
			if (cfg->nb_sockets == XCHG_CONFIG_MAX_SOCKETS)
				return fail(c, line, "[socket %s]: more than %d sockets",
					    name, XCHG_CONFIG_MAX_SOCKETS);
			snprintf(cfg->sockets[cfg->nb_sockets].name,
				 XCHG_CONFIG_NAME_SIZE, "%s", name);
			cfg->sockets[cfg->nb_sockets++].line = line;
			break;
		default:
			break;
		}
	}
	return 0;
}

static int
once(struct ctx *c, bool *seen, unsigned int line, const char *label)
{
	if (*seen)
		return fail(c, line, "%s: section given twice; merge them into one",
			    label);
	*seen = true;
	return 0;
}

static int
read_sections(struct ctx *c, struct rte_cfgfile *f, const struct scan *s,
	      bool lines_ok)
{
	struct xchg_config *cfg = c->cfg;
	struct rte_cfgfile_entry *entries = NULL;
	struct kv *kvs = NULL;
	char header[CFG_NAME_LEN], name[XCHG_CONFIG_NAME_SIZE], label[96];
	int nb = rte_cfgfile_num_sections(f, NULL, 0), i, n, k;
	unsigned int port_idx = 0, sock_idx = 0, line, nkv;
	enum section_type t;
	int ret = 0;

	for (i = 0; i < nb && ret == 0; i++) {
		n = rte_cfgfile_section_num_entries_by_index(f, header, i);
		line = lines_ok ? s->sections[i].line : 0;
		free(entries);
		free(kvs);
		entries = calloc(n > 0 ? n : 1, sizeof(*entries));
		kvs = calloc(n > 0 ? n : 1, sizeof(*kvs));
		if (entries == NULL || kvs == NULL) {
			ret = fail(c, 0, "out of memory");
			break;
		}
		n = rte_cfgfile_section_entries_by_index(f, i, header, entries,
							 n);
		for (k = 0, nkv = 0; k < n; k++) {
			const struct scan_entry *e = lines_ok ?
				&s->entries[s->sections[i].first + k] : NULL;

			if (e != NULL && e->comment)
				continue;
			kvs[nkv++] = (struct kv){ entries[k].name,
				entries[k].value, e != NULL ? e->line : 0 };
		}
		if (i == 0) {
			/* GLOBAL: keys before the first section. */
			if (nkv != 0)
				ret = fail(c, kvs[0].line, "key '%s' comes before any [section]; put it under the section it belongs to",
					   kvs[0].key);
			continue;
		}
		name[0] = '\0';
		if (section_type(c, line, header, &t, name) != 0) {
			ret = -EINVAL;
			break;
		}
		snprintf(label, sizeof(label), "[%s]", header);
		if (check_duplicate_keys(c, label, kvs, nkv) != 0) {
			ret = -EINVAL;
			break;
		}
		switch (t) {
		case SEC_ARENA:
			ret = once(c, &c->have_arena, line, label);
			cfg->arena.line = line;
			for (k = 0; ret == 0 && k < (int)nkv; k++)
				ret = do_arena(c, &kvs[k]);
			break;
		case SEC_PORT:
			for (k = 0; ret == 0 && k < (int)nkv; k++)
				ret = do_port(c, port_idx, label, &kvs[k]);
			port_idx++;
			break;
		case SEC_SOCKET:
			for (k = 0; ret == 0 && k < (int)nkv; k++)
				ret = do_socket(c, sock_idx, label, &kvs[k]);
			sock_idx++;
			break;
		case SEC_ARP:
		case SEC_ICMP:
		case SEC_ND:
		case SEC_ICMP6: {
			bool *have[] = { &c->have_arp, &c->have_icmp,
					 &c->have_nd, &c->have_icmp6 };

			ret = once(c, have[t - SEC_ARP], line, label);
			for (k = 0; ret == 0 && k < (int)nkv; k++)
				ret = do_service(c, t - SEC_ARP, &kvs[k]);
			break;
		}
		case SEC_PROXY:
			ret = once(c, &cfg->proxy.enabled, line, label);
			cfg->proxy.line = line;
			for (k = 0; ret == 0 && k < (int)nkv; k++)
				ret = do_proxy(c, &kvs[k]);
			break;
		case SEC_CAPTURE:
			ret = once(c, &cfg->capture.enabled, line, label);
			cfg->capture.line = line;
			for (k = 0; ret == 0 && k < (int)nkv; k++)
				ret = do_capture(c, &kvs[k]);
			break;
		case SEC_REPLAY:
			/* Read after the sockets' quotas are known. */
			ret = once(c, &c->have_replay, line, label);
			c->replay_line = line;
			break;
		}
	}
	free(entries);
	free(kvs);
	return ret;
}

static int
read_replay(struct ctx *c, struct rte_cfgfile *f, const struct scan *s,
	    bool lines_ok)
{
	struct rte_cfgfile_entry *entries;
	char header[CFG_NAME_LEN];
	int nb = rte_cfgfile_num_sections(f, NULL, 0), i, n, k;
	int ret = 0;

	for (i = 1; i < nb && ret == 0; i++) {
		n = rte_cfgfile_section_num_entries_by_index(f, header, i);
		if (strcmp(header, "replay") != 0 || n <= 0)
			continue;
		entries = calloc(n, sizeof(*entries));
		if (entries == NULL)
			return fail(c, 0, "out of memory");
		n = rte_cfgfile_section_entries_by_index(f, i, header, entries,
							 n);
		for (k = 0; k < n && ret == 0; k++) {
			const struct scan_entry *e = lines_ok ?
				&s->entries[s->sections[i].first + k] : NULL;
			struct kv kv = { entries[k].name, entries[k].value,
					 e != NULL ? e->line : 0 };

			if (e != NULL && e->comment)
				continue;
			ret = do_replay(c, &kv);
		}
		free(entries);
	}
	return ret;
}

/* The scan and librte_cfgfile must agree for the line numbers to hold. */
static bool
scan_matches(struct rte_cfgfile *f, const struct scan *s)
{
	char header[CFG_NAME_LEN];
	int nb = rte_cfgfile_num_sections(f, NULL, 0), i;

	if (nb < 0 || (unsigned int)nb != s->nb_sections)
		return false;
	for (i = 0; i < nb; i++)
		if (rte_cfgfile_section_num_entries_by_index(f, header, i) !=
		    (int)s->sections[i].nb_entries)
			return false;
	return true;
}

struct xchg_config *
xchg_config_load(const char *path, char *err, size_t errlen)
{
	const struct rte_cfgfile_parameters params = {
		.comment_character = COMMENT };
	struct ctx c = { .path = path, .err = err, .errlen = errlen };
	struct rte_cfgfile *f = NULL;
	struct scan s = { 0 };
	bool lines_ok;
	FILE *fp;
	int ret, saved;

	if (err != NULL && errlen != 0)
		err[0] = '\0';
	if (path == NULL) {
		errno = EINVAL;
		return NULL;
	}
	fp = fopen(path, "r");
	if (fp == NULL) {
		saved = errno;
		fail(&c, 0, "cannot read the configuration file: %s",
		     strerror(saved));
		errno = saved;
		return NULL;
	}
	c.cfg = calloc(1, sizeof(*c.cfg));
	if (c.cfg == NULL) {
		fclose(fp);
		fail(&c, 0, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	snprintf(c.cfg->path, sizeof(c.cfg->path), "%s", path);
	ret = scan_file(&c, fp, &s);
	fclose(fp);
	if (ret == 0) {
		f = rte_cfgfile_load_with_params(path, CFG_FLAG_GLOBAL_SECTION |
						 CFG_FLAG_EMPTY_VALUES, &params);
		if (f == NULL)
			ret = fail(&c, 0, "librte_cfgfile cannot parse the file");
	}
	if (ret == 0) {
		lines_ok = scan_matches(f, &s);
		ret = collect_sections(&c, f, &s, lines_ok);
		if (ret == 0)
			ret = read_sections(&c, f, &s, lines_ok);
		if (ret == 0 && !c.have_arena)
			ret = fail(&c, 0, "no [arena] section; add one with buffers = N (see config/README.rst)");
		if (ret == 0 && c.arena_buffers_line == 0)
			ret = fail(&c, c.cfg->arena.line, "[arena]: missing key buffers; add buffers = N, N from 64 to %u",
				   MAX_BUFFERS);
		if (ret == 0) {
			set_defaults(&c);
			ret = check_ports(&c);
		}
		if (ret == 0)
			ret = check_sockets(&c);
		if (ret == 0)
			ret = check_proxy_capture(&c);
		if (ret == 0) {
			unsigned int i;

			for (i = 0; i < RTE_DIM(service_names) && ret == 0;
			     i++) {
				uint32_t q = *service_quota(c.cfg, i);

				if (q > c.cfg->arena.buffers)
					ret = fail(&c, 0, "[service %s] quota: %u is more than the arena's %u buffers; lower it or raise [arena] buffers",
						   service_names[i], q,
						   c.cfg->arena.buffers);
			}
		}
		if (ret == 0)
			ret = read_replay(&c, f, &s, lines_ok);
	}
	if (f != NULL)
		rte_cfgfile_close(f);
	scan_free(&s);
	if (ret != 0 || c.failed) {
		free(c.cfg);
		errno = ret == -ENOMEM ? ENOMEM : EINVAL;
		return NULL;
	}
	return c.cfg;
}

void
xchg_config_free(struct xchg_config *cfg)
{
	free(cfg);
}

int
xchg_config_check_sizing(const struct xchg_config *cfg, unsigned int nb_lcores,
			 char *err, size_t errlen)
{
	struct xchg_config_sizing z;
	struct ctx c;
	int ret;

	if (cfg == NULL)
		return -EINVAL;
	ret = xchg_config_sizing(cfg, nb_lcores, &z);
	if (ret != -ENOSPC)
		return ret;
	c = (struct ctx){ .path = cfg->path, .err = err, .errlen = errlen };
	fail(&c, cfg->arena.buffers_line ? cfg->arena.buffers_line :
	     cfg->arena.line, "[arena] buffers: %u are %u short of what the ports, sockets and services reserve (%u); raise buffers to at least %u or lower the quotas (ports %u, sockets %u, services %u, fragment staging %u, proxy %u, capture %u, lcore caches %u for %u lcore%s)",
	     z.buffers, z.shortfall, z.required, z.required, z.ports,
	     z.sockets, z.services, z.staging, z.proxy, z.capture, z.cache_slack,
	     nb_lcores, nb_lcores == 1 ? "" : "s");
	return -ENOSPC;
}

int
xchg_config_port_index(const struct xchg_config *cfg, const char *name)
{
	unsigned int i;

	if (cfg == NULL || name == NULL)
		return -1;
	for (i = 0; i < cfg->nb_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
xchg_config_socket_index(const struct xchg_config *cfg, const char *name)
{
	unsigned int i;

	if (cfg == NULL || name == NULL)
		return -1;
	for (i = 0; i < cfg->nb_sockets; i++)
		if (strcmp(cfg->sockets[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
set_string(char *dst, size_t size, const char *v)
{
	if (v == NULL || v[0] == '\0' || strlen(v) >= size)
		return -EINVAL;
	snprintf(dst, size, "%s", v);
	return 0;
}

int
xchg_config_set_vdev(struct xchg_config *cfg, const char *port_name,
		     const char *devargs)
{
	int idx = xchg_config_port_index(cfg, port_name);
	int ret;

	if (idx < 0)
		return cfg == NULL || port_name == NULL ? -EINVAL : -ENOENT;
	ret = set_string(cfg->ports[idx].vdev, sizeof(cfg->ports[idx].vdev),
			 devargs);
	if (ret == 0)
		cfg->ports[idx].pci[0] = '\0';
	return ret;
}

int
xchg_config_set_tap(struct xchg_config *cfg, const char *devargs)
{
	if (cfg == NULL)
		return -EINVAL;
	if (!cfg->proxy.enabled)
		return -ENOENT;
	return set_string(cfg->proxy.tap, sizeof(cfg->proxy.tap), devargs);
}

int
xchg_config_set_capture_file(struct xchg_config *cfg, const char *path)
{
	if (cfg == NULL)
		return -EINVAL;
	if (!cfg->capture.enabled)
		return -ENOENT;
	return set_string(cfg->capture.file, sizeof(cfg->capture.file), path);
}

const char *
xchg_config_behaviour_name(enum xchg_config_behaviour b)
{
	switch (b) {
	case XCHG_BEHAVIOUR_NORMAL:
		return "normal";
	case XCHG_BEHAVIOUR_HOLD:
		return "hold";
	case XCHG_BEHAVIOUR_HOG:
		return "hog";
	}
	return "unknown";
}

int
xchg_config_set_clock(struct xchg_config *cfg, uint64_t (*clock)(void *),
		      void *arg)
{
	if (cfg == NULL)
		return -EINVAL;
	cfg->clock = clock;
	cfg->clock_arg = arg;
	return 0;
}

int
xchg_config_set_shared(struct xchg_config *cfg, bool shared)
{
	if (cfg == NULL)
		return -EINVAL;
	cfg->shared = shared;
	return 0;
}

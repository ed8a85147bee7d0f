/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The prompt, on librte_cmdline as testpmd's: interactive on stdin, with
 * forwarding running between keystrokes, or a script file run line by
 * line, where "run MS" forwards for a fixed time between commands.
 */

/* cmdline_get_rdline(), for the log lines that reprint the prompt:
 * experimental in DPDK 22.11. */
#define ALLOW_EXPERIMENTAL_API 1

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_log.h>

#include <cmdline.h>
#include <cmdline_parse.h>
#include <cmdline_parse_num.h>
#include <cmdline_parse_string.h>
#include <cmdline_rdline.h>
#include <cmdline_socket.h>

#include "testpmd.h"
#include "xchg_app.h"

/* show pools | census | sockets */
struct cmd_show_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t what;
};

static void
cmd_show_parsed(void *parsed, struct cmdline *cl __rte_unused,
		void *data __rte_unused)
{
	struct cmd_show_result *r = parsed;
	bool was = tp_pause();

	if (strcmp(r->what, "pools") == 0)
		tp_show_pools(stdout);
	else if (strcmp(r->what, "census") == 0)
		tp_show_census(stdout);
	else
		tp_show_sockets(stdout);
	fflush(stdout);
	tp_resume(was);
}

static cmdline_parse_token_string_t cmd_show_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, show, "show");
static cmdline_parse_token_string_t cmd_show_what =
	TOKEN_STRING_INITIALIZER(struct cmd_show_result, what,
				 "pools#census#sockets");

static cmdline_parse_inst_t cmd_show = {
	.f = cmd_show_parsed,
	.help_str = "show pools|census|sockets: reservations, buffer census, consumers",
	.tokens = { (void *)&cmd_show_show, (void *)&cmd_show_what, NULL },
};

/* show port stats */
struct cmd_show_port_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t stats;
};

static void
cmd_show_port_parsed(void *parsed __rte_unused, struct cmdline *cl __rte_unused,
		     void *data __rte_unused)
{
	bool was = tp_pause();

	tp_show_ports(stdout);
	fflush(stdout);
	tp_resume(was);
}

static cmdline_parse_token_string_t cmd_show_port_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, show, "show");
static cmdline_parse_token_string_t cmd_show_port_port =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, port, "port");
static cmdline_parse_token_string_t cmd_show_port_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_show_port_result, stats, "stats");

static cmdline_parse_inst_t cmd_show_port = {
	.f = cmd_show_port_parsed,
	.help_str = "show port stats: one line per port: packets, rx_nombuf, drops",
	.tokens = { (void *)&cmd_show_port_show, (void *)&cmd_show_port_port,
		    (void *)&cmd_show_port_stats, NULL },
};

/* A port argument: "all" (-1) or a port id. */
static int
port_which(const char *s, int *port)
{
	char *end;
	unsigned long v;

	if (strcmp(s, "all") == 0) {
		*port = -1;
		return 0;
	}
	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v >= RTE_MAX_ETHPORTS)
		return -1;
	*port = (int)v;
	return 0;
}

/* show port stats|info|xstats all|N, clear port stats all|N */
struct cmd_port_stats_result {
	cmdline_fixed_string_t verb;
	cmdline_fixed_string_t port;
	cmdline_fixed_string_t stats;
	cmdline_fixed_string_t which;
};

static void
cmd_port_stats_parsed(void *parsed, struct cmdline *cl __rte_unused,
		      void *data __rte_unused)
{
	struct cmd_port_stats_result *r = parsed;
	bool show = strcmp(r->verb, "show") == 0;
	bool was;
	int port, ret;

	if (port_which(r->which, &port) != 0) {
		printf("'%s': give all or a port id (see show config fwd)\n",
		       r->which);
		return;
	}
	if (!show && strcmp(r->stats, "stats") != 0) {
		printf("clear port %s: only clear port stats all|N\n",
		       r->stats);
		return;
	}
	was = tp_pause();
	ret = !show ? tp_clear_port_stats(port) :
	      strcmp(r->stats, "info") == 0 ? tp_show_port_info(stdout, port) :
	      strcmp(r->stats, "xstats") == 0 ?
	      tp_show_port_xstats(stdout, port) :
	      tp_show_port_stats(stdout, port);
	if (ret != 0)
		printf("no port %d; the ports are those of show config fwd\n",
		       port);
	fflush(stdout);
	tp_resume(was);
}

static cmdline_parse_token_string_t cmd_port_stats_verb =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, verb,
				 "show#clear");
static cmdline_parse_token_string_t cmd_port_stats_port =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, port, "port");
static cmdline_parse_token_string_t cmd_port_stats_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, stats,
				 "stats#info#xstats");
static cmdline_parse_token_string_t cmd_port_stats_which =
	TOKEN_STRING_INITIALIZER(struct cmd_port_stats_result, which, NULL);

static cmdline_parse_inst_t cmd_port_stats = {
	.f = cmd_port_stats_parsed,
	.help_str = "show|clear port stats all|N: testpmd's NIC statistics (packets, bytes, errors, rx_nombuf, Rx/Tx-pps and bps since the last show), or clear them; show port info|xstats all|N: testpmd's port information (with the queue reservations), or the PMD's extended statistics then the exchange's (xchg_rx_q0_dropped_no_buffers...)",
	.tokens = { (void *)&cmd_port_stats_verb, (void *)&cmd_port_stats_port,
		    (void *)&cmd_port_stats_stats,
		    (void *)&cmd_port_stats_which, NULL },
};

/* show config fwd, show fwd stats all */
struct cmd_show3_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t a;
	cmdline_fixed_string_t b;
};

static void
cmd_show_config_parsed(void *parsed __rte_unused,
		       struct cmdline *cl __rte_unused, void *data __rte_unused)
{
	tp_show_config_fwd(stdout);
	fflush(stdout);
}

static cmdline_parse_token_string_t cmd_show3_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show3_result, show, "show");
static cmdline_parse_token_string_t cmd_show_config_a =
	TOKEN_STRING_INITIALIZER(struct cmd_show3_result, a, "config");
static cmdline_parse_token_string_t cmd_show_config_b =
	TOKEN_STRING_INITIALIZER(struct cmd_show3_result, b, "fwd");

static cmdline_parse_inst_t cmd_show_config = {
	.f = cmd_show_config_parsed,
	.help_str = "show config fwd: mode, lcores, and the streams each lcore forwards",
	.tokens = { (void *)&cmd_show3_show, (void *)&cmd_show_config_a,
		    (void *)&cmd_show_config_b, NULL },
};

/* show fwd stats all */
struct cmd_show_fwd_result {
	cmdline_fixed_string_t show;
	cmdline_fixed_string_t fwd;
	cmdline_fixed_string_t stats;
	cmdline_fixed_string_t all;
};

static void
cmd_show_fwd_parsed(void *parsed __rte_unused, struct cmdline *cl __rte_unused,
		    void *data __rte_unused)
{
	bool was = tp_pause();

	tp_show_fwd_stats(stdout);
	fflush(stdout);
	tp_resume(was);
}

static cmdline_parse_token_string_t cmd_show_fwd_show =
	TOKEN_STRING_INITIALIZER(struct cmd_show_fwd_result, show, "show");
static cmdline_parse_token_string_t cmd_show_fwd_fwd =
	TOKEN_STRING_INITIALIZER(struct cmd_show_fwd_result, fwd, "fwd");
static cmdline_parse_token_string_t cmd_show_fwd_stats =
	TOKEN_STRING_INITIALIZER(struct cmd_show_fwd_result, stats, "stats");
static cmdline_parse_token_string_t cmd_show_fwd_all =
	TOKEN_STRING_INITIALIZER(struct cmd_show_fwd_result, all, "all");

static cmdline_parse_inst_t cmd_show_fwd = {
	.f = cmd_show_fwd_parsed,
	.help_str = "show fwd stats all: per port, frames the engine received, dropped and sent since start",
	.tokens = { (void *)&cmd_show_fwd_show, (void *)&cmd_show_fwd_fwd,
		    (void *)&cmd_show_fwd_stats, (void *)&cmd_show_fwd_all,
		    NULL },
};

/* set fwd MODE */
struct cmd_set_fwd_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t fwd;
	cmdline_fixed_string_t mode;
};

static void
cmd_set_fwd_parsed(void *parsed, struct cmdline *cl __rte_unused,
		   void *data __rte_unused)
{
	struct cmd_set_fwd_result *r = parsed;
	enum tp_mode mode;

	if (tp_mode_parse(r->mode, &mode) != 0) {
		char hint[64];

		printf("'%s': give rxonly, io, macswap, txonly, flowgen or csum%s\n",
		       r->mode, tp_mode_hint(r->mode, hint, sizeof(hint)));
		return;
	}
	if (mode == tp.mode) {
		printf("Set %s packet forwarding mode\n", tp_mode_name(mode));
		return;
	}
	/* The forwarding modes share one set-up; icmpecho and stack each
	 * build their own. */
	if (mode >= TP_ICMPECHO || tp.mode >= TP_ICMPECHO) {
		printf("set fwd %s: %s mode has its own set-up; start xchg-testpmd with --forward-mode %s\n",
		       r->mode, tp_mode_name(mode >= TP_ICMPECHO ? mode : tp.mode),
		       r->mode);
		return;
	}
	if (tp.forwarding) {
		printf("Please stop forwarding first\n");
		return;
	}
	tp.mode = mode;
	printf("Set %s packet forwarding mode\n", tp_mode_name(mode));
}

static cmdline_parse_token_string_t cmd_set_fwd_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_fwd_result, set, "set");
static cmdline_parse_token_string_t cmd_set_fwd_fwd =
	TOKEN_STRING_INITIALIZER(struct cmd_set_fwd_result, fwd, "fwd");
static cmdline_parse_token_string_t cmd_set_fwd_mode =
	TOKEN_STRING_INITIALIZER(struct cmd_set_fwd_result, mode, NULL);

static cmdline_parse_inst_t cmd_set_fwd = {
	.f = cmd_set_fwd_parsed,
	.help_str = "set fwd rxonly|io|macswap|txonly|flowgen|csum: the forwarding mode, while stopped",
	.tokens = { (void *)&cmd_set_fwd_set, (void *)&cmd_set_fwd_fwd,
		    (void *)&cmd_set_fwd_mode, NULL },
};

/* start tx_first */
struct cmd_start_tx_first_result {
	cmdline_fixed_string_t start;
	cmdline_fixed_string_t tx_first;
};

static void start_forwarding(bool tx_first);

static void
cmd_start_tx_first_parsed(void *parsed __rte_unused,
			  struct cmdline *cl __rte_unused,
			  void *data __rte_unused)
{
	start_forwarding(true);
}

static cmdline_parse_token_string_t cmd_start_tx_first_start =
	TOKEN_STRING_INITIALIZER(struct cmd_start_tx_first_result, start,
				 "start");
static cmdline_parse_token_string_t cmd_start_tx_first_tx =
	TOKEN_STRING_INITIALIZER(struct cmd_start_tx_first_result, tx_first,
				 "tx_first");

static cmdline_parse_inst_t cmd_start_tx_first = {
	.f = cmd_start_tx_first_parsed,
	.help_str = "start tx_first: send a burst on every port, then start forwarding",
	.tokens = { (void *)&cmd_start_tx_first_start,
		    (void *)&cmd_start_tx_first_tx, NULL },
};

/* set consumer NAME normal|hog|slow[:N:MS] */
struct cmd_set_consumer_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t consumer;
	cmdline_fixed_string_t name;
	cmdline_fixed_string_t how;
};

static int
set_one(struct tp_consumer *c, const char *how_s)
{
	enum tp_behaviour was = c->behaviour;
	char how[32];

	if (tp_behaviour_parse(how_s, c) != 0)
		return -1;
	/* A consumer that stops holding lets go of what it held. */
	if ((was == TP_SLOW || was == TP_HOG) &&
	    c->behaviour != TP_SLOW && c->behaviour != TP_HOG)
		tp_release_held(c);
	printf("consumer %s: %s\n", c->name,
	       tp_behaviour_name(c, how, sizeof(how)));
	return 0;
}

static void
cmd_set_consumer_parsed(void *parsed, struct cmdline *cl __rte_unused,
			void *data __rte_unused)
{
	struct cmd_set_consumer_result *r = parsed;
	struct tp_consumer *c = tp_consumer_find(r->name);
	unsigned int i, n = 0;
	bool was;

	/* With several forwarding lcores, "fwd" names each one's. */
	if (c == NULL && strcmp(r->name, "fwd") != 0) {
		char hint[64];

		printf("no consumer '%s'%s (see show sockets)\n", r->name,
		       tp_consumer_hint(r->name, hint, sizeof(hint)));
		return;
	}
	was = tp_pause();
	for (i = 0; i < tp.nb_consumers; i++) {
		struct tp_consumer *t = &tp.consumers[i];

		if (c != NULL ? t != c : !tp_fwd_consumer(t))
			continue;
		n++;
		if (set_one(t, r->how) != 0) {
			char hint[64];

			printf("'%s': give normal, hog, slow or slow:N:MS%s%s\n",
			       r->how, t->socket != NULL ? ", or echo" : "",
			       tp_behaviour_hint(r->how, hint, sizeof(hint)));
			break;
		}
	}
	if (n == 0)
		printf("no consumer '%s'; see show sockets\n", r->name);
	tp_resume(was);
}

static cmdline_parse_token_string_t cmd_set_consumer_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_consumer_result, set, "set");
static cmdline_parse_token_string_t cmd_set_consumer_consumer =
	TOKEN_STRING_INITIALIZER(struct cmd_set_consumer_result, consumer,
				 "consumer");
static cmdline_parse_token_string_t cmd_set_consumer_name =
	TOKEN_STRING_INITIALIZER(struct cmd_set_consumer_result, name, NULL);
static cmdline_parse_token_string_t cmd_set_consumer_how =
	TOKEN_STRING_INITIALIZER(struct cmd_set_consumer_result, how, NULL);

static cmdline_parse_inst_t cmd_set_consumer = {
	.f = cmd_set_consumer_parsed,
	.help_str = "set consumer NAME normal|hog|slow[:N:MS]|echo: change what a consumer does with its frames (echo: a UDP socket sends each datagram back, over IPv4 or IPv6)",
	.tokens = { (void *)&cmd_set_consumer_set,
		    (void *)&cmd_set_consumer_consumer,
		    (void *)&cmd_set_consumer_name,
		    (void *)&cmd_set_consumer_how, NULL },
};

/* The pool names, for a did-you-mean. */
struct pool_names {
	const char *names[256];
	char store[256][XCHG_NAME_SIZE];
	unsigned int n;
};

static int
pool_name_add(struct xchg_pool *pool, void *arg)
{
	struct pool_names *pn = arg;

	if (pn->n == RTE_DIM(pn->names))
		return 1;
	snprintf(pn->store[pn->n], XCHG_NAME_SIZE, "%s", xchg_pool_name(pool));
	pn->names[pn->n] = pn->store[pn->n];
	pn->n++;
	return 0;
}

static const char *
pool_hint(const char *name, char *buf, size_t size)
{
	static struct pool_names pn;

	pn.n = 0;
	xchg_pool_foreach(tp.arena, pool_name_add, &pn);
	return tp_hint(xchg_app_nearest(name, pn.names, pn.n), buf, size);
}

/* set quota POOL N */
struct cmd_set_quota_result {
	cmdline_fixed_string_t set;
	cmdline_fixed_string_t quota;
	cmdline_fixed_string_t pool;
	uint32_t n;
};

static void
cmd_set_quota_parsed(void *parsed, struct cmdline *cl __rte_unused,
		     void *data __rte_unused)
{
	struct cmd_set_quota_result *r = parsed;
	struct xchg_pool *pool = xchg_pool_lookup(tp.arena, r->pool);
	enum xchg_pool_kind kind;
	uint32_t got = 0;
	int ret;

	if (pool == NULL) {
		char hint[64];

		printf("no pool '%s'%s (see show pools)\n", r->pool,
		       pool_hint(r->pool, hint, sizeof(hint)));
		return;
	}
	/* A queue's reservation covers its ring: shrinking it would let
	 * consumers take what the NIC needs to refill. */
	kind = xchg_pool_kind(pool);
	if (kind == XCHG_KIND_RX_QUEUE || kind == XCHG_KIND_TX_QUEUE) {
		printf("pool %s is a NIC queue's reservation, sized from its ring; it is not changed here\n",
		       r->pool);
		return;
	}
	if (r->n == 0) {
		printf("a quota is at least 1\n");
		return;
	}
	bool was = tp_pause();

	ret = xchg_pool_resize(pool, r->n, &got);
	tp_resume(was);
	printf("pool %s: quota %u%s\n", r->pool, got,
	       ret == -ENOSPC ? " (the arena has no more unreserved buffers)" :
	       ret == -EBUSY ? " (the rest are in use)" :
	       ret != 0 ? " (refused)" : "");
}

static cmdline_parse_token_string_t cmd_set_quota_set =
	TOKEN_STRING_INITIALIZER(struct cmd_set_quota_result, set, "set");
static cmdline_parse_token_string_t cmd_set_quota_quota =
	TOKEN_STRING_INITIALIZER(struct cmd_set_quota_result, quota, "quota");
static cmdline_parse_token_string_t cmd_set_quota_pool =
	TOKEN_STRING_INITIALIZER(struct cmd_set_quota_result, pool, NULL);
static cmdline_parse_token_num_t cmd_set_quota_n =
	TOKEN_NUM_INITIALIZER(struct cmd_set_quota_result, n, RTE_UINT32);

static cmdline_parse_inst_t cmd_set_quota = {
	.f = cmd_set_quota_parsed,
	.help_str = "set quota POOL N: resize a reservation (grows from unreserved buffers, shrinks by free units)",
	.tokens = { (void *)&cmd_set_quota_set, (void *)&cmd_set_quota_quota,
		    (void *)&cmd_set_quota_pool, (void *)&cmd_set_quota_n,
		    NULL },
};

/* start | stop | quit */
struct cmd_word_result {
	cmdline_fixed_string_t word;
};

static void
start_forwarding(bool tx_first)
{
	if (tp.forwarding) {
		printf("Packet forwarding already started\n");
		return;
	}
	if (tx_first && tp.mode >= TP_ICMPECHO) {
		printf("start tx_first: %s mode sends nothing of its own; use start\n",
		       tp_mode_name(tp.mode));
		return;
	}
	tp_fwd_stats_reset();
	if (tx_first)
		tp_tx_first();
	tp_fwd_start();
	printf("forwarding started (%s)\n", tp_mode_name(tp.mode));
}

static void
cmd_word_parsed(void *parsed, struct cmdline *cl, void *data __rte_unused)
{
	struct cmd_word_result *r = parsed;

	if (strcmp(r->word, "start") == 0) {
		start_forwarding(false);
	} else if (strcmp(r->word, "stop") == 0) {
		if (!tp.forwarding) {
			printf("Packet forwarding not started\n");
			return;
		}
		tp_fwd_stop();
		printf("forwarding stopped\n");
		tp_show_fwd_stats(stdout);
		tp_show_pools(stdout);
		tp_show_ports(stdout);
	} else {
		tp.quit = true;
		cmdline_quit(cl);
	}
}

static cmdline_parse_token_string_t cmd_word_word =
	TOKEN_STRING_INITIALIZER(struct cmd_word_result, word,
				 "start#stop#quit");

static cmdline_parse_inst_t cmd_word = {
	.f = cmd_word_parsed,
	.help_str = "start|stop|quit: forwarding on (refused when on), off (prints the forward statistics); leave",
	.tokens = { (void *)&cmd_word_word, NULL },
};

/* run MS: forward for MS milliseconds, for scripts */
struct cmd_run_result {
	cmdline_fixed_string_t run;
	uint32_t ms;
};

static void
cmd_run_parsed(void *parsed, struct cmdline *cl __rte_unused,
	       void *data __rte_unused)
{
	struct cmd_run_result *r = parsed;

	tp_run_for(r->ms);
	printf("ran %u ms\n", r->ms);
}

static cmdline_parse_token_string_t cmd_run_run =
	TOKEN_STRING_INITIALIZER(struct cmd_run_result, run, "run");
static cmdline_parse_token_num_t cmd_run_ms =
	TOKEN_NUM_INITIALIZER(struct cmd_run_result, ms, RTE_UINT32);

static cmdline_parse_inst_t cmd_run = {
	.f = cmd_run_parsed,
	.help_str = "run MS: forward for MS milliseconds, then return to the prompt",
	.tokens = { (void *)&cmd_run_run, (void *)&cmd_run_ms, NULL },
};

/* help */
struct cmd_help_result {
	cmdline_fixed_string_t help;
};

static cmdline_parse_ctx_t main_ctx[];

static void
cmd_help_parsed(void *parsed __rte_unused, struct cmdline *cl __rte_unused,
		void *data __rte_unused)
{
	unsigned int i;

	for (i = 0; main_ctx[i] != NULL; i++)
		if (main_ctx[i]->help_str != NULL)
			printf("  %s\n", main_ctx[i]->help_str);
}

static cmdline_parse_token_string_t cmd_help_help =
	TOKEN_STRING_INITIALIZER(struct cmd_help_result, help, "help");

static cmdline_parse_inst_t cmd_help = {
	.f = cmd_help_parsed,
	.help_str = "help: this list",
	.tokens = { (void *)&cmd_help_help, NULL },
};

/* Did you mean: the command nearest to a line, each command compared
 * with as many words of the line as it has. */
static const char * const commands[] = {
	"show pools", "show census", "show sockets", "show port stats",
	"show port info", "show port xstats", "clear port stats",
	"show config fwd", "show fwd stats all", "set fwd", "set consumer",
	"set quota", "start", "start tx_first", "stop", "run", "help", "quit",
};

static const char *
nearest_command(const char *line)
{
	unsigned int i, best_d = 3, d;
	const char *best = NULL;

	for (i = 0; i < RTE_DIM(commands); i++) {
		const char *c, *l = line;
		char head[128];
		unsigned int words = 1, spaces = 0;

		for (c = commands[i]; *c != '\0'; c++)
			words += *c == ' ';
		for (; *l != '\0' && *l != '\n'; l++)
			if (*l == ' ' && ++spaces == words)
				break;
		snprintf(head, sizeof(head), "%.*s", (int)(l - line), line);
		d = xchg_app_edits(head, commands[i]);
		if (d < best_d) {
			best_d = d;
			best = commands[i];
		}
	}
	return best;
}

/* A line whose first word starts no command (cmdline would say only
 * "Command not found"): a token that takes the whole line then, so
 * that the prompt can name the nearest command. A line that starts
 * well and goes wrong later gets cmdline's "Bad arguments" at the
 * prompt, and the nearest command in a script. */
struct cmd_unknown_result {
	char line[128];
};

static int
unknown_parse(cmdline_parse_token_hdr_t *tk __rte_unused, const char *buf,
	      void *res, unsigned int size)
{
	static const char * const first[] = {
		"show", "clear", "set", "start", "stop", "run", "help", "quit",
	};
	size_t len = strcspn(buf, " \t\r\n#"), all;
	unsigned int i;

	if (len == 0)
		return -1;
	for (i = 0; i < RTE_DIM(first); i++)
		if (strlen(first[i]) == len && strncmp(buf, first[i], len) == 0)
			return -1;
	all = strcspn(buf, "\r\n#");
	if (res != NULL && size >= sizeof(struct cmd_unknown_result))
		snprintf(res, sizeof(struct cmd_unknown_result), "%.*s",
			 (int)all, buf);
	return (int)all;
}

static struct cmdline_token_ops unknown_ops = { .parse = unknown_parse };
static cmdline_parse_token_hdr_t cmd_unknown_line = {
	.ops = &unknown_ops,
	.offset = offsetof(struct cmd_unknown_result, line),
};

static void
cmd_unknown_parsed(void *parsed, struct cmdline *cl __rte_unused,
		   void *data __rte_unused)
{
	struct cmd_unknown_result *r = parsed;
	const char *near = nearest_command(r->line);

	tp.bad_command = true;
	printf("Command not found: '%s'%s%s%s (help lists the commands)\n",
	       r->line, near != NULL ? "; did you mean " : "",
	       near != NULL ? near : "", near != NULL ? "?" : "");
}

static cmdline_parse_inst_t cmd_unknown = {
	.f = cmd_unknown_parsed,
	.help_str = NULL,
	.tokens = { (void *)&cmd_unknown_line, NULL },
};

static cmdline_parse_ctx_t main_ctx[] = {
	&cmd_show, &cmd_show_port, &cmd_port_stats, &cmd_show_config,
	&cmd_show_fwd, &cmd_set_fwd, &cmd_set_consumer, &cmd_set_quota,
	&cmd_start_tx_first, &cmd_word, &cmd_run, &cmd_help, &cmd_unknown,
	NULL,
};

/*
 * DPDK's log lines at the prompt: the line being typed is wiped, the log
 * line written in its place, and the prompt with what was typed written
 * again below it, so that a warning never lands in the middle of a
 * command. Log lines come whole (the stream is line-buffered).
 */
static struct cmdline *prompt_cl;
static bool in_command; /* the main lcore runs a command: no prompt */

static ssize_t
log_write(void *cookie __rte_unused, const char *buf, size_t size)
{
	struct cmdline *cl = __atomic_load_n(&in_command, __ATOMIC_RELAXED) ?
			     NULL : __atomic_load_n(&prompt_cl,
						    __ATOMIC_ACQUIRE);
	static const char wipe[] = "\r\033[K";

	if (cl != NULL && write(STDOUT_FILENO, wipe, sizeof(wipe) - 1) < 0)
		return -1;
	if (write(STDERR_FILENO, buf, size) < 0)
		return -1;
	if (cl != NULL && size != 0 && buf[size - 1] == '\n')
		rdline_redisplay(cmdline_get_rdline(cl));
	return (ssize_t)size;
}

static FILE *
log_through_prompt(struct cmdline *cl)
{
	cookie_io_functions_t io = { .write = log_write };
	FILE *f = fopencookie(NULL, "w", io);

	if (f == NULL)
		return NULL;
	setvbuf(f, NULL, _IOLBF, 0);
	__atomic_store_n(&prompt_cl, cl, __ATOMIC_RELEASE);
	rte_openlog_stream(f);
	return f;
}

int
tp_prompt_interactive(void)
{
	struct cmdline *cl = cmdline_stdin_new(main_ctx, "xchg> ");
	FILE *log;

	if (cl == NULL)
		return -ENOMEM;
	log = log_through_prompt(cl);
	/* With one lcore, forwarding runs between keystrokes; with
	 * workers, on them. The keystrokes are polled here and fed to
	 * cmdline_in(): cmdline_poll() is gone from DPDK 24.11. */
	while (!tp.quit) {
		bool local = tp.forwarding && !tp.workers;
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		char c;
		int st = 0;

		if (poll(&pfd, 1, local ? 0 : 1) > 0) {
			/* A command runs inside cmdline_in(), its output
			 * below the prompt line: log lines then go as
			 * they are. */
			__atomic_store_n(&in_command, true, __ATOMIC_RELAXED);
			if (read(STDIN_FILENO, &c, 1) != 1 ||
			    cmdline_in(cl, &c, 1) < 0)
				st = -1;
			__atomic_store_n(&in_command, false, __ATOMIC_RELAXED);
			if (st != 0)
				break;
		}
		if (local)
			tp_forward_once();
		tp_watch_poll();
	}
	/* No worker may log into the stream once it is closed. */
	tp_fwd_stop();
	if (log != NULL) {
		rte_openlog_stream(NULL);
		__atomic_store_n(&prompt_cl, NULL, __ATOMIC_RELEASE);
		fclose(log);
	}
	cmdline_stdin_exit(cl);
	return 0;
}

int
tp_prompt_script(const char *path)
{
	struct cmdline *cl = cmdline_new(main_ctx, "", -1, STDOUT_FILENO);
	FILE *f = fopen(path, "r");
	char line[258];
	unsigned int lineno = 0;
	int ret = 0;

	if (f == NULL || cl == NULL) {
		fprintf(stderr, "xchg-testpmd: %s: %s\n", path,
			f == NULL ? strerror(errno) : "no command line");
		if (f != NULL)
			fclose(f);
		return -EINVAL;
	}
	while (!tp.quit && fgets(line, sizeof(line) - 1, f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "xchg-testpmd: %s:%u: line longer than %zu characters\n",
				path, lineno, sizeof(line) - 3);
			ret = -EINVAL;
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		printf("xchg> %s\n", line);
		fflush(stdout);
		/* The parser takes a whole line, newline included. */
		strcat(line, "\n");
		tp.bad_command = false;
		if (cmdline_parse(cl, line) < 0 || tp.bad_command) {
			const char *near = nearest_command(line);

			line[strcspn(line, "\n")] = '\0';
			fprintf(stderr, "xchg-testpmd: %s:%u: bad command '%s'%s%s%s (help lists the commands)\n",
				path, lineno, line,
				near != NULL ? "; did you mean " : "",
				near != NULL ? near : "", near != NULL ? "?" : "");
			ret = -EINVAL;
			break;
		}
		fflush(stdout);
	}
	fclose(f);
	cmdline_free(cl);
	return ret;
}

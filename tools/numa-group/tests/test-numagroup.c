// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of numa-group and libnumagroup: the parsers on
 * canned text (QMP replies recorded from QEMU 7.2, fdinfo as documented,
 * /proc/PID/maps), the QMP client over a socketpair, the error messages,
 * and the command's usage and ENOSYS paths (under a seccomp filter that
 * makes the numa_group calls fail with ENOSYS, on any kernel).
 *
 * Usage: test-numagroup DATA-DIR [NUMA-GROUP-BINARY]
 * Prints PASS/FAIL per test, then "N passed, N failed"; exits 1 on failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "numagroup.h"
#include "json.h"
#include "qmp.h"
#include "show.h"
#include "util.h"
#include "vm.h"

static const char *datadir;
static const char *cli;
static int cases_passed, cases_failed, checks_failed;

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			checks_failed++;				\
			printf("  check failed at %s:%d: %s: ",		\
			       __FILE__, __LINE__, #cond);		\
			printf(__VA_ARGS__);				\
			printf("\n");					\
		}							\
	} while (0)

static void run_test(const char *name, void (*fn)(void))
{
	int before = checks_failed;

	fn();
	fflush(stdout);
	if (checks_failed == before) {
		cases_passed++;
		printf("PASS %s\n", name);
	} else {
		cases_failed++;
		printf("FAIL %s\n", name);
	}
}

static char *data_file(const char *rel)
{
	char path[512];
	char *text;

	snprintf(path, sizeof(path), "%s/%s", datadir, rel);
	text = ng__read_text_file(path);
	if (!text)
		printf("  cannot read %s: %s\n", path, strerror(errno));
	return text;
}

/* ---------------------------------------------------------------------- */

static struct json *parse(const char *s, char *err)
{
	return json_parse(s, strlen(s), NULL, err, 128);
}

static void test_json_values(void)
{
	char err[128];
	struct json *j;
	long long v;

	j = parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null], "
		  "\"b\": {\"c\": \"x\"}, \"big\": 18446744073709551616} ",
		  err);
	CHECK(j, "%s", err);
	if (!j)
		return;
	CHECK(j->type == JSON_OBJECT && j->len == 3, "type %d len %zu",
	      j->type, j->len);
	CHECK(json_at(json_get(j, "a"), 0)->is_int &&
	      !json_int(json_at(json_get(j, "a"), 1), &v) && v == -2, "ints");
	CHECK(!json_at(json_get(j, "a"), 2)->is_int &&
	      json_at(json_get(j, "a"), 2)->dnum == 3.5, "3.5");
	CHECK(json_int(json_at(json_get(j, "a"), 3), &v), "1e3 not an int");
	CHECK(json_at(json_get(j, "a"), 4)->type == JSON_TRUE &&
	      json_at(json_get(j, "a"), 5)->type == JSON_FALSE &&
	      json_at(json_get(j, "a"), 6)->type == JSON_NULL, "literals");
	CHECK(!json_at(json_get(j, "a"), 7), "past the end");
	CHECK(!strcmp(json_str(json_get(json_get(j, "b"), "c")), "x"),
	      "nested");
	CHECK(json_int(json_get(j, "big"), &v), "2^64 is not a long long");
	CHECK(!json_get(j, "nope") && !json_get(json_get(j, "a"), "x"),
	      "missing");
	json_free(j);

	j = parse("[]", err);
	CHECK(j && j->type == JSON_ARRAY && j->len == 0, "empty array");
	json_free(j);
	j = parse("{}", err);
	CHECK(j && j->type == JSON_OBJECT && !j->child, "empty object");
	json_free(j);
}

static void test_json_strings(void)
{
	char err[128], buf[64];
	struct json *j;

	j = parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\u20ac\\ud83d\\ude00\"",
		  err);
	CHECK(j && !strcmp(j->str, "a\"b\\c/d\n\t\xc3\xa9\xe2\x82\xac"
			   "\xf0\x9f\x98\x80"), "escapes: %s",
	      j ? j->str : err);
	json_free(j);
	json_quote(buf, sizeof(buf), "info \"x\"\\\n");
	CHECK(!strcmp(buf, "\"info \\\"x\\\"\\\\\\u000a\""), "quote: %s",
	      buf);
	j = parse(buf, err);
	CHECK(j && !strcmp(j->str, "info \"x\"\\\n"), "round trip");
	json_free(j);
	CHECK(json_quote(buf, 4, "abcdef") == 8 && !strcmp(buf, "\"ab"),
	      "truncation: %s", buf);
}

static void test_json_errors(void)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\" 1}", "{\"a\":}", "[1 2]", "\"abc",
		"\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"",
		"\"\\u0000\"", "tru", "nul", "-", "01x", "1.", "1e", "\"a\tb\"",
		"{1: 2}", "[\"\\", "\"\\",
	};
	char err[128], deep[300];
	struct json *j;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *end;

		j = json_parse(bad[i], strlen(bad[i]), &end, err, sizeof(err));
		/* "01x" parses as 0 with trailing garbage: a caller checks */
		if (j && end != bad[i] + strlen(bad[i])) {
			json_free(j);
			continue;
		}
		CHECK(!j && err[0], "'%s' was accepted", bad[i]);
		json_free(j);
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	j = parse(deep, err);
	CHECK(!j && strstr(err, "deep"), "depth: %s", err);
	/* not NUL-terminated: stops at len */
	j = json_parse("[1]]]", 3, NULL, err, sizeof(err));
	CHECK(j && j->len == 1, "len");
	json_free(j);
}

/* ---------------------------------------------------------------------- */

static void test_qmp_framing(void)
{
	const char *buf = "\r\n{\"return\": {}, \"id\": 1}\r\n{\"event\":";
	struct json *msg;
	char err[128];
	long used;

	used = qmp_take_message(buf, strlen(buf), &msg, err, sizeof(err));
	CHECK(used == 27 && msg && json_get(msg, "return"), "used %ld", used);
	json_free(msg);
	used = qmp_take_message(buf + 27, strlen(buf + 27), &msg, err,
				sizeof(err));
	CHECK(used == 0 && !msg, "partial line: %ld", used);
	used = qmp_take_message("[1]\n", 4, &msg, err, sizeof(err));
	CHECK(used == -1 && strstr(err, "not an object"), "array: %s", err);
	used = qmp_take_message("{oops}\n", 7, &msg, err, sizeof(err));
	CHECK(used == -1, "garbage");
	used = qmp_take_message("\n\n", 2, &msg, err, sizeof(err));
	CHECK(used == 2 && !msg, "blank lines: %ld", used);
}

static int write_str(int fd, const char *s)
{
	return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
}

static void test_qmp_client(void)
{
	char *greeting = data_file("two-nodes/greeting.json");
	struct json *r;
	struct qmp q;
	char err[256];
	int sv[2];

	if (!greeting || socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		CHECK(0, "setup");
		free(greeting);
		return;
	}
	/* QEMU's side, written ahead: the socket buffers it. */
	CHECK(!write_str(sv[1], greeting) &&
	      !write_str(sv[1], "{\"return\": {}, \"id\": 1}\r\n") &&
	      !write_str(sv[1], "{\"timestamp\": {\"seconds\": 1, "
			 "\"microseconds\": 2}, \"event\": \"STOP\"}\r\n") &&
	      !write_str(sv[1], "{\"return\": {}, \"id\": 99}\r\n") &&
	      !write_str(sv[1], "{\"return\": [1, 2], \"id\": 2}\r\n") &&
	      !write_str(sv[1], "{\"id\": 3, \"error\": {\"class\": "
			 "\"CommandNotFound\", \"desc\": \"The command foo "
			 "has not been found\"}}\r\n"), "write");
	free(greeting);
	CHECK(!qmp_open_fd(&q, sv[0], 2000, err, sizeof(err)), "%s", err);
	CHECK(!strcmp(q.version, "7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)"),
	      "version %s", q.version);
	CHECK(q.pid == getpid(), "SO_PEERCRED pid %d", (int)q.pid);
	r = qmp_cmd(&q, "query-x", NULL, err, sizeof(err));
	CHECK(r && json_get(r, "return")->len == 2, "skip event and stale id: "
	      "%s", r ? "wrong reply" : err);
	json_free(r);
	r = qmp_cmd(&q, "foo", "{\"a\": 1}", err, sizeof(err));
	CHECK(!r && !strcmp(err, "foo: CommandNotFound: The command foo has "
			    "not been found"), "error: %s", err);
	q.timeout_ms = 50;
	r = qmp_cmd(&q, "slow", NULL, err, sizeof(err));
	CHECK(!r && strstr(err, "no reply") && !q.eof, "timeout: %s", err);
	CHECK(qmp_wait(&q, 20) == 0, "wait times out");
	close(sv[1]);
	CHECK(qmp_wait(&q, 1000) == 1 && q.eof, "EOF");
	r = qmp_cmd(&q, "after", NULL, err, sizeof(err));
	CHECK(!r && strstr(err, "closed"), "after EOF: %s", err);
	qmp_close(&q);

	/* not QMP (an HMP socket says something else first) */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
		write_str(sv[1], "{\"hello\": 1}\n");
		CHECK(qmp_open_fd(&q, sv[0], 1000, err, sizeof(err)) &&
		      strstr(err, "not a QMP greeting"), "%s", err);
		close(sv[1]);
	}
	/* silence: another client holds the socket */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
		CHECK(qmp_open_fd(&q, sv[0], 50, err, sizeof(err)) &&
		      strstr(err, "one client at a time"), "%s", err);
		close(sv[1]);
	}
	CHECK(qmp_open(&q, "/nonexistent/q.sock", 100, err, sizeof(err)) &&
	      !strcmp(err, "cannot connect to QMP socket /nonexistent/q.sock: "
		      "No such file or directory"), "%s", err);
}

/* ---------------------------------------------------------------------- */

/* A QMP that answers from DATA/DIR/NAME.json. */
struct canned {
	const char *dir;
	int calls;
};

static struct json *canned_cmd(void *ctx, const char *cmd, const char *args,
			       char *err, size_t errlen)
{
	struct canned *c = ctx;
	char name[256], *text;
	struct json *r;

	c->calls++;
	if (!strcmp(cmd, "human-monitor-command")) {
		struct json *a = json_parse(args, strlen(args), NULL, err,
					    errlen);
		const char *line = json_str(json_get(a, "command-line"));
		char *p;

		snprintf(name, sizeof(name), "%s/hmp-%s.json", c->dir,
			 line ? line : "?");
		json_free(a);
		for (p = name + strlen(c->dir) + 5; *p; p++)
			if (*p == ' ')
				*p = '_';
	} else {
		snprintf(name, sizeof(name), "%s/%s.json", c->dir, cmd);
	}
	text = data_file(name);
	if (!text) {
		snprintf(err, errlen, "no canned reply %s", name);
		return NULL;
	}
	r = json_parse(text, strlen(text), NULL, err, errlen);
	free(text);
	return r;
}

static struct json *canned_return(const char *rel)
{
	char *text = data_file(rel), err[128];
	struct json *j;

	if (!text)
		return NULL;
	j = json_parse(text, strlen(text), NULL, err, sizeof(err));
	free(text);
	return j;
}

static void test_vm_parsers(void)
{
	struct json *r = canned_return("two-nodes/query-cpus-fast.json");
	unsigned long long *mb, hva;
	struct vm_vcpu *v;
	struct vm_mem *m;
	char region[64], *text;
	size_t n;
	int nodes;

	CHECK(r && !vm_parse_cpus(json_get(r, "return"), &v, &n) && n == 2 &&
	      v[0].index == 0 && v[0].node == 0 && v[0].tid == 26657 &&
	      v[1].index == 1 && v[1].node == 1 && v[1].tid == 26658,
	      "cpus");
	json_free(r);
	free(v);
	r = canned_return("no-numa/query-cpus-fast.json");
	CHECK(r && !vm_parse_cpus(json_get(r, "return"), &v, &n) && n == 2 &&
	      v[0].node == -1 && v[1].node == -1, "cpus without node-id");
	json_free(r);
	free(v);

	r = canned_return("dimm-memfd/query-memdev.json");
	CHECK(r && !vm_parse_memdev(json_get(r, "return"), &m, &n) && n == 3,
	      "memdev");
	json_free(r);
	if (n == 3) {
		CHECK(!strcmp(m[0].id, "m1") && m[0].share &&
		      m[0].size == 128ULL << 20 && !m[2].share, "memdev fields");
		r = canned_return("dimm-memfd/query-memory-devices.json");
		CHECK(r && !vm_parse_memory_devices(json_get(r, "return"), m,
						    n), "memory devices");
		CHECK(!strcmp(m[1].id, "d0") && m[1].node == 1 &&
		      m[1].gpa == 0x100000000ULL &&
		      !strcmp(m[1].dev, "dimm dimm0") && !m[0].dev[0] &&
		      m[0].node == -1, "dimm: node %d gpa %llx dev '%s'",
		      m[1].node, m[1].gpa, m[1].dev);
		json_free(r);
	}
	free(m);

	text = data_file("dimm-memfd/hmp-info_numa.json");
	r = text ? json_parse(text, strlen(text), NULL, region, 64) : NULL;
	CHECK(r && !vm_parse_info_numa(json_str(json_get(r, "return")), &nodes,
				       &mb) && nodes == 3 && mb[0] == 128 &&
	      mb[1] == 128 && mb[2] == 0, "info numa (plugged memory "
	      "subtracted)");
	free(mb);
	json_free(r);
	free(text);
	CHECK(!vm_parse_info_numa("0 nodes\r\n", &nodes, &mb) && nodes == 0,
	      "0 nodes");
	free(mb);
	CHECK(vm_parse_info_numa("unknown command", &nodes, &mb), "garbage");

	CHECK(!vm_parse_gpa2hva("Host virtual address for 0x8000000 (m1) is "
				"0x7ffa1fe00000\r\n", &hva, region,
				sizeof(region)) && hva == 0x7ffa1fe00000ULL &&
	      !strcmp(region, "m1"), "gpa2hva");
	CHECK(vm_parse_gpa2hva("Memory at address 0xa0000is not RAM\r\n", &hva,
			       region, sizeof(region)), "gpa2hva error");
}

static void test_vm_mtree(void)
{
	struct json *r = canned_return("two-nodes/hmp-info_mtree_-f.json");
	struct mtree_line *lines;
	int n, i, seen = 0;

	n = r ? vm_parse_mtree(json_str(json_get(r, "return")), "memory",
			       &lines) : -1;
	CHECK(n == 10, "flat view of \"memory\": %d lines", n);
	for (i = 0; i < n; i++) {
		if (!strcmp(lines[i].name, "m0") && lines[i].start == 0x100000)
			seen |= lines[i].off == 0x100000 &&
				lines[i].end == 0x7ffffff &&
				!strcmp(lines[i].type, "ram");
		if (!strcmp(lines[i].name, "m1"))
			seen |= (lines[i].start == 0x8000000 &&
				 lines[i].off == 0) << 1;
	}
	CHECK(seen == 3, "m0 @0x100000, m1 at 0x8000000: %d", seen);
	free(lines);
	json_free(r);

	/* the older format of the flat view */
	n = vm_parse_mtree("address-space (flat view): I/O\n"
			   "  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan\n"
			   "\n"
			   "address-space (flat view): memory\n"
			   "  0000000000000000-000000000009ffff (prio 0, ram): pc.ram\n"
			   "  00000000000a0000-00000000000bffff (prio 1, i/o): vga-lowmem\n"
			   "\n"
			   "address-space (flat view): memory2\n"
			   "  0000000000000000-000000000009ffff (prio 0, ram): other\n",
			   "memory", &lines);
	CHECK(n == 2 && !strcmp(lines[0].name, "pc.ram"), "old format: %d", n);
	free(lines);
}

static void test_vm_assign(void)
{
	static const char *const dirs[] = { "two-nodes", "dimm-memfd" };
	size_t d;

	for (d = 0; d < 2; d++) {
		char rel[128], err[256];
		struct json *tree, *md, *numa;
		struct mtree_line *lines;
		unsigned long long *mb;
		struct vm_mem *m;
		int n, nodes, ret;
		size_t nm, i;

		snprintf(rel, sizeof(rel), "%s/hmp-info_mtree.json", dirs[d]);
		tree = canned_return(rel);
		snprintf(rel, sizeof(rel), "%s/query-memdev.json", dirs[d]);
		md = canned_return(rel);
		snprintf(rel, sizeof(rel), "%s/hmp-info_numa.json", dirs[d]);
		numa = canned_return(rel);
		if (!tree || !md || !numa) {
			CHECK(0, "canned data of %s", dirs[d]);
			continue;
		}
		n = vm_parse_mtree(json_str(json_get(tree, "return")), NULL,
				   &lines);
		vm_parse_memdev(json_get(md, "return"), &m, &nm);
		vm_parse_info_numa(json_str(json_get(numa, "return")), &nodes,
				   &mb);
		if (d == 1) {	/* the DIMM's backend is not a node's memdev */
			json_free(md);
			md = canned_return("dimm-memfd/query-memory-devices.json");
			vm_parse_memory_devices(json_get(md, "return"), m, nm);
		}
		ret = vm_assign_nodes(lines, n, m, nm, nodes, mb, err,
				      sizeof(err));
		CHECK(ret == 2, "%s: %d: %s", dirs[d], ret, err);
		for (i = 0; i < nm; i++) {
			if (!strcmp(m[i].id, "m0"))
				CHECK(m[i].node == 0 && m[i].in_container,
				      "m0 -> node %d", m[i].node);
			if (!strcmp(m[i].id, "m1"))
				CHECK(m[i].node == 1 && m[i].in_container,
				      "m1 -> node %d", m[i].node);
			if (!strcmp(m[i].id, "d0"))
				CHECK(m[i].node == 1 && !m[i].in_container,
				      "d0 -> node %d", m[i].node);
		}
		/* sizes that do not match are refused */
		mb[0] = 64;
		for (i = 0; i < nm; i++)
			if (m[i].in_container)
				m[i].node = -1;
		ret = vm_assign_nodes(lines, n, m, nm, nodes, mb, err,
				      sizeof(err));
		CHECK(ret == -1 && strstr(err, "node 0: 64 MiB"),
		      "size mismatch: %s", err);
		free(lines);
		free(m);
		free(mb);
		json_free(tree);
		json_free(md);
		json_free(numa);
	}
}

static void test_vm_discover(void)
{
	struct canned c = { .dir = "two-nodes" };
	struct vm_qmp q = { .cmd = canned_cmd, .ctx = &c };
	struct vm_layout l;
	char err[256];
	size_t i;
	int ret;

	ret = vm_discover(&q, &l, err, sizeof(err));
	CHECK(ret == 0, "two-nodes: %s", err);
	CHECK(l.nr_nodes == 2 && l.nr_vcpus == 2 && l.nr_mem == 2 &&
	      l.nr_warnings == 0, "two-nodes: %d nodes %zu vcpus %zu mem %zu "
	      "warnings", l.nr_nodes, l.nr_vcpus, l.nr_mem, l.nr_warnings);
	for (i = 0; i < l.nr_mem; i++) {
		const struct vm_mem *m = &l.mem[i];

		if (!strcmp(m->id, "m0"))
			CHECK(m->node == 0 && m->hva == 0x7ffa37e00000ULL &&
			      m->gpa == 0 && m->size == 128 << 20,
			      "m0: node %d hva %llx", m->node, m->hva);
		else
			CHECK(!strcmp(m->id, "m1") && m->node == 1 &&
			      m->hva == 0x7ffa1fe00000ULL, "m1: node %d hva "
			      "%llx", m->node, m->hva);
	}
	vm_layout_free(&l);

	c.dir = "dimm-memfd";
	ret = vm_discover(&q, &l, err, sizeof(err));
	CHECK(ret == 0, "dimm-memfd: %s", err);
	CHECK(l.nr_nodes == 3 && l.nr_mem == 3 && l.nr_warnings == 1 &&
	      strstr(l.warnings[0], "m1 of node 1 is shared"),
	      "dimm-memfd: %zu warnings: %s", l.nr_warnings,
	      l.nr_warnings ? l.warnings[0] : "");
	for (i = 0; i < l.nr_mem; i++) {
		const struct vm_mem *m = &l.mem[i];

		if (!strcmp(m->id, "d0"))
			CHECK(m->node == 1 && m->hva == 0x7ff0a3a00000ULL &&
			      m->gpa == 0x100000000ULL, "d0: node %d hva %llx",
			      m->node, m->hva);
	}
	vm_layout_free(&l);

	c.dir = "no-numa";
	ret = vm_discover(&q, &l, err, sizeof(err));
	CHECK(ret == VM_NO_NUMA && !strcmp(err, "guest has no NUMA nodes "
					   "(-numa): nothing to group"),
	      "no-numa: %d %s", ret, err);
	vm_layout_free(&l);
}

/* The backends found above are where QEMU's maps say. */
static void test_maps_qemu(void)
{
	char *maps = data_file("two-nodes/maps");
	int contiguous, not_anon, n;

	if (!maps) {
		CHECK(0, "maps");
		return;
	}
	n = maps_find(maps, 0x7ffa37e00000UL, 0x7ffa3fe00000UL, &contiguous,
		      &not_anon);
	CHECK(n == 1 && contiguous && !not_anon, "m0: %d %d %d", n,
	      contiguous, not_anon);
	n = maps_find(maps, 0x7ffa1fe00000UL, 0x7ffa27e00000UL, &contiguous,
		      &not_anon);
	CHECK(n == 1 && contiguous && !not_anon, "m1");
	/* QEMU puts a guard page after each block; the page after is free */
	n = maps_find(maps, 0x7ffa1fe00000UL, 0x7ffa27e01000UL, &contiguous,
		      &not_anon);
	CHECK(n == 2 && contiguous, "with the guard page: %d", n);
	n = maps_find(maps, 0x7ffa1fe00000UL, 0x7ffa27e02000UL, &contiguous,
		      &not_anon);
	CHECK(n == 2 && !contiguous, "one page too far: %d", n);
	free(maps);

	maps = data_file("dimm-memfd/maps");
	if (maps) {
		n = maps_find(maps, 0x7ff0abdff000UL, 0x7ff0b3dff000UL,
			      &contiguous, &not_anon);
		CHECK(n == 1 && contiguous && not_anon == 1, "memfd is not "
		      "private anonymous: %d %d %d", n, contiguous, not_anon);
		free(maps);
	}
}

/* ---------------------------------------------------------------------- */

static const char fdinfo_spec[] =
	"pos:\t0\n"
	"flags:\t02000002\n"
	"mnt_id:\t16\n"
	"ino:\t1057\n"
	"numa_group_id:\t7\n"
	"numa_group_node:\t1\n"
	"numa_group_tasks:\t2\n"
	"numa_group_task:\t1234\n"
	"numa_group_task:\t1235\n"
	"numa_group_ranges:\t1\n"
	"numa_group_range:\t1233 7f0000000000-7f0008000000\n"
	"numa_group_bytes:\t134217728\n"
	"numa_group_placeable_bytes:\t134217728\n"
	"numa_group_pages:\t12 32756\n"
	"numa_group_node_changes:\t1\n"
	"numa_group_pages_migrated:\t16384\n";

/* As an unprivileged reader sees a group with another user's memory. */
static const char fdinfo_hidden[] =
	"numa_group_id:\t8\n"
	"numa_group_node:\t0\n"
	"numa_group_tasks:\t0\n"
	"numa_group_ranges:\t1\n"
	"numa_group_range:\t1233 7f0000000000-7f0008000000\n"
	"numa_group_bytes:\t134217728\n"
	"numa_group_placeable_bytes:\t67108864\n"
	"numa_group_node_changes:\t0\n"
	"numa_group_pages_migrated:\t0\n";

static void test_fdinfo(void)
{
	struct ng_info g;
	char buf[1024];
	int i;

	CHECK(!ng_parse_fdinfo(fdinfo_spec, &g), "spec example: %s",
	      strerror(errno));
	CHECK(g.node == 1 && g.nr_tasks == 2 && g.tasks_listed == 2 &&
	      g.tasks[0] == 1234 && g.tasks[1] == 1235 && g.nr_ranges == 1 &&
	      g.ranges_listed == 1 && g.ranges[0].pid == 1233 &&
	      g.ranges[0].start == 0x7f0000000000UL &&
	      g.ranges[0].end == 0x7f0008000000UL && g.bytes == 134217728 &&
	      g.nr_nodes == 2 && g.pages[0] == 12 && g.pages[1] == 32756 &&
	      g.node_changes == 1 && g.pages_migrated == 16384, "fields");
	CHECK(g.id == 7 && g.placeable_bytes == 134217728 &&
	      g.have == (NG_HAVE_ID | NG_HAVE_PLACEABLE | NG_HAVE_PAGES),
	      "id, placeable_bytes, have %#x", g.have);
	ng_info_free(&g);

	/* The pages line left out: parsed, and said so. */
	CHECK(!ng_parse_fdinfo(fdinfo_hidden, &g) && g.nr_nodes == 0 &&
	      !g.pages && g.have == (NG_HAVE_ID | NG_HAVE_PLACEABLE) &&
	      g.bytes == 134217728 && g.placeable_bytes == 67108864,
	      "pages hidden");
	ng_info_free(&g);
	CHECK(ng_parse_fdinfo("numa_group_node:\t0\nnuma_group_placeable_bytes:"
			      "\t-1\n", &g) && errno == EINVAL,
	      "negative placeable_bytes");

	/* a new group: node -1, nothing in it; a line from a later kernel */
	CHECK(!ng_parse_fdinfo("numa_group_node:\t-1\nnuma_group_tasks:\t0\n"
			       "numa_group_ranges:\t0\nnuma_group_bytes:\t0\n"
			       "numa_group_pages:\t0 0 0 0\n"
			       "numa_group_future:\tx y\n", &g) &&
	      g.node == -1 && !g.tasks && g.nr_nodes == 4 &&
	      g.have == NG_HAVE_PAGES, "empty group");
	ng_info_free(&g);

	/* 1024 tasks (the limit) and no trailing newline */
	i = snprintf(buf, sizeof(buf), "numa_group_node:\t0");
	CHECK(!ng_parse_fdinfo(buf, &g) && g.node == 0, "no newline");
	ng_info_free(&g);
	{
		size_t len = 0, cap = 1024 * 32;
		char *big = malloc(cap);

		len += snprintf(big, cap, "numa_group_node:\t0\n");
		for (i = 0; i < 1024; i++)
			len += snprintf(big + len, cap - len,
					"numa_group_task:\t%d\n", 100000 + i);
		CHECK(!ng_parse_fdinfo(big, &g) && g.tasks_listed == 1024 &&
		      g.tasks[1023] == 101023, "1024 tasks");
		ng_info_free(&g);
		free(big);
	}

	errno = 0;
	CHECK(ng_parse_fdinfo("pos:\t0\nflags:\t02\n", &g) && errno == EINVAL,
	      "not a group");
	CHECK(ng_parse_fdinfo("numa_group_node:\tx\n", &g) && errno == EINVAL,
	      "bad node");
	CHECK(ng_parse_fdinfo("numa_group_node:\t0\nnuma_group_range:\t1 "
			      "2000-1000\n", &g) && errno == EINVAL,
	      "range ends before it starts");
	CHECK(ng_parse_fdinfo("numa_group_node:\t0\nnuma_group_range:\t1 "
			      "1000\n", &g) && errno == EINVAL, "range");
	CHECK(ng_parse_fdinfo("numa_group_node:\t0\nnuma_group_tasks:\t2 3\n",
			      &g) && errno == EINVAL, "trailing garbage");
	CHECK(ng_parse_fdinfo("numa_group_node:\t0\nnuma_group_task:\t-5\n",
			      &g) && errno == EINVAL, "negative task");
}

static void test_show_table(void)
{
	static const char expect[] =
		"pid 1233 (qemu-system-x86): 3 numa groups\n"
		"   FD  NODE  TASKS  RANGES       BYTES   PLACEABLE  NODE-CHANGES   MIGRATED  RESIDENT PAGES PER NODE\n"
		"    5     1      2       1   128.0 MiB   128.0 MiB             1      16384  0:12 1:32756\n"
		"    7     -      0       0         0 B           -             0          0  -\n"
		"    9     0      0       1   128.0 MiB    64.0 MiB             0          0  -\n"
		"fd 5:\n"
		"  threads: 1234 1235\n"
		"  range:   pid 1233 7f0000000000-7f0008000000 (128.0 MiB)\n"
		"fd 7:\n"
		"  threads: none\n"
		"  ranges:  none\n"
		"fd 9:\n"
		"  threads: none\n"
		"  note:    64.0 MiB of its memory is shared, file-backed or hugetlb: knumad does not move it\n"
		"  note:    resident pages per node not shown: the group holds memory of a process you may not read\n"
		"  range:   pid 1233 7f0000000000-7f0008000000 (128.0 MiB)\n";
	struct ng_info g[3];
	char buf[4096] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	if (!f || ng_parse_fdinfo(fdinfo_spec, &g[0]) ||
	    ng_parse_fdinfo("numa_group_node:\t-1\n", &g[1]) ||
	    ng_parse_fdinfo(fdinfo_hidden, &g[2])) {
		CHECK(0, "setup");
		return;
	}
	g[0].fd = 5;
	g[1].fd = 7;
	g[2].fd = 9;
	print_groups(f, 1233, "qemu-system-x86", g, 3);
	fclose(f);
	CHECK(!strcmp(buf, expect), "got:\n%s", buf);
	ng_info_free(&g[0]);
	ng_info_free(&g[1]);
	ng_info_free(&g[2]);
}

static void test_fd_helpers(void)
{
	struct ng_info *infos;
	size_t nr;
	int fd = open("/dev/null", O_RDONLY);

	CHECK(ng_is_group_fd(0, fd) == 0, "/dev/null is not a group");
	CHECK(ng_is_group_fd(0, 987654) == -1 && errno == ENOENT, "no fd");
	CHECK(!ng_show(0, &infos, &nr) && nr == 0 && !infos, "no groups here");
	CHECK(ng_show(0x7ffffff0, &infos, &nr) && errno == ESRCH,
	      "no such process");
	CHECK(!ng_set_inheritable(fd) && !(fcntl(fd, F_GETFD) & FD_CLOEXEC),
	      "inheritable");
	close(fd);
}

/* ---------------------------------------------------------------------- */

static const char maps_text[] =
	"55d0c0000000-55d0c0001000 r--p 00000000 fe:00 123  /usr/bin/prog\n"
	"55d0c0001000-55d0c0002000 rw-p 00001000 fe:00 123  /usr/bin/prog\n"
	"55d0c0002000-55d0c0003000 rw-p 00000000 00:00 0 \n"
	"55d0c1000000-55d0c1021000 rw-p 00000000 00:00 0    [heap]\n"
	"7f0000000000-7f0000001000 ---p 00000000 00:00 0 \n"
	"7f0000001000-7f0000801000 rw-p 00000000 00:00 0 \n"
	"7f0000900000-7f0000a00000 r--p 00000000 00:00 0 \n"
	"7f0001000000-7f0001100000 rw-s 00000000 00:01 7    /memfd:x (deleted)\n"
	"7f0002000000-7f0002100000 rw-p 00000000 00:00 0    [anon:arena]\n"
	"7f0002100000-7f0002200000 rw-p 00000000 00:0f 99   /anon_hugepage (deleted)\n"
	"7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0    [stack]\n"
	"7ffc00100000-7ffc00104000 r--p 00000000 00:00 0    [vvar]\n"
	"7ffc00104000-7ffc00106000 r-xp 00000000 00:00 0    [vdso]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n";

static void test_maps(void)
{
	struct spans runs = { 0 };
	struct map_ent m;
	int contiguous, not_anon;

	CHECK(!parse_maps_line("7f0001000000-7f0001100000 rw-s 00000000 00:01 "
			       "7    /memfd:x (deleted)", &m) &&
	      m.start == 0x7f0001000000UL && m.end == 0x7f0001100000UL &&
	      !strcmp(m.perms, "rw-s") && m.inode == 7 &&
	      !strcmp(m.name, "/memfd:x (deleted)"), "line: '%s'", m.name);
	CHECK(parse_maps_line("garbage", &m), "garbage line");
	CHECK(!maps_anon_runs(maps_text, &runs), "runs");
	/* bss, heap, guard+mapping, [anon:], stack; not r--p alone */
	CHECK(runs.n == 5, "%zu runs", runs.n);
	if (runs.n == 5) {
		CHECK(runs.v[0].start == 0x55d0c0002000UL, "bss");
		CHECK(runs.v[1].start == 0x55d0c1000000UL, "heap");
		CHECK(runs.v[2].start == 0x7f0000000000UL &&
		      runs.v[2].end == 0x7f0000801000UL, "guard joined");
		CHECK(runs.v[3].start == 0x7f0002000000UL &&
		      runs.v[3].end == 0x7f0002100000UL, "named anon, not THP "
		      "file");
		CHECK(runs.v[4].start == 0x7ffc00000000UL, "stack");
	}
	CHECK(maps_find(maps_text, 0x7f0001000000UL, 0x7f0001100000UL,
			&contiguous, &not_anon) == 1 && contiguous &&
	      not_anon == 1, "shared");
	CHECK(maps_find(maps_text, 0x7f0002000000UL, 0x7f0002200000UL,
			&contiguous, &not_anon) == 2 && contiguous &&
	      not_anon == 1, "hugetlb");
	CHECK(maps_find(maps_text, 0x7f0000000000UL, 0x7f0000a00000UL,
			&contiguous, &not_anon) == 3 && !contiguous,
	      "hole between");
	spans_free(&runs);
}

static void test_spans(void)
{
	struct spans a = { 0 }, b = { 0 }, out = { 0 };

	spans_add(&a, 100, 200);
	spans_add(&a, 300, 400);
	spans_add(&a, 150, 250);
	spans_add(&a, 250, 260);	/* adjacent: merged */
	spans_normalize(&a);
	CHECK(a.n == 2 && a.v[0].start == 100 && a.v[0].end == 260 &&
	      a.v[1].start == 300, "normalize");
	spans_add(&b, 0, 120);
	spans_add(&b, 130, 140);
	spans_add(&b, 250, 350);
	spans_add(&b, 390, 1000);
	spans_normalize(&b);
	CHECK(!spans_subtract(&a, &b, &out), "subtract");
	CHECK(out.n == 3 && out.v[0].start == 120 && out.v[0].end == 130 &&
	      out.v[1].start == 140 && out.v[1].end == 250 &&
	      out.v[2].start == 350 && out.v[2].end == 390, "%zu pieces",
	      out.n);
	CHECK(spans_cover(&a, 110, 260) && !spans_cover(&a, 250, 310),
	      "cover");
	b.n = 0;
	CHECK(!spans_subtract(&a, &b, &out) && out.n == 2, "minus nothing");
	spans_free(&a);
	spans_free(&b);
	spans_free(&out);
}

static void test_numbers(void)
{
	unsigned long long v;
	char buf[32];
	int *list, n, i;

	CHECK(!parse_size("128M", &v) && v == 128ULL << 20, "128M");
	CHECK(!parse_size("2GiB", &v) && v == 2ULL << 30, "2GiB");
	CHECK(!parse_size("0x1000", &v) && v == 4096, "hex");
	CHECK(!parse_size("4k", &v) && v == 4096, "4k");
	CHECK(parse_size("12Q", &v) && parse_size("-1", &v) &&
	      parse_size("", &v) && parse_size("99999999999T", &v), "bad sizes");
	CHECK(!parse_ulong("0x7f0000000000", &v) && v == 0x7f0000000000ULL,
	      "address");
	CHECK(parse_ulong("12z", &v) && parse_ulong(" 1", &v), "bad address");
	CHECK(!parse_int("7", 0, 10, &i) && i == 7 && parse_int("11", 0, 10,
							       &i), "int");
	n = parse_cpulist("0-2,5,7-8\n", &list);
	CHECK(n == 6 && list[0] == 0 && list[2] == 2 && list[3] == 5 &&
	      list[5] == 8, "cpulist %d", n);
	free(list);
	n = parse_cpulist("0\n", &list);
	CHECK(n == 1 && list[0] == 0, "one node");
	free(list);
	CHECK(parse_cpulist("3-1", &list) == -1 && parse_cpulist("a", &list)
	      == -1, "bad lists");
	CHECK(!strcmp(fmt_bytes(buf, sizeof(buf), 134217728), "128.0 MiB") &&
	      !strcmp(fmt_bytes(buf, sizeof(buf), 512), "512 B") &&
	      !strcmp(fmt_bytes(buf, sizeof(buf), 1536), "1.5 KiB"),
	      "fmt_bytes %s", buf);
}

/* ---------------------------------------------------------------------- */

static void test_strerror(void)
{
	CHECK(!strcmp(ng_strerror(NG_OP_MEM_ADD, EBUSY), "part of the range "
		      "is already in a numa group (this one or another)"),
	      "mem EBUSY");
	CHECK(!strcmp(ng_strerror(NG_OP_MEM_ADD, ENOMEM),
		      "part of the range is not mapped"), "mem ENOMEM");
	CHECK(!strcmp(ng_strerror(NG_OP_MEM_REMOVE, ENOENT),
		      "no part of the range is in this group"), "mem ENOENT");
	CHECK(!strcmp(ng_strerror(NG_OP_MEM_REMOVE, EBUSY), strerror(EBUSY)),
	      "EBUSY is not documented for removing");
	CHECK(!strcmp(ng_strerror(NG_OP_TASK_ADD, EBUSY),
		      "the thread (or a thread of the process) is already in "
		      "another numa group"), "task EBUSY");
	CHECK(!strcmp(ng_strerror(NG_OP_TASK_REMOVE, ENOENT),
		      "the thread (or no thread of the process) is not in "
		      "this group"), "task ENOENT");
	CHECK(!strcmp(ng_strerror(NG_OP_MEM_ADD, EBADFD),
		      "the group descriptor is not a numa group") &&
	      !strcmp(ng_strerror(NG_OP_TASK_REMOVE, EBADFD),
		      "the group descriptor is not a numa group") &&
	      !strcmp(ng_strerror(NG_OP_CREATE, EBADFD), strerror(EBADFD)),
	      "EBADFD");
	CHECK(strstr(ng_strerror(NG_OP_TASK_ADD, EBADF), "NUMA_GROUP_SELF_THREAD"),
	      "EBADF");
	CHECK(!strcmp(ng_strerror(NG_OP_TASK_ADD, ENOENT), strerror(ENOENT)),
	      "ENOENT is not documented for adding");
	CHECK(strstr(ng_strerror(NG_OP_TASK_ADD, ENOSPC), "(1024)") &&
	      strstr(ng_strerror(NG_OP_MEM_ADD, ENOSPC), "(64)") &&
	      strstr(ng_strerror(NG_OP_CREATE, ENOSPC), "(64 by default") &&
	      strstr(ng_strerror(NG_OP_CREATE, ENOSPC), "max_numa_groups"), "limits");
	CHECK(strstr(ng_strerror(NG_OP_CREATE, EINVAL), "online node with CPUs") &&
	      strstr(ng_strerror(NG_OP_CREATE, EINVAL), "NUMA_GROUP_CREATE_VERSION") &&
	      strstr(ng_strerror(NG_OP_CREATE, E2BIG), "larger than a page") &&
	      strstr(ng_strerror(NG_OP_CREATE, EFAULT), "NULL"), "create");
	CHECK(strstr(ng_strerror(NG_OP_MEM_ADD, EPERM), "CAP_SYS_NICE") &&
	      strstr(ng_strerror(NG_OP_TASK_ADD, EPERM), "ptrace"), "EPERM");
	CHECK(strstr(ng_strerror(NG_OP_TASK_ADD, EINVAL), "kernel thread") &&
	      strstr(ng_strerror(NG_OP_MEM_ADD, EINVAL), "page aligned"),
	      "EINVAL");
	CHECK(strstr(ng_strerror(NG_OP_MEM_ADD, ESRCH), "zombie") &&
	      strstr(ng_strerror(NG_OP_TASK_ADD, ESRCH), "exited"), "ESRCH");
	CHECK(strstr(ng_strerror(NG_OP_CREATE, ENOSYS), "CONFIG_KNUMAD") &&
	      strstr(ng_strerror(NG_OP_TASK_REMOVE, ENOSYS), "knumad"),
	      "ENOSYS");
	CHECK(strstr(ng_strerror(NG_OP_PIDFD_GETFD, EPERM), "ptrace") &&
	      strstr(ng_strerror(NG_OP_PIDFD_OPEN, EINVAL), "6.9"), "pidfd");
	CHECK(!strcmp(ng_strerror(NG_OP_CREATE, EXDEV), strerror(EXDEV)),
	      "fallback");
}

extern const size_t local_abi[];
extern const size_t local_abi_count;

static void test_abi(void)
{
	const size_t uapi[] = {
		sizeof(struct numa_group_attr),
		offsetof(struct numa_group_attr, flags),
		offsetof(struct numa_group_attr, node),
		offsetof(struct numa_group_attr, __reserved),
		sizeof(((struct numa_group_attr *)0)->flags),
		sizeof(((struct numa_group_attr *)0)->node),
		NUMA_GROUP_ATTR_SIZE_VER0,
		(size_t)NUMA_GROUP_NODE_ANY,
		NUMA_GROUP_CREATE_VERSION,
		(size_t)NUMA_GROUP_SELF_THREAD,
		(size_t)NUMA_GROUP_SELF_PROCESS,
		NUMA_GROUP_REMOVE,
	};
	size_t i;

#ifndef _UAPI_LINUX_NUMA_GROUP_H
	CHECK(0, "this file should see <linux/numa_group.h> (-I.../uapi)");
#endif
	CHECK(local_abi_count == sizeof(uapi) / sizeof(uapi[0]), "count");
	for (i = 0; i < local_abi_count; i++)
		CHECK(local_abi[i] == uapi[i], "item %zu: %zu != %zu", i,
		      local_abi[i], uapi[i]);
	CHECK(sizeof(struct numa_group_attr) == NUMA_GROUP_ATTR_SIZE_VER0,
	      "VER0 is the size");
	/* mainline's PIDFD_SELF_THREAD and PIDFD_SELF_THREAD_GROUP, not AT_FDCWD */
	CHECK(NUMA_GROUP_SELF_THREAD == -10000 && NUMA_GROUP_SELF_PROCESS == -20000,
	      "SELF values");
	CHECK(NUMA_GROUP_SELF_THREAD != AT_FDCWD && NUMA_GROUP_SELF_PROCESS != AT_FDCWD,
	      "SELF is not AT_FDCWD");
}

/* ---------------------------------------------------------------------- */

/* Make the numa_group calls fail with ENOSYS in this process. */
static int deny_numa_group_syscalls(void)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	const unsigned int arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
	const unsigned int arch = AUDIT_ARCH_AARCH64;
#else
	const unsigned int arch = 0;
#endif
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 463, 0, 2),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 465, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (!arch)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static void test_enosys(void)
{
	int status, pipefd[2];
	char buf[256] = "";
	pid_t pid;

	if (pipe(pipefd)) {
		CHECK(0, "pipe");
		return;
	}
	pid = fork();
	if (pid == 0) {
		struct numa_group_attr attr = { .node = NUMA_GROUP_NODE_ANY };
		int ok = 1;

		close(pipefd[0]);
		if (deny_numa_group_syscalls())
			_exit(77);
		ok &= numa_group_create(&attr, sizeof(attr), 0) == -1 &&
		      errno == ENOSYS;
		ok &= numa_group_mem(0, NUMA_GROUP_SELF_PROCESS, 0, 4096, 0) == -1 &&
		      errno == ENOSYS;
		ok &= numa_group_task(0, NUMA_GROUP_SELF_THREAD, 0) == -1 &&
		      errno == ENOSYS;
		ok &= ng_abi_version() == -1 && errno == ENOSYS;
		ok &= ng_create(0) == -1 && errno == ENOSYS;
		ok &= ng_add_thread(0, 0) == -1 && errno == ENOSYS;
		ok &= ng_probe() == -1 && errno == ENOSYS;
		dprintf(pipefd[1], "%s", ng_strerror(NG_OP_CREATE, ENOSYS));
		_exit(ok ? 0 : 1);
	}
	close(pipefd[1]);
	if (read(pipefd[0], buf, sizeof(buf) - 1) < 0)
		buf[0] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		printf("  (seccomp not available here: skipped)\n");
		return;
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "wrappers under seccomp ENOSYS");
	CHECK(!strcmp(buf, "this kernel has no numa_group system calls (not "
		      "a knumad kernel, or CONFIG_KNUMAD=n)"), "'%s'", buf);
}

/*
 * ng_probe() on the running kernel: 0 on a knumad kernel, else -1/ENOSYS
 * (also where 463 is another call, such as setxattrat on Linux >= 6.13).
 */
static void test_probe_host(void)
{
	int ret = ng_probe();

	printf("  ng_probe() on this kernel: %s\n",
	       ret ? "no numa_group calls" : "numa_group calls present");
	CHECK(ret == 0 || errno == ENOSYS, "errno %d", errno);
}

/* Run the command with @argv; its output into @out. Returns wait status. */
static int run_cli(char *const argv[], int deny, char *out, size_t size)
{
	int pipefd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		if (deny && deny_numa_group_syscalls())
			_exit(77);
		execv(cli, argv);
		_exit(99);
	}
	close(pipefd[1]);
	while (len + 1 < size &&
	       (n = read(pipefd[0], out + len, size - len - 1)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	return status;
}

#define EXIT_IS(st, code) (WIFEXITED(st) && WEXITSTATUS(st) == (code))

static void test_cli(void)
{
	char out[8192], self[16], tid[16];
	int st;

	if (!cli) {
		printf("  (no numa-group binary given: skipped)\n");
		return;
	}
	snprintf(self, sizeof(self), "%d", (int)getpid());
	snprintf(tid, sizeof(tid), "%d", (int)getpid());
	st = run_cli((char *[]){ "numa-group", "--help", NULL }, 0, out,
		     sizeof(out));
	CHECK(EXIT_IS(st, 0) && strstr(out, "Usage: numa-group COMMAND"),
	      "--help: %s", out);
	st = run_cli((char *[]){ "numa-group", NULL }, 0, out, sizeof(out));
	CHECK(EXIT_IS(st, 2), "no command");
	st = run_cli((char *[]){ "numa-group", "frob", NULL }, 0, out,
		     sizeof(out));
	CHECK(EXIT_IS(st, 2) && strstr(out, "unknown command 'frob'"), "%s",
	      out);
	{
		static const char *const cmds[] = { "run", "hold", "add-task",
						    "add-mem", "show", "qemu" };
		size_t i;

		for (i = 0; i < 6; i++) {
			st = run_cli((char *[]){ "numa-group", (char *)cmds[i],
						 "--help", NULL }, 0, out,
				     sizeof(out));
			CHECK(EXIT_IS(st, 0) && strstr(out, "Usage:") &&
			      strstr(out, cmds[i]), "%s --help", cmds[i]);
			st = run_cli((char *[]){ "numa-group", (char *)cmds[i],
						 "--bogus", NULL }, 0, out,
				     sizeof(out));
			CHECK(EXIT_IS(st, 2), "%s --bogus", cmds[i]);
		}
	}
	st = run_cli((char *[]){ "numa-group", "run", NULL }, 0, out,
		     sizeof(out));
	CHECK(EXIT_IS(st, 2) && strstr(out, "no command given"), "run: %s",
	      out);
	st = run_cli((char *[]){ "numa-group", "run", "--node", "0",
				 "--group-per-node", "true", NULL }, 0, out,
		     sizeof(out));
	CHECK(EXIT_IS(st, 2) && strstr(out, "exclude each other"), "%s", out);
	st = run_cli((char *[]){ "numa-group", "add-task", "--pid", self,
				 NULL }, 0, out, sizeof(out));
	CHECK(EXIT_IS(st, 2) && strstr(out, "--pid and --fd are required"),
	      "%s", out);
	st = run_cli((char *[]){ "numa-group", "add-mem", "--pid", self,
				 "--fd", "0", "--target", self, "0x1001",
				 "4096", NULL }, 0, out, sizeof(out));
	CHECK(EXIT_IS(st, 1) && strstr(out, "not page aligned"), "%s", out);
	st = run_cli((char *[]){ "numa-group", "add-mem", "--pid", self,
				 "--fd", "0", "--target", self, "0x1000",
				 "4Q", NULL }, 0, out, sizeof(out));
	CHECK(EXIT_IS(st, 2) && strstr(out, "bad length"), "%s", out);
	st = run_cli((char *[]){ "numa-group", "qemu", NULL }, 0, out,
		     sizeof(out));
	CHECK(EXIT_IS(st, 2) && strstr(out, "--qmp SOCKET is required"), "%s",
	      out);
	st = run_cli((char *[]){ "numa-group", "qemu", "--qmp",
				 "/nonexistent/qmp.sock", NULL }, 0, out,
		     sizeof(out));
	CHECK(EXIT_IS(st, 1) && strstr(out, "cannot connect to QMP socket "
				       "/nonexistent/qmp.sock: No such file"),
	      "%s", out);
	st = run_cli((char *[]){ "numa-group", "show", self, NULL }, 0, out,
		     sizeof(out));
	CHECK(EXIT_IS(st, 0) && strstr(out, "0 numa groups"), "show: %s", out);
	st = run_cli((char *[]){ "numa-group", "show", "2147483000", NULL }, 0,
		     out, sizeof(out));
	CHECK(EXIT_IS(st, 1) && strstr(out, "no process 2147483000"), "%s",
	      out);

	/* a kernel without the calls (seccomp makes them ENOSYS) */
	st = run_cli((char *[]){ "numa-group", "add-task", "--pid", self,
				 "--fd", "0", tid, NULL }, 1, out,
		     sizeof(out));
	if (!EXIT_IS(st, 77)) {
		CHECK(EXIT_IS(st, 1) && strstr(out, "has no numa_group system "
					       "calls"), "ENOSYS: %s", out);
		st = run_cli((char *[]){ "numa-group", "run", "true", NULL },
			     1, out, sizeof(out));
		CHECK(EXIT_IS(st, 1) && strstr(out, "has no numa_group"),
		      "run ENOSYS: %s", out);
		st = run_cli((char *[]){ "numa-group", "hold", NULL }, 1, out,
			     sizeof(out));
		CHECK(EXIT_IS(st, 1) && strstr(out, "has no numa_group"),
		      "hold ENOSYS: %s", out);
	}

	/* run --dry-run runs the command and reports what it would add */
	st = run_cli((char *[]){ "numa-group", "run", "--dry-run", "--",
				 "sh", "-c", "exit 3", NULL }, 0, out,
		     sizeof(out));
	CHECK(EXIT_IS(st, 3) && strstr(out, "would create group 0") &&
	      strstr(out, "would add thread"), "dry run: %s", out);
	st = run_cli((char *[]){ "numa-group", "run", "--dry-run",
				 "/nonexistent/cmd", NULL }, 0, out,
		     sizeof(out));
	CHECK(EXIT_IS(st, 127) && strstr(out, "cannot execute "
					 "/nonexistent/cmd"), "%s", out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DATA-DIR [NUMA-GROUP-BINARY]\n",
			argv[0]);
		return 2;
	}
	datadir = argv[1];
	cli = argc > 2 ? argv[2] : NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);

	run_test("json_values", test_json_values);
	run_test("json_strings", test_json_strings);
	run_test("json_errors", test_json_errors);
	run_test("qmp_framing", test_qmp_framing);
	run_test("qmp_client", test_qmp_client);
	run_test("vm_parsers", test_vm_parsers);
	run_test("vm_mtree", test_vm_mtree);
	run_test("vm_assign_nodes", test_vm_assign);
	run_test("vm_discover", test_vm_discover);
	run_test("maps_qemu", test_maps_qemu);
	run_test("fdinfo", test_fdinfo);
	run_test("show_table", test_show_table);
	run_test("fd_helpers", test_fd_helpers);
	run_test("maps", test_maps);
	run_test("spans", test_spans);
	run_test("numbers", test_numbers);
	run_test("strerror", test_strerror);
	run_test("abi", test_abi);
	run_test("enosys", test_enosys);
	run_test("probe_host", test_probe_host);
	run_test("cli", test_cli);

	printf("%d passed, %d failed\n", cases_passed, cases_failed);
	return cases_failed ? 1 : 0;
}

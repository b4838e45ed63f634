// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal QMP client for numa-group qemu.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"

#define QMP_MAX_MESSAGE	(64UL << 20)

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

long qmp_take_message(const char *buf, size_t len, struct json **msg,
		      char *err, size_t errlen)
{
	const char *nl, *p = buf;

	*msg = NULL;
	if (!len)
		return 0;
	for (;;) {
		nl = memchr(p, '\n', len - (p - buf));
		if (!nl)
			return 0;
		/* skip blank lines */
		if (strspn(p, " \t\r") >= (size_t)(nl - p)) {
			p = nl + 1;
			if (p == buf + len)
				return p - buf;
			continue;
		}
		break;
	}
	*msg = json_parse(p, nl - p, NULL, err, errlen);
	if (!*msg)
		return -1;
	if ((*msg)->type != JSON_OBJECT) {
		json_free(*msg);
		*msg = NULL;
		seterr(err, errlen, "QMP message is not an object");
		return -1;
	}
	return nl + 1 - buf;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Read the next message, waiting until @deadline (ms, CLOCK_MONOTONIC; -1:
 * forever). Returns it; NULL on timeout (*timed_out set), EOF (q->eof) or
 * an error, with a message in @err.
 */
static struct json *read_message(struct qmp *q, long long deadline,
				 int *timed_out, char *err, size_t errlen)
{
	*timed_out = 0;
	for (;;) {
		struct json *msg;
		struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
		long used;
		ssize_t n;
		int ret, wait;

		used = qmp_take_message(q->buf, q->len, &msg, err, errlen);
		if (used < 0)
			return NULL;
		if (used > 0) {
			memmove(q->buf, q->buf + used, q->len - used);
			q->len -= used;
			if (!msg)
				continue;	/* only blank lines */
			return msg;
		}
		if (q->eof) {
			seterr(err, errlen, "QEMU closed the QMP connection");
			return NULL;
		}
		if (q->len == q->cap) {
			size_t cap = q->cap ? 2 * q->cap : 65536;
			char *b;

			if (cap > QMP_MAX_MESSAGE) {
				seterr(err, errlen, "QMP message too long");
				return NULL;
			}
			b = realloc(q->buf, cap);
			if (!b) {
				seterr(err, errlen, "out of memory");
				return NULL;
			}
			q->buf = b;
			q->cap = cap;
		}
		wait = -1;
		if (deadline >= 0) {
			long long left = deadline - now_ms();

			wait = left > 0 ? (int)left : 0;
		}
		ret = poll(&pfd, 1, wait);
		if (ret < 0) {
			if (errno == EINTR) {
				seterr(err, errlen, "interrupted");
				return NULL;
			}
			seterr(err, errlen, "poll: %s", strerror(errno));
			return NULL;
		}
		if (ret == 0) {
			*timed_out = 1;
			seterr(err, errlen, "no reply from QEMU within %d ms",
			       q->timeout_ms);
			return NULL;
		}
		n = read(q->fd, q->buf + q->len, q->cap - q->len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ECONNRESET) {
				q->eof = 1;
				continue;
			}
			seterr(err, errlen, "read from QMP socket: %s",
			       strerror(errno));
			return NULL;
		}
		if (n == 0)
			q->eof = 1;
		q->len += n;
	}
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= n;
	}
	return 0;
}

struct json *qmp_cmd(struct qmp *q, const char *cmd, const char *args,
		     char *err, size_t errlen)
{
	long long deadline = now_ms() + q->timeout_ms;
	unsigned long id = ++q->next_id;
	size_t need;
	char *line;
	int timed_out;

	need = strlen(cmd) + (args ? strlen(args) : 0) + 96;
	line = malloc(need);
	if (!line) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	if (args)
		snprintf(line, need, "{\"execute\": \"%s\", \"arguments\": %s, "
			 "\"id\": %lu}\n", cmd, args, id);
	else
		snprintf(line, need, "{\"execute\": \"%s\", \"id\": %lu}\n",
			 cmd, id);
	if (write_all(q->fd, line, strlen(line))) {
		if (errno == EPIPE || errno == ECONNRESET) {
			q->eof = 1;
			seterr(err, errlen, "QEMU closed the QMP connection");
		} else {
			seterr(err, errlen, "write to QMP socket: %s",
			       strerror(errno));
		}
		free(line);
		return NULL;
	}
	free(line);
	for (;;) {
		struct json *msg = read_message(q, deadline, &timed_out, err,
						errlen);
		const struct json *e;
		long long rid;

		if (!msg)
			return NULL;
		if (json_get(msg, "event") ||
		    json_int(json_get(msg, "id"), &rid) ||
		    (unsigned long)rid != id) {
			json_free(msg);	/* an event, or a stale reply */
			continue;
		}
		e = json_get(msg, "error");
		if (e) {
			const char *cls = json_str(json_get(e, "class"));
			const char *desc = json_str(json_get(e, "desc"));

			seterr(err, errlen, "%s: %s: %s", cmd,
			       cls ? cls : "error", desc ? desc : "(no text)");
			json_free(msg);
			return NULL;
		}
		if (!json_get(msg, "return")) {
			seterr(err, errlen, "%s: reply without \"return\"",
			       cmd);
			json_free(msg);
			return NULL;
		}
		return msg;
	}
}

int qmp_open_fd(struct qmp *q, int fd, int timeout_ms, char *err,
		size_t errlen)
{
	const struct json *v, *qemu;
	long long major, minor, micro;
	struct json *msg, *r;
	const char *pkg;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	int timed_out;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->timeout_ms = timeout_ms;
	if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) &&
	    clen == sizeof(cred))
		q->pid = cred.pid;

	msg = read_message(q, now_ms() + timeout_ms, &timed_out, err, errlen);
	if (!msg) {
		if (timed_out)
			seterr(err, errlen, "no QMP greeting within %d ms "
			       "(is another client connected? A QMP socket "
			       "serves one client at a time)", timeout_ms);
		goto fail;
	}
	v = json_get(json_get(msg, "QMP"), "version");
	if (!json_get(msg, "QMP")) {
		seterr(err, errlen, "not a QMP greeting (is this a QMP "
		       "socket, not an HMP one?)");
		json_free(msg);
		goto fail;
	}
	qemu = json_get(v, "qemu");
	pkg = json_str(json_get(v, "package"));
	if (!json_int(json_get(qemu, "major"), &major) &&
	    !json_int(json_get(qemu, "minor"), &minor) &&
	    !json_int(json_get(qemu, "micro"), &micro))
		snprintf(q->version, sizeof(q->version), "%lld.%lld.%lld%s%s%s",
			 major, minor, micro, pkg && *pkg ? " (" : "",
			 pkg && *pkg ? pkg : "", pkg && *pkg ? ")" : "");
	else
		snprintf(q->version, sizeof(q->version), "(unknown version)");
	json_free(msg);

	r = qmp_cmd(q, "qmp_capabilities", NULL, err, errlen);
	if (!r)
		goto fail;
	json_free(r);
	return 0;
fail:
	qmp_close(q);
	return -1;
}

int qmp_open(struct qmp *q, const char *path, int timeout_ms, char *err,
	     size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		seterr(err, errlen, "cannot connect to QMP socket %s: path "
		       "longer than %zu bytes", path,
		       sizeof(sun.sun_path) - 1);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		seterr(err, errlen, "cannot connect to QMP socket %s: %s",
		       path, strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		int e = errno;

		close(fd);
		seterr(err, errlen, "cannot connect to QMP socket %s: %s%s",
		       path, strerror(e),
		       e == ECONNREFUSED ? " (no QEMU listening on it?)" : "");
		return -1;
	}
	if (qmp_open_fd(q, fd, timeout_ms, err, errlen)) {
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "QMP socket %s: %s", path, err);
		seterr(err, errlen, "%s", tmp);
		return -1;
	}
	return 0;
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	q->buf = NULL;
	q->len = q->cap = 0;
}

int qmp_wait(struct qmp *q, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	char err[128];
	int timed_out;

	for (;;) {
		struct json *msg = read_message(q, deadline, &timed_out, err,
						sizeof(err));

		if (msg) {
			json_free(msg);	/* an event */
			continue;
		}
		if (timed_out)
			return 0;
		if (q->eof)
			return 1;
		return -1;
	}
}

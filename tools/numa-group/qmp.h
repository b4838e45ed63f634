/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal QMP client: one connection, synchronous commands, events
 * skipped.
 */
#ifndef _NG_QMP_H
#define _NG_QMP_H

#include <stddef.h>
#include <sys/types.h>

#include "json.h"

struct qmp {
	int fd;
	char *buf;		/* received, not yet parsed */
	size_t len;
	size_t cap;
	unsigned long next_id;
	int timeout_ms;		/* for each reply */
	int eof;		/* QEMU closed the connection */
	pid_t pid;		/* QEMU's pid (SO_PEERCRED), 0 if unknown */
	char version[128];	/* "7.2.22 (Debian ...)" */
};

/*
 * qmp_open - connect to the QMP unix socket @path, read the greeting and
 * negotiate capabilities. Returns 0, or -1 with a message in @err.
 */
int qmp_open(struct qmp *q, const char *path, int timeout_ms, char *err,
	     size_t errlen);
/* The same on a connected socket @fd (which it then owns). */
int qmp_open_fd(struct qmp *q, int fd, int timeout_ms, char *err,
		size_t errlen);
void qmp_close(struct qmp *q);

/*
 * qmp_cmd - execute @cmd with arguments @args (JSON object text or NULL).
 * Returns the reply object ({"return": ...}); NULL with a message in @err
 * on an error reply ("CLASS: DESC"), a timeout or a broken connection
 * (then q->eof is set if QEMU closed it).
 */
struct json *qmp_cmd(struct qmp *q, const char *cmd, const char *args,
		     char *err, size_t errlen);

/*
 * qmp_wait - wait up to @timeout_ms for QEMU to close the connection,
 * reading and dropping events meanwhile. Returns 1 on EOF, 0 on timeout,
 * -1 on an error.
 */
int qmp_wait(struct qmp *q, int timeout_ms);

/*
 * qmp_take_message - the next complete message in @buf (@len bytes, one
 * JSON object a line, as QEMU sends them): parses it into *@msg and
 * returns how many bytes it used; 0 if no complete line is there yet; -1
 * with a message in @err if a line is not JSON.
 */
long qmp_take_message(const char *buf, size_t len, struct json **msg,
		      char *err, size_t errlen);

#endif /* _NG_QMP_H */

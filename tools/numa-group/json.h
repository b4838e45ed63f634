/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON (RFC 8259) reader, enough for QMP: values are parsed into a
 * tree of struct json; numbers are kept as integers when they are ones.
 */
#ifndef _NG_JSON_H
#define _NG_JSON_H

#include <stddef.h>

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	char *key;		/* the member's name, in an object */
	char *str;		/* JSON_STRING, NUL-terminated */
	long long num;		/* JSON_NUMBER that is an integer ... */
	int is_int;		/* ... then 1 */
	double dnum;		/* JSON_NUMBER */
	struct json *child;	/* first element or member */
	struct json *next;	/* next sibling */
	size_t len;		/* number of elements or members */
};

/*
 * json_parse - parse one JSON value from @text (@len bytes, need not be
 * NUL-terminated). Leading and trailing blanks are skipped; *@end (if not
 * NULL) is set past them. Returns the value, or NULL with a message in
 * @err (@errlen bytes) for a syntax error or out of memory.
 */
struct json *json_parse(const char *text, size_t len, const char **end,
			char *err, size_t errlen);
void json_free(struct json *j);

/* Member @key of object @j, NULL if none (or @j is not an object). */
const struct json *json_get(const struct json *j, const char *key);
/* Element @i of array @j, NULL if none. */
const struct json *json_at(const struct json *j, size_t i);
/* The string of @j, NULL if @j is not a string. */
const char *json_str(const struct json *j);
/* The integer of @j into *@v: 0, or -1 if @j is not an integer. */
int json_int(const struct json *j, long long *v);

/*
 * json_quote - write @s as a JSON string literal (with the quotes) into
 * @buf of @size bytes. Returns the length it needs, like snprintf().
 */
size_t json_quote(char *buf, size_t size, const char *s);

#endif /* _NG_JSON_H */

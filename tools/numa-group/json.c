// SPDX-License-Identifier: GPL-2.0
/*
 * A small JSON reader for QMP. Recursive descent with a depth limit; the
 * input is trusted no more than any other: every error is reported, no
 * input makes it read out of bounds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define JSON_MAX_DEPTH	64

struct parser {
	const char *p, *end;
	const char *start;
	char *err;
	size_t errlen;
	int depth;
};

static void fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->errlen || ps->err[0])
		return;		/* keep the first error */
	n = snprintf(ps->err, ps->errlen, "at byte %zu: ",
		     (size_t)(ps->p - ps->start));
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct json *new_value(struct parser *ps, enum json_type type)
{
	struct json *j = calloc(1, sizeof(*j));

	if (!j)
		fail(ps, "out of memory");
	else
		j->type = type;
	return j;
}

void json_free(struct json *j)
{
	while (j) {
		struct json *next = j->next;

		json_free(j->child);
		free(j->key);
		free(j->str);
		free(j);
		j = next;
	}
}

static int hex4(struct parser *ps, unsigned int *v)
{
	int i;

	*v = 0;
	if (ps->end - ps->p < 4) {
		fail(ps, "truncated \\u escape");
		return -1;
	}
	for (i = 0; i < 4; i++) {
		char c = *ps->p++;

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*v |= c - 'A' + 10;
		else {
			fail(ps, "bad \\u escape");
			return -1;
		}
	}
	return 0;
}

static size_t put_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | (cp >> 6);
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | (cp >> 12);
		out[1] = 0x80 | ((cp >> 6) & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | (cp >> 18);
	out[1] = 0x80 | ((cp >> 12) & 0x3f);
	out[2] = 0x80 | ((cp >> 6) & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* Parse a string literal at ps->p (on the opening quote). */
static char *parse_string(struct parser *ps)
{
	const char *q;
	char *out, *o;

	ps->p++;
	/* The decoded string is never longer than the literal. */
	for (q = ps->p; q < ps->end && *q != '"'; q++)
		if (*q == '\\' && ++q == ps->end)
			break;
	if (q >= ps->end) {
		fail(ps, "unterminated string");
		return NULL;
	}
	out = malloc(q - ps->p + 1);
	if (!out) {
		fail(ps, "out of memory");
		return NULL;
	}
	o = out;
	while (*ps->p != '"') {
		unsigned char c = *ps->p++;
		unsigned int cp, lo;

		if (c < 0x20) {
			ps->p--;
			fail(ps, "control character in string");
			goto bad;
		}
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		c = *ps->p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*o++ = c;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (hex4(ps, &cp))
				goto bad;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (ps->end - ps->p < 2 || ps->p[0] != '\\' ||
				    ps->p[1] != 'u') {
					fail(ps, "lone surrogate");
					goto bad;
				}
				ps->p += 2;
				if (hex4(ps, &lo))
					goto bad;
				if (lo < 0xdc00 || lo >= 0xe000) {
					fail(ps, "bad surrogate pair");
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				fail(ps, "lone surrogate");
				goto bad;
			}
			if (cp == 0) {
				fail(ps, "NUL in string");
				goto bad;
			}
			/* \uXXXX is 6 bytes, at most 3 of UTF-8; pairs 12/4. */
			o += put_utf8(o, cp);
			break;
		default:
			ps->p--;
			fail(ps, "bad escape");
			goto bad;
		}
	}
	ps->p++;
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static int parse_number(struct parser *ps, struct json *j)
{
	const char *s = ps->p;
	char buf[64], *end;
	int is_int = 1;
	size_t n;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0') {
		ps->p++;
	} else if (ps->p < ps->end && *ps->p >= '1' && *ps->p <= '9') {
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	} else {
		fail(ps, "bad number");
		return -1;
	}
	if (ps->p < ps->end && *ps->p == '.') {
		is_int = 0;
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			fail(ps, "bad number");
			return -1;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		is_int = 0;
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9') {
			fail(ps, "bad number");
			return -1;
		}
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	n = ps->p - s;
	if (n >= sizeof(buf)) {
		fail(ps, "number too long");
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	j->dnum = strtod(buf, NULL);
	if (is_int) {
		errno = 0;
		j->num = strtoll(buf, &end, 10);
		j->is_int = errno == 0;
	}
	return 0;
}

static int literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n)) {
		fail(ps, "unexpected character");
		return -1;
	}
	ps->p += n;
	return 0;
}

static struct json *parse_value(struct parser *ps);

/* Parse the elements or members of a container after its opening bracket. */
static int parse_items(struct parser *ps, struct json *j, char close)
{
	struct json **tail = &j->child;

	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		struct json *item;
		char *key = NULL;

		skip_ws(ps);
		if (j->type == JSON_OBJECT) {
			if (ps->p >= ps->end || *ps->p != '"') {
				fail(ps, "expected a member name");
				return -1;
			}
			key = parse_string(ps);
			if (!key)
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				fail(ps, "expected ':'");
				return -1;
			}
			ps->p++;
		}
		item = parse_value(ps);
		if (!item) {
			free(key);
			return -1;
		}
		item->key = key;
		*tail = item;
		tail = &item->next;
		j->len++;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return 0;
		}
		fail(ps, "expected ',' or '%c'", close);
		return -1;
	}
}

static struct json *parse_value(struct parser *ps)
{
	struct json *j = NULL;
	int ret = -1;

	skip_ws(ps);
	if (ps->p >= ps->end) {
		fail(ps, "unexpected end of input");
		return NULL;
	}
	if (++ps->depth > JSON_MAX_DEPTH) {
		fail(ps, "nested too deeply");
		return NULL;
	}
	switch (*ps->p) {
	case '{':
	case '[':
		j = new_value(ps, *ps->p == '{' ? JSON_OBJECT : JSON_ARRAY);
		if (!j)
			break;
		ps->p++;
		ret = parse_items(ps, j, j->type == JSON_OBJECT ? '}' : ']');
		break;
	case '"':
		j = new_value(ps, JSON_STRING);
		if (!j)
			break;
		j->str = parse_string(ps);
		ret = j->str ? 0 : -1;
		break;
	case 't':
		j = new_value(ps, JSON_TRUE);
		ret = j ? literal(ps, "true") : -1;
		break;
	case 'f':
		j = new_value(ps, JSON_FALSE);
		ret = j ? literal(ps, "false") : -1;
		break;
	case 'n':
		j = new_value(ps, JSON_NULL);
		ret = j ? literal(ps, "null") : -1;
		break;
	default:
		j = new_value(ps, JSON_NUMBER);
		ret = j ? parse_number(ps, j) : -1;
		break;
	}
	ps->depth--;
	if (ret) {
		json_free(j);
		return NULL;
	}
	return j;
}

struct json *json_parse(const char *text, size_t len, const char **end,
			char *err, size_t errlen)
{
	struct parser ps = {
		.p = text, .end = text + len, .start = text,
		.err = err, .errlen = errlen,
	};
	struct json *j;

	if (errlen)
		err[0] = '\0';
	j = parse_value(&ps);
	if (j) {
		skip_ws(&ps);
		if (end)
			*end = ps.p;
	}
	return j;
}

const struct json *json_get(const struct json *j, const char *key)
{
	const struct json *c;

	if (!j || j->type != JSON_OBJECT)
		return NULL;
	for (c = j->child; c; c = c->next)
		if (!strcmp(c->key, key))
			return c;
	return NULL;
}

const struct json *json_at(const struct json *j, size_t i)
{
	const struct json *c;

	if (!j || j->type != JSON_ARRAY)
		return NULL;
	for (c = j->child; c && i; c = c->next)
		i--;
	return c;
}

const char *json_str(const struct json *j)
{
	return j && j->type == JSON_STRING ? j->str : NULL;
}

int json_int(const struct json *j, long long *v)
{
	if (!j || j->type != JSON_NUMBER || !j->is_int)
		return -1;
	*v = j->num;
	return 0;
}

size_t json_quote(char *buf, size_t size, const char *s)
{
	size_t n = 0;

#define PUT(c) do { if (n + 1 < size) buf[n] = (c); n++; } while (0)
	PUT('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			PUT('\\');
			PUT(c);
		} else if (c < 0x20) {
			static const char hex[] = "0123456789abcdef";

			PUT('\\');
			PUT('u');
			PUT('0');
			PUT('0');
			PUT(hex[c >> 4]);
			PUT(hex[c & 15]);
		} else {
			PUT(c);
		}
	}
	PUT('"');
#undef PUT
	if (size)
		buf[n < size ? n : size - 1] = '\0';
	return n;
}

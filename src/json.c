// SPDX-License-Identifier: MIT
/* JSON: jsmn's tokens, walked by index; and a small escaping writer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "json.h"
#include "util.h"

#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

_Static_assert(sizeof(struct mc_json_tok) == sizeof(jsmntok_t),
	       "struct mc_json_tok mirrors jsmntok_t");

#define MC_JSON_MAX_FILE (16 << 20)	/* a config.json is a few KiB */

/* Where token I, a key when KEY, breaks the pairs: a missing ':' or ','. */
static int pair_error(const struct mc_json *j, int i, bool key)
{
	const struct mc_json_tok *t = &j->tok[i], *next;
	int k;

	if (key && t->size > 1) {
		/* Its second child is the next pair's key: no ',' between. */
		k = mc_json_skip(j, i + 1);
		next = &j->tok[k];
		if (k < j->n)
			return mc_error(0, "malformed JSON at byte %d: expected ','",
					next->start - (next->type == MC_JSON_STRING));
	}
	return mc_error(0, "malformed JSON at byte %d: %s", t->end + 1,
			key ? "expected ':'" : "unexpected ':'");
}

/*
 * jsmn takes `{"a" "b"}` for an object of two keys, `{"a": 1 "b": 2}` for
 * one whose key has two values, and lets a ':' follow an array item; the
 * pairs mc_json_next() walks would be shifted.  Every key must be a string
 * with exactly one child, its value, and no other string may have one.
 * One pass, with a stack of the open containers and keys and how many
 * children each still expects.
 */
static int check_pairs(const struct mc_json *j)
{
	struct open { int tok, left; } *stack;
	int sp = 0, rc = 0;

	stack = malloc(j->n * sizeof(*stack));
	if (!stack)
		return mc_error(ENOMEM, "JSON");
	for (int i = 0; i < j->n && !rc; i++) {
		const struct mc_json_tok *t = &j->tok[i];
		bool key = false;

		while (sp && !stack[sp - 1].left)
			sp--;
		if (sp) {
			stack[sp - 1].left--;
			key = j->tok[stack[sp - 1].tok].type == MC_JSON_OBJECT;
		}
		if (key ? t->type != MC_JSON_STRING || t->size != 1
			: t->type == MC_JSON_STRING && t->size != 0)
			rc = pair_error(j, i, key);
		else if (t->size > 0)
			stack[sp++] = (struct open){ i, t->size };
	}
	free(stack);
	return rc;
}

int mc_json_parse(struct mc_json *j, const char *buf, size_t len)
{
	jsmn_parser p;
	int n;

	*j = (struct mc_json){ .buf = buf, .len = len };
	jsmn_init(&p);
	n = jsmn_parse(&p, buf, len, NULL, 0);
	if (n == 0)
		return mc_error(0, "empty JSON document");
	if (n < 0)
		return mc_error(0, "malformed JSON at byte %u", p.pos);
	j->tok = calloc(n, sizeof(*j->tok));
	if (!j->tok)
		return mc_error(ENOMEM, "JSON");
	jsmn_init(&p);
	j->n = jsmn_parse(&p, buf, len, (jsmntok_t *)j->tok, n);
	if (j->n < 0) {
		/* Some checks are made only in the pass that keeps tokens. */
		bool part = j->n == JSMN_ERROR_PART;

		mc_json_free(j);
		return mc_error(0, "malformed JSON at byte %u%s", p.pos,
				part ? ": unexpected end" : "");
	}
	if (j->n == n && check_pairs(j) < 0) {
		mc_json_free(j);
		return -1;
	}
	if (j->n != n || mc_json_skip(j, 0) != n) {
		mc_json_free(j);
		return mc_error(0, "malformed JSON at byte %u: more than one value",
				p.pos);
	}
	return 0;
}

void mc_json_free(struct mc_json *j)
{
	free(j->tok);
	j->tok = NULL;
	j->n = 0;
}

int mc_json_load(struct mc_json *j, const char *path, char **data)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t got;

	*data = NULL;
	if (fd < 0 || fstat(fd, &st) < 0)
		return mc_error(errno, "%s", path);
	if (st.st_size > MC_JSON_MAX_FILE)
		return mc_error(EFBIG, "%s", path);
	*data = malloc(st.st_size + 1);
	if (!*data)
		return mc_error(ENOMEM, "%s", path);
	got = read(fd, *data, st.st_size);
	if (got < 0)
		return mc_error(errno, "read %s", path);
	(*data)[got] = '\0';
	if (mc_json_parse(j, *data, got) < 0)
		return mc_error_context("%s", path);
	return 0;
}

int mc_json_skip(const struct mc_json *j, int i)
{
	int todo = 1;

	/* Every token's children follow it; count them off. */
	while (todo > 0 && i < j->n) {
		const struct mc_json_tok *t = &j->tok[i++];

		todo--;
		if (t->type == MC_JSON_OBJECT)
			todo += 2 * t->size;
		else if (t->type == MC_JSON_ARRAY)
			todo += t->size;
	}
	return i;
}

bool mc_json_is(const struct mc_json *j, int i, enum mc_json_type type)
{
	return i >= 0 && i < j->n && j->tok[i].type == type;
}

bool mc_json_eq(const struct mc_json *j, int i, const char *s)
{
	size_t len = strlen(s);

	return mc_json_is(j, i, MC_JSON_STRING) &&
	       (size_t)(j->tok[i].end - j->tok[i].start) == len &&
	       !memcmp(j->buf + j->tok[i].start, s, len);
}

/* jsmn checks only a primitive's first letter: compare the whole word. */
static bool is_word(const struct mc_json *j, int i, const char *word)
{
	size_t len = strlen(word);

	return mc_json_is(j, i, MC_JSON_PRIMITIVE) &&
	       (size_t)(j->tok[i].end - j->tok[i].start) == len &&
	       !memcmp(j->buf + j->tok[i].start, word, len);
}

bool mc_json_is_null(const struct mc_json *j, int i)
{
	return is_word(j, i, "null");
}

int mc_json_first(const struct mc_json *j, int c)
{
	if (!(mc_json_is(j, c, MC_JSON_OBJECT) || mc_json_is(j, c, MC_JSON_ARRAY)) ||
	    j->tok[c].size == 0)
		return -1;
	return c + 1;
}

int mc_json_next(const struct mc_json *j, int c, int i)
{
	/* An object's key is followed by its value. */
	i = mc_json_skip(j, i);
	if (j->tok[c].type == MC_JSON_OBJECT)
		i = mc_json_skip(j, i);
	/* Still inside C when it starts before C ends: no walk over all of C
	 * at each step, which made iterating quadratic. */
	return i < j->n && j->tok[i].start < j->tok[c].end ? i : -1;
}

int mc_json_get(const struct mc_json *j, int obj, const char *key)
{
	if (!mc_json_is(j, obj, MC_JSON_OBJECT))
		return -1;
	for (int k = mc_json_first(j, obj); k >= 0; k = mc_json_next(j, obj, k))
		if (mc_json_eq(j, k, key))
			return k + 1;
	return -1;
}

static int hex4(const char *p, unsigned int *out)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		*o++ = cp;
	} else if (cp < 0x800) {
		*o++ = 0xc0 | (cp >> 6);
		*o++ = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		*o++ = 0xe0 | (cp >> 12);
		*o++ = 0x80 | ((cp >> 6) & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	} else {
		*o++ = 0xf0 | (cp >> 18);
		*o++ = 0x80 | ((cp >> 12) & 0x3f);
		*o++ = 0x80 | ((cp >> 6) & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	}
	return o;
}

/* \uXXXX, with a surrogate pair when one follows; NULL on a bad escape. */
static const char *unescape_u(const char *p, const char *end, char **o)
{
	unsigned int cp, lo;

	if (end - p < 4 || hex4(p, &cp) < 0)
		return NULL;
	p += 4;
	if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 && p[0] == '\\' &&
	    p[1] == 'u' && hex4(p + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		p += 6;
	}
	/* A string that smuggles a NUL would be cut short in C: refuse it. */
	if (cp == 0)
		return NULL;
	*o = put_utf8(*o, cp);
	return p;
}

char *mc_json_strdup(const struct mc_json *j, int i)
{
	const char *p, *end;
	char *out, *o;

	if (!mc_json_is(j, i, MC_JSON_STRING))
		return NULL;
	p = j->buf + j->tok[i].start;
	end = j->buf + j->tok[i].end;
	/* Unescaping never makes a string longer. */
	out = o = malloc(end - p + 1);
	if (!out)
		return NULL;
	while (p < end) {
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		p++;
		switch (*p++) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			p = unescape_u(p, end, &o);
			if (!p) {
				free(out);
				return NULL;
			}
			break;
		default: *o++ = p[-1]; break;	/* \" \\ \/ */
		}
	}
	*o = '\0';
	return out;
}

static int wrong_type(const char *what, const char *want)
{
	return mc_error(0, "%s: expected %s", what, want);
}

int mc_json_string(const struct mc_json *j, int i, const char *what, char **out)
{
	if (!mc_json_is(j, i, MC_JSON_STRING))
		return wrong_type(what, "a string");
	*out = mc_json_strdup(j, i);
	if (!*out)
		return mc_error(0, "%s: bad escape in string", what);
	return 0;
}

int mc_json_bool(const struct mc_json *j, int i, const char *what, bool *out)
{
	if (!is_word(j, i, "true") && !is_word(j, i, "false"))
		return wrong_type(what, "true or false");
	*out = is_word(j, i, "true");
	return 0;
}

/* An integer in JSON's syntax (no fraction, no exponent), within 64 bits. */
static int scan_integer(const struct mc_json *j, int i, bool *neg, uint64_t *mag)
{
	const char *p, *end;

	if (!mc_json_is(j, i, MC_JSON_PRIMITIVE))
		return -1;
	p = j->buf + j->tok[i].start;
	end = j->buf + j->tok[i].end;
	*neg = *p == '-';
	p += *neg;
	if (p == end)
		return -1;
	*mag = 0;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (*mag > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		*mag = *mag * 10 + (uint64_t)(*p - '0');
	}
	return 0;
}

int mc_json_int(const struct mc_json *j, int i, const char *what, int64_t *out)
{
	uint64_t mag;
	bool neg;

	if (scan_integer(j, i, &neg, &mag) < 0 ||
	    mag > (uint64_t)INT64_MAX + neg)
		return wrong_type(what, "an integer");
	*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return 0;
}

int mc_json_uint(const struct mc_json *j, int i, const char *what, uint64_t *out)
{
	uint64_t mag;
	bool neg;

	if (scan_integer(j, i, &neg, &mag) < 0 || (neg && mag))
		return wrong_type(what, "an integer of 0 or more");
	*out = mag;
	return 0;
}

void mc_buf_vprintf(struct mc_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	if (b->failed)
		return;
	va_copy(again, ap);
	n = vsnprintf(b->data ? b->data + b->len : NULL,
		      b->data ? b->cap - b->len : 0, fmt, ap);
	if (n >= 0 && b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *data = realloc(b->data, cap);

		if (!data) {
			b->failed = true;
			va_end(again);
			return;
		}
		b->data = data;
		b->cap = cap;
		n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, again);
	}
	va_end(again);
	if (n < 0)
		b->failed = true;
	else
		b->len += n;
}

void mc_buf_printf(struct mc_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mc_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void mc_buf_add(struct mc_buf *b, const void *data, size_t len)
{
	if (b->failed)
		return;
	/* One byte more, so the text stays NUL-terminated as printf keeps it. */
	if (b->len + len + 1 > b->cap) {
		size_t cap = (b->len + len + 1) * 2;
		char *p = realloc(b->data, cap);

		if (!p) {
			b->failed = true;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void mc_buf_json_str(struct mc_buf *b, const char *s)
{
	if (!s) {
		mc_buf_printf(b, "null");
		return;
	}
	mc_buf_printf(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			mc_buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			mc_buf_printf(b, "\\n");
		else if (*p == '\t')
			mc_buf_printf(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			mc_buf_printf(b, "\\u%04x", *p);
		else
			mc_buf_printf(b, "%c", *p);
	}
	mc_buf_printf(b, "\"");
}

void mc_buf_free(struct mc_buf *b)
{
	free(b->data);
	*b = (struct mc_buf){ 0 };
}

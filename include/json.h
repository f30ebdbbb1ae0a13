/* SPDX-License-Identifier: MIT */
#ifndef MC_JSON_H
#define MC_JSON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A thin layer over jsmn (libjsmn-dev): the document is tokenised once, and
 * callers walk it by token index.  Token 0 is the top-level value.  Strings
 * are not unescaped until asked (mc_json_strdup).
 */

enum mc_json_type {
	MC_JSON_UNDEFINED = 0,
	MC_JSON_OBJECT = 1,
	MC_JSON_ARRAY = 2,
	MC_JSON_STRING = 3,
	MC_JSON_PRIMITIVE = 4,	/* number, true, false, null */
};

struct mc_json_tok {
	enum mc_json_type type;
	int start, end;		/* byte range in the buffer */
	int size;		/* children: members of an object, items of an array */
};

struct mc_json {
	const char *buf;
	size_t len;
	struct mc_json_tok *tok;
	int n;
};

/*
 * Tokenise BUF (not necessarily NUL-terminated).  On malformed input the
 * error names the byte offset: "malformed JSON at byte 123".
 */
int mc_json_parse(struct mc_json *j, const char *buf, size_t len);
void mc_json_free(struct mc_json *j);

/* Read a whole file and tokenise it; *DATA is the buffer (caller frees). */
int mc_json_load(struct mc_json *j, const char *path, char **data);

/* The index just after token I and everything inside it. */
int mc_json_skip(const struct mc_json *j, int i);

/* The value of KEY in object OBJ, or -1 (also when OBJ is not an object). */
int mc_json_get(const struct mc_json *j, int obj, const char *key);

/* Iterate an array: for (i = mc_json_first(j, a); i >= 0; i = mc_json_next(j, a, i)).
 * For an object, the iteration is over keys (the value is at key + 1). */
int mc_json_first(const struct mc_json *j, int container);
int mc_json_next(const struct mc_json *j, int container, int i);

bool mc_json_is(const struct mc_json *j, int i, enum mc_json_type type);
bool mc_json_eq(const struct mc_json *j, int i, const char *s);
bool mc_json_is_null(const struct mc_json *j, int i);

/* Converters: 0 on success, -1 (with the error naming WHAT) on a wrong type. */
char *mc_json_strdup(const struct mc_json *j, int i);	/* unescaped; NULL if not a string */
int mc_json_string(const struct mc_json *j, int i, const char *what, char **out);
int mc_json_int(const struct mc_json *j, int i, const char *what, int64_t *out);
int mc_json_uint(const struct mc_json *j, int i, const char *what, uint64_t *out);
int mc_json_bool(const struct mc_json *j, int i, const char *what, bool *out);

/* A growing text buffer, for writing JSON (and anything else). */
struct mc_buf {
	char *data;
	size_t len, cap;
	bool failed;		/* out of memory: the text is incomplete */
};

void mc_buf_printf(struct mc_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mc_buf_vprintf(struct mc_buf *b, const char *fmt, va_list ap);
/* LEN raw bytes (NULs too), e.g. a container's output. */
void mc_buf_add(struct mc_buf *b, const void *data, size_t len);
/* S as a JSON string, quotes included, escaped (NULL writes null). */
void mc_buf_json_str(struct mc_buf *b, const char *s);
void mc_buf_free(struct mc_buf *b);

#endif

/* SPDX-License-Identifier: MIT */
#ifndef MC_ERROR_H
#define MC_ERROR_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes of the seed's contract, plus 125 for mcstatic's own failures. */
enum {
	MC_EXIT_FAILURE = 125,
	MC_EXIT_NOEXEC = 126,
	MC_EXIT_NOTFOUND = 127,
};

/*
 * The longest error line, NUL included (it travels in the child's report),
 * and the longest reason (": strerror(err)") within it.
 */
#define MC_ERROR_MAX 500
#define MC_ERROR_REASON_MAX 128

/*
 * Record why something failed: "fmt: strerror(err)", or just "fmt" when err
 * is 0.  Always returns -1 so callers can write `return mc_error(...)`.
 */
int mc_error(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Put context in front of the recorded error: "ctx: <recorded>".  What does
 * not fit is cut ("..."), never the reason at the end.
 */
int mc_error_context(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Replace the recorded error text wholesale (a message from the child). */
void mc_error_set_text(const char *text);
/* The same, with the errno that caused it. */
void mc_error_set(int err, const char *text);

/*
 * --log FILE: errors and warnings also go there, one line each: JSON
 * objects {"level","msg","time"} with JSON, else logrus-style text.
 */
int mc_error_set_log(const char *path, bool json);

const char *mc_error_text(void);
int mc_error_errno(void);

/*
 * Errors below the front-ends name the OCI field ("process.user.uid"); a
 * front-end may give pairs {model's words, its own} to print instead.
 */
void mc_error_set_words(const char *const (*table)[2], size_t n);

/*
 * Print "mcstatic: <recorded error>" on stderr, one line: control
 * characters are shown as \n or \xHH.
 */
void mc_error_print(void);

/* A line "mcstatic: ..." on stderr now, escaped the same way; nothing is
 * recorded (for warnings next to the error, e.g. a cleanup that failed). */
void mc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

extern bool mc_debug_enabled;

/* Step lines of --debug, e.g. mc_debug("[child] Mounted /proc"). */
void mc_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

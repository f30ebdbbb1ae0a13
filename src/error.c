// SPDX-License-Identifier: MIT
/* Error recording: one message, built up with context, printed once at the top. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

#define MC_ERROR_MAX 512

static char error_text[MC_ERROR_MAX];
static int error_errno;
bool mc_debug_enabled;

int mc_error(int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(error_text, sizeof(error_text), fmt, ap);
	va_end(ap);
	if (err && n >= 0 && (size_t)n < sizeof(error_text))
		snprintf(error_text + n, sizeof(error_text) - n, ": %s",
			 strerror(err));
	error_errno = err;
	return -1;
}

int mc_error_context(const char *fmt, ...)
{
	char prefix[MC_ERROR_MAX];
	size_t len, keep;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(prefix, sizeof(prefix) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	len = strlen(prefix);
	memcpy(prefix + len, ": ", 3);
	len += 2;
	/* Shift the recorded text right and put the context in front. */
	keep = strnlen(error_text, sizeof(error_text) - 1);
	if (keep > sizeof(error_text) - 1 - len)
		keep = sizeof(error_text) - 1 - len;
	memmove(error_text + len, error_text, keep);
	memcpy(error_text, prefix, len);
	error_text[len + keep] = '\0';
	return -1;
}

void mc_error_set_text(const char *text)
{
	snprintf(error_text, sizeof(error_text), "%s", text);
}

const char *mc_error_text(void)
{
	return error_text;
}

int mc_error_errno(void)
{
	return error_errno;
}

void mc_error_print(void)
{
	fprintf(stderr, "mcstatic: %s\n", error_text);
}

void mc_debug(const char *fmt, ...)
{
	va_list ap;

	if (!mc_debug_enabled)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

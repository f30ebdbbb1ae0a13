// SPDX-License-Identifier: MIT
/* Error recording: one message, built up with context, printed once at the top. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "json.h"
#include "proc.h"

/*
 * The recorded error is the message ("rootfs ./r: mount proc on /proc") and
 * the reason (": Operation not permitted").  Whatever is too long, a path
 * of 100 KB, is cut out of the message; the reason always survives.
 */
static char error_msg[MC_ERROR_MAX];
static char error_reason[MC_ERROR_REASON_MAX];
static char error_text[MC_ERROR_MAX];
static int error_errno;
static int log_fd = -1;		/* --log */
static const char *const (*words)[2];	/* the front-end's names */
static size_t n_words;
static bool log_json;		/* --log-format json */
bool mc_debug_enabled;

#define CUT_MARK "..."

/* Cut S (of LEN) to fit in SIZE bytes, marking the cut. */
static void cut_to_fit(char *s, size_t len, size_t size)
{
	if (len < size)
		return;
	memcpy(s + size - sizeof(CUT_MARK), CUT_MARK, sizeof(CUT_MARK));
}

static void vrecord(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (n < 0)
		buf[0] = '\0';
	else
		cut_to_fit(buf, (size_t)n, size);
}

int mc_error(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vrecord(error_msg, sizeof(error_msg), fmt, ap);
	va_end(ap);
	error_reason[0] = '\0';
	if (err)
		snprintf(error_reason, sizeof(error_reason), ": %s",
			 strerror(err));
	error_errno = err;
	return -1;
}

/* "ctx: <recorded>"; a long context is cut first, so that at least half
 * of the line is left for what was recorded before it. */
int mc_error_context(const char *fmt, ...)
{
	char prefix[MC_ERROR_MAX];
	char joined[2 * MC_ERROR_MAX + 2];
	size_t msg_len = strlen(error_msg), room, keep;
	va_list ap;
	int n;

	/* The line's room for messages: what the reason leaves. */
	room = sizeof(prefix) - strlen(error_reason);
	keep = msg_len < room / 2 ? msg_len : room / 2;
	room -= 2 + keep;
	va_start(ap, fmt);
	vrecord(prefix, room, fmt, ap);
	va_end(ap);
	n = snprintf(joined, sizeof(joined), "%s: %s", prefix, error_msg);
	if (n < 0)
		return -1;
	cut_to_fit(joined, (size_t)n, sizeof(error_msg));
	memcpy(error_msg, joined, sizeof(error_msg));
	return -1;
}

void mc_error_set_text(const char *text)
{
	snprintf(error_msg, sizeof(error_msg), "%s", text);
	error_reason[0] = '\0';
}

void mc_error_set(int err, const char *text)
{
	mc_error_set_text(text);
	error_errno = err;
}

int mc_error_set_log(const char *path, bool json)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return mc_error(errno, "log file %s", path);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	log_json = json;
	return 0;
}

/*
 * One line in the --log file.  JSON as runc writes it (logrus): engines
 * read {"level","msg","time"}; podman unmarshals the whole file, so one
 * failure must be exactly one object.
 */
static void log_line(const char *level, const char *msg)
{
	struct mc_buf b = { 0 };
	char now[40] = "";

	if (log_fd < 0)
		return;
	mc_time_rfc3339(now, sizeof(now), false);
	if (log_json) {
		mc_buf_printf(&b, "{\"level\":\"%s\",\"msg\":", level);
		mc_buf_json_str(&b, msg);
		mc_buf_printf(&b, ",\"time\":\"%s\"}\n", now);
	} else {
		mc_buf_printf(&b, "time=\"%s\" level=%s msg=", now, level);
		mc_buf_json_str(&b, msg);
		mc_buf_printf(&b, "\n");
	}
	if (!b.failed && write(log_fd, b.data, b.len) < 0)
		b.failed = true;
	mc_buf_free(&b);
}

/* The message, cut where the reason needs the room, then the reason. */
const char *mc_error_text(void)
{
	size_t reason_len = strlen(error_reason);
	size_t room = sizeof(error_text) - reason_len;
	size_t msg_len = strlen(error_msg);

	memcpy(error_text, error_msg, msg_len < room ? msg_len + 1 : room);
	error_text[room - 1] = '\0';
	cut_to_fit(error_text, msg_len, room);
	memcpy(error_text + strlen(error_text), error_reason, reason_len + 1);
	return error_text;
}

int mc_error_errno(void)
{
	return error_errno;
}

/*
 * A newline in an argument must not split the line, nor an escape sequence
 * reach the terminal: control characters are printed as \n or \xHH.
 */
static void print_escaped(FILE *f, const char *s)
{
	char line[4 * MC_ERROR_MAX + 16];
	size_t len = 0;

	for (; *s && len < sizeof(line) - 8; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			len += (size_t)snprintf(line + len, 8, "\\n");
		else if (c < 0x20 || c == 0x7f)
			len += (size_t)snprintf(line + len, 8, "\\x%02x", c);
		else
			line[len++] = (char)c;
	}
	line[len] = '\0';
	fprintf(f, "mcstatic: %s\n", line);
}

void mc_error_set_words(const char *const (*table)[2], size_t n)
{
	words = table;
	n_words = n;
}

/* The text with the front-end's names for the model's: "--memory" for
 * "linux.resources.memory.limit" on the seed command line. */
static const char *in_words(const char *text)
{
	static char out[2 * MC_ERROR_MAX];
	size_t len = 0;

	if (!n_words)
		return text;
	while (*text && len < sizeof(out) - 1) {
		size_t i;

		for (i = 0; i < n_words; i++) {
			size_t n = strlen(words[i][0]);

			if (!strncmp(text, words[i][0], n)) {
				len += (size_t)snprintf(out + len, sizeof(out) - len,
							"%s", words[i][1]);
				text += n;
				break;
			}
		}
		if (i == n_words)
			out[len++] = *text++;
		if (len >= sizeof(out))
			len = sizeof(out) - 1;
	}
	out[len] = '\0';
	return out;
}

void mc_error_print(void)
{
	const char *text = in_words(mc_error_text());

	print_escaped(stderr, text);
	log_line("error", text);
}

void mc_warn(const char *fmt, ...)
{
	char text[MC_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vrecord(text, sizeof(text), fmt, ap);
	va_end(ap);
	print_escaped(stderr, text);
	log_line("warning", text);
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

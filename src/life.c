// SPDX-License-Identifier: MIT
/* A detached container's record: names, restart policies, the "life" object. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "life.h"
#include "proc.h"
#include "sys.h"
#include "util.h"

int mc_restart_parse(const char *s, enum mc_restart *policy, unsigned int *max)
{
	static const char usage[] = "expected no, on-failure[:MAX], always "
				    "or unless-stopped";
	uint64_t n;
	const char *end;

	*max = 0;
	if (!strcmp(s, "no"))
		*policy = MC_RESTART_NO;
	else if (!strcmp(s, "always"))
		*policy = MC_RESTART_ALWAYS;
	else if (!strcmp(s, "unless-stopped"))
		*policy = MC_RESTART_UNLESS_STOPPED;
	else if (!strncmp(s, "on-failure", 10) && (!s[10] || s[10] == ':'))
		*policy = MC_RESTART_ON_FAILURE;
	else
		return mc_error(0, "restart policy '%s': %s", s, usage);
	if (*policy != MC_RESTART_ON_FAILURE || !s[10])
		return 0;
	end = mc_scan_u64(s + 11, &n);
	if (!end || *end || n == 0 || n > 1000000)
		return mc_error(0, "restart policy '%s': MAX is a count of "
				   "restarts, 1 or more", s);
	*max = (unsigned int)n;
	return 0;
}

static bool name_char_ok(unsigned char c, bool first)
{
	if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z'))
		return true;
	return !first && (c == '_' || c == '.' || c == '-');
}

int mc_name_check(const char *name)
{
	size_t len = strnlen(name, MC_NAME_MAX + 1);

	if (len == 0)
		return mc_error(0, "container name is empty");
	if (len > MC_NAME_MAX)
		return mc_error(0, "container name '%.32s...' is longer than "
				   "%d bytes", name, MC_NAME_MAX);
	for (size_t i = 0; i < len; i++)
		if (!name_char_ok(name[i], i == 0))
			return mc_error(0, "container name '%.64s': only "
					   "[A-Za-z0-9][A-Za-z0-9_.-]* is allowed",
					name);
	return 0;
}

int mc_name_random(char *buf, size_t size)
{
	unsigned char bytes[6];

	if (size < 2 * sizeof(bytes) + 1)
		return mc_error(ENOBUFS, "container ID");
	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		return mc_error(errno, "container ID: getrandom");
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(buf + 2 * i, 3, "%02x", bytes[i]);
	return 0;
}

bool mc_life_supervised(const struct mc_life *life)
{
	uint64_t start;
	char state;

	if (!life->detached || life->supervisor <= 0)
		return false;
	if (mc_proc_stat(life->supervisor, &state, &start) < 0)
		return false;
	return state != 'Z' && state != 'X' && start == life->supervisor_start;
}

/* ------------------------------------------------------------------ */
/* state.json's "life" object                                          */
/* ------------------------------------------------------------------ */

#define LIFE_STR(key, member) \
	{ key, offsetof(struct mc_life, member), sizeof(((struct mc_life *)0)->member) }
static const struct {
	const char *key;
	size_t offset, size;
} life_strings[] = {
	LIFE_STR("started", started),	LIFE_STR("finished", finished),
	LIFE_STR("restart", restart),	LIFE_STR("command", command),
	LIFE_STR("error", error),	LIFE_STR("bridge", bridge),
	LIFE_STR("address", address),
};

void mc_life_to_json(const struct mc_life *l, struct mc_buf *b)
{
	mc_buf_printf(b, ",\"life\":{\"detached\":true,\"supervisor\":%d,"
		      "\"supervisorStart\":%llu,\"exited\":%s,\"exitCode\":%d,"
		      "\"oomKilled\":%s,\"restartCount\":%u", (int)l->supervisor,
		      (unsigned long long)l->supervisor_start,
		      l->exited ? "true" : "false", l->exit_code,
		      l->oom_killed ? "true" : "false", l->restart_count);
	for (size_t f = 0; f < ARRAY_SIZE(life_strings); f++) {
		mc_buf_printf(b, ",\"%s\":", life_strings[f].key);
		mc_buf_json_str(b, (const char *)l + life_strings[f].offset);
	}
	mc_buf_printf(b, "}");
}

static int life_string(const struct mc_json *j, int obj, struct mc_life *l,
		       size_t f)
{
	int i = mc_json_get(j, obj, life_strings[f].key);
	_cleanup_free_ char *s = NULL;

	if (i < 0)
		return 0;
	if (mc_json_string(j, i, life_strings[f].key, &s) < 0)
		return -1;
	/* Truncated rather than refused: these are for people to read. */
	snprintf((char *)l + life_strings[f].offset, life_strings[f].size,
		 "%s", s);
	return 0;
}

static int life_uint(const struct mc_json *j, int obj, const char *key,
		     uint64_t max, uint64_t *out)
{
	int i = mc_json_get(j, obj, key);

	*out = 0;
	if (i < 0)
		return 0;
	if (mc_json_uint(j, i, key, out) < 0)
		return -1;
	if (*out > max)
		return mc_error(ERANGE, "life.%s", key);
	return 0;
}

static int life_bool(const struct mc_json *j, int obj, const char *key,
		     bool *out)
{
	int i = mc_json_get(j, obj, key);

	*out = false;
	return i < 0 ? 0 : mc_json_bool(j, i, key, out);
}

int mc_life_from_json(const struct mc_json *j, int obj, struct mc_life *l)
{
	uint64_t sup, code, count;

	memset(l, 0, sizeof(*l));
	if (!mc_json_is(j, obj, MC_JSON_OBJECT))
		return mc_error(0, "life: expected an object");
	if (life_bool(j, obj, "detached", &l->detached) < 0 ||
	    life_bool(j, obj, "exited", &l->exited) < 0 ||
	    life_bool(j, obj, "oomKilled", &l->oom_killed) < 0 ||
	    life_uint(j, obj, "supervisor", INT_MAX, &sup) < 0 ||
	    life_uint(j, obj, "supervisorStart", UINT64_MAX,
		      &l->supervisor_start) < 0 ||
	    life_uint(j, obj, "exitCode", 255, &code) < 0 ||
	    life_uint(j, obj, "restartCount", UINT_MAX, &count) < 0)
		return -1;
	l->supervisor = (pid_t)sup;
	l->exit_code = (int)code;
	l->restart_count = (unsigned int)count;
	for (size_t f = 0; f < ARRAY_SIZE(life_strings); f++)
		if (life_string(j, obj, l, f) < 0)
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The saved invocation: what restart and exec rebuild the spec from   */
/* ------------------------------------------------------------------ */

static void put_word(struct mc_buf *b, const char *w)
{
	mc_buf_printf(b, "%s%c", w, '\0');
}

int mc_life_save_args(const char *path, int argc, char **argv, char **envp)
{
	_cleanup_close_ int fd = -1;
	struct mc_buf b = { 0 };
	char cwd[PATH_MAX];
	int ret = 0;

	if (!getcwd(cwd, sizeof(cwd)))
		return mc_error(errno, "working directory");
	put_word(&b, cwd);
	mc_buf_printf(&b, "%d%c", argc, '\0');
	for (int i = 0; i < argc; i++)
		put_word(&b, argv[i]);
	for (char **e = envp; e && *e; e++)
		put_word(&b, *e);
	if (b.failed)
		ret = mc_error(ENOMEM, "%s", path);
	else if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			    0600)) < 0)
		ret = mc_error(errno, "%s", path);
	else if (write(fd, b.data, b.len) != (ssize_t)b.len)
		ret = mc_error(errno ? errno : EIO, "write %s", path);
	mc_buf_free(&b);
	return ret;
}

/* The words of DATA (LEN bytes, each ending in NUL) into a NULL-ended array. */
static char **split_words(char *data, size_t len, size_t *n)
{
	char **w;
	size_t count = 0, k = 0;

	for (size_t i = 0; i < len; i++)
		count += data[i] == '\0';
	w = calloc(count + 1, sizeof(*w));
	if (!w)
		return NULL;
	for (size_t i = 0; i < len; i += strlen(data + i) + 1)
		w[k++] = data + i;
	*n = k;
	return w;
}

int mc_life_load_args(const char *path, struct mc_life_args *a)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	uint64_t argc;
	size_t n;
	const char *end;

	memset(a, 0, sizeof(*a));
	if (fd < 0 || fstat(fd, &sb) < 0)
		return mc_error(errno, "%s", path);
	if (sb.st_size < 4 || sb.st_size > (1 << 24))
		return mc_error(EINVAL, "%s: not a saved command line", path);
	a->data = malloc(sb.st_size);
	if (!a->data)
		return mc_error(errno, "%s", path);
	if (read(fd, a->data, sb.st_size) != sb.st_size ||
	    a->data[sb.st_size - 1] != '\0' ||
	    !(a->words = split_words(a->data, sb.st_size, &n)) || n < 2 ||
	    !(end = mc_scan_u64(a->words[1], &argc)) || *end ||
	    argc < 1 || argc > n - 2) {
		mc_life_args_free(a);
		return mc_error(EINVAL, "%s: not a saved command line", path);
	}
	a->cwd = a->words[0];
	a->argc = (int)argc;
	a->argv = a->words + 2;
	a->envp = a->words + 2 + argc;
	/* argv[argc] must be NULL, as main's: the first env word moves. */
	a->env_copy = calloc(n - 2 - argc + 1, sizeof(char *));
	if (!a->env_copy) {
		mc_life_args_free(a);
		return mc_error(ENOMEM, "%s", path);
	}
	memcpy(a->env_copy, a->envp, (n - 2 - argc) * sizeof(char *));
	a->envp = a->env_copy;
	a->argv[argc] = NULL;
	return 0;
}

void mc_life_args_free(struct mc_life_args *a)
{
	free(a->env_copy);
	free(a->words);
	free(a->data);
	memset(a, 0, sizeof(*a));
}

/* ------------------------------------------------------------------ */
/* Processes that come and go                                          */
/* ------------------------------------------------------------------ */

static bool same_process(pid_t pid, uint64_t start)
{
	uint64_t now;
	char state;

	return mc_proc_stat(pid, &state, &now) == 0 && state != 'Z' &&
	       state != 'X' && (!start || now == start);
}

bool mc_life_wait_gone(pid_t pid, uint64_t start, int timeout_ms)
{
	struct pollfd p = { .events = POLLIN };
	int waited = 0;

	if (pid <= 0)
		return true;
	p.fd = sys_pidfd_open(pid);
	/* Opened, then checked: the fd is the process we mean, or it is gone. */
	if (!same_process(pid, start)) {
		if (p.fd >= 0)
			close(p.fd);
		return true;
	}
	if (p.fd >= 0) {
		int n = poll(&p, 1, timeout_ms);

		close(p.fd);
		return n > 0 || !same_process(pid, start);
	}
	/* No pidfd (before 5.3): look every 20 ms. */
	while (same_process(pid, start)) {
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return false;
		usleep(20000);
		waited += 20;
	}
	return true;
}

void mc_life_kill_supervisor(struct mc_life *life)
{
	if (!mc_life_supervised(life))
		return;
	kill(life->supervisor, SIGKILL);
	mc_life_wait_gone(life->supervisor, life->supervisor_start, 5000);
	life->supervisor = 0;
	life->supervisor_start = 0;
}

// SPDX-License-Identifier: MIT
/* Container state: <root>/<id>/ with state.json and exec.fifo; locks; pid identity. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "json.h"
#include "proc.h"
#include "state.h"
#include "util.h"

#define STATE_FILE "state.json"
#define FIFO_FILE "exec.fifo"

_Static_assert(MC_ID_MAX == 255 && MC_ID_MAX <= NAME_MAX,
	       "the messages say 255; the ID is a directory name");

static const char *const status_names[] = {
	[MC_STATUS_CREATING] = "creating",
	[MC_STATUS_CREATED] = "created",
	[MC_STATUS_RUNNING] = "running",
	[MC_STATUS_PAUSED] = "paused",
	[MC_STATUS_STOPPED] = "stopped",
};

const char *mc_status_name(enum mc_status s)
{
	if ((unsigned int)s >= ARRAY_SIZE(status_names))
		return "unknown";
	return status_names[s];
}

/* \w is [0-9A-Za-z_]; runc's "+-\." is the range from '+' to '.': + , - . */
static bool id_char_ok(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z') || c == '_' || (c >= '+' && c <= '.');
}

/* Why ID is refused, or NULL when it is fine. */
static const char *id_problem(const char *id)
{
	size_t len = strnlen(id, MC_ID_MAX + 1);

	if (len == 0)
		return "empty";
	if (len > MC_ID_MAX)
		return "longer than 255 bytes";
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return "not a name";
	for (const char *p = id; *p; p++)
		if (!id_char_ok(*p))
			return "only letters, digits and _ + , - . are allowed";
	return NULL;
}

int mc_state_check_id(const char *id)
{
	const char *why = id_problem(id);
	char shown[48];
	size_t i;

	if (!why)
		return 0;
	if (!*id)
		return mc_error(0, "container ID is empty");
	/* The ID goes into a one-line message: no control bytes, not 1 KiB. */
	for (i = 0; id[i] && i < 32; i++)
		shown[i] = id[i] >= 0x20 && id[i] < 0x7f ? id[i] : '?';
	strcpy(shown + i, id[i] ? "..." : "");
	return mc_error(0, "invalid container ID '%s': %s", shown, why);
}

static void state_reset(struct mc_state *st)
{
	memset(st, 0, sizeof(*st));
	st->lock_fd = -1;
}

/* <root>/<id> into ST, once the ID is known to be a plain name. */
static int state_dir(struct mc_state *st, const char *root, const char *id)
{
	int n;

	if (mc_state_check_id(id) < 0)
		return -1;
	strcpy(st->id, id);
	n = snprintf(st->dir, sizeof(st->dir), "%s/%s", root, id);
	if (n < 0 || (size_t)n >= sizeof(st->dir))
		return mc_error(ENAMETOOLONG, "container '%s'", id);
	return 0;
}

static int file_path(const struct mc_state *st, const char *name, char *buf,
		     size_t size)
{
	int n = snprintf(buf, size, "%s/%s", st->dir, name);

	if (n < 0 || (size_t)n >= size)
		return mc_error(ENAMETOOLONG, "%s/%s", st->dir, name);
	return 0;
}

static int not_found(const char *id, int err)
{
	if (err == ENOENT || err == ENOTDIR) {
		mc_error(0, "container '%s' does not exist", id);
		/* Callers tell "not there" from other failures by errno. */
		mc_error_set(ENOENT, mc_error_text());
		return -1;
	}
	return mc_error(err, "container '%s'", id);
}

/* 0 when FD is locked and DIR still names it; EAGAIN: start over; else errno. */
static int lock_same(int fd, const char *dir)
{
	struct stat locked, now;

	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return errno;
	if (fstat(fd, &locked) < 0)
		return errno;
	if (stat(dir, &now) < 0)
		return errno == ENOENT ? EAGAIN : errno;
	if (now.st_ino != locked.st_ino || now.st_dev != locked.st_dev)
		return EAGAIN;
	return 0;
}

/*
 * Open and flock DIR: the fd, or -1 with errno (ENOENT: there is none).
 * The lock may come from a remover that took the directory away, maybe
 * letting a creator make it anew: only the inode the path names now counts.
 */
static int lock_dir(const char *dir)
{
	int fd, err;

	for (;;) {
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		err = lock_same(fd, dir);
		if (err == 0)
			return fd;
		close(fd);
		if (err != EAGAIN) {
			errno = err;
			return -1;
		}
	}
}

/* mkdir -p, for the state root; the common case costs one mkdir. */
static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return mc_error(errno, "state root %s", path);
	if (len >= sizeof(buf))
		return mc_error(ENAMETOOLONG, "state root %s", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return mc_error(errno, "state root %s", buf);
		*p = '/';
	}
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return mc_error(errno, "state root %s", path);
	return 0;
}

/* Our new directory, locked: fill in ST, or remove the directory again. */
static int finish_create(struct mc_state *st)
{
	/* runc's 0711 whatever the umask: others may pass to exec.fifo. */
	if (fchmod(st->lock_fd, 0711) < 0) {
		mc_error(errno, "container '%s': chmod %s", st->id, st->dir);
	} else if (mc_time_rfc3339(st->created, sizeof(st->created), true) == 0) {
		strcpy(st->oci_version, MC_STATE_OCI_VERSION);
		st->status = MC_STATUS_CREATING;
		return 0;
	}
	mc_state_remove(st);
	mc_state_unlock(st);
	return -1;
}

int mc_state_create(const char *root, const char *id, struct mc_state *st)
{
	char path[PATH_MAX + 16];

	state_reset(st);
	if (state_dir(st, root, id) < 0 || mkdir_p(root, 0700) < 0 ||
	    file_path(st, STATE_FILE, path, sizeof(path)) < 0)
		return -1;
	if (mkdir(st->dir, 0711) < 0) {
		if (errno == EEXIST)
			return mc_error(0, "container '%s' already exists", id);
		return mc_error(errno, "container '%s': mkdir %s", id, st->dir);
	}
	/*
	 * Between mkdir and flock somebody may lock it first: a delete that
	 * removes it, and maybe a create that makes it anew and saves.  What
	 * we lock is ours only while it has no state.json.
	 */
	st->lock_fd = lock_dir(st->dir);
	if (st->lock_fd < 0 && errno == ENOENT)
		return mc_error(0, "container '%s' was removed while being created", id);
	if (st->lock_fd < 0)
		return mc_error(errno, "container '%s': %s", id, st->dir);
	if (access(path, F_OK) == 0) {
		mc_state_unlock(st);
		return mc_error(0, "container '%s' already exists", id);
	}
	return finish_create(st);
}

/* The keys of state.json that are plain strings in struct mc_state. */
#define STR_FIELD(key, member) \
	{ key, offsetof(struct mc_state, member), sizeof(((struct mc_state *)0)->member) }
static const struct str_field {
	const char *key;
	size_t offset, size;
} str_fields[] = {
	STR_FIELD("ociVersion", oci_version),
	STR_FIELD("bundle", bundle),
	STR_FIELD("rootfs", rootfs),
	STR_FIELD("created", created),
	STR_FIELD("cgroup", cgroup),
	STR_FIELD("owner", owner),
};

static int read_strings(const struct mc_json *j, struct mc_state *st)
{
	for (size_t f = 0; f < ARRAY_SIZE(str_fields); f++) {
		const struct str_field *sf = &str_fields[f];
		int i = mc_json_get(j, 0, sf->key);
		_cleanup_free_ char *s = NULL;

		if (i < 0)
			continue;
		if (mc_json_string(j, i, sf->key, &s) < 0)
			return -1;
		if (strlen(s) >= sf->size)
			return mc_error(ENAMETOOLONG, "%s", sf->key);
		strcpy((char *)st + sf->offset, s);
	}
	return 0;
}

static int read_status(const struct mc_json *j, int i, enum mc_status *out)
{
	if (i < 0)
		return 0;
	for (size_t s = 0; s < ARRAY_SIZE(status_names); s++) {
		if (mc_json_eq(j, i, status_names[s])) {
			*out = s;
			return 0;
		}
	}
	return mc_error(0, "status: expected one of creating, created, "
			"running, paused, stopped");
}

static int read_numbers(const struct mc_json *j, struct mc_state *st)
{
	int i_pid = mc_json_get(j, 0, "pid");
	int i_start = mc_json_get(j, 0, "startTime");
	int i_ns = mc_json_get(j, 0, "nsFlags");
	int i_made = mc_json_get(j, 0, "cgroupMade");
	uint64_t v;

	if (i_pid >= 0) {
		if (mc_json_uint(j, i_pid, "pid", &v) < 0)
			return -1;
		if (v > INT_MAX)
			return mc_error(ERANGE, "pid");
		st->pid = v;
	}
	if (i_start >= 0 && mc_json_uint(j, i_start, "startTime", &st->start_time) < 0)
		return -1;
	if (i_ns >= 0) {
		if (mc_json_uint(j, i_ns, "nsFlags", &v) < 0)
			return -1;
		st->ns_flags = v;
	}
	if (i_made >= 0 && mc_json_bool(j, i_made, "cgroupMade", &st->cgroup_made) < 0)
		return -1;
	return 0;
}

static int state_from_json(const struct mc_json *j, struct mc_state *st)
{
	int i;

	if (!mc_json_is(j, 0, MC_JSON_OBJECT))
		return mc_error(0, "expected an object");
	if (read_strings(j, st) < 0 || read_numbers(j, st) < 0 ||
	    read_status(j, mc_json_get(j, 0, "status"), &st->status) < 0)
		return -1;
	i = mc_json_get(j, 0, "life");
	if (i >= 0 && mc_life_from_json(j, i, &st->life) < 0)
		return -1;
	i = mc_json_get(j, 0, "annotations");
	if (i >= 0 && mc_state_set_annotations(st, j->buf + j->tok[i].start,
					       j->tok[i].end - j->tok[i].start) < 0)
		return -1;
	return 0;
}

static int read_state_file(struct mc_state *st)
{
	_cleanup_free_ char *data = NULL;
	char path[PATH_MAX + 16];
	struct mc_json j;
	int r;

	if (file_path(st, STATE_FILE, path, sizeof(path)) < 0)
		return -1;
	if (mc_json_load(&j, path, &data) < 0) {
		/* Made, not saved yet: "creating" (the zeroed status). */
		if (mc_error_errno() == ENOENT)
			return 0;
		return -1;
	}
	r = state_from_json(&j, st);
	mc_json_free(&j);
	if (r < 0)
		return mc_error_context("%s", path);
	return 0;
}

int mc_state_load(const char *root, const char *id, struct mc_state *st,
		  bool lock)
{
	struct stat sb;

	state_reset(st);
	if (state_dir(st, root, id) < 0)
		return -1;
	if (lock) {
		st->lock_fd = lock_dir(st->dir);
		if (st->lock_fd < 0)
			return not_found(id, errno);
	} else if (stat(st->dir, &sb) < 0) {
		return not_found(id, errno);
	} else if (!S_ISDIR(sb.st_mode)) {
		return not_found(id, ENOTDIR);
	}
	if (read_state_file(st) < 0) {
		mc_state_free(st);
		return -1;
	}
	return 0;
}

static void put_field(struct mc_buf *b, const char *key, const char *value)
{
	mc_buf_printf(b, ",\"%s\":", key);
	mc_buf_json_str(b, value);
}

/* state.json: one line, our own keys (not runc's layout). */
static void state_to_json(const struct mc_state *st, struct mc_buf *b)
{
	mc_buf_printf(b, "{\"id\":");
	mc_buf_json_str(b, st->id);
	mc_buf_printf(b, ",\"pid\":%d,\"startTime\":%" PRIu64
		      ",\"nsFlags\":%lu,\"cgroupMade\":%s", (int)st->pid,
		      st->start_time, st->ns_flags,
		      st->cgroup_made ? "true" : "false");
	put_field(b, "status", mc_status_name(st->status));
	for (size_t f = 0; f < ARRAY_SIZE(str_fields); f++)
		put_field(b, str_fields[f].key,
			  (const char *)st + str_fields[f].offset);
	if (st->annotations)
		mc_buf_printf(b, ",\"annotations\":%s", st->annotations);
	if (st->life.detached)
		mc_life_to_json(&st->life, b);
	mc_buf_printf(b, "}\n");
}

static int write_file(const char *path, const char *data, size_t len)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC |
				      O_CLOEXEC | O_NOFOLLOW, 0600);
	ssize_t n;

	if (fd < 0)
		return mc_error(errno, "%s", path);
	while (len > 0) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mc_error(errno, "write %s", path);
		data += n;
		len -= n;
	}
	/* Before the rename: a crash must leave the old file or the new one. */
	if (fsync(fd) < 0)
		return mc_error(errno, "fsync %s", path);
	return 0;
}

int mc_state_save(const struct mc_state *st)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 16];
	struct mc_buf b = { 0 };
	int r;

	if (file_path(st, STATE_FILE, path, sizeof(path)) < 0 ||
	    file_path(st, STATE_FILE ".tmp", tmp, sizeof(tmp)) < 0)
		return -1;
	state_to_json(st, &b);
	if (b.failed)
		r = mc_error(ENOMEM, "%s", path);
	else
		r = write_file(tmp, b.data, b.len);
	mc_buf_free(&b);
	if (r == 0 && rename(tmp, path) < 0)
		r = mc_error(errno, "rename %s", tmp);
	if (r < 0)
		unlink(tmp);
	return r;
}

/*
 * Empty directory FD and remove it: no symlink is followed (unlinkat), and
 * a mount point inside makes the rmdir fail rather than empty the mount.
 * Our state holds files and at most a level or two of directories.
 */
static int empty_dir(int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		close(fd);
		return -1;
	}
	while (ret == 0 && (e = readdir(d))) {
		int sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno != EISDIR || depth == 0) {
			ret = -1;
			break;
		}
		sub = openat(dirfd(d), e->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || empty_dir(sub, depth - 1) < 0 ||
		    unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0)
			ret = -1;
	}
	closedir(d);
	return ret;
}

int mc_state_remove(const struct mc_state *st)
{
	int fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0
				       : mc_error(errno, "container '%s': %s",
						  st->id, st->dir);
	if (empty_dir(fd, 3) < 0 || (rmdir(st->dir) < 0 && errno != ENOENT))
		return mc_error(errno, "container '%s': remove %s", st->id,
				st->dir);
	return 0;
}

void mc_state_unlock(struct mc_state *st)
{
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	st->lock_fd = -1;
}

void mc_state_free(struct mc_state *st)
{
	mc_state_unlock(st);
	free(st->annotations);
	st->annotations = NULL;
}

/* Every key and value a string that unescapes (no \u0000). */
static bool strings_object(const struct mc_json *j)
{
	if (!mc_json_is(j, 0, MC_JSON_OBJECT))
		return false;
	for (int k = mc_json_first(j, 0); k >= 0; k = mc_json_next(j, 0, k)) {
		_cleanup_free_ char *key = mc_json_strdup(j, k);
		_cleanup_free_ char *value = mc_json_strdup(j, k + 1);

		if (!key || !value)
			return false;
	}
	return true;
}

int mc_state_set_annotations(struct mc_state *st, const char *text,
			     size_t len)
{
	struct mc_json j;
	char *copy;
	bool ok;

	if (mc_json_parse(&j, text, len) < 0)
		return mc_error_context("annotations");
	ok = strings_object(&j);
	mc_json_free(&j);
	if (!ok)
		return mc_error(0, "annotations: expected an object of strings");
	copy = strndup(text, len);
	if (!copy)
		return mc_error(ENOMEM, "annotations");
	free(st->annotations);
	st->annotations = copy;
	return 0;
}

void mc_state_fifo_path(const struct mc_state *st, char *buf, size_t size)
{
	snprintf(buf, size, "%s/" FIFO_FILE, st->dir);
}

int mc_state_make_fifo(const struct mc_state *st)
{
	char path[PATH_MAX + 16];

	if (file_path(st, FIFO_FILE, path, sizeof(path)) < 0)
		return -1;
	if (mkfifo(path, 0622) < 0)
		return mc_error(errno, "mkfifo %s", path);
	/* runc's 0622 whatever the umask: the container's user writes to it. */
	if (chmod(path, 0622) < 0) {
		mc_error(errno, "chmod %s", path);
		unlink(path);
		return -1;
	}
	return 0;
}

enum mc_status mc_state_status(const struct mc_state *st)
{
	char fifo[PATH_MAX + 16];
	uint64_t start;
	char state;

	if (st->status == MC_STATUS_STOPPED)
		return MC_STATUS_STOPPED;
	if (st->pid <= 0)
		return MC_STATUS_CREATING;
	/* Gone, dead but not reaped yet, or the pid names another process. */
	if (mc_proc_stat(st->pid, &state, &start) < 0 || state == 'Z' ||
	    state == 'X' || start != st->start_time)
		return MC_STATUS_STOPPED;
	if (st->status == MC_STATUS_PAUSED)
		return MC_STATUS_PAUSED;
	/* As runc: created until `start` has opened (and removed) the fifo. */
	mc_state_fifo_path(st, fifo, sizeof(fifo));
	return access(fifo, F_OK) == 0 ? MC_STATUS_CREATED : MC_STATUS_RUNNING;
}

/* A directory entry that can be a container: a valid ID naming a directory. */
static bool is_container(DIR *d, const struct dirent *e)
{
	struct stat sb;

	if (id_problem(e->d_name))
		return false;
	if (e->d_type != DT_UNKNOWN)
		return e->d_type == DT_DIR;
	return fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(sb.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_add(char ***ids, size_t *n, size_t *cap, const char *id)
{
	if (*n == *cap) {
		size_t more = *cap ? *cap * 2 : 16;
		char **v = realloc(*ids, more * sizeof(*v));

		if (!v)
			return -1;
		*ids = v;
		*cap = more;
	}
	(*ids)[*n] = strdup(id);
	if (!(*ids)[*n])
		return -1;
	(*n)++;
	return 0;
}

int mc_state_list(const char *root, char ***ids, size_t *n)
{
	DIR *d = opendir(root);
	struct dirent *e;
	size_t cap = 0;
	int err = 0;

	*ids = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : mc_error(errno, "state root %s", root);
	for (errno = 0; (e = readdir(d)); errno = 0) {
		if (is_container(d, e) && list_add(ids, n, &cap, e->d_name) < 0)
			break;
	}
	err = errno;
	closedir(d);
	if (err) {
		mc_state_list_free(*ids, *n);
		*ids = NULL;
		*n = 0;
		return mc_error(err, "state root %s", root);
	}
	if (*n > 1)	/* *ids may be NULL: qsort must not see it */
		qsort(*ids, *n, sizeof(**ids), cmp_str);
	return 0;
}

void mc_state_list_free(char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

static void put_line(struct mc_buf *b, const char *key, const char *value)
{
	mc_buf_printf(b, "  \"%s\": ", key);
	mc_buf_json_str(b, value);
	mc_buf_printf(b, ",\n");
}

struct annotation {
	char *key;	/* unescaped, for sorting as Go sorts map keys */
	int tok;
};

static int cmp_annotation(const void *a, const void *b)
{
	return strcmp(((const struct annotation *)a)->key,
		      ((const struct annotation *)b)->key);
}

/* The raw text of string token I: it was valid JSON, so it still is. */
#define RAW(j, i) (j)->tok[i].end - (j)->tok[i].start, (j)->buf + (j)->tok[i].start

static void put_sorted(struct mc_buf *b, const struct mc_json *j,
		       struct annotation *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_annotation);
	mc_buf_printf(b, "  \"annotations\": {\n");
	for (int i = 0; i < n; i++)
		mc_buf_printf(b, "    \"%.*s\": \"%.*s\"%s\n", RAW(j, v[i].tok),
			      RAW(j, v[i].tok + 1), i + 1 < n ? "," : "");
	mc_buf_printf(b, "  },\n");
}

/* Sorted by key, as runc's map; left out when empty (Go's omitempty). */
static int put_annotations(struct mc_buf *b, const char *text)
{
	struct annotation *v;
	struct mc_json j;
	int n = 0, r = 0;

	if (!text)
		return 0;
	if (mc_json_parse(&j, text, strlen(text)) < 0)
		return mc_error_context("annotations");
	v = calloc(j.tok[0].size + 1, sizeof(*v));
	for (int k = mc_json_first(&j, 0); v && k >= 0; k = mc_json_next(&j, 0, k)) {
		v[n].tok = k;
		v[n].key = mc_json_strdup(&j, k);
		if (!v[n++].key)
			r = -1;
	}
	if (!v || r < 0)
		r = mc_error(ENOMEM, "annotations");
	else if (n > 0)
		put_sorted(b, &j, v, n);
	for (int i = 0; v && i < n; i++)
		free(v[i].key);
	free(v);
	mc_json_free(&j);
	return r;
}

int mc_state_json(const struct mc_state *st, enum mc_status status,
		  struct mc_buf *out)
{
	mc_buf_printf(out, "{\n");
	put_line(out, "ociVersion", st->oci_version);
	put_line(out, "id", st->id);
	/* runc prints 0 for a stopped container: the pid may be reused. */
	mc_buf_printf(out, "  \"pid\": %d,\n",
		      status == MC_STATUS_STOPPED ? 0 : (int)st->pid);
	put_line(out, "status", mc_status_name(status));
	put_line(out, "bundle", st->bundle);
	put_line(out, "rootfs", st->rootfs);
	put_line(out, "created", st->created);
	if (put_annotations(out, st->annotations) < 0)
		return -1;
	mc_buf_printf(out, "  \"owner\": ");
	mc_buf_json_str(out, st->owner);
	mc_buf_printf(out, "\n}");
	if (out->failed)
		return mc_error(ENOMEM, "container '%s': state", st->id);
	return 0;
}

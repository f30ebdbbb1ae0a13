// SPDX-License-Identifier: MIT
/* The verbs that only tell: --version, features, spec. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "json.h"
#include "oci.h"
#include "seccomp.h"
#include "util.h"

void mc_oci_print_version(const char *version)
{
	printf("mcstatic version %s\nspec: %s\n", version, MC_OCI_VERSION);
}

static void json_list(struct mc_buf *b, const char *key, const char *const *v,
		      size_t n, bool last)
{
	mc_buf_printf(b, "  \"%s\": [", key);
	for (size_t i = 0; i < n; i++)
		mc_buf_printf(b, "%s\n    \"%s\"", i ? "," : "", v[i]);
	mc_buf_printf(b, "\n  ]%s\n", last ? "" : ",");
}

/* Only what really works: the document engines read to decide. */
static const char *const hooks[] = {
	"prestart", "createRuntime", "createContainer",
	"startContainer", "poststart", "poststop",
};

static const char *const mount_options[] = {
	"bind", "dev", "exec", "noatime", "nodev", "noexec", "norelatime",
	"nosuid", "private", "rbind", "relatime", "ro", "rprivate",
	"rshared", "rslave", "runbindable", "rw", "shared", "slave",
	"strictatime", "suid", "tmpcopyup", "unbindable",
};

static const char *const namespaces[] = {
	"cgroup", "ipc", "mount", "network", "pid", "user", "uts",
};

/* An inner list: "      \"KEY\": [\"A\", \"B\"]" of a NULL-terminated V. */
static void inner_list(struct mc_buf *b, const char *key,
		       const char *const *v, bool last)
{
	mc_buf_printf(b, "      \"%s\": [", key);
	for (size_t i = 0; v[i]; i++)
		mc_buf_printf(b, "%s\n        \"%s\"", i ? "," : "", v[i]);
	mc_buf_printf(b, "\n      ]%s\n", last ? "" : ",");
}

/* What the seccomp compiler takes (seccomp.c's tables). */
static void seccomp_features(struct mc_buf *b)
{
	mc_buf_printf(b, "    \"seccomp\": {\n      \"enabled\": true,\n");
	inner_list(b, "actions", mc_seccomp_action_names, false);
	inner_list(b, "operators", mc_seccomp_op_names, false);
	inner_list(b, "archs", mc_seccomp_arch_names, false);
	inner_list(b, "knownFlags", mc_seccomp_flag_names, false);
	inner_list(b, "supportedFlags", mc_seccomp_flag_names, true);
	mc_buf_printf(b, "    },\n");
}

int mc_oci_features(void)
{
	struct mc_buf b = { 0 };

	mc_buf_printf(&b, "{\n  \"ociVersionMin\": \"1.0.0\",\n"
			  "  \"ociVersionMax\": \"%s\",\n", MC_OCI_VERSION);
	json_list(&b, "hooks", hooks, ARRAY_SIZE(hooks), false);
	json_list(&b, "mountOptions", mount_options, ARRAY_SIZE(mount_options),
		  false);
	mc_buf_printf(&b, "  \"linux\": {\n  ");
	json_list(&b, "namespaces", namespaces, ARRAY_SIZE(namespaces), false);
	mc_buf_printf(&b,
		      "    \"cgroup\": {\n"
		      "      \"v1\": true,\n      \"v2\": true,\n"
		      "      \"systemd\": false,\n      \"systemdUser\": false\n"
		      "    },\n");
	seccomp_features(&b);
	mc_buf_printf(&b,
		      "    \"apparmor\": {\n      \"enabled\": false\n    },\n"
		      "    \"selinux\": {\n      \"enabled\": false\n    }\n"
		      "  }\n}\n");
	if (b.failed)
		return mc_error(ENOMEM, "features");
	fwrite(b.data, 1, b.len, stdout);
	mc_buf_free(&b);
	return 0;
}

/* runc spec's default, with our own name as the hostname. */
static const char spec_head[] =
	"{\n"
	"\t\"ociVersion\": \"" MC_OCI_VERSION "\",\n"
	"\t\"process\": {\n"
	"\t\t\"terminal\": true,\n"
	"\t\t\"user\": {\n\t\t\t\"uid\": 0,\n\t\t\t\"gid\": 0\n\t\t},\n"
	"\t\t\"args\": [\n\t\t\t\"sh\"\n\t\t],\n"
	"\t\t\"env\": [\n"
	"\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
	"\t\t\t\"TERM=xterm\"\n\t\t],\n"
	"\t\t\"cwd\": \"/\",\n"
	"\t\t\"capabilities\": {\n"
	"\t\t\t\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"\t\t\t\"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"\t\t\t\"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"\t\t\t\"ambient\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
	"\t\t},\n"
	"\t\t\"rlimits\": [\n"
	"\t\t\t{\n\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n"
	"\t\t\t\t\"hard\": 1024,\n\t\t\t\t\"soft\": 1024\n\t\t\t}\n\t\t],\n"
	"\t\t\"noNewPrivileges\": true\n"
	"\t},\n"
	"\t\"root\": {\n\t\t\"path\": \"rootfs\",\n\t\t\"readonly\": true\n\t},\n"
	"\t\"hostname\": \"mcstatic\",\n"
	"\t\"mounts\": [\n"
	"\t\t{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
	"\t\t{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
	"\t\t \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
	"\t\t{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
	"\t\t \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\"%s]},\n"
	"\t\t{\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
	"\t\t \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},\n"
	"\t\t{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
	"\t\t \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
	"%s"
	"\t\t{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\",\n"
	"\t\t \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}\n"
	"\t],\n"
	"\t\"linux\": {\n";

static const char spec_sys[] =
	"\t\t{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
	"\t\t \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n";

/* A user namespace may not mount sysfs without its own network namespace. */
static const char spec_sys_rootless[] =
	"\t\t{\"destination\": \"/sys\", \"type\": \"none\", \"source\": \"/sys\",\n"
	"\t\t \"options\": [\"rbind\", \"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n";

static const char spec_tail[] =
	"\t\t\"maskedPaths\": [\n"
	"\t\t\t\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\",\n"
	"\t\t\t\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\",\n"
	"\t\t\t\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"\n"
	"\t\t],\n"
	"\t\t\"readonlyPaths\": [\n"
	"\t\t\t\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\",\n"
	"\t\t\t\"/proc/sysrq-trigger\"\n"
	"\t\t]\n"
	"\t}\n"
	"}\n";

static void spec_linux(struct mc_buf *b, bool rootless)
{
	if (rootless) {
		mc_buf_printf(b,
			      "\t\t\"uidMappings\": [{\"containerID\": 0, \"hostID\": %u, \"size\": 1}],\n"
			      "\t\t\"gidMappings\": [{\"containerID\": 0, \"hostID\": %u, \"size\": 1}],\n"
			      "\t\t\"namespaces\": [\n"
			      "\t\t\t{\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"},\n"
			      "\t\t\t{\"type\": \"mount\"}, {\"type\": \"user\"}\n"
			      "\t\t],\n",
			      getuid(), getgid());
		return;
	}
	mc_buf_printf(b,
		      "\t\t\"resources\": {\n"
		      "\t\t\t\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]\n"
		      "\t\t},\n"
		      "\t\t\"namespaces\": [\n"
		      "\t\t\t{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},\n"
		      "\t\t\t{\"type\": \"uts\"}, {\"type\": \"mount\"}\n"
		      "\t\t],\n");
}

int mc_oci_spec(const char *bundle, bool rootless)
{
	char path[4096];
	struct mc_buf b = { 0 };
	_cleanup_close_ int fd = -1;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/config.json", bundle ? bundle : ".");
	mc_buf_printf(&b, spec_head, rootless ? "" : ", \"gid=5\"",
		      rootless ? spec_sys_rootless : spec_sys);
	spec_linux(&b, rootless);
	mc_buf_printf(&b, "%s", spec_tail);
	if (b.failed) {
		mc_buf_free(&b);
		return mc_error(ENOMEM, "spec");
	}
	/* As runc: never overwrite a config that is there. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		ret = mc_error(errno, "%s", path);
	else if (write(fd, b.data, b.len) != (ssize_t)b.len)
		ret = mc_error(errno, "write %s", path);
	mc_buf_free(&b);
	return ret;
}

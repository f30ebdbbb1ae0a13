/*
 * rusage — CPU time and memory of a command.
 *
 * usage: rusage N CMD [ARGS...]
 * Runs CMD N times plainly, then N times under ptrace, and prints one line:
 *   <median user+sys ms> <largest ru_maxrss KiB> <largest RSS at exit KiB>
 *
 * - user+sys and ru_maxrss come from wait4(): they cover CMD and every
 *   descendant it reaped (the container's payload too).
 * - ru_maxrss is approximate since Linux 6.2: RSS is counted per CPU in
 *   batches of 32 pages, so a small process can read as 0. Hence the third
 *   figure: CMD alone, stopped at exit (PTRACE_O_TRACEEXIT, before its memory
 *   is released), its RSS counted exactly from /proc/PID/smaps_rollup.
 * The helper is static and tiny so the pre-exec memory the kernel also
 * folds into ru_maxrss stays negligible.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static double ms(struct timeval tv)
{
	return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static pid_t spawn(char **argv, int traced)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("rusage: fork");
		exit(1);
	}
	if (pid == 0) {
		/* The exec below then stops with SIGTRAP until the parent is ready. */
		if (traced && ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(126);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	return pid;
}

static int check_status(const char *cmd, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	fprintf(stderr, "rusage: %s failed (status 0x%x)\n", cmd, status);
	return -1;
}

/* Exact resident set of a live (or exit-stopped) process, in KiB. */
static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Rss: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static int plain_run(char **argv, double *cpu, long *maxrss)
{
	struct rusage ru;
	int status;
	pid_t pid = spawn(argv, 0);

	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -1;
	*cpu = ms(ru.ru_utime) + ms(ru.ru_stime);
	*maxrss = ru.ru_maxrss;
	return check_status(argv[0], status);
}

/* Run CMD traced; record its RSS when it stops at exit. Signals pass through. */
static int traced_run(char **argv, long *exit_rss)
{
	int status, first = 1;
	pid_t pid = spawn(argv, 1);

	*exit_rss = -1;
	for (;;) {
		if (waitpid(pid, &status, 0) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return check_status(argv[0], status);
		int sig = WSTOPSIG(status);
		if (first && sig == SIGTRAP) {
			first = 0;
			ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)(PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL));
			sig = 0;
		} else if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			*exit_rss = rss_kib(pid);
			sig = 0;
		} else if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
			sig = 0; /* crun re-executes itself from a memfd */
		}
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	}
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0;
	if (n < 1) {
		fputs("usage: rusage N CMD [ARGS...]\n", stderr);
		return 2;
	}
	char **cmd = argv + 2;
	double *cpu = calloc((size_t)n, sizeof *cpu);
	long maxrss = 0, exit_rss = 0;
	if (!cpu)
		return 1;
	for (int i = 0; i < n; i++) {
		long rss;
		if (plain_run(cmd, &cpu[i], &rss) < 0)
			return 1;
		if (rss > maxrss)
			maxrss = rss;
	}
	for (int i = 0; i < n; i++) {
		long rss;
		if (traced_run(cmd, &rss) < 0)
			return 1;
		if (rss > exit_rss)
			exit_rss = rss;
	}
	qsort(cpu, (size_t)n, sizeof *cpu, cmp_double);
	double median = n % 2 ? cpu[n / 2] : (cpu[n / 2 - 1] + cpu[n / 2]) / 2;
	printf("%.3f %ld %ld\n", median, maxrss, exit_rss);
	free(cpu);
	return 0;
}

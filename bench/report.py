#!/usr/bin/env python3
"""report.py DIR OUT.md — turn one bench/bench.sh run into bench/results.md.

DIR holds what bench.sh wrote: rows.tsv (key, kind, label, binary, how,
command), main-N.json (one per round), seq.json and conc.json (hyperfine
--export-json),
rusage.tsv (key, user+sys ms, ru_maxrss KiB, RSS at exit KiB, from
bench/build/rusage), meta.json (run parameters) and notes.txt.
Every ratio is computed between medians of the same hyperfine run.
"""
import datetime
import json
import os
import platform
import statistics
import struct
import subprocess
import sys


def load_json(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def by_command(hyperfine):
    return {r["command"]: r for r in hyperfine["results"]} if hyperfine else {}


def merge_rounds(d):
    """One result per command from main-1.json, main-2.json, ...: all times pooled."""
    times = {}
    n = 1
    while os.path.exists(os.path.join(d, f"main-{n}.json")):
        for r in load_json(os.path.join(d, f"main-{n}.json"))["results"]:
            times.setdefault(r["command"], []).extend(r["times"])
        n += 1
    return {cmd: dict(command=cmd, times=t, median=statistics.median(t), mean=statistics.mean(t),
                      stddev=statistics.stdev(t) if len(t) > 1 else 0.0, min=min(t), max=max(t))
            for cmd, t in times.items()}


def read_rows(path):
    rows = []
    with open(path) as f:
        for line in f:
            key, kind, label, binary, how, command = line.rstrip("\n").split("\t")
            rows.append(dict(key=key, kind=kind, label=label, binary=binary, how=how, command=command))
    return rows


def machine_line():
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    fs = subprocess.run(["stat", "-fc", "%T", "/sys/fs/cgroup"], capture_output=True, text=True).stdout.strip()
    if fs == "cgroup2fs":
        cgroups = "cgroup v2"
    elif os.path.isdir("/sys/fs/cgroup/unified"):
        cgroups = "cgroups hybrid (v1 + v2 at /sys/fs/cgroup/unified)"
    else:
        cgroups = "cgroup v1"
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}, {cgroups}, {now}"


def is_static(path):
    """True when the ELF file has no PT_INTERP program header (static or static-pie)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            return None
        phoff, = struct.unpack_from("<Q", head, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        p_type, = struct.unpack_from("<I", table, i * phentsize)
        if p_type == 3:  # PT_INTERP
            return False
    return True


def shared_libs(path):
    """Real paths of the shared libraries ldd resolves for path."""
    out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
    libs = set()
    for line in out.splitlines():
        words = line.split()
        for w in words:
            if w.startswith("/"):
                libs.add(os.path.realpath(w))
                break
    return libs


def kib(n):
    return f"{n / 1024:,.0f} KiB" if n < 10 * 1024 * 1024 else f"{n / 1048576:,.1f} MiB"


def ms(seconds):
    return f"{seconds * 1000:.2f}"


def ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


def quartiles(times):
    q = statistics.quantiles(times, n=4)
    return q[0], q[2]


def start_table(rows, main):
    floor = main.get("floor", {}).get("median")
    mc = main.get("mcstatic", {}).get("median")
    out = ["| runtime | median ms | IQR ms | mean ± σ ms | min … max ms | × floor | × mcstatic |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        r = main.get(row["key"])
        if r is None or row["kind"] == "feature":
            continue
        q1, q3 = quartiles(r["times"])
        out.append(
            f"| {row['label']} | {ms(r['median'])} | {ms(q1)} – {ms(q3)} | {ms(r['mean'])} ± {ms(r['stddev'])} "
            f"| {ms(r['min'])} … {ms(r['max'])} | {ratio(r['median'], floor)} | {ratio(r['median'], mc)} |")
    return out


def cost_table(rows, rusage):
    out = ["| runtime | user+sys ms | peak RSS of the tree (ru_maxrss) | RSS of the runtime process at exit |",
           "| --- | ---: | ---: | ---: |"]
    for row in rows:
        ru = rusage.get(row["key"])
        if ru is None or row["kind"] == "feature":
            continue
        cpu, maxrss, exitrss = ru
        out.append(f"| {row['label']} | {cpu:.2f} | {kib(maxrss * 1024)} | {kib(exitrss * 1024)} |")
    return out


def read_rusage(path):
    result = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                key, cpu, maxrss, exitrss = line.split()
                result[key] = (float(cpu), int(maxrss), int(exitrss))
    return result


def loop_table(rows, loop, count, unit_label):
    floor = loop.get("floor", {}).get("median")
    mc = loop.get("mcstatic", {}).get("median")
    out = [f"| runtime | {unit_label} s (median) | min … max s | per container ms | × floor | × mcstatic |",
           "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in rows:
        r = loop.get(row["key"])
        if r is None or row["kind"] != "runtime":
            continue
        out.append(
            f"| {row['label']} | {r['median']:.3f} | {r['min']:.3f} … {r['max']:.3f} "
            f"| {r['median'] * 1000 / count:.2f} | {ratio(r['median'], floor)} | {ratio(r['median'], mc)} |")
    return out


def feature_table(rows, main):
    base = main.get("mcstatic", {}).get("median")
    feats = [r for r in rows if r["kind"] == "feature" and r["key"] in main]
    if not feats or not base:
        return []
    out = ["", "## Start-up cost of mcstatic feature flags", "",
           "Each row adds one flag to `mcstatic --pid --rootfs ROOTFS /bin/true`, in the same run.", "",
           "| flags | median ms | added ms | × mcstatic | × floor |", "| --- | ---: | ---: | ---: | ---: |"]
    floor = main.get("floor", {}).get("median")
    for row in feats:
        m = main[row["key"]]["median"]
        out.append(f"| `{row['how']}` | {ms(m)} | {(m - base) * 1000:+.2f} | {ratio(m, base)} | {ratio(m, floor)} |")
    return out


def binary_table(rows, meta):
    out = ["| runtime | binary | size | static | size with shared libraries |", "| --- | --- | ---: | --- | ---: |"]
    seen = set()
    for row in rows:
        path = row["binary"]
        if row["kind"] != "runtime" or path in seen or not os.path.exists(path):
            continue
        seen.add(path)
        size = os.path.getsize(path)
        static = is_static(path)
        total = size if static else size + sum(os.path.getsize(lib) for lib in shared_libs(path))
        name = row["label"].split(" (")[0]
        shown = path.replace(meta["repo"] + "/", "./")
        out.append(f"| {name} | `{shown}` | {kib(size)} ({size:,} B) | {'yes' if static else 'no'} | {kib(total)} |")
    return out


def how_list(rows, meta):
    """The exact commands, with the run's temp dir as $WORK and the repo as '.'."""
    out = []
    for row in rows:
        if row["kind"] in ("runtime", "aux", "payload"):
            cmd = row["command"].replace(meta["work"], "$WORK").replace(meta["repo"] + "/", "./")
            out.append(f"- **{row['label']}** ({row['how']}): `{cmd}`")
    return out


def main():
    d, out_path = sys.argv[1], sys.argv[2]
    rows = read_rows(os.path.join(d, "rows.tsv"))
    meta = load_json(os.path.join(d, "meta.json"))
    main_run = merge_rounds(d)
    seq = by_command(load_json(os.path.join(d, "seq.json")))
    conc = by_command(load_json(os.path.join(d, "conc.json")))
    rusage = read_rusage(os.path.join(d, "rusage.tsv"))
    notes_path = os.path.join(d, "notes.txt")
    notes = open(notes_path).read().splitlines() if os.path.exists(notes_path) else []

    lines = [
        "# Benchmarks: mcstatic side by side with runc, crun, bubblewrap, unshare and the floor",
        "",
        f"Machine: {machine_line()}. Load average (1 min) {meta['load_start']} at the start, "
        f"{os.getloadavg()[0]:.2f} at the end: other work on the machine shows up as spread.",
        "",
        f"Written by `make bench` (bench/bench.sh). Rootfs: `{meta['rootfs'].replace(meta['repo'] + '/', './')}` (busybox), payload "
        f"`/bin/true`, every container in a new PID + mount namespace with a pivoted (or chrooted) root "
        f"and a private /proc. Numbers are machine-dependent; the ratios are the claim.",
        "",
        f"## Start one container: `/bin/true`",
        "",
        f"hyperfine {meta['hyperfine']}, no shell (`-N`), {meta['runs']} runs per command in {meta['rounds']} "
        f"rounds (each round: {meta['warmup']} warm-up runs, then every command in turn), so a burst of "
        "background load is shared out rather than landing on one command. × columns divide medians of "
        "this run.",
        "",
    ]
    lines += start_table(rows, main_run)
    lines += ["", "## CPU and memory of one container", "",
              f"bench/build/rusage, {meta['rusage_runs']} runs each. user+sys (median) and ru_maxrss (largest) "
              "come from wait4() on the runtime process, so they cover every process it reaped, the "
              "payload included (its own row). ru_maxrss is approximate on Linux ≥ 6.2 (RSS is counted per "
              "CPU in batches of 32 pages; small processes can read as 0). The last column is exact: "
              "the runtime process alone, stopped at exit by ptrace before its memory is freed, "
              "RSS summed from /proc/PID/smaps_rollup (largest of the runs).",
              ""]
    lines += cost_table(rows, rusage)
    lines += feature_table(rows, main_run)
    lines += ["", f"## {meta['seq_count']} containers in sequence", "",
              f"`sh -ec 'for i in $(seq {meta['seq_count']}); do CMD; done'`, hyperfine {meta['seq_runs']} runs "
              "(the crun README's test: crun 1.69 s vs runc 3.34 s there).", ""]
    lines += loop_table(rows, seq, meta["seq_count"], "total")
    lines += ["", f"## {meta['conc_count']} containers started concurrently", "",
              f"`sh -c` starting {meta['conc_count']} containers in the background and waiting for each "
              f"(failing if any fails), hyperfine {meta['conc_runs']} runs; {os.cpu_count()} cores.", ""]
    lines += loop_table(rows, conc, meta["conc_count"], "all done in")
    lines += ["", "## Binaries", ""]
    lines += binary_table(rows, meta)
    lines += ["", "## How each was run", ""]
    lines += [f"$WORK is the run's temporary directory (bundles, state roots, the pinned mount namespace), "
              "removed at exit. Container ids end in the loop index in the loop tests.", ""]
    lines += how_list(rows, meta)
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    lines.append("")
    with open(out_path, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()

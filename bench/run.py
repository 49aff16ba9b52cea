"""Time whole `ledger` commands at several sizes, beside the floors and hledger.

    python bench/run.py                          # 1k, 10k, 100k; writes bench/RESULTS.md
    python bench/run.py --sizes 1000 --runs 3 --out /tmp/r.md
    python bench/run.py --smoke --out /tmp/r.md  # tiny size, one run (CI)

Every number is a whole process, as a user runs it: the median wall time of
several runs and the largest peak RSS (`wait4`'s ru_maxrss: the largest of the process
and the children it waited for) among them; when the process and its children (ledger
forks a reader and a cache writer on big files) together held more, sampled every 20 ms
as PSS (shared pages split between them) in one extra run of each command that is not
timed (sampling slows the command down), that is shown beside it as "N all". In the
same run, on the same machine, it times the floors no ledger command can beat:
`python -c pass`, `import typer`, a do-nothing Typer app printing `[]`
(`bench/floor_app.py`, the framework floor), that app after `import rich.table`,
`json.load` of the same ledger written as JSON, and hledger's `register` and
`print -O json` on an equivalent journal when `hledger` is installed.

"cold" runs follow an emptied parse cache (the first run after the file changed);
"warm" runs repeat on an unchanged file. At each size the commands are timed round-robin
(one run of each per round), so a slow spell of the machine weighs on all of them alike.
Ledgers are written by `bench/gen.py`
into a scratch directory, never into the repository.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))

# The ledger commands timed at every size: (label, arguments after `ledger`).
COMMANDS = (
    ("check", ["check"]),
    ("check --json", ["check", "--json"]),
    ("timeline --json", ["timeline", "--json"]),
    ("timeline", ["timeline"]),
    ("deadlines", ["deadlines"]),
    ("chains", ["chains"]),
    ("summary", ["summary"]),
)
# The ones the 100k targets name.
TARGET_100K = ("timeline --json", "deadlines", "chains", "summary", "check")
# Reports on the bundled ledger: JSON form vs the framework floor, table form vs floor + rich.table.
BUNDLED = ("timeline", "deadlines", "chains", "summary", "show", "check")
BUNDLED_SHOW_ID = "tariff-truce"

MAX_SECONDS_PER_COMMAND = 60.0  # stop repeating a slow command once it has used this much
TIMEOUT = 300.0


@dataclass
class Timing:
    label: str
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds: less swayed by other load
    rss_kb: int = 0  # the largest process's peak (wait4 counts a waited-for child's too)
    together_kb: int = 0  # the process and its children at once, sampled (PSS: shared pages split)
    status: str = "ok"  # ok, exit N, timeout, missing

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times and self.status == "ok" else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu and self.status == "ok" else None

    @property
    def rss_mb(self) -> float:
        return self.rss_kb / 1024

    @property
    def peak_mb(self) -> float:
        """The memory target's measure: the larger of the two peaks."""
        return max(self.rss_kb, self.together_kb) / 1024


GENERATE = """
import sys
import gen
n, paths = int(sys.argv[1]), sys.argv[2:]
data = gen.generate(n)
for path, write in zip(paths, (gen.to_yaml, gen.to_json, gen.to_hledger)):
    with open(path, "w", encoding="utf-8") as f:
        f.write(write(data))
"""


def _pss_kb(pid: int) -> int:
    """PSS of a process and its children (ledger forks a reader and a cache writer), 0 if unknown."""
    total = 0
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids = [pid, *map(int, f.read().split())]
    except OSError:
        return 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def run_once(argv: list[str], env: dict, sample: bool = False) -> tuple[float, int, int, str, float, int]:
    """Wall seconds, peak RSS (KiB), exit code, the stderr tail and CPU seconds of one
    process; with `sample`, also the most memory it and its children held at once (KiB,
    sampled every 20 ms; else 0). Reading a few hundred MB's smaps_rollup costs about 2 ms
    a process: sampled every 20 ms, it took a tenth of the machine from the command being
    timed (measured: a first `chains` at 100,000 measures, 2.58 s unsampled, 2.94 s
    sampled). So timed runs are not sampled, and `measure` makes one extra run for memory."""
    import threading

    together = 0
    done = threading.Event()

    def watch(pid: int) -> None:
        nonlocal together
        while not done.wait(0.02):
            together = max(together, _pss_kb(pid))

    with tempfile.TemporaryFile() as errf:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errf, env=env)
        timer = threading.Timer(TIMEOUT, proc.kill)
        timer.start()
        sampler = threading.Thread(target=watch, args=(proc.pid,), daemon=True) if sample else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        timer.cancel()
        done.set()
        if sampler is not None:
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode == -9:
            return TIMEOUT, usage.ru_maxrss, -9, "timeout", 0.0, together
        errf.seek(0)
        tail = errf.read()[-400:].decode("utf-8", "replace")
    return elapsed, usage.ru_maxrss, proc.returncode, tail, usage.ru_utime + usage.ru_stime, together


def measure(label: str, argv: list[str], env: dict, runs: int, before=None, ok_codes=(0,)) -> Timing:
    """Median of `runs` runs (fewer when the command is slow); `before` runs ahead of each one."""
    t = Timing(label)
    spent = 0.0
    for _ in range(runs):
        if before is not None:
            before()
        elapsed, rss, code, tail, cpu, together = run_once(argv, env)
        if code == -9:
            t.status = "timeout"
            break
        if code not in ok_codes:
            t.status = "n/a" if "No such command" in tail else f"exit {code}"
            break
        t.times.append(elapsed)
        t.cpu.append(cpu)
        t.rss_kb = max(t.rss_kb, rss)
        spent += elapsed
        if spent > MAX_SECONDS_PER_COMMAND:
            break
    if t.status == "ok" and t.times:
        _sampled_run(t, argv, env, before)
    return t


def _sampled_run(t: Timing, argv: list[str], env: dict, before=None) -> None:
    """One more run, not timed, for what the process and its children held at once."""
    if before is not None:
        before()
    _, rss, _, _, _, together = run_once(argv, env, sample=True)
    t.rss_kb = max(t.rss_kb, rss)
    t.together_kb = max(t.together_kb, together)


def measure_interleaved(specs: dict[str, list[str]], env: dict, runs: int, before=None,
                        ok_codes: dict[str, tuple[int, ...]] | None = None) -> dict[str, Timing]:
    """Round-robin runs of several commands: one run of each per round, so that a slow
    spell of a shared machine weighs on all of them alike. `before` runs before each run."""
    out = {label: Timing(label) for label in specs}
    for _ in range(runs):
        for label, argv in specs.items():
            t = out[label]
            if t.status != "ok":
                continue
            if before is not None:
                before()
            elapsed, rss, code, tail, cpu, together = run_once(argv, env)
            if code not in (ok_codes or {}).get(label, (0,)):
                t.status = "timeout" if code == -9 else ("n/a" if "No such command" in tail else f"exit {code}")
                continue
            t.times.append(elapsed)
            t.cpu.append(cpu)
            t.rss_kb = max(t.rss_kb, rss)
    for label, argv in specs.items():
        if out[label].status == "ok" and out[label].times:
            _sampled_run(out[label], argv, env, before)
    return out


def ledger_argv() -> list[str]:
    """The installed `ledger` console script beside this Python, else `python -m ledger`."""
    script = os.path.join(os.path.dirname(sys.executable), "ledger")
    if os.path.exists(script):
        return [script]
    return [sys.executable, "-m", "ledger"]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    hledger = "not installed"
    if shutil.which("hledger"):
        out = subprocess.run(["hledger", "--version"], capture_output=True, text=True).stdout.strip()
        hledger = out.splitlines()[0] if out else "installed"
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()} ({platform.system()} "
            f"{platform.release()}); hledger: {hledger}; {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")


def fmt(t: Timing | None) -> str:
    if t is None:
        return "–"
    if t.median is None:
        return t.status
    return f"{t.median:.3f}"


def fmt_cpu(t: Timing | None) -> str:
    if t is None or t.cpu_median is None:
        return "–"
    return f"{t.cpu_median:.3f}"


def cpu_ratio(a: Timing, b: Timing | None) -> str:
    if b is None or a.cpu_median is None or not b.cpu_median:
        return "–"
    return f"{a.cpu_median / b.cpu_median:.2f}×"


def fmt_rss(t: Timing | None) -> str:
    """Peak MB of the largest process, and of all its processes at once when that is more."""
    if t is None or not t.times:
        return "–"
    if t.together_kb > t.rss_kb * 1.05:
        return f"{t.rss_mb:.0f} ({t.together_kb / 1024:.0f} all)"
    return f"{t.rss_mb:.0f}"


def verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("yes" if ok else "**no**")


def ratio(a: Timing | None, b: float | None) -> str:
    if a is None or a.median is None or not b:
        return "–"
    return f"{a.median / b:.2f}×"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated numbers of measures")
    ap.add_argument("--runs", type=int, default=5, help="runs per command (median); slow commands stop early")
    ap.add_argument("--smoke", action="store_true", help="one tiny size, one run: checks the benchmark works (CI)")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"), help="markdown file to write")
    ap.add_argument("--no-hledger", action="store_true", help="skip hledger even when installed")
    ap.add_argument("--no-import", action="store_true",
                    help="skip the GTA import and the ledger that includes the largest generated one")
    args = ap.parse_args(argv)
    sizes = [200] if args.smoke else [int(s) for s in args.sizes.split(",") if s.strip()]
    runs = 1 if args.smoke else max(1, args.runs)
    quick_runs = runs if args.smoke else runs * 2  # floors and the bundled ledger take ~0.2 s a run
    hledger = None if args.no_hledger else shutil.which("hledger")
    ledger = ledger_argv()
    py = sys.executable

    work = tempfile.mkdtemp(prefix="ledger-bench-")
    cache_dir = os.path.join(work, "cache")
    # Bytecode is cached, as it is for an installed wheel (pip compiles it) and for every
    # library the floors import: with PYTHONDONTWRITEBYTECODE a run would compile the
    # package's own source each time, a cost no user pays. The prefix keeps the .pyc files
    # in the scratch directory, out of the source tree; a warm-up round writes them.
    env = dict(os.environ, ESCALATION_LEDGER_CACHE_DIR=cache_dir, COLUMNS="120", TERM="dumb",
               PYTHONPYCACHEPREFIX=os.path.join(work, "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("ESCALATION_LEDGER_NO_CACHE", None)
    env.pop("ESCALATION_LEDGER_FILE", None)

    def clear_cache():
        shutil.rmtree(cache_dir, ignore_errors=True)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started = time.perf_counter()
    try:
        # --- floors ---------------------------------------------------------------------
        floor_app = os.path.join(HERE, "floor_app.py")
        floor_rich = ("import rich.table, runpy, sys; sys.argv = [sys.argv[1], '--json']; "
                      "runpy.run_path(sys.argv[0], run_name='__main__')")
        floor_specs = {
            "python -c pass": [py, "-c", "pass"],
            "import yaml": [py, "-c", "import yaml"],
            "import typer": [py, "-c", "import typer"],
            "framework floor": [py, floor_app, "--json"],
            "floor + rich.table": [py, "-c", floor_rich, floor_app],
        }
        # The bundled ledger's reports run in the same rounds as the floors they are compared
        # with, so a busy moment of the machine weighs on both sides alike.
        bundled_specs = {}
        for name in (("timeline", "check") if args.smoke else BUNDLED):
            extra = [BUNDLED_SHOW_ID] if name == "show" else []
            bundled_specs[f"{name} --json"] = ledger + [name, *extra, "--json"]
            bundled_specs[name] = ledger + [name, *extra]
        measure_interleaved({**floor_specs, **bundled_specs}, env, 1)  # warm-up: bytecode, parse cache
        timed = measure_interleaved({**floor_specs, **bundled_specs}, env, quick_runs)
        floors = {label: timed[label] for label in floor_specs}
        log("floors: " + ", ".join(f"{k} {fmt(v)}" for k, v in floors.items()))
        floor = floors["framework floor"].median
        floor_rich_t = floors["floor + rich.table"].median
        bundled: list[tuple[str, Timing, float | None]] = [
            (label, timed[label], floor if label.endswith("--json") else floor_rich_t) for label in bundled_specs]
        log("bundled: " + ", ".join(f"{lab} {fmt(t)}" for lab, t, _ in bundled))

        # --- generated ledgers ---------------------------------------------------------------
        per_size: dict[int, dict] = {}
        for n in sizes:
            yml = os.path.join(work, f"ledger-{n}.yaml")
            jsn = os.path.join(work, f"ledger-{n}.json")
            journal = os.path.join(work, f"ledger-{n}.journal")
            # Generated in a process of its own: a forked child's peak RSS starts from its
            # parent's, so a benchmark process holding a 100,000-measure ledger would add
            # its own few hundred MB to every peak it measures.
            subprocess.run([py, "-c", GENERATE, str(n), yml, jsn, journal], cwd=HERE, check=True)
            row: dict = {"bytes": os.path.getsize(yml), "cold": {}, "warm": {}}
            heavy = max(1, min(runs, 3)) if n >= 50_000 else runs
            row["json.load"] = measure("json.load", [py, "-c", "import json, sys; json.load(open(sys.argv[1], 'rb'))", jsn],
                                       env, runs)
            if hledger:
                row["hledger register"] = measure("hledger register", [hledger, "-f", journal, "register"], env, heavy)
                row["hledger print -O json"] = measure("hledger print -O json", [hledger, "-f", journal, "print", "-O", "json"],
                                                       env, heavy)
            specs = {label: ledger + cmd + ["-f", yml] for label, cmd in COMMANDS}
            ok = {label: (0, 1) if cmd[0] == "check" else (0,) for label, cmd in COMMANDS}  # check exits 1 only for errors
            row["cold"] = measure_interleaved(specs, env, runs, before=clear_cache, ok_codes=ok)
            clear_cache()
            measure_interleaved(specs, env, 1, ok_codes=ok)  # untimed: the cache entry, located warnings, kept chains
            row["warm"] = measure_interleaved(specs, env, runs, ok_codes=ok)
            for label, _ in COMMANDS:
                log(f"{n}: {label}: cold {fmt(row['cold'][label])} warm {fmt(row['warm'][label])}")
            row["differ"] = same_as_exact(ledger, py, yml, os.path.join(work, f"answers-{n}"), env)
            log(f"{n}: answers of the exact reader: " + ("the same" if not row["differ"] else f"DIFFER: {row['differ']}"))
            per_size[n] = row
        imports = None
        if not args.no_import:
            n = max(sizes)
            imports = measure_imports(ledger, py, n, os.path.join(work, f"ledger-{n}.yaml"), work, env, runs,
                                      clear_cache, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    text = render(machine(), floors, bundled, per_size, sizes, runs, time.perf_counter() - started, smoke=args.smoke,
                  imports=imports)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    log(f"wrote {args.out}")
    return 0


MINE = """\
# A user's own ledger over a generated one: a few measures and a link of their own.
version: 1
title: Mine, over the generated ledger
include: [{generated}]
measures:
  - id: mine-first
    date: 2025-11-20
    actor: US
    target: CN
    kind: tariff
    title: A measure of my own
    sources: [src-000001]
links:
  - from: mine-first
    to: {answered}
    basis: inferred
    note: my reading, for the benchmark
"""


def measure_imports(ledger: list[str], py: str, n: int, generated: str, work: str, env: dict, runs: int,
                    clear_cache, log) -> dict:
    """Issue 14's numbers: `ledger import gta` of a dump of `n` interventions (first time:
    no output file; again: the same dump over its own output, which must write nothing), and
    the reports on a ledger of the user's own that includes the generated `n`-measure ledger."""
    import re

    out: dict = {"n": n}
    dump = os.path.join(work, "gta-dump")
    subprocess.run([py, os.path.join(HERE, "gen_gta.py"), str(n), "-o", dump], check=True, capture_output=True)
    imported = os.path.join(work, "gta", "gta.yaml")
    heavy = max(1, min(runs, 3))

    os.makedirs(os.path.dirname(imported))

    def fresh():
        if os.path.exists(imported):
            os.remove(imported)

    cmd = ledger + ["import", "gta", dump, "-o", imported]
    out["import"] = measure("import", cmd, env, heavy, before=fresh)
    fresh()
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=TIMEOUT)
    before = os.stat(imported)
    out["reimport"] = measure("re-import", cmd, env, heavy)
    after = os.stat(imported)
    out["reimport_wrote"] = (before.st_mtime_ns, before.st_ino) != (after.st_mtime_ns, after.st_ino)
    log(f"import gta {n}: {fmt(out['import'])} s, again {fmt(out['reimport'])} s"
        + (" (WROTE the file)" if out["reimport_wrote"] else " (wrote nothing)"))

    with open(generated, encoding="utf-8") as f:
        answered = re.search(r"\n  - id: ([^\n]+)\n", f.read()).group(1)
    mine = os.path.join(os.path.dirname(generated), "mine.yaml")
    with open(mine, "w", encoding="utf-8") as f:
        f.write(MINE.format(generated=os.path.basename(generated), answered=answered))
    specs = {label: ledger + cmd + ["-f", mine] for label, cmd in COMMANDS}
    ok = {label: (0, 1) if cmd[0] == "check" else (0,) for label, cmd in COMMANDS}
    out["cold"] = measure_interleaved(specs, env, runs, before=clear_cache, ok_codes=ok)
    clear_cache()
    measure_interleaved(specs, env, 1, ok_codes=ok)  # untimed: the entries, located warnings, kept results
    out["warm"] = measure_interleaved(specs, env, runs, ok_codes=ok)
    for label, _ in COMMANDS:
        log(f"including {n}: {label}: cold {fmt(out['cold'][label])} warm {fmt(out['warm'][label])}")
    return out


def same_as_exact(ledger: list[str], py: str, yml: str, work: str, env: dict) -> list[str]:
    """The COMMANDS whose stdout, stderr or exit code differ between a normal run (fast
    path, parse cache, kept chains: what was timed) and a run on the exact reader alone
    (`bench/exact.py`)."""
    os.makedirs(work)
    exact_dir = os.path.join(work, "exact")
    os.makedirs(exact_dir)
    subprocess.run([py, os.path.join(HERE, "exact.py"), yml, exact_dir, *(" ".join(cmd) for _, cmd in COMMANDS)],
                   env=env, check=True, timeout=TIMEOUT * 4)
    differ = []
    for i, (label, cmd) in enumerate(COMMANDS):
        normal = subprocess.run(ledger + cmd + ["-f", yml], env=env, capture_output=True, timeout=TIMEOUT)
        with open(os.path.join(exact_dir, f"{i}.out"), "rb") as out, open(os.path.join(exact_dir, f"{i}.err"), "rb") as err, \
                open(os.path.join(exact_dir, f"{i}.code")) as code:
            exact = (out.read(), err.read(), int(code.read()))
        if (normal.stdout, normal.stderr, normal.returncode) != exact:
            differ.append(label)
    return differ


def render(machine_line, floors, bundled, per_size, sizes, runs, elapsed, smoke=False, imports=None) -> str:
    floor = floors["framework floor"].median
    out = ["# Benchmark results", "",
           "Written by `python bench/run.py`" + (" --smoke" if smoke else "") + f" in {elapsed / 60:.1f} min. "
           "Whole processes; median wall seconds of up to "
           f"{runs} runs (slow commands stop repeating after {MAX_SECONDS_PER_COMMAND:.0f} s), peak RSS in MB "
           "(\"N all\": what the command and the processes it forked held at once, when that is more).", "",
           f"Machine: {machine_line}.", "", "## Floors", "", "| floor | median s | cpu s | peak MB |", "|---|---:|---:|---:|"]
    for label, t in floors.items():
        out.append(f"| {label} | {fmt(t)} | {fmt_cpu(t)} | {fmt_rss(t)} |")

    out += ["", "## Bundled ledger (target: `--json` within 1.3× the framework floor; tables within 1.3× floor + rich.table)", "",
            "| command | median s | cpu s | peak MB | vs its floor (wall) | vs its floor (cpu) | target met (wall) |",
            "|---|---:|---:|---:|---:|---:|---|"]
    rich_floor = floors["floor + rich.table"]
    for label, t, base in bundled:
        ok = None if t.median is None or not base else t.median <= 1.3 * base
        base_t = floors["framework floor"] if label.endswith("--json") else rich_floor
        out.append(f"| `ledger {label}` | {fmt(t)} | {fmt_cpu(t)} | {fmt_rss(t)} | {ratio(t, base)} | {cpu_ratio(t, base_t)} | {verdict(ok)} |")

    for n in sizes:
        row = per_size[n]
        jl = row["json.load"].median
        reg = row.get("hledger register")
        out += ["", f"## {n:,} measures ({row['bytes'] / 1e6:.1f} MB of YAML)", "",
                "| command | cold s | cold peak MB | warm s | warm peak MB |", "|---|---:|---:|---:|---:|"]
        for label, _ in COMMANDS:
            c, w = row["cold"][label], row["warm"][label]
            out.append(f"| `ledger {label}` | {fmt(c)} | {fmt_rss(c)} | {fmt(w)} | {fmt_rss(w)} |")
        out.append(f"| json.load of the same data | {fmt(row['json.load'])} | {fmt_rss(row['json.load'])} | | |")
        for peer in ("hledger register", "hledger print -O json"):
            if peer in row:
                out.append(f"| {peer} (equivalent journal) | {fmt(row[peer])} | {fmt_rss(row[peer])} | | |")
        if n == 1000 or smoke:
            t = row["warm"]["timeline"]
            out += ["", f"Target, `timeline` as a table under 1 s: {fmt(t)} s → {verdict(None if t.median is None else t.median < 1)}."]
        if n >= 100_000 or smoke:
            out += ["", "| 100k target | cold < 3 s | cold peak < 500 MB | warm < 1 s | ≥ 4× faster than hledger register (warm) "
                    "| warm ≤ 2× (json.load + framework floor) |", "|---|---|---|---|---|---|"]
            for label in TARGET_100K:
                c, w = row["cold"][label], row["warm"][label]
                cold_ok = None if c.median is None else c.median < 3
                mem_ok = None if not c.times else c.peak_mb < 500
                warm_ok = None if w.median is None else w.median < 1
                peer_ok = None if w.median is None or reg is None or reg.median is None else w.median * 4 <= reg.median
                peer_txt = verdict(peer_ok) + (f" ({reg.median / w.median:.1f}×)" if peer_ok is not None else "")
                jf = None if w.median is None or not jl or not floor else w.median <= 2 * (jl + floor)
                jf_txt = verdict(jf) + (f" ({w.median / (jl + floor):.2f}×)" if jf is not None else "")
                out.append(f"| `{label}` | {verdict(cold_ok)} | {verdict(mem_ok)} | {verdict(warm_ok)} | {peer_txt} | {jf_txt} |")

    if imports is not None:
        n = imports["n"]
        imp, again = imports["import"], imports["reimport"]
        out += ["", f"## Real data in: `ledger import gta` of {n:,} interventions, and a ledger that includes {n:,} measures", "",
                "The dump is `bench/gen_gta.py`'s (GTA's documented v2 shape, pages of 1,000). \"Again\" imports the "
                "same dump over its own output, which must stay untouched.", "",
                "| command | median s | cpu s | peak MB | target | met |", "|---|---:|---:|---:|---|---|",
                f"| `ledger import gta DUMP -o gta.yaml` | {fmt(imp)} | {fmt_cpu(imp)} | {fmt_rss(imp)} | ≤ 15 s, ≤ 1 GB | "
                + verdict(None if imp.median is None else imp.median <= 15 and imp.peak_mb <= 1024) + " |",
                f"| the same again | {fmt(again)} | {fmt_cpu(again)} | {fmt_rss(again)} | ≤ 5 s, writes nothing | "
                + verdict(None if again.median is None else again.median <= 5 and not imports["reimport_wrote"]) + " |",
                "", f"A ledger of one's own (`mine.yaml`: a measure and a link) with `include:` of the {n:,}-measure "
                "generated ledger:", "",
                "| command | cold s | cold peak MB | warm s | warm peak MB | cold < 3 s | peak < 500 MB | warm < 1 s |",
                "|---|---:|---:|---:|---:|---|---|---|"]
        for label, _ in COMMANDS:
            c, w = imports["cold"][label], imports["warm"][label]
            targeted = label in TARGET_100K
            out.append(f"| `ledger {label}` | {fmt(c)} | {fmt_rss(c)} | {fmt(w)} | {fmt_rss(w)} | "
                       + (" | ".join([verdict(None if c.median is None else c.median < 3),
                                      verdict(None if not c.times else c.peak_mb < 500),
                                      verdict(None if w.median is None else w.median < 1)]) if targeted else "– | – | –")
                       + " |")

    out += ["", "## Same answers as the exact reader", "",
            "Each command's stdout, stderr and exit code, as timed (fast path, parse cache, kept chains), "
            "against a run on `load.py`'s exact reader alone (`bench/exact.py`: every value located, no cache).", "",
            "| measures | commands | identical |", "|---:|---|---|"]
    for n in sizes:
        differ = per_size[n]["differ"]
        out.append(f"| {n:,} | {', '.join(f'`{label}`' for label, _ in COMMANDS)} | "
                   + ("yes" if not differ else "**no**: " + ", ".join(differ)) + " |")

    if len(sizes) > 1:
        out += ["", "## Growth (target: 10× the measures costs at most about 10× the time)", "",
                "| command | " + " | ".join(f"{a:,} → {b:,} cold" for a, b in zip(sizes, sizes[1:])) + " | "
                + " | ".join(f"{a:,} → {b:,} warm" for a, b in zip(sizes, sizes[1:])) + " |",
                "|---|" + "---:|" * (2 * (len(sizes) - 1))]
        for label, _ in COMMANDS:
            cells = []
            for phase in ("cold", "warm"):
                for a, b in zip(sizes, sizes[1:]):
                    ta, tb = per_size[a][phase][label].median, per_size[b][phase][label].median
                    grow = (b / a)
                    cells.append("–" if not ta or not tb else f"{tb / ta:.1f}× (of {grow:.0f}×)")
            out.append(f"| `ledger {label}` | " + " | ".join(cells) + " |")
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())

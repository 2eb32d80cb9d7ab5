"""Run the benchmarks in benches/bench_*.py and write BENCHMARKS.md.

    pip install '.[bench]'     # the peers: lifelines, PySAL inequality, pyarrow, Dask
    python benches/run.py [--quick] [--only NAME ...] [--sizes 1e5,1e6]

Each module declares ``cases(quick) -> list[Case]`` (see harness.py). For every case and
size, one fresh process checks that hrh and the peer agree; then hrh and the peer are
timed in alternation, ``ROUNDS`` fresh processes each. A timing process builds the
inputs, resets the kernel's peak-RSS mark, makes one warm-up call and then timed calls
(at least ``min_repeats``, until ``min_seconds`` have been timed), and reports the best
time and the peak RSS above the baseline (RSS after imports and setup). Over the rounds,
the best time and the largest peak are kept. A peer that runs in another program (R)
times itself inside that program and reports its own times and peak. ``--sizes`` runs
only the listed sizes of the selected cases. Raw results are merged into
benches/results.json (sizes and cases not re-run keep their previous results) and
BENCHMARKS.md is regenerated from it.

The parent process imports none of the benchmarked libraries, so it stays small and
does not leak into the children's peak-RSS figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCHES = Path(__file__).resolve().parent
ROOT = BENCHES.parent
RESULTS = BENCHES / "results.json"
REPORT = ROOT / "BENCHMARKS.md"
MAX_REPEATS = 100
ROUNDS = 2  # processes per side and size


# --------------------------------------------------------------------------- discovery


def module_names() -> list[str]:
    """Bench module names, without the ``bench_`` prefix, in file-name order."""
    return [p.stem.removeprefix("bench_") for p in sorted(BENCHES.glob("bench_*.py"))]


def load_cases(module: str, quick: bool) -> list[Any]:
    """The cases of one module (imports it, and so the benchmarked libraries: call this
    in a child process only)."""
    if str(BENCHES) not in sys.path:
        sys.path.insert(0, str(BENCHES))
    return list(importlib.import_module(f"bench_{module}").cases(quick))


def selected(module: str, case: str, only: list[str] | None) -> bool:
    """``--only`` takes a module name (``density``), a case id (``density/count``) or a
    case name (``count``)."""
    return not only or any(o in (module, case, f"{module}/{case}") for o in only)


# --------------------------------------------------------------------------- child side


def current_rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process to its current RSS (Linux >= 4.0),
    so that a transient peak during setup does not hide the peak of the measured calls."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_kib() -> int:
    """Peak RSS of this process since the last reset, in KiB.

    ``ru_maxrss`` is the larger of this and the peak recorded for threads that exited
    and for the image before ``exec``, which cannot be reset; VmHWM is the same kernel
    counter without those, so it is preferred when /proc is available."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def find_case(module: str, name: str, quick: bool) -> Any:
    for case in load_cases(module, quick):
        if case.name == name:
            return case
    raise SystemExit(f"no case {name!r} in bench_{module}.py")


def peer_own_timing(case: Any, inputs: Any) -> dict[str, Any]:
    """The times and peak that a peer timing itself (``case.peer_timed_itself``)
    reports."""
    own = case.peer(inputs)
    times = list(own.times_s)
    return {
        "best_s": min(times),
        "median_s": sorted(times)[len(times) // 2],
        "calls": len(times),
        "times_s": times,
        "baseline_mib": 0.0,
        "peak_mib": float(own.peak_mib),
        "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "peak_reset": True,
        "loadavg": os.getloadavg()[0],
    }


def child_time(case: Any, size: int, side: str) -> dict[str, Any]:
    fn = case.hrh if side == "hrh" else case.peer
    inputs = case.setup(size)
    if side == "peer" and case.peer_timed_itself:
        return peer_own_timing(case, inputs)
    gc.collect()
    reset = reset_peak_rss()
    baseline = peak_rss_kib() if reset else current_rss_kib()
    loadavg = os.getloadavg()[0]
    times: list[float] = []
    for i in itertools.count():  # call 0 is the warm-up
        gc.collect()
        gc.disable()
        t0 = time.perf_counter()
        out = fn(inputs)
        elapsed = time.perf_counter() - t0
        gc.enable()
        del out
        if i:
            times.append(elapsed)
        if len(times) >= MAX_REPEATS or (
            len(times) >= case.min_repeats and sum(times) >= case.min_seconds
        ):
            break
    peak = peak_rss_kib()
    return {
        "best_s": min(times),
        "median_s": sorted(times)[len(times) // 2],
        "calls": len(times),
        "times_s": times,
        "baseline_mib": baseline / 1024,
        "peak_mib": max(peak - baseline, 0) / 1024,
        "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_reset": reset,
        "loadavg": loadavg,
    }


def child_check(case: Any, size: int) -> dict[str, Any]:
    inputs = case.setup(size)
    if case.check is not None:
        peer = case.peer(inputs)
        case.check(case.hrh(inputs), peer.result if case.peer_timed_itself else peer)
    return {"ok": True}


def child_info() -> dict[str, Any]:
    import numpy
    import polars

    import hrh

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(
                (ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu
            )
    except OSError:
        pass
    ram_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    info = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram_gib, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "polars": polars.__version__,
        "numpy": numpy.__version__,
        "hrh": hrh.__version__,
    }
    try:
        import scipy

        info["scipy"] = scipy.__version__
    except ImportError:
        pass
    git = ["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--exclude", "*"]
    commit = subprocess.run(git, capture_output=True, text=True).stdout.strip()
    if commit:
        info["hrh"] += f" ({commit})"
    if hrh._core.debug_build:
        info["hrh"] += " (DEBUG BUILD: timings are meaningless)"
    return info


def parse_sizes(text: str) -> list[int]:
    """``--sizes 1e5,1e6`` (or ``100000,1000000``) as integers."""
    try:
        return [int(float(x)) for x in text.replace(" ", "").split(",") if x]
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of sizes like 1e5,1e6") from e


def child_list(quick: bool) -> dict[str, Any]:
    """What each module declares, without the callables."""
    return {
        module: [
            {
                "name": c.name,
                "sizes": list(c.sizes),
                "peer_name": c.peer_name,
                "description": c.description,
            }
            for c in load_cases(module, quick)
        ]
        for module in module_names()
    }


def child_main(argv: list[str]) -> None:
    """``--child OUT.json info``, ``--child OUT.json list [quick]`` or
    ``--child OUT.json MODULE CASE SIZE check|hrh|peer [quick]``."""
    out_path, what, *rest = argv
    if what == "info":
        result = child_info()
    elif what == "list":
        result = child_list(quick=rest == ["quick"])
    else:
        module, (name, size, side, *flag) = what, rest
        case = find_case(module, name, quick=flag == ["quick"])
        if side == "check":
            result = child_check(case, int(size))
        else:
            result = child_time(case, int(size), side)
    Path(out_path).write_text(json.dumps(result))


# --------------------------------------------------------------------------- parent side


def in_child(*args: str) -> dict[str, Any]:
    """Run ``run.py --child`` in a fresh interpreter and return its JSON result."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(out), *args]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0 or not out.exists():
            tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
            return {"error": tail or f"exit code {proc.returncode}"}
        return dict(json.loads(out.read_text()))


def load_results() -> dict[str, Any]:
    if RESULTS.exists():
        return dict(json.loads(RESULTS.read_text()))
    return {"machine": {}, "date": None, "cases": {}}


def update_results(change: Callable[..., None], *args: Any) -> dict[str, Any]:
    """``change(results, *args)`` on the results as they are on disk now, written back
    at once, so that runs of other modules finishing meanwhile are not overwritten."""
    results = load_results()
    change(results, *args)
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=1) + "\n")
    tmp.replace(RESULTS)
    return results


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def merge_rounds(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One side's results over several processes: the best time, the largest peak."""
    times = [t for r in runs for t in r["times_s"]]
    return {
        "best_s": min(times),
        "median_s": sorted(times)[len(times) // 2],
        "calls": len(times),
        "rounds": len(runs),
        "peak_mib": max(r["peak_mib"] for r in runs),
        "baseline_mib": max(r["baseline_mib"] for r in runs),
        "ru_maxrss_mib": max(r["ru_maxrss_mib"] for r in runs),
        "peak_reset": all(r["peak_reset"] for r in runs),
        "loadavg": max(r["loadavg"] for r in runs),
        "times_s": times,
    }


def record(
    results: dict[str, Any],
    module: str,
    case: dict[str, Any],
    size: int,
    machine: dict[str, Any],
    sides: dict[str, Any],
) -> None:
    """Store the timings of one case at one size."""
    today = dt.date.today().isoformat()
    results.update(machine=machine, date=today)
    entry = results["cases"].setdefault(f"{module}/{case['name']}", {})
    entry.update(module=module, description=case["description"], peer_name=case["peer_name"])
    entry.setdefault("results", {})[str(size)] = {"date": today, "machine": machine, **sides}


def settle(cores: int, most: float = 90.0) -> None:
    """Wait (up to `most` seconds) until the one-minute load average is at most the
    number of cores: the threads of the case timed before (several per process) raise
    it, and a process timed while it is high is marked as measured on a busy machine."""
    waited = 0.0
    while os.getloadavg()[0] > cores and waited < most:
        time.sleep(5.0)
        waited += 5.0


def run_case(
    module: str,
    case: dict[str, Any],
    quick: bool,
    machine: dict[str, Any],
    sizes: list[int] | None = None,
) -> bool:
    """Check, then time, one case at each of its sizes (those in `sizes` only, when
    given); record each size as it ends."""
    case_id = f"{module}/{case['name']}"
    flag = ["quick"] if quick else []
    ok = True
    for size in case["sizes"]:
        if sizes is not None and size not in sizes:
            continue
        args = [module, case["name"], str(size)]
        check = in_child(*args, "check", *flag)
        if "error" in check:
            log(
                f"{case_id} n={size:,}: hrh and peer disagree or failed, not timed:\n"
                f"{check['error']}"
            )
            ok = False
            continue
        rounds: dict[str, list[dict[str, Any]]] = {"hrh": [], "peer": []}
        for _ in range(ROUNDS):  # alternate sides, so a burst of load hits both alike
            for side, runs in rounds.items():
                settle(machine.get("cores") or 1)
                runs.append(in_child(*args, side, *flag))
        errors = {s: r["error"] for s, runs in rounds.items() for r in runs if "error" in r}
        if errors:
            for side, err in errors.items():
                log(f"{case_id} n={size:,} ({side}) failed:\n{err}")
            ok = False
            continue
        h, p = merge_rounds(rounds["hrh"]), merge_rounds(rounds["peer"])
        update_results(record, module, case, size, machine, {"hrh": h, "peer": p})
        log(
            f"{case_id} n={size:,}: hrh {fmt_time(h['best_s'])} (+{h['peak_mib']:.0f} MiB), "
            f"peer {fmt_time(p['best_s'])} (+{p['peak_mib']:.0f} MiB), "
            f"time ratio {p['best_s'] / h['best_s']:.2f}"
        )
    return ok


# --------------------------------------------------------------------------- report


def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def fmt_ratio(num: float, den: float) -> str:
    # Below 1 MiB the peak is within the noise of page-granular RSS accounting.
    if den < 1:
        return "n/a" if num < 1 else "∞"
    return f"{num / den:.2f}"


def fmt_machine(m: dict[str, Any]) -> str:
    libs = ", ".join(f"{k} {m[k]}" for k in ("python", "polars", "numpy", "scipy", "hrh") if k in m)
    return f"{m.get('cpu')}, {m.get('cores')} cores, {m.get('ram_gib')} GiB RAM; {libs}"


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `python benches/run.py` from `benches/results.json`; do not edit by "
        "hand. Method: docs/architecture.md (Benchmarks) and the docstring of "
        "`benches/run.py`; the peers come from `pip install '.[bench]'`.",
        "",
        f"Last run: {results['date']}.",
        "",
        "| Machine | |",
        "|---|---|",
        f"| CPU | {m.get('cpu')} |",
        f"| Cores | {m.get('cores')} |",
        f"| RAM | {m.get('ram_gib')} GiB |",
        f"| OS | {m.get('os')} |",
        *(f"| {k} | {m[k]} |" for k in ("python", "polars", "numpy", "scipy", "hrh") if k in m),
        "",
        f"Each side of each case and size runs in {ROUNDS} fresh processes, alternating "
        "hrh and peer: inputs are built first (not timed), then one warm-up call and N "
        "timed calls (N >= 5, more for fast calls, up to about 2 s); times are the best "
        "over all timed calls. "
        "*Peak MiB* is the peak RSS during those calls above the RSS after imports and "
        "setup (the kernel's peak mark is reset after setup), the largest over the "
        "processes. Ratios are peer / hrh: "
        "above 1 means hrh is faster or uses less memory. Before timing, a separate "
        "process checks that hrh and the peer give the same result.",
    ]
    for case_id, entry in results["cases"].items():
        lines += ["", f"## {case_id}", ""]
        if entry.get("description"):
            lines += [entry["description"], ""]
        lines += [f"Peer: {entry['peer_name']}.", ""]
        runs = entry["results"]
        others = {fmt_machine(r["machine"]) for r in runs.values() if r["machine"] != m}
        dates = sorted({r["date"] for r in runs.values()})
        lines += [f"Run: {', '.join(dates)}."]
        load = max(r[side].get("loadavg", 0.0) for r in runs.values() for side in ("hrh", "peer"))
        if load > (m.get("cores") or 1):
            lines += [
                f"Measured on a busy machine (load average up to {load:.1f} on "
                f"{m.get('cores')} cores): times are indicative only."
            ]
        lines += [f"Some sizes measured on: {o}." for o in sorted(others)]
        lines += [
            "",
            "| size | hrh | peer | ratio | hrh peak MiB | peer peak MiB | memory ratio |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for size in sorted(runs, key=int):
            h, p = runs[size]["hrh"], runs[size]["peer"]
            lines.append(
                f"| {int(size):,} | {fmt_time(h['best_s'])} | {fmt_time(p['best_s'])} "
                f"| {p['best_s'] / h['best_s']:.2f} | {h['peak_mib']:.1f} | {p['peak_mib']:.1f} "
                f"| {fmt_ratio(p['peak_mib'], h['peak_mib'])} |"
            )
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes only")
    parser.add_argument(
        "--only", action="append", metavar="NAME", help="module, module/case or case name"
    )
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        metavar="N,N,...",
        help="only these sizes of each selected case (e.g. 1e5,1e6)",
    )
    args = parser.parse_args()

    machine = in_child("info")
    if "error" in machine:
        log(f"could not import the benchmarked libraries:\n{machine['error']}")
        return 1
    declared = in_child("list", *(["quick"] if args.quick else []))
    if "error" in declared:
        log(f"could not load the bench modules:\n{declared['error']}")
        return 1
    ids = [f"{m}/{c['name']}" for m, cases in declared.items() for c in cases]
    if args.only and not any(
        selected(m, c["name"], args.only) for m, cases in declared.items() for c in cases
    ):
        log(f"--only {' '.join(args.only)}: no such module or case")
        return 1

    ok = True
    for module, cases in declared.items():
        for case in cases:
            if selected(module, case["name"], args.only):
                ok &= run_case(module, case, args.quick, machine, args.sizes)

    def tidy(results: dict[str, Any]) -> None:
        """Cases in declaration order; a full run forgets those no module declares."""
        cases = results["cases"]
        kept = [k for k in cases if k not in ids] if args.only else []
        results["cases"] = {k: cases[k] for k in [*ids, *kept] if k in cases}

    results = update_results(tidy)
    REPORT.write_text(render(results))
    log(f"wrote {REPORT.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

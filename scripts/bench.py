#!/usr/bin/env python3
"""Benchmark mlrepro against copier, cookiecutter and `cp -r`.

    bench.py --mlrepro PATH --work DIR --results FILE [--runs N] [--sizes 30,1000]

For each size it writes the synthetic template from ../shared/bench (copier and
cookiecutter formats), checks that the three generators produce identical trees,
then times them interleaved (A B C D A B C D ...) and reports medians, peak memory
(the child's maximum resident set size from wait4, the figure `/usr/bin/time -v`
prints) and ratios. Then it times mlrepro's own commands on the built-in template.
The table goes to stdout and to the results file together with the machine's
description.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED_BENCH = (HERE.parent.parent / "shared" / "bench").resolve()


class Measurement:
    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.peak_kib: list[int] = []

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def peak_mib(self) -> float:
        return max(self.peak_kib) / 1024


def run_timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run argv, return (wall seconds, peak RSS KiB); raise on failure."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed ({proc.returncode}):\n{err}")
    return elapsed, usage.ru_maxrss


def tree_files(root: Path, ignore: set[str]) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ignore]
        for name in filenames:
            out.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(out)


def assert_same_tree(a: Path, b: Path, label: str) -> None:
    ignore = {".mlrepro"}
    fa, fb = tree_files(a, ignore), tree_files(b, ignore)
    if fa != fb:
        only_a = sorted(set(fa) - set(fb))[:5]
        only_b = sorted(set(fb) - set(fa))[:5]
        raise SystemExit(f"bench: {label}: file lists differ; only in {a}: {only_a}; only in {b}: {only_b}")
    _, mismatch, errors = filecmp.cmpfiles(a, b, fa, shallow=False)
    if mismatch or errors:
        raise SystemExit(f"bench: {label}: contents differ: {(mismatch + errors)[:5]}")


def machine_description() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}; {os_name}; Python {platform.python_version()}"


def tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "unknown"


def bench_size(n: int, args: argparse.Namespace, venv_bin: Path, rows: list[list[str]]) -> None:
    work = Path(args.work) / f"synthetic-{n}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    subprocess.run([sys.executable, str(SHARED_BENCH / "make_synthetic_template.py"), str(n),
                    str(work / "tpl")], check=True)
    copier_src = work / "tpl" / "copier"
    cookie_src = work / "tpl" / "cookiecutter"
    out = work / "out"

    def dest(tool: str) -> Path:
        return out / tool / "demo"

    commands = {
        "mlrepro": lambda: [args.mlrepro, "init", str(dest("mlrepro")), "--template", str(copier_src),
                            "--defaults", "--no-git", "--no-probe", "--quiet"],
        "copier": lambda: [str(venv_bin / "copier"), "copy", "--defaults", "--quiet",
                           str(copier_src), str(dest("copier"))],
        "cookiecutter": lambda: [str(venv_bin / "cookiecutter"), "--no-input", "-o",
                                 str(dest("cookiecutter").parent), str(cookie_src)],
        # The same template's cookiecutter.json, rendered by mlrepro.
        "mlrepro (cookiecutter.json)": lambda: [args.mlrepro, "init", str(dest("mlrepro-cookiecutter")), "--template",
                                                str(cookie_src), "--defaults", "--no-git", "--no-probe", "--quiet"],
        "cp -r": lambda: ["cp", "-r", str(work / "reference"), str(dest("cp"))],
    }
    folders = {"cp -r": "cp", "mlrepro (cookiecutter.json)": "mlrepro-cookiecutter"}

    def reset(tool_key: str) -> None:
        d = dest(folders.get(tool_key, tool_key))
        if d.exists():
            shutil.rmtree(d)
        d.parent.mkdir(parents=True, exist_ok=True)

    # Correctness first: the three generators must agree byte for byte.
    for key in ("mlrepro", "copier", "cookiecutter", "mlrepro (cookiecutter.json)"):
        reset(key)
        run_timed(commands[key](), cwd=work)
    assert_same_tree(dest("mlrepro"), dest("copier"), f"{n} files: mlrepro vs copier")
    assert_same_tree(dest("mlrepro"), dest("cookiecutter"), f"{n} files: mlrepro vs cookiecutter")
    assert_same_tree(dest("mlrepro-cookiecutter"), dest("cookiecutter"),
                     f"{n} files: mlrepro from cookiecutter.json vs cookiecutter")
    shutil.copytree(dest("copier"), work / "reference")

    results = {key: Measurement() for key in commands}
    for _ in range(args.runs):
        for key, argv in commands.items():
            reset(key)
            seconds, peak = run_timed(argv(), cwd=work)
            results[key].seconds.append(seconds)
            results[key].peak_kib.append(peak)

    m = results["mlrepro"]
    floor = results["cp -r"]
    for key, r in results.items():
        ratio = ""
        if key in ("copier", "cookiecutter"):
            ratio = f"{r.median_ms / m.median_ms:.1f}× slower than mlrepro"
        elif key == "mlrepro (cookiecutter.json)":
            ratio = f"{results['cookiecutter'].median_ms / r.median_ms:.1f}× faster than cookiecutter"
        elif key == "mlrepro":
            ratio = f"{m.median_ms / floor.median_ms:.2f}× the cp -r floor"
        rows.append([f"{n} files", key, f"{r.median_ms:.1f}", f"{r.peak_mib:.1f}", ratio])
    shutil.rmtree(out, ignore_errors=True)


def bench_own_commands(args: argparse.Namespace, rows: list[list[str]]) -> None:
    work = Path(args.work) / "builtin"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    project = work / "project"
    env = dict(os.environ)
    # No GPU tools on PATH: the probe's floor on a machine without them.
    env["PATH"] = "/usr/bin:/bin"
    cases = [
        ("mlrepro --version (process start)", lambda: [args.mlrepro, "--version"], None),
        ("init built-in template, defaults, no probe",
         lambda: [args.mlrepro, "init", str(project), "--defaults", "--no-git", "--no-probe", "--quiet"],
         lambda: shutil.rmtree(project, ignore_errors=True)),
        ("probe (no GPU tools on PATH)", lambda: [args.mlrepro, "probe", "--json"], None),
    ]
    have_check = subprocess.run([args.mlrepro, "check", "--help"], capture_output=True).returncode == 0
    for label, argv, before in cases:
        probe = subprocess.run(argv(), capture_output=True, env=env, cwd=work)
        if probe.returncode != 0:
            last = (probe.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
            rows.append(["mlrepro", label, "n/a", "n/a", f"command failed: {last}"])
            continue
        r = Measurement()
        for _ in range(args.runs):
            if before:
                before()
            seconds, peak = run_timed(argv(), cwd=work, env=env)
            r.seconds.append(seconds)
            r.peak_kib.append(peak)
        rows.append(["mlrepro", label, f"{r.median_ms:.1f}", f"{r.peak_mib:.1f}", ""])
    if have_check:
        shutil.rmtree(project, ignore_errors=True)
        made = subprocess.run([args.mlrepro, "init", str(project), "--defaults", "--no-probe", "--quiet"],
                              capture_output=True, env=env, cwd=work)
        if made.returncode == 0:
            r = Measurement()
            for _ in range(args.runs):
                seconds, peak = run_timed([args.mlrepro, "check", str(project)], cwd=work, env=env)
                r.seconds.append(seconds)
                r.peak_kib.append(peak)
            rows.append(["mlrepro", "check on the built-in default project", f"{r.median_ms:.1f}",
                         f"{r.peak_mib:.1f}", ""])


def bench_update(args: argparse.Namespace, rows: list[list[str]]) -> None:
    """`mlrepro update` between two local tags of a 30-file git template, every file changed."""
    work = Path(args.work) / "update"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    subprocess.run([sys.executable, str(SHARED_BENCH / "make_synthetic_template.py"), "30", str(work / "synthetic")],
                   check=True, capture_output=True)
    template = work / "template"
    shutil.copytree(work / "synthetic" / "copier", template)

    def git(*argv: str, cwd: Path = template) -> None:
        subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", *argv], cwd=cwd,
                       check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "v1")
    git("tag", "v1.0.0")
    for path in template.rglob("*.jinja"):
        path.write_text(path.read_text().replace("line of static text", "line of changed text", 1))
    git("commit", "-qam", "v2")
    git("tag", "v2.0.0")
    project = work / "project"
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.org",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.org")
    made = subprocess.run([args.mlrepro, "init", str(project), "--template", str(template), "--vcs-ref", "v1.0.0",
                           "--defaults", "--no-probe", "--quiet"], capture_output=True, env=env, cwd=work)
    if made.returncode != 0:
        last = (made.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
        rows.append(["mlrepro", "update between two local tags (30 files)", "n/a", "n/a", f"init failed: {last}"])
        return
    r = Measurement()
    for _ in range(args.runs):
        git("reset", "-q", "--hard", "HEAD", cwd=project)
        git("clean", "-qfd", cwd=project)
        seconds, peak = run_timed([args.mlrepro, "update", str(project), "--vcs-ref", "v2.0.0"], cwd=work, env=env)
        r.seconds.append(seconds)
        r.peak_kib.append(peak)
    rows.append(["mlrepro", "update between two local tags (30 files)", f"{r.median_ms:.1f}", f"{r.peak_mib:.1f}", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mlrepro", required=True)
    parser.add_argument("--venv", required=True, help="virtualenv with copier and cookiecutter")
    parser.add_argument("--work", required=True)
    parser.add_argument("--results", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="30,1000")
    args = parser.parse_args()
    # Commands run with cwd inside the work folder: every path absolute.
    args.work = str(Path(args.work).resolve())
    args.results = str(Path(args.results).resolve())
    args.venv = str(Path(args.venv).resolve())
    args.mlrepro = str(Path(args.mlrepro).resolve())
    if args.runs < 5:
        raise SystemExit("bench: --runs must be at least 5 for a meaningful median")
    if not (SHARED_BENCH / "make_synthetic_template.py").is_file():
        raise SystemExit(f"bench: {SHARED_BENCH}/make_synthetic_template.py not found (../shared beside the repo)")
    venv_bin = Path(args.venv) / "bin"

    rows: list[list[str]] = []
    for n in (int(s) for s in args.sizes.split(",")):
        bench_size(n, args, venv_bin, rows)
    bench_own_commands(args, rows)
    bench_update(args, rows)

    header = ["work", "tool", "median ms", "peak MiB", "ratio"]
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    table = "\n".join(lines)
    cookiecutter = " ".join(tool_version([str(venv_bin / "cookiecutter"), "--version"]).split()[:2])
    versions = "; ".join([f"mlrepro {tool_version([args.mlrepro, '--version'])} (release build)",
                          tool_version([str(venv_bin / "copier"), "--version"]), cookiecutter])
    report = (f"# Benchmark results\n\nMachine: {machine_description()}\n\n"
              f"Tools: {versions}\n\nMedian of {args.runs} interleaved runs each; peak memory is the "
              f"child's maximum resident set size.\n\n{table}\n")
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(report)
    print(report)


if __name__ == "__main__":
    main()

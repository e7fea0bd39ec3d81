"""Nothing lost: existing destinations, --force, failed writes and interruptions leave
DEST as it was (absent, or untouched, or complete)."""
from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import binary, hang_guard, run, tree, write_template

MANIFEST = "name:\n  type: str\n  default: demo\n"


def many_files_template(root: Path, count: int = 400) -> Path:
    files = {f"pkg{i // 50}/file{i}.txt.jinja": f"{{{{ name }}}} {i}\n" + "static line\n" * 40 for i in range(count)}
    return write_template(root, MANIFEST, files)


def test_existing_destination_is_refused_without_force(tmp_path: Path) -> None:
    tpl = many_files_template(tmp_path / "tpl", 5)
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "notes.txt").write_text("my notes\n")
    before = tree(dest)
    result = run("init", str(dest), "--template", str(tpl), "--defaults", "--no-git", "--no-probe", cwd=tmp_path)
    assert result.returncode == 2
    assert "--force" in result.stderr
    assert tree(dest) == before


def test_force_touches_only_planned_files(tmp_path: Path) -> None:
    tpl = many_files_template(tmp_path / "tpl", 5)
    dest = tmp_path / "out"
    (dest / "pkg0").mkdir(parents=True)
    (dest / "notes.txt").write_text("my notes\n")
    (dest / "pkg0" / "file0.txt").write_text("old\n")
    result = run("init", str(dest), "--template", str(tpl), "--defaults", "--no-git", "--no-probe", "--force",
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (dest / "notes.txt").read_text() == "my notes\n"
    assert (dest / "pkg0" / "file0.txt").read_text().startswith("demo 0\n")
    assert "pkg0/file0.txt" in result.stdout, "overwritten files are listed"


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))


def test_failed_write_leaves_no_destination(tmp_path: Path) -> None:
    """Writes beyond 2 KiB fail (EFBIG), as on a full disk: an error, and no DEST."""
    tpl = many_files_template(tmp_path / "tpl", 20)
    dest = tmp_path / "out"
    proc = subprocess.run([str(binary()), "init", str(dest), "--template", str(tpl), "--defaults", "--no-git",
                           "--no-probe"], cwd=tmp_path, capture_output=True, preexec_fn=_limit_file_size, timeout=hang_guard(30))
    assert proc.returncode == 2, proc.stderr.decode()
    assert b"error:" in proc.stderr
    assert not dest.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["tpl"], "staging leftovers"


def test_permission_denied_leaves_destination_untouched(tmp_path: Path) -> None:
    as_root = os.geteuid() == 0
    # As root the binary runs as `nobody`, who must reach every folder above the test's files:
    # TMPDIR may be private (under /root), /tmp is not.
    base = Path("/tmp") if as_root else Path(os.environ.get("TMPDIR", "/tmp"))
    shared = base / f"mlrepro-perm-{os.getpid()}"
    shutil.rmtree(shared, ignore_errors=True)
    shared.mkdir(mode=0o755)
    locked = shared / "locked"
    try:
        tpl = many_files_template(shared / "tpl", 3)
        locked.mkdir()
        program = binary()
        if as_root:
            # The checkout may be private too (a clone under /root): `nobody` runs a copy.
            program = Path(shutil.copy2(program, shared / "mlrepro"))
        argv = [str(program), "init", str(locked / "out"), "--template", str(tpl), "--defaults", "--no-git",
                "--no-probe"]
        if as_root:
            # Root ignores permissions: run as an unprivileged user instead.
            for path in [shared, *shared.rglob("*")]:
                path.chmod(0o755 if path.is_dir() or path == program else 0o644)
            argv = ["runuser", "-u", "nobody", "--", *argv]
        locked.chmod(0o555)
        proc = subprocess.run(argv, cwd=shared, capture_output=True, timeout=hang_guard(30), env={**os.environ, "HOME": str(shared)})
        assert proc.returncode == 2, proc.stderr.decode()
        assert b"ermission denied" in proc.stderr
        assert list(locked.iterdir()) == []
    finally:
        if locked.exists():
            locked.chmod(0o755)
        shutil.rmtree(shared, ignore_errors=True)


@pytest.mark.parametrize(("signum", "git"), [(signal.SIGKILL, False), (signal.SIGINT, False), (signal.SIGTERM, False),
                                           (signal.SIGINT, True), (signal.SIGTERM, True)])
def test_interrupted_generation_leaves_dest_absent_or_complete(signum: int, git: bool, tmp_path: Path) -> None:
    # With git, libgit2 creates missing parent folders as it writes: a signal handler that
    # removed the staging folder under it would see it come back.
    tpl = many_files_template(tmp_path / "tpl", 1000)
    flags = ["--defaults", "--no-probe"] + ([] if git else ["--no-git"])
    env = {**os.environ, "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}
    reference = tmp_path / "reference"
    assert run("init", str(reference), "--template", str(tpl), *flags, cwd=tmp_path).returncode == 0
    recorded = (".mlrepro/", ".git/")
    expected = {k: v for k, v in tree(reference).items() if not k.startswith(recorded)}
    rng = random.Random(1234 + signum + 100 * git)
    start = time.monotonic()
    run("init", str(tmp_path / "timing"), "--template", str(tpl), *flags, cwd=tmp_path)
    duration = time.monotonic() - start
    outcomes = {"absent": 0, "complete": 0}
    for attempt in range(12):
        work = tmp_path / f"attempt{attempt}"
        work.mkdir()
        dest = work / "out"
        proc = subprocess.Popen([str(binary()), "init", str(dest), "--template", str(tpl), *flags, "--quiet"],
                                cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0, duration * 1.2))
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=hang_guard(30))
        handled = proc.returncode in (130, 143)
        if dest.exists():
            got = {k: v for k, v in tree(dest).items() if not k.startswith(recorded)}
            assert got == expected, f"attempt {attempt}: DEST half-written ({len(got)} of {len(expected)} files)"
            if git:
                assert (dest / ".git" / "HEAD").is_file(), f"attempt {attempt}: DEST without its repository"
            if handled:
                assert b"nothing was written" not in err, f"attempt {attempt}: {err.decode()}"
            outcomes["complete"] += 1
        else:
            outcomes["absent"] += 1
            if signum != signal.SIGKILL and proc.returncode != 0:
                assert proc.returncode in (130, 143, -signum, 2), proc.returncode
                leftovers = [p.name for p in work.iterdir()]
                assert leftovers == [], f"attempt {attempt}: staging not cleaned up: {leftovers} ({err.decode()[:200]})"
                if handled:
                    assert b"nothing was written" in err, f"attempt {attempt}: {err.decode()}"
    assert outcomes["absent"] + outcomes["complete"] == 12

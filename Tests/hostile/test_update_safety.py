"""`update` against hostile project states: symbolic links out of the project, side copies
that would overwrite files, user files at newly generated paths, interruptions mid-update."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import binary, run, tree

GIT_ENV = {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org",
           "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org"}


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def template_repo(root: Path, versions: list[dict[str, str | bytes]]) -> Path:
    """A git template with one tag per version (v1, v2, ...): each dict is that version's files."""
    root.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=root)
    for number, files in enumerate(versions, start=1):
        for old in [p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts]:
            old.unlink()
        (root / "mlrepro.yml").write_text("name:\n  type: str\n  default: demo\n")
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
        git("add", "-A", cwd=root)
        git("commit", "-q", "-m", f"v{number}", cwd=root)
        git("tag", f"v{number}", cwd=root)
    return root


def generate(template: Path, project: Path, cwd: Path) -> None:
    result = run("init", str(project), "--template", str(template), "--vcs-ref", "v1", "--defaults", "--no-probe",
                 cwd=cwd, env=GIT_ENV, timeout=60)
    assert result.returncode == 0, result.stderr


def test_update_never_writes_through_a_symlink_out_of_the_project(tmp_path: Path) -> None:
    tpl = template_repo(tmp_path / "tpl", [{"README.md": "v1\n"}, {"README.md": "v2\n", "data/README.md": "data\n",
                                                                   "data/sub/x.txt": "x\n"}])
    outside = tmp_path / "outside" / "datasets"
    outside.mkdir(parents=True)
    (outside / "keep.csv").write_text("a,b\n")
    project = tmp_path / "proj"
    generate(tpl, project, tmp_path)
    os.symlink(os.path.relpath(outside, project), project / "data")
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "link data", cwd=project)
    before_outside, before_project = tree(outside), tree(project)
    result = run("update", str(project), "--vcs-ref", "v2", cwd=tmp_path, env=GIT_ENV, timeout=60)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "'data' is a symbolic link" in result.stderr and "nothing was changed" in result.stderr
    assert tree(outside) == before_outside
    assert tree(project) == before_project
    assert not list(project.glob(".mlrepro-update-*"))


def test_check_refuses_to_read_through_a_link_out_of_the_project(tmp_path: Path) -> None:
    tpl = template_repo(tmp_path / "tpl", [{"data/README.md": "data\n"}])
    project = tmp_path / "proj"
    generate(tpl, project, tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "README.md").write_text("private\n")
    (project / "data" / "README.md").unlink()
    (project / "data").rmdir()
    os.symlink(outside, project / "data")
    result = run("check", str(project), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stdout
    assert "symbolic link" in result.stderr and "private" not in result.stdout


def test_binary_conflict_never_overwrites_an_existing_side_copy(tmp_path: Path) -> None:
    tpl = template_repo(tmp_path / "tpl", [{"m.bin": b"\x00base\n"}, {"m.bin": b"\x00theirs\n"}])
    project = tmp_path / "proj"
    generate(tpl, project, tmp_path)
    (project / "m.bin").write_bytes(b"\x00ours\n")
    (project / "m.bin.mlrepro-theirs").write_bytes(b"my own notes\n")
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "mine", cwd=project)
    result = run("update", str(project), "--vcs-ref", "v2", cwd=tmp_path, env=GIT_ENV, timeout=60)
    assert result.returncode == 1, result.stderr
    assert (project / "m.bin").read_bytes() == b"\x00ours\n"
    assert (project / "m.bin.mlrepro-theirs").read_bytes() == b"my own notes\n"
    assert (project / "m.bin.mlrepro-theirs-2").read_bytes() == b"\x00theirs\n"
    assert "m.bin.mlrepro-theirs-2" in result.stdout


def test_an_ignored_user_file_at_a_newly_generated_path_is_kept(tmp_path: Path) -> None:
    tpl = template_repo(tmp_path / "tpl", [{"README.md": "v1\n"}, {"README.md": "v1\n", "local.cfg": "template\n"}])
    project = tmp_path / "proj"
    generate(tpl, project, tmp_path)
    (project / ".gitignore").write_text("local.cfg\n")
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "ignore", cwd=project)
    (project / "local.cfg").write_text("my settings\n")
    result = run("update", str(project), "--vcs-ref", "v2", cwd=tmp_path, env=GIT_ENV, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (project / "local.cfg").read_text() == "my settings\n"
    assert (project / "local.cfg.mlrepro-theirs").read_text() == "template\n"


def watching_signal(proc: subprocess.Popen, signum: int, seconds: float = 60) -> None:
    """Waits until `proc` ignores or catches `signum` (/proc/PID/status), or has ended.
    Without /proc it returns at once."""
    status = Path(f"/proc/{proc.pid}/status")
    if not status.parent.is_dir():
        return
    bit = 1 << (signum - 1)
    deadline = time.monotonic() + seconds
    while proc.poll() is None:
        masks = {}
        try:
            for line in status.read_text().splitlines():
                name, _, value = line.partition(":")
                if name in ("SigIgn", "SigCgt"):  # not SigBlk: threads block signals as they start
                    masks[name] = int(value.strip(), 16)
        except (OSError, ValueError):
            return
        if any(mask & bit for mask in masks.values()):
            return
        assert time.monotonic() < deadline, f"mlrepro did not watch signal {signum} within {seconds:.0f} s"
        time.sleep(0.005)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_update_leaves_the_old_or_the_new_tree(signum: int, tmp_path: Path) -> None:
    count = 3000
    v1 = {f"f/{i:04d}.txt": f"{i} v1\n" for i in range(count)}
    v2 = {f"f/{i:04d}.txt": f"{i} v2\n" for i in range(count)}
    tpl = template_repo(tmp_path / "tpl", [v1, v2])
    project = tmp_path / "proj"
    generate(tpl, project, tmp_path)

    def files() -> dict[str, bytes]:
        # The project's own files; git's index (stat cache) changes with every checkout.
        return {path: data for path, data in tree(project).items() if not path.startswith(".git/")}

    old = files()
    outcomes = set()
    for attempt in range(6):
        proc = subprocess.Popen([str(binary()), "update", str(project), "--vcs-ref", "v2"], cwd=tmp_path,
                                env={**os.environ, **GIT_ENV, "NO_COLOR": "1"}, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        # The delays count from when mlrepro watches the signal, not from the start: on a slow or
        # busy machine the start alone can outlast them, and every signal would come too early.
        watching_signal(proc, signum)
        time.sleep(0.05 + 0.1 * attempt)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        now = files()
        assert not list(project.glob(".mlrepro-update-*")), "staging folder left behind"
        assert not list(project.rglob("*.mlrepro-update")), "temporary file left behind"
        if proc.returncode == 0:
            outcomes.add("finished")
        elif proc.returncode == -signum:  # before mlrepro watched signals: nothing had started
            assert now == old
            outcomes.add("early")
        else:
            assert proc.returncode == 128 + signum, err
            message = err.decode()
            if "nothing was changed" in message:
                assert now == old
                outcomes.add("untouched")
            else:
                assert "the update was complete" in message, message
                outcomes.add("complete")
        if now != old:
            versions = {now[name] for name in now if name.startswith("f/")}
            assert all(value.endswith(b" v2\n") for value in versions), "a half-updated tree"
            assert b"v2" in now[".mlrepro/answers.yml"] or b"_commit" in now[".mlrepro/answers.yml"]
            git("checkout", "-q", "--", ".", cwd=project)  # back to v1 for the next attempt
            subprocess.run(["git", "clean", "-qfd"], cwd=project, check=True)
            assert files() == old
    assert outcomes - {"early"}, f"every signal came before update started: {outcomes}"

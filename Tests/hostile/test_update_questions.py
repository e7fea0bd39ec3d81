"""`update` asks the questions a new template version adds (and those whose `when` became true), as
`init` asks them, on a terminal; without one it takes their defaults and lists each; `--pretend` writes nothing."""
from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import yaml
from conftest import binary, run, tree, write_template
from living import GIT_ENV, git

V1 = """\
project_slug:
  type: str
  default: demo
use_gpu:
  type: bool
  default: false
"""
V2 = V1 + """\
lab_name:
  type: str
  help: The lab that runs the study
  default: my-lab
gpus:
  type: int
  default: 1
  when: "{{ use_gpu }}"
"""


def made(tmp_path: Path) -> tuple[Path, Path]:
    template = write_template(tmp_path / "tpl", V1, {"README.md.jinja": "# {{ project_slug }}\n"})
    project = tmp_path / "study"
    done = run("init", str(project), "--template", str(template), "--defaults", "--no-probe", "--quiet", env=GIT_ENV)
    assert done.returncode == 0, done.stderr
    (template / "mlrepro.yml").write_text(V2)
    (template / "README.md.jinja").write_text("# {{ project_slug }}\n\nLab: {{ lab_name }}\n")
    return template, project


def test_without_a_terminal_new_questions_take_their_defaults_and_are_listed(tmp_path):
    _, project = made(tmp_path)
    updated = run("update", str(project), env=GIT_ENV)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "answer  lab_name = my-lab  (a question the recorded answers did not answer; its default" in updated.stdout
    assert "gpus" not in updated.stdout  # its `when` is false: not asked, not recorded
    assert "lab_name: my-lab" in (project / ".mlrepro" / "answers.yml").read_text()
    assert (project / "README.md").read_text().endswith("Lab: my-lab\n")
    git(project, "commit", "-qam", "update")
    # A question whose `when` became true is open too.
    again = run("update", str(project), "--data", "use_gpu=true", env=GIT_ENV)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "answer  gpus = 1" in again.stdout and "lab_name" not in again.stdout


def test_pretend_shows_the_plan_and_writes_nothing(tmp_path):
    _, project = made(tmp_path)
    (project / "notes.txt").write_text("uncommitted work\n")  # pretend does not need a clean tree
    before = tree(project)
    refs = git(project, "for-each-ref")
    shown = run("update", str(project), "-n", env=GIT_ENV)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "update  README.md" in shown.stdout and "answer  lab_name = my-lab" in shown.stdout
    assert "pretend: nothing was written" in shown.stdout
    assert tree(project) == before and git(project, "for-each-ref") == refs


def test_on_a_terminal_new_questions_are_asked_with_init_s_prompts(tmp_path):
    _, project = made(tmp_path)
    main, secondary = pty.openpty()
    env = dict(os.environ, **GIT_ENV, NO_COLOR="1", TERM="xterm", HOME=str(tmp_path))
    process = subprocess.Popen([str(binary()), "update", str(project)], stdin=secondary, stdout=secondary,
                               stderr=secondary, env=env, close_fds=True)
    os.close(secondary)
    seen = b""

    def read_until(text: bytes, seconds: float = 20) -> None:
        nonlocal seen
        deadline = time.monotonic() + seconds
        while text not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(main, 4096)
                except OSError:
                    break

    read_until(b"lab_name")
    assert b"The lab that runs the study" in seen or b"?" in seen
    os.write(main, b"\x15Ada's lab\r")  # Ctrl-U clears the default, then the answer
    process.wait(timeout=30)
    try:
        while True:
            ready, _, _ = select.select([main], [], [], 0.2)
            if not ready:
                break
            seen += os.read(main, 4096)
    except OSError:
        pass
    os.close(main)
    assert process.returncode == 0, seen.decode(errors="replace")
    assert yaml.safe_load((project / ".mlrepro" / "answers.yml").read_text())["lab_name"] == "Ada's lab"
    assert b"answer  lab_name = Ada's lab  (a question the recorded answers did not answer; answered)" in seen

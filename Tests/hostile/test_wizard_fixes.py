"""Wizard fixes: keywords as package names, hardware notes only where hardware decides the default, a `?`
that tells more than the hint, and a clear message for a default nobody typed."""
from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time

from conftest import binary, run, write_template

MANIFEST = """\
project_name:
  type: str
  help: Human-readable name
  default: Study
release_date:
  type: str
  help: Date of the release
  default: "{{ env.meta.captured_at[:10] if env.meta is defined and env.meta is mapping and env.meta.captured_at is defined else '2026-01-01' }}"
use_gpu:
  type: bool
  help: Train on a GPU
  default: "{{ env.nvidia is defined and env.nvidia is mapping and (env.nvidia.gpus | default([]) | length) > 0 }}"
"""


def interact(tmp_path, keys: list[bytes], until: list[bytes]) -> str:
    template = write_template(tmp_path / "tpl", MANIFEST, {"README.md.jinja": "# {{ project_name }}\n"})
    main, secondary = pty.openpty()
    env = dict(os.environ, NO_COLOR="1", TERM="xterm", HOME=str(tmp_path))
    process = subprocess.Popen([str(binary()), "init", str(tmp_path / "study"), "--template", str(template), "--no-probe"],
                               stdin=secondary, stdout=secondary, stderr=secondary, env=env, close_fds=True)
    os.close(secondary)
    seen = b""
    for key, marker in zip(keys, until):
        deadline = time.monotonic() + 20
        while marker not in seen:
            assert time.monotonic() < deadline, seen.decode(errors="replace")
            if select.select([main], [], [], 0.2)[0]:
                try:
                    seen += os.read(main, 4096)
                except OSError:
                    break
        os.write(main, key)
    # The last key is Ctrl-C: the wizard ends on it, and everything it drew is read by then.
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        if select.select([main], [], [], 0.2)[0]:
            try:
                seen += os.read(main, 4096)
            except OSError:
                break
    try:
        assert process.wait(timeout=max(deadline - time.monotonic(), 1)) == 130, seen.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    while select.select([main], [], [], 0.2)[0]:
        try:
            seen += os.read(main, 4096)
        except OSError:
            break
    os.close(main)
    return seen.decode(errors="replace")


def test_question_mark_tells_more_than_the_one_line_hint(tmp_path):
    shown = interact(tmp_path, [b"?", b"\x03"], [b"project_name", b"Expected:"])
    assert "Expected: one line of text." in shown and "Enter keeps the default: Study." in shown
    assert "Recorded in .mlrepro/answers.yml as 'project_name'." in shown


def test_the_hardware_note_stands_only_beside_hardware_defaults(tmp_path):
    shown = interact(tmp_path, [b"\r", b"\r", b"\x03"], [b"project_name", b"release_date", b"use_gpu"])
    lines = [line.strip("\r") for line in shown.split("\n")]

    def hint_before(prompt: str) -> str:
        index = next(i for i, line in enumerate(lines) if line.startswith("? " + prompt))
        return lines[index - 1]

    assert hint_before("release_date").strip() == "Date of the release · ? help"
    assert re.search("GPU detected|not probed", hint_before("use_gpu"))


def test_package_name_refuses_python_keywords(tmp_path):
    refused = run("init", "kw-study", "--defaults", "--no-probe", "--no-git", "-d", "package_name=class", cwd=tmp_path)
    assert refused.returncode == 2 and "package_name 'class' is a Python keyword" in refused.stderr


def test_a_default_nobody_typed_is_named_as_such(tmp_path):
    refused = run("init", "kw", "--defaults", "--no-probe", "--no-git", cwd=tmp_path)
    assert refused.returncode == 2
    assert "nobody gave 'project_slug': its default 'kw' comes from" in refused.stderr
    assert "--data project_slug=VALUE" in refused.stderr
    # A value someone gave is reported as before.
    given = run("init", "kw-study", "--defaults", "--no-probe", "--no-git", "-d", "project_slug=kw", cwd=tmp_path)
    assert given.returncode == 2 and "nobody gave" not in given.stderr

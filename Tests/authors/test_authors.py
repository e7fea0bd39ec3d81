"""The template author's workflow as Docs/authors.md describes it, driven through the built binary:
the tutorial's shell blocks run in order and must write the fixture (Tests/Fixtures/authors-tutorial),
the fixture is linted, baked with its own tests, snapshotted, released twice and updated, and the CI
snippets are checked against their schemas and run."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "Tests" / "Fixtures" / "authors-tutorial"
DOC = REPO / "Docs" / "authors.md"
VENV_BIN = Path(sys.executable).parent


def binary() -> Path:
    path = Path(os.environ.get("MLREPRO_BIN", REPO / ".build" / "debug" / "mlrepro"))
    if not path.is_file():
        pytest.fail(f"mlrepro binary not found at {path}; run `swift build` or set MLREPRO_BIN")
    return path


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "NO_COLOR": "1", "HOME": str(home),
        # `mlrepro` as the docs call it, then the validators of the test virtualenv.
        "PATH": f"{binary().parent}:{VENV_BIN}:{env.get('PATH', '/usr/bin:/bin')}",
        "GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.org",
        "GIT_CONFIG_NOSYSTEM": "1",
    })
    env.update(extra)
    return env


def mlrepro(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(binary()), *args], cwd=cwd, env=environment(cwd), capture_output=True, text=True,
                          timeout=timeout, check=False)


def shell(script: str, cwd: Path, timeout: float = 600, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=environment(cwd, **extra),
                          capture_output=True, text=True, timeout=timeout, check=False)


def section(title: str) -> str:
    text = DOC.read_text()
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start:end if end >= 0 else len(text)]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(r"^```" + language + r"\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


def fixture_files(version: str) -> dict[str, bytes]:
    root = FIXTURE / version
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def tagged_files(repo: Path, tag: str) -> dict[str, bytes]:
    names = subprocess.run(["git", "ls-tree", "-r", "-z", "--name-only", tag], cwd=repo, capture_output=True,
                           check=True).stdout.decode().strip("\0").split("\0")
    return {name: subprocess.run(["git", "show", f"{tag}:{name}"], cwd=repo, capture_output=True, check=True).stdout
            for name in names}


# MARK: - The tutorial, pasted


def test_the_tutorial_pasted_in_order_writes_the_fixture_and_updates_a_project(tmp_path: Path) -> None:
    script = "\n".join(blocks(section("## Tutorial: a small template, checked"), "sh"))
    assert "mlrepro update" in script and "--update-snapshots" in script
    result = shell(script, tmp_path)
    assert result.returncode == 0, f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    # What the reader wrote is the fixture, file for file, at both releases.
    template = tmp_path / "my-template"
    for version in ("v1.0.0", "v1.1.0"):
        written = tagged_files(template, version)
        expected = fixture_files(version)
        assert sorted(written) == sorted(expected), version
        for name, content in expected.items():
            assert written[name] == content, f"{version}:{name} differs between Docs/authors.md and the fixture"
    # The output the tutorial quotes is what bake prints.
    assert "12 passed, 0 failed" in result.stdout
    quoted = re.search(r"^checks: .*$", section("## Tutorial: a small template, checked"), flags=re.MULTILINE)
    assert quoted and quoted.group(0) in result.stdout, result.stdout[-2000:]
    # The project made from v1.0.0 and updated to v1.1.0: answers and the researcher's edit kept.
    project = tmp_path / "my-study"
    answers = (project / ".mlrepro" / "answers.yml").read_text()
    for line in ("framework: pytorch", "use_gpu: true", "license: MIT", "extras: []"):
        assert line in answers, answers
    readme = (project / "README.md").read_text()
    assert "Our lab notes." in readme and "Licensed under MIT (see LICENSE)." in readme, readme
    assert "<<<<<<<" not in readme
    assert (project / "LICENSE").read_text() == "MIT License. Copyright the authors of My study.\n"
    assert "MIT License." in result.stdout  # `cat LICENSE`


# MARK: - The fixture as CI would check it


def test_the_fixture_lints_bakes_with_its_own_tests_and_matches_its_snapshots(tmp_path: Path) -> None:
    for version in ("v1.0.0", "v1.1.0"):
        lint = mlrepro("lint", "--template", str(FIXTURE / version), cwd=tmp_path)
        assert lint.returncode == 0, lint.stderr
        snapshot = mlrepro("bake", "--template", str(FIXTURE / version), "--snapshot", cwd=tmp_path)
        assert snapshot.returncode == 0, snapshot.stdout + snapshot.stderr
        assert "snapshot everything: unchanged" in snapshot.stdout
    report = tmp_path / "bake.xml"
    bake = mlrepro("bake", "--template", str(FIXTURE / "v1.1.0"), "--output", str(tmp_path / "bake"), "--validate",
                   "--run", "python3 -m unittest discover -s tests", "--junit", str(report), cwd=tmp_path)
    assert bake.returncode == 0, bake.stdout + bake.stderr
    suites = ET.parse(report).getroot()
    assert suites.tag == "testsuites"
    (suite,) = suites.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests")) == int(suites.get("tests")) >= 12
    assert suite.get("failures") == "0" and not suite.findall(".//failure")
    assert all(case.get("name") and case.get("classname") and case.find("system-out") is not None for case in cases)


def test_a_broken_toml_or_json_file_is_located_and_reported_in_junit(tmp_path: Path) -> None:
    template = tmp_path / "t"
    (template).mkdir()
    (template / "mlrepro.yml").write_text("tool:\n  type: str\n  choices: [a, b]\n  default: a\n")
    (template / "conf.toml.jinja").write_text('[tool]\nok = "1"\n{% if tool == "b" %}name = b{% endif %}\n')
    (template / "data.json.jinja").write_text('{"tool": "{{ tool }}"}\n')
    report = tmp_path / "out.xml"
    bake = mlrepro("bake", "--template", str(template), "--output", str(tmp_path / "out"), "--validate",
                   "--junit", str(report), "--json", cwd=tmp_path)
    assert bake.returncode == 1, bake.stdout + bake.stderr

    data = json.loads(bake.stdout)
    assert {"check": "toml", "files": 2, "failed": 1, "skipped": 0} in data["checks"], data["checks"]
    assert {"check": "json", "files": 2, "failed": 0, "skipped": 0} in data["checks"] or any(
        c["check"] == "json" and c["failed"] == 0 for c in data["checks"])
    suites = ET.parse(report).getroot()
    failures = list(suites.iter("failure"))
    assert len(failures) == 1 and suites.get("failures") == "1"
    assert failures[0].get("type") == "validation"
    assert "conf.toml:3:8:" in failures[0].text, failures[0].text
    text = mlrepro("bake", "--template", str(template), "--output", str(tmp_path / "out2"), "--validate", cwd=tmp_path)
    assert re.search(r"^checks: .*toml 2 files \(1 failed\)", text.stdout, flags=re.MULTILINE), text.stdout


def test_snapshots_fail_with_a_diff_and_update(tmp_path: Path) -> None:
    template = tmp_path / "tpl"
    shutil.copytree(FIXTURE / "v1.0.0", template)
    readme = template / "template" / "README.md.jinja"
    readme.write_text(readme.read_text().replace("Trains with", "Fits with"))
    check = mlrepro("bake", "--template", str(template), "--snapshot", cwd=tmp_path)
    assert check.returncode == 1, check.stdout + check.stderr
    assert "+++ b/snapshots/default/README.md" in check.stdout
    assert "-Trains with sklearn." in check.stdout and "+Fits with sklearn." in check.stdout
    update = mlrepro("bake", "--template", str(template), "--update-snapshots", cwd=tmp_path)
    assert update.returncode == 0, update.stdout + update.stderr
    assert "Fits with" in (template / "snapshots" / "everything" / "README.md").read_text()
    assert mlrepro("bake", "--template", str(template), "--snapshot", cwd=tmp_path).returncode == 0
    # A snapshot dropped from the file leaves a stale folder: reported, then removed by an update.
    (template / "bake-snapshots.yml").write_text("default: {}\n")
    stale = mlrepro("bake", "--template", str(template), "--snapshot", cwd=tmp_path)
    assert stale.returncode == 1 and "everything" in stale.stdout
    assert mlrepro("bake", "--template", str(template), "--update-snapshots", cwd=tmp_path).returncode == 0
    assert not (template / "snapshots" / "everything").exists()
    # A bad snapshots file is an error located in it, exit 2.
    (template / "bake-snapshots.yml").write_text("default: {}\nbad: [1, 2]\n")
    bad = mlrepro("bake", "--template", str(template), "--snapshot", cwd=tmp_path)
    assert bad.returncode == 2 and "bake-snapshots.yml:2:1" in bad.stderr, bad.stderr
    (template / "bake-snapshots.yml").write_text("default:\n  framework: tensorflow\n")
    wrong = mlrepro("bake", "--template", str(template), "--snapshot", cwd=tmp_path)
    assert wrong.returncode == 2 and "framework" in wrong.stderr, wrong.stderr


# MARK: - The CI snippets


def ci_snippet(first_line: str) -> str:
    for block in blocks(section("## In a template repository's CI"), "yaml"):
        if block.startswith(first_line + "\n"):
            return block
    raise AssertionError(f"no yaml block starting with {first_line!r} in Docs/authors.md")


@pytest.mark.parametrize("name,schema", [(".github/workflows/template.yml", "vendor.github-workflows"),
                                         (".gitlab-ci.yml", "vendor.gitlab-ci")])
def test_the_ci_snippets_are_valid_and_their_commands_pass_on_the_fixture(tmp_path: Path, name: str, schema: str) -> None:
    import yaml
    text = ci_snippet("# " + name)
    snippet = tmp_path / "snippet.yml"
    snippet.write_text(text)
    checked = subprocess.run([str(VENV_BIN / "check-jsonschema"), "--builtin-schema", schema, str(snippet)],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    document = yaml.safe_load(text)
    if name.startswith(".github"):
        commands = [step["run"] for job in document["jobs"].values() for step in job["steps"] if "run" in step]
    else:
        commands = [line for job in document.values() if isinstance(job, dict) for line in job.get("script", [])]
    # The install line is the CI's business; the rest runs here as the CI would run it.
    commands = [c for c in commands if not c.startswith(("pip ", "pipx "))]
    assert any("mlrepro lint" in c for c in commands) and any("--snapshot" in c for c in commands)
    repository = tmp_path / "repo"
    shutil.copytree(FIXTURE / "v1.1.0", repository)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    result = shell("\n".join(commands), repository, RUNNER_TEMP=str(runner_temp), CI_PROJECT_DIR=str(repository))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = (runner_temp if name.startswith(".github") else repository) / "bake.xml"
    assert ET.parse(report).getroot().tag == "testsuites"


# MARK: - lint: attribute chains and Python extensions


def lint_template(root: Path, manifest: str, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    (root / "mlrepro.yml").write_text(manifest)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_lint_checks_attribute_chains_every_answer_agrees_on(tmp_path: Path) -> None:
    template = lint_template(tmp_path / "t", "name:\n  type: str\n  default: x\ntags:\n  type: str\n  multiselect: true\n"
                             "  choices: [a, b]\n  default: []\nconfig:\n  type: yaml\n  default: {a: 1}\n", {
        "ok.txt.jinja": "{{ name.upper() }} {{ tags.count('a') }} {{ env.nvidia.gpus | length }} {{ env.host.cpu_model }}"
                        " {{ env.nvidia.gpus[0].name if env.nvidia.gpus }} {{ config.anything }} {{ env.meta.sources.x }}\n"
                        "{% set name = {'a': 1} %}{{ name.a }}\n",
        "bad.txt.jinja": "{{ name.nope }}\n{{ env.nvida.gpus }}\n{{ env.host.cpu_modl }}\n{{ tags.nope }}\n",
    })
    result = mlrepro("lint", "--template", str(template), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 4, result.stderr
    assert "bad.txt.jinja:1:9: error: 'name.nope': 'name' is a str answer" in result.stderr
    assert "bad.txt.jinja:2:8: error: 'env.nvida': the environment record has no group 'nvida'" in result.stderr
    assert "error: 'env.host.cpu_modl': the environment record's 'host' has no field 'cpu_modl'" in result.stderr
    assert "bad.txt.jinja:4:9: error: 'tags.nope'" in result.stderr
    assert "ok.txt.jinja" not in result.stderr


EXTENSION = """\
from jinja2.ext import Extension


class Shout(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["shout"] = lambda text: text.upper()
        environment.globals["lab_name"] = "Ada's lab"
"""


def test_lint_assumes_what_python_extensions_add_and_loads_them_with_trust(tmp_path: Path) -> None:
    template = lint_template(tmp_path / "t", "_jinja_extensions:\n  - shouting.Shout\nname:\n  type: str\n  default: x\n", {
        "shouting.py": EXTENSION,
        "a.txt.jinja": "{{ name | shout }} {{ lab_name }}\n",
        "b.txt.jinja": "{{ nmae }}\n",
    })
    untrusted = mlrepro("lint", "--template", str(template), cwd=tmp_path)
    # No false error for the filter or the global; what was not checked is said.
    assert untrusted.returncode == 0, untrusted.stdout + untrusted.stderr
    assert "filter 'shout'" in untrusted.stderr and "were not loaded" in untrusted.stderr
    assert "not checked (the extensions may define it)" in untrusted.stderr and "'nmae'" in untrusted.stderr
    trusted = mlrepro("lint", "--template", str(template), "--trust", cwd=tmp_path)
    assert trusted.returncode == 2, trusted.stdout + trusted.stderr
    errors = [line for line in trusted.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and "b.txt.jinja:1:4: error: 'nmae' is not defined" in errors[0], trusted.stderr
    # A filter nothing defines is still an error once the extensions are loaded.
    (template / "a.txt.jinja").write_text("{{ name | whisper }}\n")
    missing = mlrepro("lint", "--template", str(template), "--trust", cwd=tmp_path)
    assert missing.returncode == 2 and "No filter named 'whisper'" in missing.stderr, missing.stderr


def test_junit_holds_any_failure_text_as_well_formed_xml(tmp_path: Path) -> None:
    template = tmp_path / "t"
    template.mkdir()
    (template / "mlrepro.yml").write_text("flag:\n  type: bool\n  default: false\n")
    (template / "f.txt.jinja").write_text("{{ flag }}\n")
    report = tmp_path / "r.xml"
    command = "test -n \"<&>'\x01\" && grep -q True f.txt"
    bake = mlrepro("bake", "--template", str(template), "--output", str(tmp_path / "out"), "--run", command,
                   "--junit", str(report), cwd=tmp_path)
    assert bake.returncode == 1, bake.stdout + bake.stderr
    suites = ET.parse(report).getroot()
    (failure,) = list(suites.iter("failure"))
    assert failure.get("type") == "run" and "<&>'" in failure.text and "exited 1" in failure.text
    assert [case.find("failure") is None for case in suites.iter("testcase")].count(True) == 1
    missing = mlrepro("bake", "--template", str(template), "--output", str(tmp_path / "out2"),
                      "--junit", str(tmp_path / "no" / "r.xml"), cwd=tmp_path)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert not (tmp_path / "out2").exists()

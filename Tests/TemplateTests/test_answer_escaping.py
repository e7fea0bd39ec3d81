"""Free-text answers land in YAML, TOML and Python files quoted for each format: a corpus of
hostile single-line values either is refused by the template's validators (line separators,
C1 and bidirectional controls) or is read back, by each format's own parser, as exactly the
answer."""
from __future__ import annotations

import ast
import json
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from conftest import BIN, TEMPLATE, tool

ROUND_TRIP = [
    "a\\", "back\\slash\\", 'say "hi"', '"""triple"""', "'single'", "it's", "#hash", "a: b", "- item", "key: {x: 1}",
    "[1, 2]", "&anchor *alias", "!tag value", "%YAML 1.2", "yes", "null", "~", "1e3", "0x1F", "é🚀 ünïcödé", "{{ x }}",
    "{% raw %}", "$HOME `id` $(id)", "<script>", "a,b;c", " lead and trail ", "---", "...", "\\u0041",
    "ok #", "x = \"y\"", "C:\\new\\table",
]
REFUSED = ["ok\u0085x-injected: {privileged: true} #", "x\u2028y", "x\u2029y", "a\u202eevil", "a\u2066b", "c1\u009b",
           "bom\ufeff", "lrm\u200e"]
CONTROL = ["tab\tinside", "nul\x00", "cr\r", "esc\x1b[2J", "line\nbreak", "del\x7f"]


def generate(tmp_path: Path, value: str, name: str, escaped: bool = False):
    answers = tmp_path / f"{name}.yml"
    answers.write_text(json.dumps({"project_name": value, "description": value, "author_name": value,
                                   "author_given_names": value, "author_family_names": value,
                                   "author_email": "ada@example.org", "compute": ["local"]}, ensure_ascii=escaped))
    dest = tmp_path / name
    done = subprocess.run([str(BIN), "init", str(dest), "--template", str(TEMPLATE), "--answers", str(answers),
                           "--defaults", "--no-probe", "--no-git", "--quiet", "--data", "project_slug=hostile-study",
                           "--data", "package_name=hostile_study"],
                          capture_output=True, text=True, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"})
    return done, dest


@pytest.mark.parametrize("index", range(len(ROUND_TRIP)))
def test_free_text_answers_round_trip_through_every_format(index: int, tmp_path: Path) -> None:
    value = ROUND_TRIP[index]
    done, dest = generate(tmp_path, value, f"p{index}")
    assert done.returncode == 0, done.stderr
    cff = yaml.safe_load((dest / "CITATION.cff").read_text())
    assert cff["title"] == value and cff["abstract"] == value
    assert cff["authors"][0]["family-names"] == value.strip() and cff["authors"][0]["given-names"] == value.strip()
    project = tomllib.loads((dest / "pyproject.toml").read_text())["project"]
    assert project["description"] == value and project["authors"][0]["name"] == value
    init = (dest / "src" / "hostile_study" / "__init__.py").read_text()
    assert ast.get_docstring(ast.parse(init), clean=False) == f"{value}: {value}"
    compose = yaml.safe_load((dest / "compose.yaml").read_text())
    assert set(compose) <= {"name", "services", "volumes", "networks", "x-mlflow-env"}, sorted(compose)
    schemas = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(dest / "compose.yaml")],
                             capture_output=True, text=True)
    assert schemas.returncode == 0, schemas.stdout + schemas.stderr
    cff_check = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.citation-file-format",
                                str(dest / "CITATION.cff")], capture_output=True, text=True)
    assert cff_check.returncode == 0, cff_check.stdout + cff_check.stderr


@pytest.mark.parametrize("value", REFUSED + CONTROL)
def test_line_breaking_and_control_characters_are_refused(value: str, tmp_path: Path) -> None:
    # JSON escapes (\u0085, \u2028, ...), so the YAML parser hands the character itself to mlrepro.
    done, dest = generate(tmp_path, value, "refused", escaped=True)
    assert done.returncode == 2, done.stdout
    assert "answer 'project_name'" in done.stderr and "refused.yml:1:" in done.stderr
    assert not dest.exists()

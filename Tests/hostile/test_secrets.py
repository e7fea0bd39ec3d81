"""Secrets stay secret: random, 0600, never recorded, never printed; ports on loopback."""
from __future__ import annotations

import stat
from pathlib import Path

import yaml

from conftest import run, write_template


def env_values(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def generate(dest: Path, cwd: Path, *extra: str):
    result = run("init", str(dest), "--defaults", "--no-git", "--no-probe", *extra, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return result


def test_builtin_env_file_is_random_private_and_unrecorded(tmp_path: Path) -> None:
    first = generate(tmp_path / "one", tmp_path)
    generate(tmp_path / "two", tmp_path)
    env_one, env_two = tmp_path / "one" / ".env", tmp_path / "two" / ".env"
    assert stat.S_IMODE(env_one.stat().st_mode) == 0o600
    secrets_one = {k: v for k, v in env_values(env_one).items() if "PASSWORD" in k or "SECRET" in k}
    assert secrets_one, "the built-in .env holds credentials"
    secrets_two = env_values(env_two)
    example = env_values(tmp_path / "one" / ".env.example")
    for key, value in secrets_one.items():
        assert len(value) >= 16, f"{key} is too short to be a credential"
        assert value != secrets_two.get(key), f"{key} repeats between projects: not random"
        assert value != example.get(key), f"{key} is the example value"
        for recorded in (".mlrepro/answers.yml", ".mlrepro/checksums"):
            assert value not in (tmp_path / "one" / recorded).read_text(), f"{key} leaked into {recorded}"
        assert value not in first.stdout + first.stderr, f"{key} was printed"
    assert ".env" in (tmp_path / "one" / ".gitignore").read_text().split()
    assert " .env\n" not in (tmp_path / "one" / ".mlrepro" / "checksums").read_text()


def test_pretend_never_prints_secret_values(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "pretend-study"), "--defaults", "--no-git", "--no-probe", "--pretend", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "pretend-study").exists()
    for line in (result.stdout + result.stderr).splitlines():
        assert "PASSWORD=" not in line and "SECRET_KEY=" not in line, line


def test_secret_questions_are_used_but_never_recorded(tmp_path: Path) -> None:
    manifest = "name:\n  type: str\n  default: demo\ntoken:\n  type: str\n  secret: true\n  default: ''\n"
    tpl = write_template(tmp_path / "tpl", manifest, {"uses.txt.jinja": "{{ token | length }}\n"})
    dest = tmp_path / "out"
    result = run("init", str(dest), "--template", str(tpl), "--defaults", "--no-git", "--no-probe",
                 "--data", "token=hunter2-very-secret", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (dest / "uses.txt").read_text() == f"{len('hunter2-very-secret')}\n"
    answers = yaml.safe_load((dest / ".mlrepro" / "answers.yml").read_text())
    assert "token" not in answers
    for path in dest.rglob("*"):
        if path.is_file():
            assert b"hunter2" not in path.read_bytes(), path
    assert "hunter2" not in result.stdout + result.stderr


def test_compose_publishes_ports_on_loopback_only(tmp_path: Path) -> None:
    generate(tmp_path / "compose-study", tmp_path, "--data", "tracking=mlflow-server")
    compose = yaml.safe_load((tmp_path / "compose-study" / "compose.yaml").read_text())
    published = []
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            text = port if isinstance(port, str) else f"{port.get('host_ip', '')}:{port.get('published')}"
            published.append(text)
            assert str(text).startswith("127.0.0.1:"), f"service {name} publishes {port} beyond loopback"
    assert published, "the tracking stack publishes at least the MLflow UI"

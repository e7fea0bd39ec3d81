"""Private templates over SSH and HTTP, on loopback servers this file starts and stops.

An OpenSSH server (Debian `openssh-server`) on 127.0.0.1 with its own host key, and an HTTP server
with basic auth in front of `git http-backend`, both serve a bare template repository. mlrepro
clones, checks and updates through them with the credentials a user has (key files, ssh-agent,
~/.ssh/config, a token in the environment, a git credential helper); wrong keys, wrong tokens and
unknown or changed host keys are refused with messages that say what was tried and what to do;
and no secret reaches the record, the cache, an output or a process argument list.
"""
from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import run

SECRET = "tok-7f3a9c1e5b2d8046"
SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
GIT = shutil.which("git")
KEYGEN = shutil.which("ssh-keygen")

needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed (Debian: apt install git)")
needs_sshd = pytest.mark.skipif(SSHD is None or KEYGEN is None or GIT is None,
                                reason="OpenSSH server, ssh-keygen or git missing (Debian: apt install openssh-server git)")

MANIFEST = "project_slug:\n  type: str\n  default: demo\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def git(*args: str, cwd: Path | None = None) -> str:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd or Path.cwd()),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run([GIT or "git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def publish(work: Path, bare: Path, version: str, readme: str) -> None:
    """Commits `readme` as the template's README.md.jinja, tags it, and pushes to `bare`."""
    (work / "README.md.jinja").write_text(readme)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", version, cwd=work)
    git("tag", version, cwd=work)
    git("push", "-q", str(bare), "HEAD:refs/heads/main", "--tags", cwd=work)


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("served")
    work = root / "work"
    work.mkdir()
    git("init", "-q", "-b", "main", cwd=work)
    (work / "mlrepro.yml").write_text(MANIFEST)
    bare = root / "repos" / "lab-template.git"
    bare.parent.mkdir()
    git("init", "-q", "--bare", "-b", "main", str(bare), cwd=root)
    publish(work, bare, "v1.0.0", "# {{ project_slug }}\nversion one\n")
    return {"work": work, "bare": bare, "root": root}


def walk_for_secret(*roots: Path) -> list[str]:
    found = []
    for root in roots:
        if not root.exists():
            continue
        for path in [root, *root.rglob("*")]:
            if SECRET in str(path):
                found.append(f"path {path}")
            if path.is_file() and not path.is_symlink() and SECRET.encode() in path.read_bytes():
                found.append(f"content of {path}")
    return found


def assert_no_secret(results, *roots: Path) -> None:
    for result in results:
        assert SECRET not in result.stdout and SECRET not in result.stderr, "a secret reached an output"
    assert walk_for_secret(*roots) == []


# MARK: - SSH


def keygen(path: Path, *extra: str) -> str:
    subprocess.run([KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", str(path), *extra], check=True)
    return (path.with_suffix(".pub") if path.suffix else Path(str(path) + ".pub")).read_text().strip()


@pytest.fixture(scope="module")
def sshd(tmp_path_factory, template_repo):
    if SSHD is None or KEYGEN is None or GIT is None:
        pytest.skip("OpenSSH server, ssh-keygen or git missing (Debian: apt install openssh-server git)")
    base = tmp_path_factory.mktemp("sshd")
    host_key = base / "host_ed25519"
    host_public = keygen(host_key)
    other_host_public = keygen(base / "other_host_ed25519")
    user_key = base / "user_ed25519"
    user_public = keygen(user_key)
    (base / "authorized_keys").write_text(user_public + "\n")
    os.chmod(base / "authorized_keys", 0o600)
    user = os.environ.get("USER") or subprocess.run(["id", "-un"], check=False, capture_output=True, text=True).stdout.strip()
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)

    def start() -> tuple[subprocess.Popen, int]:
        """sshd on a free port; another one when something took the port between the choice and the bind."""
        for _ in range(5):
            port = free_port()
            (base / "sshd_config").write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {host_key}
PidFile {base}/sshd.pid
AuthorizedKeysFile {base}/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
AllowUsers {user}
""")
            server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(base / "sshd_config")], stdout=log, stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 60
            while server.poll() is None:
                try:
                    # Our sshd, not whatever else listens there: it greets first.
                    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                        if connection.recv(4) == b"SSH-":
                            return server, port
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    server.kill()
                    server.wait()
                    pytest.fail("sshd did not listen within 60 s: " + (base / "sshd.log").read_text(errors="replace"))
                time.sleep(0.1)
            if "Address already in use" not in (base / "sshd.log").read_text(errors="replace"):
                break
        pytest.fail("sshd did not start: " + (base / "sshd.log").read_text(errors="replace"))

    with (base / "sshd.log").open("wb") as log:
        server, port = start()
        try:
            yield {
                "url": f"ssh://{user}@127.0.0.1:{port}{template_repo['bare']}",
                "port": port,
                "user_key": user_key,
                "known": f"[127.0.0.1]:{port} {' '.join(host_public.split()[:2])}\n",
                "other_known": f"[127.0.0.1]:{port} {' '.join(other_host_public.split()[:2])}\n",
            }
        finally:
            server.terminate()
            try:
                server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.kill()


def ssh_home(tmp_path: Path, server: dict, *, key: Path | None, known: str | None, config: str = "",
             key_name: str = "id_ed25519") -> dict[str, str]:
    home = tmp_path / "home"
    dot_ssh = home / ".ssh"
    dot_ssh.mkdir(parents=True)
    os.chmod(dot_ssh, 0o700)
    if key is not None:
        shutil.copy(key, dot_ssh / key_name)
        os.chmod(dot_ssh / key_name, 0o600)
    if known is not None:
        (dot_ssh / "known_hosts").write_text(known)
    if config:
        (dot_ssh / "config").write_text(config)
    env = {"HOME": str(home), "XDG_CACHE_HOME": "", "GIT_CONFIG_NOSYSTEM": "1", "SSH_AUTH_SOCK": ""}
    return env


def test_ssh_key_file_clones_checks_and_updates(tmp_path, sshd, template_repo):
    env = ssh_home(tmp_path, sshd, key=sshd["user_key"], known=sshd["known"])
    made = run("init", "proj", "--template", sshd["url"], "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "proj" / "README.md").read_text() == "# demo\nversion one\n"
    answers = (tmp_path / "proj" / ".mlrepro" / "answers.yml").read_text()
    assert sshd["url"] in answers
    checked = run("check", "proj", cwd=tmp_path, env=env, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    publish(template_repo["work"], template_repo["bare"], "v1.1.0", "# {{ project_slug }}\nversion two\n")
    try:
        updates = run("check", "proj", "--updates", cwd=tmp_path, env=env, timeout=60)
        assert updates.returncode == 1, updates.stdout + updates.stderr
        updated = run("update", "proj", cwd=tmp_path, env=env, timeout=60)
        assert updated.returncode == 0, updated.stdout + updated.stderr
        assert (tmp_path / "proj" / "README.md").read_text() == "# demo\nversion two\n"
    finally:
        git("push", "-q", "-f", str(template_repo["bare"]), "v1.0.0:refs/heads/main", cwd=template_repo["work"])
        git("push", "-q", str(template_repo["bare"]), ":refs/tags/v1.1.0", cwd=template_repo["work"])
        git("tag", "-d", "v1.1.0", cwd=template_repo["work"])
        git("reset", "-q", "--hard", "v1.0.0", cwd=template_repo["work"])


def test_ssh_identity_file_named_in_ssh_config(tmp_path, sshd):
    keys = tmp_path / "keys"
    keys.mkdir()
    shutil.copy(sshd["user_key"], keys / "lab")
    os.chmod(keys / "lab", 0o600)
    config = f"Host example.org\n  IdentityFile ~/nowhere\nHost 127.0.0.*\n  IdentityFile {keys / 'lab'}\n"
    env = ssh_home(tmp_path, sshd, key=None, known=sshd["known"], config=config)
    made = run("init", "proj", "--template", sshd["url"], "--defaults", "--no-probe", "--no-git", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 0, made.stderr


def test_ssh_agent_is_tried_first(tmp_path, sshd):
    socket_path = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not socket_path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        subprocess.run(["ssh-add", "-q", str(sshd["user_key"])], env={**os.environ, "SSH_AUTH_SOCK": str(socket_path)},
                       check=True, capture_output=True)
        env = ssh_home(tmp_path, sshd, key=None, known=sshd["known"])
        env["SSH_AUTH_SOCK"] = str(socket_path)
        made = run("init", "proj", "--template", sshd["url"], "--defaults", "--no-probe", "--no-git", cwd=tmp_path, env=env, timeout=60)
        assert made.returncode == 0, made.stderr
    finally:
        agent.send_signal(signal.SIGTERM)
        agent.wait(timeout=5)


def test_ssh_wrong_key_is_refused_naming_what_was_tried(tmp_path, sshd):
    env = ssh_home(tmp_path, sshd, key=None, known=sshd["known"])
    keygen(Path(env["HOME"]) / ".ssh" / "id_ed25519")
    made = run("init", "proj", "--template", sshd["url"], "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 2
    assert "cannot authenticate to 127.0.0.1:" in made.stderr
    assert "ssh-agent (skipped: SSH_AUTH_SOCK is not set)" in made.stderr
    assert "key file ~/.ssh/id_ed25519" in made.stderr
    assert "ssh-add" in made.stderr
    assert not (tmp_path / "proj").exists()


def test_ssh_key_with_a_passphrase_is_passed_over(tmp_path, sshd):
    env = ssh_home(tmp_path, sshd, key=None, known=sshd["known"])
    subprocess.run([KEYGEN, "-q", "-t", "ed25519", "-N", "a passphrase", "-f", str(Path(env["HOME"]) / ".ssh" / "id_ed25519")], check=True)
    made = run("init", "proj", "--template", sshd["url"], "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 2
    assert "has a passphrase; load it into the agent with 'ssh-add ~/.ssh/id_ed25519'" in made.stderr


def test_ssh_unknown_host_is_refused_with_the_command_that_adds_it(tmp_path, sshd):
    env = ssh_home(tmp_path, sshd, key=sshd["user_key"], known=None)
    made = run("init", "proj", "--template", sshd["url"], "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 2
    assert f"the SSH host [127.0.0.1]:{sshd['port']} is not in ~/.ssh/known_hosts" in made.stderr
    assert "SHA256:" in made.stderr
    assert f"ssh-keyscan -p {sshd['port']} -H 127.0.0.1 >> ~/.ssh/known_hosts" in made.stderr
    assert not (Path(env["HOME"]) / ".ssh" / "known_hosts").exists(), "the host was added without being asked"
    assert not (tmp_path / "proj").exists()


def test_ssh_changed_host_key_is_refused_as_a_possible_interception(tmp_path, sshd):
    env = ssh_home(tmp_path, sshd, key=sshd["user_key"], known=sshd["other_known"])
    made = run("init", "proj", "--template", sshd["url"], "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 2
    assert "does not match the key ~/.ssh/known_hosts records" in made.stderr
    assert f"ssh-keygen -R '[127.0.0.1]:{sshd['port']}'" in made.stderr


# MARK: - HTTP with basic auth in front of git http-backend


class GitHTTPHandler(BaseHTTPRequestHandler):
    project_root = ""
    expected = ""

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.serve()

    def do_POST(self) -> None:
        self.serve()

    def body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def serve(self) -> None:
        given = self.headers.get("Authorization", "")
        wanted = "Basic " + base64.b64encode(f"oauth2:{self.expected}".encode()).decode()
        if given != wanted:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="templates"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_PROJECT_ROOT": self.project_root,
               "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": path, "QUERY_STRING": query,
               "REQUEST_METHOD": self.command, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
               "REMOTE_USER": "oauth2", "REMOTE_ADDR": "127.0.0.1", "GIT_CONFIG_NOSYSTEM": "1"}
        data = self.body()
        env["CONTENT_LENGTH"] = str(len(data))
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        backend = subprocess.run([GIT, "http-backend"], input=data, env=env, capture_output=True, check=False)
        head, _, payload = backend.stdout.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.decode(errors="replace").split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture(scope="module")
def http_server(template_repo):
    if GIT is None:
        pytest.skip("git is not installed (Debian: apt install git); git http-backend serves the repository")
    handler = type("Handler", (GitHTTPHandler,), {"project_root": str(template_repo["bare"].parent), "expected": SECRET})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}/lab-template.git", "port": server.server_port}
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def http_home(tmp_path: Path, *, token: str | None) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    # Every git the tool starts goes through this wrapper, which writes down its argument list.
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "git").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{tmp_path}/git-arguments.log"\nexec "{GIT}" "$@"\n')
    os.chmod(shims / "git", 0o755)
    env = {"HOME": str(home), "XDG_CACHE_HOME": "", "GIT_CONFIG_NOSYSTEM": "1", "MLREPRO_GIT_TOKEN": token or "",
           "GITHUB_TOKEN": "", "GITLAB_TOKEN": "", "PATH": f"{shims}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    return env


@needs_git
def test_http_token_from_the_environment_clones_checks_and_updates(tmp_path, http_server, template_repo):
    env = http_home(tmp_path, token=SECRET)
    results = [run("init", "proj", "--template", http_server["url"], "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)]
    assert results[-1].returncode == 0, results[-1].stderr
    results.append(run("check", "proj", "--json", cwd=tmp_path, env=env, timeout=60))
    assert results[-1].returncode == 0, results[-1].stdout + results[-1].stderr
    publish(template_repo["work"], template_repo["bare"], "v1.2.0", "# {{ project_slug }}\nversion three\n")
    try:
        results.append(run("check", "proj", "--updates", "--json", cwd=tmp_path, env=env, timeout=60))
        assert results[-1].returncode == 1, results[-1].stdout + results[-1].stderr
        results.append(run("update", "proj", cwd=tmp_path, env=env, timeout=60))
        assert results[-1].returncode == 0, results[-1].stdout + results[-1].stderr
        assert (tmp_path / "proj" / "README.md").read_text() == "# demo\nversion three\n"
    finally:
        git("push", "-q", "-f", str(template_repo["bare"]), "v1.0.0:refs/heads/main", cwd=template_repo["work"])
        git("push", "-q", str(template_repo["bare"]), ":refs/tags/v1.2.0", cwd=template_repo["work"])
        git("tag", "-d", "v1.2.0", cwd=template_repo["work"])
        git("reset", "-q", "--hard", "v1.0.0", cwd=template_repo["work"])
    assert_no_secret(results, tmp_path / "proj", Path(env["HOME"]) / ".cache")
    log = tmp_path / "git-arguments.log"
    assert not log.exists() or SECRET not in log.read_text()


@needs_git
def test_http_git_credential_helper_supplies_the_token(tmp_path, http_server):
    env = http_home(tmp_path, token=None)
    home = Path(env["HOME"])
    store = home / "stored-credentials"
    store.write_text(f"http://oauth2:{SECRET}@127.0.0.1%3a{http_server['port']}\n")
    (home / ".gitconfig").write_text(f"[credential]\n\thelper = store --file={store}\n")
    made = run("init", "proj", "--template", http_server["url"], "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 0, made.stderr
    log = (tmp_path / "git-arguments.log").read_text()
    assert "credential fill" in log, "the credential helper was not asked"
    assert SECRET not in log, "a secret reached a process argument list"
    assert_no_secret([made], tmp_path / "proj", home / ".cache")


@needs_git
def test_http_wrong_token_is_refused_naming_what_was_tried(tmp_path, http_server):
    env = http_home(tmp_path, token="not-the-token")
    made = run("init", "proj", "--template", http_server["url"], "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 2
    assert f"cannot authenticate to 127.0.0.1:{http_server['port']} over HTTP" in made.stderr
    assert "token in MLREPRO_GIT_TOKEN" in made.stderr
    assert "git credential helpers (none has a credential" in made.stderr
    assert "not-the-token" not in made.stderr
    assert not (tmp_path / "proj").exists()


@needs_git
def test_http_without_any_credential_says_what_to_set(tmp_path, http_server):
    env = http_home(tmp_path, token=None)
    made = run("init", "proj", "--template", http_server["url"], "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 2
    assert "MLREPRO_GIT_TOKEN (not set)" in made.stderr
    assert "set MLREPRO_GIT_TOKEN" in made.stderr


@needs_git
def test_a_token_in_the_url_is_refused_and_never_shown(tmp_path, http_server):
    env = http_home(tmp_path, token=None)
    url = http_server["url"].replace("http://", f"http://oauth2:{SECRET}@")
    made = run("init", "proj", "--template", url, "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 2
    assert "MLREPRO_GIT_TOKEN" in made.stderr
    assert_no_secret([made], tmp_path / "proj", Path(env["HOME"]) / ".cache")
    assert not (tmp_path / "proj").exists()


@needs_git
def test_http_helper_is_asked_after_a_refused_environment_token(tmp_path, http_server):
    env = http_home(tmp_path, token="an-old-token")
    home = Path(env["HOME"])
    store = home / "stored-credentials"
    store.write_text(f"http://oauth2:{SECRET}@127.0.0.1%3a{http_server['port']}\n")
    (home / ".gitconfig").write_text(f"[credential]\n\thelper = store --file={store}\n")
    made = run("init", "proj", "--template", http_server["url"], "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 0, made.stderr
    assert_no_secret([made], tmp_path / "proj", home / ".cache")


@needs_git
def test_http_a_refused_helper_credential_is_rejected_as_git_does(tmp_path, http_server):
    env = http_home(tmp_path, token=None)
    home = Path(env["HOME"])
    store = home / "stored-credentials"
    store.write_text(f"http://oauth2:expired@127.0.0.1%3a{http_server['port']}\n")
    (home / ".gitconfig").write_text(f"[credential]\n\thelper = store --file={store}\n")
    made = run("init", "proj", "--template", http_server["url"], "--defaults", "--no-probe", cwd=tmp_path, env=env, timeout=60)
    assert made.returncode == 2
    assert "git credential helpers" in made.stderr and "expired" not in made.stderr
    assert "expired" not in store.read_text(), "the refused credential was not reported back with git credential reject"
    assert "credential reject" in (tmp_path / "git-arguments.log").read_text()


@needs_git
def test_http_a_git_that_fails_at_once_reads_as_no_credential(tmp_path, http_server):
    env = http_home(tmp_path, token=None)
    # A git that exits before reading its input: the closed pipe must not end mlrepro (SIGPIPE).
    (tmp_path / "shims" / "git").write_text("#!/bin/sh\nexec 0<&-\nexit 128\n")
    for attempt in range(3):
        made = run("init", f"proj{attempt}", "--template", http_server["url"], "--defaults", "--no-probe",
                   cwd=tmp_path, env=env, timeout=60)
        assert made.returncode == 2, made.stderr
        assert "git credential helpers (none has a credential" in made.stderr

"""Hostile inputs, round three (template input): links a trusted hook or task plants where
mlrepro writes, templates too large or too deep to read, files too large to hold in memory, and
git trees nested deeper than any stack."""
from __future__ import annotations

import hashlib
import json
import os
import resource
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from conftest import binary, hang_guard, run, tree, write_template

OPEN_MANIFEST = "name:\n  type: str\n  default: demo\n"
GIT_ENV = {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org",
           "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.org"}


def init(template: Path | str, dest: Path, *extra: str, cwd: Path, git: bool = False, timeout: float = 120,
         env: dict[str, str] | None = None):
    flags = [] if git else ["--no-git"]
    return run("init", str(dest), "--template", str(template), "--defaults", "--no-probe", *flags, *extra,
               cwd=cwd, timeout=timeout, env={**GIT_ENV, **(env or {})})


def limited(args: list[str], cwd: Path, memory: int, timeout: float = 300, env: dict[str, str] | None = None):
    """Runs the binary with its address space limited to `memory` bytes."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    full_env = {**os.environ, "NO_COLOR": "1", "HOME": str(cwd), **GIT_ENV, **(env or {})}
    return subprocess.run([str(binary()), *args], cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=hang_guard(timeout), preexec_fn=limit)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "mlrepro-staging" in p.name)


def cookiecutter_template(root: Path, hook: str, files: dict[str, str] | None = None) -> Path:
    slug = "{{cookiecutter.project_slug}}"
    (root / "hooks").mkdir(parents=True)
    (root / "cookiecutter.json").write_text(json.dumps({"project_slug": "proj"}))
    (root / "hooks" / "pre_gen_project.py").write_text(hook)
    for relative, text in (files or {"README.md": "template readme\n", "sub/a.txt": "a\n"}).items():
        path = root / slug / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# --- 3. A trusted hook or task cannot make mlrepro write through a link it planted ----------------

PLANTS = {
    "folder link": "os.symlink('../victim', 'sub')",
    "file link": "os.symlink('../victim/b.txt', 'README.md')",
    "dangling file link": "os.symlink('../victim/new.txt', 'README.md')",
    "link to a folder where a file goes": "os.symlink('../victim', 'README.md')",
    "record folder link": "os.symlink('../victim', '.mlrepro')",
    "file where a folder goes": "open('sub', 'w').write('x')",
    "link deeper down": "os.mkdir('sub'); os.symlink('../../victim/b.txt', 'sub/a.txt')",
}


@pytest.mark.parametrize("plant", list(PLANTS), ids=list(PLANTS))
def test_a_pre_gen_hook_cannot_redirect_generated_files(plant: str, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "b.txt").write_text("keep\n")
    template = cookiecutter_template(tmp_path / "tpl", "import os\n" + PLANTS[plant] + "\n")
    result = init(template, tmp_path / "out", "--trust", cwd=tmp_path)
    assert result.returncode != 0, result.stdout
    assert "mlrepro did not create" in result.stderr or "link" in result.stderr, result.stderr
    assert sorted(p.name for p in victim.iterdir()) == ["b.txt"]
    assert (victim / "b.txt").read_text() == "keep\n"
    assert not (tmp_path / "out").exists() and not os.path.lexists(tmp_path / "out")
    assert leftovers(tmp_path) == []


def test_a_file_a_hook_left_is_replaced_never_written_through(tmp_path: Path) -> None:
    # A hard link is a regular file: the template's file replaces the name, the inode is untouched.
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "b.txt").write_text("keep\n")
    hook = f"import os\nos.link({str(victim / 'b.txt')!r}, 'README.md')\nopen('from-hook.txt', 'w').write('hook\\n')\n"
    template = cookiecutter_template(tmp_path / "tpl", hook)
    result = init(template, tmp_path / "out", "--trust", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (victim / "b.txt").read_text() == "keep\n"
    assert (tmp_path / "out" / "README.md").read_text() == "template readme\n"
    assert (tmp_path / "out" / "from-hook.txt").read_text() == "hook\n"


@pytest.mark.parametrize("plant", ["os.symlink('../victim', '.git')", "open('.git', 'w').write('gitdir: ../victim\\n')"],
                         ids=["link", "gitdir file"])
def test_a_pre_gen_hook_cannot_redirect_the_repository(plant: str, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    template = cookiecutter_template(tmp_path / "tpl", "import os\n" + plant + "\n")
    result = init(template, tmp_path / "out", "--trust", cwd=tmp_path, git=True)
    assert result.returncode != 0, result.stdout
    assert ".git" in result.stderr
    assert list(victim.iterdir()) == []
    assert not os.path.lexists(tmp_path / "out")
    assert leftovers(tmp_path) == []


def test_a_task_cannot_redirect_the_repository_made_after_it(tmp_path: Path) -> None:
    # With --force into a folder that is no repository, the commit comes after `_tasks`.
    victim = tmp_path / "victim"
    victim.mkdir()
    template = tmp_path / "tpl"
    template.mkdir()
    (template / "copier.yml").write_text(f"name:\n  type: str\n  default: x\n_tasks:\n  - ln -s {victim} .git\n")
    (template / "file.txt").write_text("x\n")
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "mine.txt").write_text("mine\n")
    result = init(template, dest, "--trust", "--force", cwd=tmp_path, git=True)
    assert result.returncode != 0, result.stdout
    assert ".git" in result.stderr
    assert list(victim.iterdir()) == []
    assert (dest / "mine.txt").read_text() == "mine\n"


def test_force_never_writes_through_links_in_dest(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "b.txt").write_text("keep\n")
    template = write_template(tmp_path / "tpl", OPEN_MANIFEST, {"sub/a.txt": "a\n", "README.md": "readme\n"})
    for name, target in [("sub", victim), ("README.md", victim / "b.txt")]:
        dest = tmp_path / f"dest-{name}"
        dest.mkdir()
        (dest / name).symlink_to(target)
        result = init(template, dest, "--force", cwd=tmp_path)
        assert result.returncode != 0, result.stdout
        assert "link" in result.stderr
        assert sorted(p.name for p in victim.iterdir()) == ["b.txt"]
        assert (victim / "b.txt").read_text() == "keep\n"
        assert (dest / name).is_symlink()
    # A hard link in DEST is replaced as a name; the file it shares stays as it was.
    dest = tmp_path / "dest-hard"
    dest.mkdir()
    os.link(victim / "b.txt", dest / "README.md")
    result = init(template, dest, "--force", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (victim / "b.txt").read_text() == "keep\n"
    assert (dest / "README.md").read_text() == "readme\n"


# --- 7. A template is bounded before it is read; a folder without a manifest is not read at all ---

def test_check_with_src_path_of_a_system_folder_reads_nothing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / ".copier-answers.yml").write_text("_src_path: /usr\n_commit: v1\n")
    for source in ["/usr", "/"]:
        (project / ".copier-answers.yml").write_text(f"_src_path: {source}\n_commit: v1\n")
        result = limited(["check", str(project)], tmp_path, memory=1 << 30, timeout=120)
        assert result.returncode not in (0, 134, 137, -6, -9), result.returncode
        assert "no template manifest" in result.stderr, result.stderr
    direct = limited(["init", str(tmp_path / "out"), "--template", "/usr", "--defaults", "--no-probe", "--no-git"],
                     tmp_path, memory=1 << 30, timeout=120)
    assert direct.returncode == 2 and "no template manifest" in direct.stderr, direct.stderr


def test_too_many_files_are_refused_before_reading(tmp_path: Path) -> None:
    template = write_template(tmp_path / "tpl", OPEN_MANIFEST, {})
    many = template / "many"
    many.mkdir()
    for index in range(50_001):
        (many / f"f{index}").touch()
    result = init(template, tmp_path / "out", "--pretend", cwd=tmp_path)
    assert result.returncode != 0
    assert "more than 50000 files and folders" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_too_deep_a_template_is_refused_before_reading(tmp_path: Path) -> None:
    template = write_template(tmp_path / "tpl", OPEN_MANIFEST, {})
    (template / "/".join(["d"] * 201)).mkdir(parents=True)
    result = init(template, tmp_path / "out", cwd=tmp_path)
    assert result.returncode != 0
    assert "deeper than 200 folders; the template is not read" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_files_adding_up_past_the_bound_are_refused_before_reading(tmp_path: Path) -> None:
    template = write_template(tmp_path / "tpl", OPEN_MANIFEST, {})
    for index in range(3):
        with open(template / f"part{index}.bin", "wb") as handle:
            handle.truncate(1536 << 20)  # sparse: no disk
    result = limited(["init", str(tmp_path / "out"), "--template", str(template), "--defaults", "--no-probe",
                      "--no-git", "--pretend"], tmp_path, memory=1 << 30, timeout=120)
    assert result.returncode != 0 and result.returncode not in (134, -6, -9)
    assert "add up to more than 4 GiB" in result.stderr, result.stderr


# --- 10. Large files are streamed, never held whole; a large file to render is a located error ---

def sparse_template(root: Path, name: str, size: int) -> Path:
    template = write_template(root, OPEN_MANIFEST, {})
    with open(template / name, "wb") as handle:
        handle.truncate(size)
        handle.seek(1 << 20)
        handle.write(b"marker")
    return template


def test_pretend_reads_no_bodies_of_a_huge_file(tmp_path: Path) -> None:
    template = sparse_template(tmp_path / "tpl", "huge.bin", 2 << 30)
    result = limited(["init", str(tmp_path / "out"), "--template", str(template), "--defaults", "--no-probe",
                      "--no-git", "--pretend"], tmp_path, memory=1 << 30, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "huge.bin" in result.stdout
    assert not (tmp_path / "out").exists()


def test_a_large_file_is_copied_in_chunks_and_checksummed(tmp_path: Path) -> None:
    size = 1 << 30
    template = sparse_template(tmp_path / "tpl", "large.bin", size)
    result = limited(["init", str(tmp_path / "out"), "--template", str(template), "--defaults", "--no-probe",
                      "--no-git"], tmp_path, memory=768 << 20, timeout=600)
    assert result.returncode == 0, result.stderr
    copied = tmp_path / "out" / "large.bin"
    assert copied.stat().st_size == size
    digest = hashlib.sha256()
    with open(template / "large.bin", "rb") as handle:
        while chunk := handle.read(8 << 20):
            digest.update(chunk)
    with open(copied, "rb") as handle:
        handle.seek(1 << 20)
        assert handle.read(6) == b"marker"
    checksums = (tmp_path / "out" / ".mlrepro" / "checksums").read_text()
    assert f"{digest.hexdigest()}  large.bin\n" in checksums
    # Runs of zeros are written as holes, as cp --sparse=auto does.
    assert copied.stat().st_blocks * 512 < size // 2
    # check compares it in chunks too.
    check = limited(["check", str(tmp_path / "out")], tmp_path, memory=768 << 20, timeout=600)
    assert check.returncode == 0 and "in sync" in check.stdout, check.stderr
    with open(copied, "r+b") as handle:
        handle.seek(5)
        handle.write(b"X")
    drift = limited(["check", str(tmp_path / "out")], tmp_path, memory=768 << 20, timeout=600)
    assert drift.returncode == 1, drift.stderr
    assert "Binary files a/large.bin and b/large.bin differ" in drift.stdout


def test_a_large_file_to_render_is_a_located_error(tmp_path: Path) -> None:
    template = sparse_template(tmp_path / "tpl", "big.txt.jinja", 65 << 20)
    result = limited(["init", str(tmp_path / "out"), "--template", str(template), "--defaults", "--no-probe",
                      "--no-git"], tmp_path, memory=1 << 30, timeout=120)
    assert result.returncode != 0
    assert f"{template}/big.txt.jinja: error: the file is 65 MiB" in result.stderr, result.stderr
    assert "at most 64 MiB" in result.stderr
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []


def huge_blob_repository(root: Path, size: int) -> Path:
    """A repository whose one commit holds mlrepro.yml and a `size`-byte blob of zeros, written as a
    loose object (compressed, a few MB) without ever holding the blob."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "mlrepro.yml").write_text(OPEN_MANIFEST)
    header = f"blob {size}\0".encode()
    digest = hashlib.sha1(header)
    compressor = zlib.compressobj(1)
    parts = [compressor.compress(header)]
    zeros = bytes(8 << 20)
    left = size
    while left:
        chunk = zeros[:min(left, len(zeros))]
        digest.update(chunk)
        parts.append(compressor.compress(chunk))
        left -= len(chunk)
    parts.append(compressor.flush())
    sha = digest.hexdigest()
    folder = root / ".git" / "objects" / sha[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / sha[2:]).write_bytes(b"".join(parts))
    git = ["git", "-C", str(root)]
    subprocess.run([*git, "add", "mlrepro.yml"], check=True)
    subprocess.run([*git, "update-index", "--add", "--cacheinfo", f"100644,{sha},huge.bin"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "huge"], check=True, env={**os.environ, **GIT_ENV})
    return root


def test_a_huge_git_blob_is_never_held_whole(tmp_path: Path) -> None:
    repository = huge_blob_repository(tmp_path / "repo", 2 << 30)
    # The commit itself: `--vcs-ref HEAD` would render the working tree, which lacks huge.bin (as copier does).
    commit = subprocess.run(["git", "-C", str(repository), "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    base = ["init", str(tmp_path / "out"), "--template", str(repository), "--vcs-ref", commit, "--defaults",
            "--no-probe", "--no-git"]
    pretend = limited([*base, "--pretend"], tmp_path, memory=1 << 30, timeout=120)
    assert pretend.returncode == 0, pretend.stderr
    assert "huge.bin" in pretend.stdout
    real = limited(base, tmp_path, memory=1 << 30, timeout=120)
    assert real.returncode != 0 and real.returncode not in (134, -6, -9), real.stderr
    assert "huge.bin: error: the file is 2 GiB; a file of a git template may have at most 256 MiB" in real.stderr
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []


# --- 11. Trees deeper than any stack: a clean error, no crash, no partial cache entry -------------

def deep_repository(gitdir: Path, depth: int, bare: bool = True) -> Path:
    """A repository whose commit nests `depth` folders, written as one pack (a few MB)."""
    subprocess.run(["git", "init", "-q", *(["--bare"] if bare else []), str(gitdir)], check=True)
    objects: list[bytes] = []

    def add(kind: str, body: bytes) -> bytes:
        code = {"commit": 1, "tree": 2, "blob": 3}[kind]
        size = len(body)
        first = (code << 4) | (size & 15)
        size >>= 4
        header = bytearray()
        while size:
            header.append(first | 0x80)
            first = size & 0x7F
            size >>= 7
        header.append(first)
        objects.append(bytes(header) + zlib.compress(body, 1))
        return hashlib.sha1(f"{kind} {len(body)}\0".encode() + body).digest()

    current = add("tree", b"100644 f\0" + add("blob", b"x\n"))
    for _ in range(depth):
        current = add("tree", b"40000 d\0" + current)
    manifest = add("blob", OPEN_MANIFEST.encode())
    top = add("tree", b"40000 d\0" + current + b"100644 mlrepro.yml\0" + manifest)
    commit = add("commit", f"tree {top.hex()}\nauthor A <a@example.org> 0 +0000\n"
                           f"committer A <a@example.org> 0 +0000\n\ndeep\n".encode())
    data = b"PACK" + struct.pack(">II", 2, len(objects)) + b"".join(objects)
    data += hashlib.sha1(data).digest()
    objects_dir = gitdir / "objects" if bare else gitdir / ".git" / "objects"
    pack = objects_dir / "pack" / "deep.pack"
    pack.write_bytes(data)
    subprocess.run(["git", "index-pack", str(pack)], check=True, capture_output=True)
    git = ["git", "-C", str(gitdir)]
    subprocess.run([*git, "update-ref", "refs/heads/main", commit.hex()], check=True)
    subprocess.run([*git, "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    return gitdir


def test_a_deep_tree_cloned_from_a_local_url_is_refused_cleanly(tmp_path: Path) -> None:
    source = deep_repository(tmp_path / "deep.git", 100_000)
    cache = tmp_path / "cache"
    result = init(f"file://{source}", tmp_path / "out", cwd=tmp_path, env={"XDG_CACHE_HOME": str(cache)})
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "more than 200 levels deep" in result.stderr, result.stderr
    cached = list((cache / "mlrepro" / "git").iterdir()) if (cache / "mlrepro" / "git").exists() else []
    assert [p.name for p in cached if "partial" in p.name] == []
    assert not (tmp_path / "out").exists()


def test_a_deep_tree_read_at_a_commit_is_refused_cleanly(tmp_path: Path) -> None:
    source = deep_repository(tmp_path / "deep", 100_000, bare=False)
    result = init(source, tmp_path / "out", "--vcs-ref", "main", cwd=tmp_path)
    assert result.returncode != 0 and result.returncode not in (134, 139, -11), (result.returncode, result.stderr)
    assert "deeper than 200 folders" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


def test_a_clone_abandoned_by_a_killed_process_is_removed(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_template(source, OPEN_MANIFEST, {"a.txt": "a\n"})
    subprocess.run(["git", "init", "-q", str(source)], check=True)
    subprocess.run(["git", "-C", str(source), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(source), "commit", "-q", "-m", "one"], check=True, env={**os.environ, **GIT_ENV})
    finished = subprocess.Popen(["true"])
    finished.wait()
    cache = tmp_path / "cache" / "mlrepro" / "git"
    abandoned = cache / f"other-0123456789abcdef.git.partial-{finished.pid}-7"
    (abandoned / "objects").mkdir(parents=True)
    result = init(f"file://{source}", tmp_path / "out", cwd=tmp_path, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert result.returncode == 0, result.stderr
    assert not abandoned.exists()
    assert [p.name for p in cache.iterdir() if "partial" in p.name] == []

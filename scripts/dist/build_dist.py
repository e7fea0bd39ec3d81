#!/usr/bin/env python3
"""Packs a release build of mlrepro into what `make dist` ships, in dist/:

  mlrepro-<version>-py3-none-<platform>.whl   pip/pipx/uv install it; the binary is the `mlrepro` command
  mlrepro-<version>-<target>.tar.gz           bin/, lib/mlrepro/, share/ (man page, completions), LICENSE
  SHA256SUMS                                  sha256sum -c SHA256SUMS

The binary is stamped with the commit, its debug information is split off into
out/dist/mlrepro-<version>-<target>.debug (objcopy --only-keep-debug; the binary keeps a
debuglink) and it is stripped. On Linux, libgit2 and every library it needs that is not part of
the manylinux baseline are copied into lib/mlrepro/ with RUNPATH $ORIGIN; the loader
(Sources/CLibGit2/LibGit2Loader.c) opens that copy before any system libgit2. The wheel's
platform tag comes from the newest GLIBC symbol version any of those files needs.

The wheel is written here (zip, METADATA, WHEEL, RECORD): no network, no build backend. The
version is read from Sources/MLReproCore/Record/Version.swift and the project's address from
Sources/MLReproCore/Record/ProjectHome.swift, the one place each lives.
"""
from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from manpage import manual_page  # noqa: E402

STAMP_MARKER = b"MLREPRO_BUILD_STAMP:"
STAMP_SIZE = 128  # keep in step with Sources/CBuildStamp/BuildStamp.c

# Libraries every manylinux system provides (auditwheel's policy lists); everything else that
# libgit2 needs travels with it.
BASELINE = re.compile(
    r"^(linux-vdso|linux-gate|ld-linux[-\w.]*|ld64|libc|libm|libdl|librt|libpthread|libresolv|libutil|libnsl"
    r"|libgcc_s|libstdc\+\+|libcrypt)\.so(\.\d+)*$"
)


def fail(message: str) -> None:
    sys.exit(f"dist: error: {message}")


def run(*command: str, capture: bool = False) -> str:
    result = subprocess.run(command, check=False, text=True,
                            stdout=subprocess.PIPE if capture else None, stderr=subprocess.PIPE)
    if result.returncode != 0:
        fail(f"{' '.join(command)} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout if capture else ""


def swift_constant(path: str, name: str) -> str:
    text = (ROOT / path).read_text()
    match = re.search(rf'static let {name} = "([^"]+)"', text)
    if not match:
        fail(f"no `static let {name} = \"...\"` in {path}")
    return match.group(1)


def version() -> str:
    return swift_constant("Sources/MLReproCore/Record/Version.swift", "current")


def homepage() -> str:
    return swift_constant("Sources/MLReproCore/Record/ProjectHome.swift", "url")


def commit() -> str:
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], check=True, text=True,
                              capture_output=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               check=True, text=True, capture_output=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


# MARK: - The binary

def stamp(binary: Path, value: str) -> None:
    """Writes `value` into the binary's build-stamp array (see Sources/CBuildStamp)."""
    data = bytearray(binary.read_bytes())
    at = data.find(STAMP_MARKER)
    if at < 0 or data.find(STAMP_MARKER, at + 1) >= 0:
        fail(f"{binary}: the build stamp marker must occur exactly once")
    room = STAMP_SIZE - len(STAMP_MARKER) - 1
    encoded = value.encode()[:room]
    start = at + len(STAMP_MARKER)
    data[start:start + room + 1] = encoded + b"\0" * (room + 1 - len(encoded))
    binary.write_bytes(bytes(data))


def split_debug_and_strip(binary: Path, debug: Path) -> None:
    if sys.platform == "darwin":
        run("dsymutil", str(binary), "-o", str(debug))
        run("strip", "-x", str(binary))
        run("codesign", "--force", "--sign", "-", str(binary))   # stamping and stripping broke the ad-hoc signature
        return
    run("objcopy", "--only-keep-debug", str(binary), str(debug))
    run("objcopy", "--strip-all", f"--add-gnu-debuglink={debug}", str(binary))


def is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def needed(path: Path) -> list[str]:
    dynamic = run("readelf", "--dynamic", "--wide", str(path), capture=True)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)


def soname(path: Path) -> str:
    dynamic = run("readelf", "--dynamic", "--wide", str(path), capture=True)
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", dynamic)
    return match.group(1) if match else path.name


def find_libgit2() -> Path:
    override = os.environ.get("MLREPRO_BUNDLE_LIBGIT2")
    if override:
        return Path(override)
    libdir = run("pkg-config", "--variable=libdir", "libgit2", capture=True).strip()
    development = Path(libdir) / "libgit2.so"
    if not development.exists():
        fail(f"no {development}; install libgit2-dev (make deps) or set MLREPRO_BUNDLE_LIBGIT2")
    return Path(libdir) / soname(development.resolve())


def bundle_libgit2(libdir: Path) -> list[str]:
    """Copies libgit2 and its non-baseline dependencies (resolved as the build machine's loader
    resolves them) into `libdir`, each under its soname with RUNPATH $ORIGIN."""
    library = find_libgit2()
    resolved: dict[str, Path] = {library.name: library}
    for line in run("ldd", str(library), capture=True).splitlines():
        match = re.match(r"\s*(\S+) => (/\S+)", line)
        if match:
            resolved[match.group(1)] = Path(match.group(2))
        elif "not found" in line:
            fail(f"ldd {library}: {line.strip()}")
    bundled = []
    libdir.mkdir(parents=True, exist_ok=True)
    for name, source in sorted(resolved.items()):
        if BASELINE.match(name):
            continue
        target = libdir / name
        shutil.copyfile(source.resolve(), target)
        target.chmod(0o755)
        run("patchelf", "--set-rpath", "$ORIGIN", str(target))
        bundled.append(name)
    # Private templates are cloned over SSH through libssh2 (Docs/private-templates.md): a libgit2
    # built without it would ship a binary that cannot reach them.
    if not any(name.startswith("libssh2.") for name in resolved):
        fail(f"{library} is not linked with libssh2, so the shipped mlrepro could not clone over SSH; "
             "bundle a libgit2 built with SSH support (Debian's libgit2 is)")
    return bundled


def bundle_libgit2_macos(libdir: Path) -> list[str]:
    """macOS: libgit2 and the libraries it needs from outside the system (Homebrew's), each
    renamed to `@loader_path/NAME` so they find each other in `libdir`, then signed again."""
    override = os.environ.get("MLREPRO_BUNDLE_LIBGIT2")
    if override:
        library = Path(override)
    else:
        prefix = run("pkg-config", "--variable=libdir", "libgit2", capture=True).strip()
        library = Path(run("otool", "-D", str(Path(prefix) / "libgit2.dylib"), capture=True).splitlines()[-1].strip())
    libdir.mkdir(parents=True, exist_ok=True)
    pending, copied = [library], {}
    while pending:
        source = pending.pop()
        if source.name in copied:
            continue
        target = libdir / source.name
        shutil.copyfile(source.resolve(), target)
        target.chmod(0o755)
        copied[source.name] = target
        for line in run("otool", "-L", str(target), capture=True).splitlines()[1:]:
            dependency = line.strip().split(" (")[0]
            if dependency.startswith(("/usr/lib/", "/System/")) or not dependency.startswith("/"):
                continue
            pending.append(Path(dependency))
            run("install_name_tool", "-change", dependency, f"@loader_path/{Path(dependency).name}", str(target))
        run("install_name_tool", "-id", f"@loader_path/{source.name}", str(target))
    for target in copied.values():
        run("codesign", "--force", "--sign", "-", str(target))
    return sorted(copied)


def glibc_floor(files: list[Path]) -> tuple[int, int] | None:
    """The newest GLIBC_x.y symbol version any of the ELF files needs; None when none needs glibc."""
    newest = None
    for path in files:
        versions = run("readelf", "--version-info", "--wide", str(path), capture=True)
        for major, minor in re.findall(r"Name: GLIBC_(\d+)\.(\d+)", versions):
            pair = (int(major), int(minor))
            newest = pair if newest is None or pair > newest else newest
    return newest


def platform_tag(target: str, files: list[Path]) -> str:
    arch = target.split("-")[0]
    if "apple" in target:
        return f"macosx_15_0_{'arm64' if arch in ('arm64', 'aarch64') else arch}"
    elf = [path for path in files if is_elf(path)]
    floor = glibc_floor(elf)
    if floor is None and not any(needed(path) for path in elf):
        # Fully static (Swift's static Linux SDK, musl): runs on any Linux of the architecture.
        return f"manylinux_2_17_{arch}.manylinux2014_{arch}.musllinux_1_1_{arch}"
    if floor is None:
        fail("dynamically linked files need no GLIBC symbol version; cannot choose a platform tag")
    return f"manylinux_{floor[0]}_{floor[1]}_{arch}"


# MARK: - The tree: bin/, lib/mlrepro/, share/

def stage(binary: Path, docs_binary: Path | None, target: str, work: Path, name: str) -> tuple[Path, Path]:
    tree = work / name
    if tree.exists():
        shutil.rmtree(tree)
    (tree / "bin").mkdir(parents=True)
    executable = tree / "bin" / "mlrepro"
    shutil.copyfile(binary, executable)
    executable.chmod(0o755)
    stamp(executable, commit())
    debug = work / f"{name}.debug"
    if debug.exists():
        shutil.rmtree(debug) if debug.is_dir() else debug.unlink()
    split_debug_and_strip(executable, debug)
    if "linux" in target and "musl" not in target:
        bundle_libgit2(tree / "lib" / "mlrepro")
    elif "apple" in target:
        bundle_libgit2_macos(tree / "lib" / "mlrepro")

    documenter = str(docs_binary or executable)
    share = tree / "share"
    completions = {
        "bash": share / "bash-completion" / "completions" / "mlrepro",
        "zsh": share / "zsh" / "site-functions" / "_mlrepro",
        "fish": share / "fish" / "vendor_completions.d" / "mlrepro.fish",
    }
    for shell, path in completions.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(run(documenter, "--generate-completion-script", shell, capture=True))
    man = share / "man" / "man1" / "mlrepro.1"
    man.parent.mkdir(parents=True)
    man.write_text(manual_page(run(documenter, "--experimental-dump-help", capture=True), version(), homepage()))
    shutil.copyfile(ROOT / "LICENSE", tree / "LICENSE")
    shutil.copyfile(ROOT / "README.md", tree / "README.md")
    return tree, debug


# MARK: - Archive and wheel

def files_under(tree: Path) -> list[Path]:
    return sorted(path for path in tree.rglob("*") if path.is_file())


def write_archive(tree: Path, path: Path, epoch: int) -> None:
    def normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = epoch
        info.mode = 0o755 if info.isdir() or info.mode & 0o111 else 0o644
        return info

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        entries = [tree] + sorted(tree.rglob("*"))
        for entry in entries:
            archive.add(entry, arcname=str(Path(tree.name) / entry.relative_to(tree)), recursive=False,
                        filter=normalised)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=epoch, compresslevel=6) as zipped:
        zipped.write(buffer.getvalue())


LAUNCHER = '''"""mlrepro is a native program; this package only lets `python -m mlrepro` find and run it."""
'''

MAIN = '''import os
import sys
import sysconfig


def find_mlrepro() -> str:
    """The mlrepro binary pip installed with this package (the wheel's scripts)."""
    names = [sysconfig.get_default_scheme()] if hasattr(sysconfig, "get_default_scheme") else []
    names += [f"{os.name}_user", "posix_prefix"]
    for scheme in names:
        try:
            candidate = os.path.join(sysconfig.get_path("scripts", scheme), "mlrepro")
        except KeyError:
            continue
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit("mlrepro: the mlrepro binary of this installation is missing; reinstall mlrepro")


if __name__ == "__main__":
    binary = find_mlrepro()
    os.execv(binary, [binary, *sys.argv[1:]])
'''


def metadata(version_text: str, home: str) -> str:
    readme = (ROOT / "README.md").read_text()
    headers = [
        "Metadata-Version: 2.1",
        "Name: mlrepro",
        f"Version: {version_text}",
        "Summary: Generate reproducible machine-learning research repositories, and check them for drift",
        f"Home-page: {home}",
        "Author: The mlrepro authors",
        "License: MIT",
        f"Project-URL: Homepage, {home}",
        f"Project-URL: Documentation, {home}#description",
        f"Project-URL: Changelog, {home}#history",
        "Keywords: machine-learning,reproducibility,project-template,copier,cookiecutter,mlops",
        "Classifier: Development Status :: 4 - Beta",
        "Classifier: Environment :: Console",
        "Classifier: Intended Audience :: Science/Research",
        "Classifier: Intended Audience :: Developers",
        "Classifier: License :: OSI Approved :: MIT License",
        "Classifier: Operating System :: POSIX :: Linux",
        "Classifier: Operating System :: MacOS",
        "Classifier: Programming Language :: Python :: 3",
        "Classifier: Programming Language :: Swift",
        "Classifier: Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Classifier: Topic :: Software Development :: Code Generators",
        "Requires-Python: >=3.8",
        "Description-Content-Type: text/markdown",
    ]
    return "\n".join(headers) + "\n\n" + readme


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_wheel(tree: Path, path: Path, version_text: str, tag: str, epoch: int) -> None:
    data_dir = f"mlrepro-{version_text}.data"
    info_dir = f"mlrepro-{version_text}.dist-info"
    entries: list[tuple[str, bytes, int]] = [
        ("mlrepro/__init__.py", LAUNCHER.encode(), 0o644),
        ("mlrepro/__main__.py", MAIN.encode(), 0o644),
        (f"{data_dir}/scripts/mlrepro", (tree / "bin" / "mlrepro").read_bytes(), 0o755),
    ]
    for file in files_under(tree):
        relative = file.relative_to(tree)
        if relative.parts[0] in ("lib", "share"):
            entries.append((f"{data_dir}/data/{relative.as_posix()}", file.read_bytes(),
                            0o755 if os.access(file, os.X_OK) else 0o644))
    wheel = (f"Wheel-Version: 1.0\nGenerator: mlrepro scripts/dist/build_dist.py\n"
             f"Root-Is-Purelib: false\n" + "".join(f"Tag: py3-none-{one}\n" for one in tag.split(".")))
    entries += [
        (f"{info_dir}/METADATA", metadata(version_text, homepage()).encode(), 0o644),
        (f"{info_dir}/WHEEL", wheel.encode(), 0o644),
        (f"{info_dir}/LICENSE", (ROOT / "LICENSE").read_bytes(), 0o644),
    ]
    record = [record_line(name, data) for name, data, _ in entries] + [f"{info_dir}/RECORD,,"]
    entries.append((f"{info_dir}/RECORD", ("\n".join(record) + "\n").encode(), 0o644))
    stamp_time = max(epoch, 315532800)  # zip cannot store times before 1980
    date_time = time.gmtime(stamp_time)[:6]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", type=Path, required=True, help="the release build's mlrepro")
    parser.add_argument("--target", help="target triple; default: what the binary's --version says")
    parser.add_argument("--docs-binary", type=Path,
                        help="an mlrepro that runs here, for completions and the man page (cross builds)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "out" / "dist")
    options = parser.parse_args()

    version_text = version()
    target = options.target
    if not target:
        printed = run(str(options.binary), "--version", capture=True)
        match = re.search(r"^target: (\S+)$", printed, re.MULTILINE)
        if not match:
            fail(f"{options.binary} --version names no target")
        target = match.group(1)
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    if not epoch:
        epoch = int(run("git", "-C", str(ROOT), "log", "-1", "--format=%ct", capture=True).strip() or 0)

    options.work.mkdir(parents=True, exist_ok=True)
    name = f"mlrepro-{version_text}-{target}"
    tree, debug = stage(options.binary, options.docs_binary, target, options.work, name)
    tag = platform_tag(target, files_under(tree))

    options.out.mkdir(parents=True, exist_ok=True)
    wheel = options.out / f"mlrepro-{version_text}-py3-none-{tag}.whl"
    archive = options.out / f"{name}.tar.gz"
    for stale in [*options.out.glob(f"mlrepro-{version_text}-py3-none-*.whl"), archive]:
        stale.unlink(missing_ok=True)
    write_wheel(tree, wheel, version_text, tag, epoch)
    write_archive(tree, archive, epoch)

    sums = []
    for artifact in sorted([*options.out.glob("*.whl"), *options.out.glob("*.tar.gz")]):
        sums.append(f"{hashlib.sha256(artifact.read_bytes()).hexdigest()}  {artifact.name}")
    (options.out / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    for artifact in (wheel, archive):
        print(f"dist: {artifact.relative_to(options.out.parent) if options.out.parent in artifact.parents else artifact}"
              f"  {artifact.stat().st_size / 1e6:.1f} MB")
    print(f"dist: debug information in {debug} ({debug.stat().st_size / 1e6:.1f} MB)" if debug.is_file()
          else f"dist: debug information in {debug}")


if __name__ == "__main__":
    main()

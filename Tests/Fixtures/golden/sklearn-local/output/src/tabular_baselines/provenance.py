"""What a run needs to be reproduced, in the environment record format of `mlrepro probe`.

`environment_record()` returns a schema_version 1 record (groups meta, host, container,
nvidia, cuda_toolkit, libraries, amd, python, git), so a run's record can be compared
with the one `mlrepro init` wrote: `mlrepro probe --compare environment.json`.
Every source is independent: a missing or failing tool becomes a status, never an error.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

TIMEOUT_S = 5


def _run(argv: list[str], cwd: Path | None = None) -> tuple[str, str | None]:
    """(stdout, None) on success, ("", status) otherwise."""
    if shutil.which(argv[0]) is None:
        return "", "absent"
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return "", "timeout"
    except OSError as error:
        return "", f"error: {error}"
    if done.returncode != 0:
        return "", f"error: {argv[0]} exited with {done.returncode}: {done.stderr.strip()[:200]}"
    return done.stdout, None


def _status(sources: dict, name: str, status: str | None) -> None:
    if status is None:
        sources[name] = {"status": "ok", "message": None}
    elif status.startswith("error: "):
        sources[name] = {"status": "error", "message": status[len("error: "):]}
    else:
        sources[name] = {"status": status, "message": None}


def _null(value: str) -> str | None:
    value = value.strip()
    return None if value in ("", "N/A", "[N/A]", "[Not Supported]", "Insufficient Permissions") else value


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def host_group() -> dict:
    os_release = dict(re.findall(r'^([A-Z_]+)="?([^"\n]*)"?$', _read("/etc/os-release"), re.MULTILINE))
    cpuinfo = _read("/proc/cpuinfo")
    cpu_models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    # Physical cores: distinct (physical id, core id) pairs, one pair per processor block.
    cores = set()
    for block in cpuinfo.split("\n\n"):
        socket = re.search(r"^physical id\s*:\s*(\d+)$", block, re.MULTILINE)
        core = re.search(r"^core id\s*:\s*(\d+)$", block, re.MULTILINE)
        if socket and core:
            cores.add((socket.group(1), core.group(1)))
    memory = re.search(r"^MemTotal:\s*(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    libc_name, libc_version = platform.libc_ver()
    return {
        "os_name": os_release.get("PRETTY_NAME") or platform.system(),
        "os_id": os_release.get("ID"),
        "os_version_id": os_release.get("VERSION_ID"),
        "kernel": platform.release(),
        "arch": platform.machine(),
        "libc": libc_name or None,
        "libc_version": libc_version or None,
        "cpu_model": cpu_models[0].strip() if cpu_models else (platform.processor() or None),
        "cpu_logical_cores": os.cpu_count(),
        "cpu_physical_cores": len(cores) or None,
        "memory_total_mib": int(memory.group(1)) // 1024 if memory else None,
    }


def container_group() -> dict:
    indicators = [path for path in ("/.dockerenv", "/run/.containerenv") if Path(path).exists()]
    indicators += [name for name in ("KUBERNETES_SERVICE_HOST", "APPTAINER_CONTAINER", "SINGULARITY_CONTAINER")
                   if os.environ.get(name)]
    if "/.dockerenv" in indicators:
        kind = "docker"
    elif "/run/.containerenv" in indicators:
        kind = "podman"
    elif "KUBERNETES_SERVICE_HOST" in indicators:
        kind = "kubernetes"
    elif indicators:
        kind = "apptainer"
    else:
        kind = "none"
    return {"kind": kind, "indicators": indicators}


NVIDIA_FIELDS = ["index", "name", "uuid", "pci.bus_id", "memory.total", "compute_cap", "mig.mode.current",
                 "ecc.mode.current", "persistence_mode", "driver_version"]


def _int(value: str | None) -> int | None:
    try:
        return int(float(value)) if value else None
    except ValueError:
        return None


def nvidia_group(sources: dict) -> dict:
    group: dict = {"driver_version": None, "cuda_driver_version": None, "kernel_module": None,
                   "kernel_module_version": None, "gpus": [], "mig_devices": []}
    out, status = _run(["nvidia-smi", f"--query-gpu={','.join(NVIDIA_FIELDS)}", "--format=csv,noheader,nounits"])
    _status(sources, "nvidia_smi_query", status)
    if status is not None:
        return group
    for line in out.strip().splitlines():
        cells = [_null(cell) for cell in line.split(",")]
        if len(cells) != len(NVIDIA_FIELDS):
            continue
        index, name, uuid, bus, memory, capability, mig, ecc, persistence, driver = cells
        group["driver_version"] = driver
        group["gpus"].append({"index": _int(index) or 0, "name": name, "uuid": uuid, "pci_bus_id": bus,
                              "memory_total_mib": _int(memory), "compute_capability": capability,
                              "mig_mode": mig, "ecc_mode": ecc, "persistence_mode": persistence})
    header, _ = _run(["nvidia-smi"])
    match = re.search(r"CUDA (?:UMD )?Version:\s*([0-9.]+)", header)
    group["cuda_driver_version"] = match.group(1) if match else None
    listing, _ = _run(["nvidia-smi", "-L"])
    gpu = -1
    for line in listing.splitlines():
        parent = re.match(r"^GPU (\d+):", line)
        if parent:
            gpu = int(parent.group(1))
        device = re.match(r"^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: (MIG-[^)]+)\)", line)
        if device:
            group["mig_devices"].append({"gpu_index": max(gpu, 0), "index": int(device.group(2)),
                                         "profile": device.group(1), "uuid": device.group(3)})
    return group


def cuda_toolkit_group(sources: dict) -> dict:
    out, status = _run(["nvcc", "--version"])
    _status(sources, "nvcc", status)
    release = re.search(r"release ([0-9.]+), V([0-9.]+)", out)
    build = re.search(r"^Build (\S+)", out, re.MULTILINE)
    nvcc = shutil.which("nvcc")
    return {"version": release.group(1) if release else None, "nvcc_version": release.group(2) if release else None,
            "build": build.group(1) if build else None, "nvcc_path": nvcc,
            "cuda_home": os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH")}


INCLUDE_DIRS = [os.environ.get("CUDA_HOME", "/usr/local/cuda") + "/include", "/usr/include",
                "/usr/include/x86_64-linux-gnu", "/usr/local/include"]


def _header_version(names: list[str], prefix: str, patch: str) -> tuple[str | None, str | None]:
    for root in INCLUDE_DIRS:
        for name in names:
            text = _read(f"{root}/{name}")
            parts = [re.search(rf"#define {prefix}_{key}\s+(\d+)", text) for key in ("MAJOR", "MINOR", patch)]
            if all(parts):
                return ".".join(part.group(1) for part in parts if part), f"{root}/{name}"
    return None, None


def libraries_group(sources: dict) -> dict:
    cudnn, cudnn_header = _header_version(["cudnn_version.h", "cudnn.h"], "CUDNN", "PATCHLEVEL")
    nccl, nccl_header = _header_version(["nccl.h"], "NCCL", "PATCH")
    sources["cudnn_header"] = {"status": "ok" if cudnn else "absent", "message": None}
    sources["nccl_header"] = {"status": "ok" if nccl else "absent", "message": None}
    return {"cudnn_version": cudnn, "cudnn_header": cudnn_header, "nccl_version": nccl, "nccl_header": nccl_header}


def amd_group(sources: dict) -> dict:
    version = _read("/opt/rocm/.info/version").strip() or None
    out, status = _run(["rocm-smi", "--showproductname", "--csv"])
    _status(sources, "rocm_smi", status)
    gpus = []
    for line in out.strip().splitlines()[1:]:
        cells = line.split(",")
        if len(cells) > 1 and cells[0].startswith("card"):
            number = cells[0][4:]
            gpus.append({"index": int(number) if number.isdigit() else len(gpus), "name": cells[1].strip() or None})
    return {"rocm_version": version, "driver_version": None, "gpus": gpus}


def image_git_group(sources: dict) -> dict | None:
    """The commit an image was built from (SOURCE_GIT_COMMIT and SOURCE_GIT_DIRTY, set by its build
    arguments), or None outside such an image. The code that runs is the image's, whatever checkout
    is mounted, so this wins over `git` in the working directory."""
    commit = os.environ.get("SOURCE_GIT_COMMIT", "").strip()
    if not commit or commit == "unknown":
        return None
    dirty = {"true": True, "false": False}.get(os.environ.get("SOURCE_GIT_DIRTY", "").strip().lower())
    sources["git_refs"] = {"status": "ok", "message": "SOURCE_GIT_COMMIT of the image"}
    sources["git_status"] = {"status": "ok" if dirty is not None else "absent",
                             "message": "SOURCE_GIT_DIRTY of the image"}
    return {"commit": commit, "branch": os.environ.get("SOURCE_GIT_BRANCH") or None, "dirty": dirty}


def git_group(sources: dict, root: Path) -> dict:
    image = image_git_group(sources)
    if image is not None:
        return image
    commit, status = _run(["git", "rev-parse", "HEAD"], cwd=root)
    _status(sources, "git_refs", status)
    if status is not None:
        return {"commit": None, "branch": None, "dirty": None}
    branch, _ = _run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=root)
    porcelain, status = _run(["git", "status", "--porcelain", "--untracked-files=normal"], cwd=root)
    _status(sources, "git_status", status)
    return {"commit": commit.strip(), "branch": branch.strip() or None, "dirty": bool(porcelain.strip())}


def run_name() -> str:
    """A fresh name for a run without `run_name` in its config: the time and random bytes from the OS.
    (MLflow would draw one from `random`, which the run's seed has fixed: every run the same name.)"""
    return time.strftime("run-%Y%m%d-%H%M%S-", time.gmtime()) + os.urandom(3).hex()


def environment_record(root: Path = Path(".")) -> dict:
    """The schema_version 1 environment record of this machine, now."""
    sources: dict = {}
    record = {
        "meta": {"schema_version": 1,
                 "captured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 "mlrepro_version": "0.1.0", "captured_by": "tabular_baselines.provenance",
                 "sources": sources},
        "host": host_group(),
        "container": container_group(),
        "nvidia": nvidia_group(sources),
        "cuda_toolkit": cuda_toolkit_group(sources),
        "libraries": libraries_group(sources),
        "amd": amd_group(sources),
        "python": {"version": platform.python_version(), "executable": sys.executable},
        "git": git_group(sources, root),
    }
    for name in ("os_release", "cpuinfo", "meminfo", "container", "python"):
        sources[name] = {"status": "ok", "message": None}
    return record


def git_diff(root: Path = Path(".")) -> str:
    """The uncommitted changes of the working tree as one patch `git apply --binary` replays on the
    commit: tracked changes (`git diff HEAD --binary`) and untracked files that git does not ignore."""
    patch, status = _run(["git", "diff", "HEAD", "--binary"], cwd=root)
    if status is not None:
        return f"# git diff unavailable: {status}\n"
    untracked, _ = _run(["git", "ls-files", "--others", "--exclude-standard", "-z"], cwd=root)
    for name in filter(None, untracked.split("\0")):
        # `git diff --no-index` exits 1 when the files differ, which they always do here.
        done = subprocess.run(["git", "diff", "--binary", "--no-index", "--", "/dev/null", name], cwd=root,
                              capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        patch += done.stdout
    return patch


def pip_freeze() -> str:
    out, status = _run([sys.executable, "-m", "pip", "freeze", "--all"])
    return out if status is None else f"# pip freeze unavailable: {status}\n"


def framework_info() -> dict:
    """Versions and devices as the framework itself reports them."""
    info: dict = {"framework": "sklearn"}
    import sklearn

    info.update({"scikit-learn": sklearn.__version__})
    return info

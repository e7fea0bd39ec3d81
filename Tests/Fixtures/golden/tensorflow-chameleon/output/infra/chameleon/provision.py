"""Provision a nvidia server for speech-tf on Chameleon Cloud (KVM@TACC).

    pip install -e '.[chameleon]'
    source CH-XXXXXX-openrc.sh            # your project's OpenRC file
    # https: the node has no SSH key for git@ URLs
    export REPO_URL=https://github.com/you/speech-tf.git
    python infra/chameleon/provision.py [--hours 8]

Creates a lease (a reserved flavor and a floating IP), a security group that admits only
SSH, the server, then installs Docker and the NVIDIA container toolkit, clones the repository, copies .env
and starts the stack. What it created is written to infra/chameleon/state.json;
`python infra/chameleon/teardown.py` releases all of it.
Override defaults with CHI_NODE_TYPE, CHI_FLAVOR, CHI_IMAGE, CHI_KEY_NAME.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

import chi
from chi import lease as chi_lease
from chi import network as chi_network
from chi import server as chi_server

SITE = "KVM@TACC"
HERE = Path(__file__).resolve().parent
STATE = HERE / "state.json"
NAME = "speech-tf"
IMAGE = os.environ.get("CHI_IMAGE", "CC-Ubuntu24.04-CUDA")
NODE_TYPE = os.environ.get("CHI_NODE_TYPE", "gpu_a100_pcie")
FLAVOR = os.environ.get("CHI_FLAVOR", "g1.h100.pci.1")
# Servers of one training job (the nodes answer); above 1, make train-multinode runs on each.
NODES = 1

GPU_PROJECT = True


def check_repo_url(url: str) -> str | None:
    """Why the node cannot clone `url`, or None."""
    if url.startswith("https://"):
        return None
    return (f"REPO_URL={url} needs an SSH key the node does not have; use the repository's https:// URL "
            "(for a private repository https://<user>:<token>@host/..., with a read-only token)")


def check_flavor(flavor: str) -> str | None:
    """On KVM@TACC a GPU project needs a GPU flavor (g1.*); None when the flavor fits."""
    if SITE == "KVM@TACC" and GPU_PROJECT and not flavor.startswith("g1."):
        return f"flavor {flavor} has no GPU; set CHI_FLAVOR to a GPU flavor (e.g. g1.h100.pci.1)"
    return None


def node_env_file(env_file: Path, overrides: dict[str, str]) -> Path:
    """A copy of .env (mode 0600) with `overrides` replacing or adding keys: what the node gets."""
    lines = env_file.read_text().splitlines()
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in overrides]
    kept += [f"{key}={value}" for key, value in overrides.items()]
    handle, name = tempfile.mkstemp(prefix="project-", suffix=".env")
    with os.fdopen(handle, "w") as out:
        out.write("\n".join(kept) + "\n")
    return Path(name)


def main() -> int:
    parser = argparse.ArgumentParser(description="Provision a Chameleon server for this project.")
    parser.add_argument("--hours", type=int, default=8, help="lease length")
    args = parser.parse_args()
    repo_url = os.environ.get("REPO_URL", "")
    key_name = os.environ.get("CHI_KEY_NAME")
    if not repo_url or not key_name or not os.environ.get("OS_PROJECT_NAME"):
        print("error: source your OpenRC file and set REPO_URL and CHI_KEY_NAME first", file=sys.stderr)
        return 2
    for problem in (check_repo_url(repo_url), check_flavor(FLAVOR)):
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
    if STATE.exists():
        print(f"error: {STATE} exists; run teardown.py before provisioning again", file=sys.stderr)
        return 2
    env_file = HERE.parent.parent / ".env"
    if not env_file.is_file():
        print(f"error: {env_file} is missing (mlrepro init creates it)", file=sys.stderr)
        return 2

    chi.use_site(SITE)
    chi.set("project_name", os.environ["OS_PROJECT_NAME"])
    # What the node's .env changes.
    node_overrides = {}
    state: dict = {"site": SITE}

    lease = chi_lease.Lease(f"{NAME}-lease", duration=dt.timedelta(hours=args.hours))
    lease.add_flavor_reservation(name=FLAVOR, amount=NODES)
    lease.add_fip_reservation(amount=NODES)
    lease.submit(wait_for_active=True, idempotent=True)
    state["lease_id"] = lease.id
    STATE.write_text(json.dumps(state, indent=2) + "\n")

    group = chi_network.SecurityGroup(
        {"name": f"{NAME}-ssh-only", "description": "SSH only; services stay on 127.0.0.1"})
    group.add_rule("ingress", "tcp", 22)
    group.submit(idempotent=True)
    state["security_group"] = group.name
    flavor = lease.get_reserved_flavors()[0]
    server = chi_server.Server(f"{NAME}-server", image_name=IMAGE, flavor_name=flavor.name, key_name=key_name)
    server.submit(wait_for_active=True, idempotent=True, show="text")
    state["server"] = server.name
    STATE.write_text(json.dumps(state, indent=2) + "\n")
    server.add_security_group(group.name)
    floating_ip = lease.get_reserved_floating_ips()[0]
    server.associate_floating_ip(floating_ip)
    state["floating_ip"] = floating_ip
    STATE.write_text(json.dumps(state, indent=2) + "\n")
    server.check_connectivity(host=floating_ip, show="text")

    server.upload(str(HERE / "bootstrap.sh"), "bootstrap.sh")
    node_env = node_env_file(env_file, node_overrides)
    try:
        server.upload(str(node_env), "project.env")
    finally:
        node_env.unlink()
    server.execute(f"bash bootstrap.sh '{repo_url}'")
    print(f"ready: ssh cc@{floating_ip}; MLflow: ssh -L 5000:127.0.0.1:5000 cc@{floating_ip}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

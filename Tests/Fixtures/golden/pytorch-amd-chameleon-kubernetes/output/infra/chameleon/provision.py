"""Provision a amd server for rocm-lm on Chameleon Cloud (CHI@UC).

    pip install -e '.[chameleon]'
    source CH-XXXXXX-openrc.sh            # your project's OpenRC file
    # https: the node has no SSH key for git@ URLs
    export REPO_URL=https://github.com/you/rocm-lm.git
    python infra/chameleon/provision.py [--hours 8]

Creates a lease (one bare-metal node and a floating IP), a security group that admits only
SSH, the server, then installs Docker, clones the repository, copies .env
and starts the stack. What it created is written to infra/chameleon/state.json;
`python infra/chameleon/teardown.py` releases all of it.
MLflow artifacts, DVC data and database backups go to the object store of CHI@UC, so they
outlive the lease (S3 API, with an EC2 credential of your project), in the containers
    rocm-lm-mlflow
    rocm-lm-dvc
    rocm-lm-backups
bootstrap.sh restores the last database backup on the new node.
Override the S3 endpoint with CHI_S3_ENDPOINT.
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

SITE = "CHI@UC"
HERE = Path(__file__).resolve().parent
STATE = HERE / "state.json"
NAME = "rocm-lm"
IMAGE = os.environ.get("CHI_IMAGE", "CC-Ubuntu22.04-ROCm")
NODE_TYPE = os.environ.get("CHI_NODE_TYPE", "gpu_mi100")
FLAVOR = os.environ.get("CHI_FLAVOR", "m1.xlarge")
# Servers of one training job (the nodes answer); above 1, make train-multinode runs on each.
NODES = 2

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


OBJECT_STORE_SITE = "CHI@UC"
BUCKETS = {"MLFLOW_BUCKET": f"{NAME}-mlflow", "DVC_BUCKET": f"{NAME}-dvc", "BACKUP_BUCKET": f"{NAME}-backups"}


def object_store_env() -> dict[str, str]:
    """The object store's S3 endpoint, an EC2 credential of this project and user, and the containers."""
    import urllib.parse

    import swiftclient
    from chi.clients import keystone
    from chi.context import session

    chi.use_site(OBJECT_STORE_SITE)
    try:
        sess = session()
        endpoint = os.environ.get("CHI_S3_ENDPOINT")
        if not endpoint:
            swift = urllib.parse.urlsplit(sess.get_endpoint(service_type="object-store", interface="public"))
            endpoint = f"{swift.scheme}://{swift.netloc}"
        identity = keystone(sess)
        user_id, project_id = sess.get_user_id(), sess.get_project_id()
        mine = [c for c in identity.ec2.list(user_id)
                if (getattr(c, "tenant_id", None) or getattr(c, "project_id", None)) == project_id]
        credential = mine[0] if mine else identity.ec2.create(user_id, project_id)
        connection = swiftclient.Connection(session=sess)
        for container in BUCKETS.values():
            connection.put_container(container)
    finally:
        chi.use_site(SITE)
    return {"ARTIFACTS_S3_ENDPOINT": endpoint, "ARTIFACTS_ACCESS_KEY": credential.access,
            "ARTIFACTS_SECRET_KEY": credential.secret, **BUCKETS}


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
    # What the node's .env changes: the artifact store is the object store (first, so a failure costs no lease).
    node_overrides = object_store_env()
    state: dict = {"site": SITE}

    lease = chi_lease.Lease(f"{NAME}-lease", duration=dt.timedelta(hours=args.hours))
    lease.add_node_reservation(amount=NODES, node_type=NODE_TYPE)
    lease.add_fip_reservation(amount=NODES)
    lease.submit(wait_for_active=True, idempotent=True)
    state["lease_id"] = lease.id
    STATE.write_text(json.dumps(state, indent=2) + "\n")

    group = chi_network.SecurityGroup(
        {"name": f"{NAME}-ssh-only", "description": "SSH only; services stay on 127.0.0.1"})
    group.add_rule("ingress", "tcp", 22)
    group.submit(idempotent=True)
    state["security_group"] = group.name
    server = chi_server.Server(f"{NAME}-server", reservation_id=lease.node_reservations[0]["id"],
                               image_name=IMAGE, key_name=key_name)
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
    if NODES > 1:
        start_multinode(lease, server, key_name, repo_url, env_file, node_overrides, group.name, state)
    print(f"ready: ssh cc@{floating_ip}; MLflow: ssh -L 5000:127.0.0.1:5000 cc@{floating_ip}")
    return 0


def start_multinode(lease: chi_lease.Lease, first: chi_server.Server, key_name: str, repo_url: str,
                    env_file: Path, node_overrides: dict[str, str], group_name: str, state: dict) -> None:
    """Servers 1..NODES-1 (bootstrapped as workers, with the first server's .env: the same buckets and
    keys), then `make train-multinode` on every server: torchrun in the project image with host
    networking, meeting at the first server's private address."""
    floating_ips = lease.get_reserved_floating_ips()
    servers = [first]
    for index in range(1, NODES):
        worker = chi_server.Server(f"{NAME}-server-{index}", reservation_id=lease.node_reservations[0]["id"],
                                   image_name=IMAGE, key_name=key_name)
        worker.submit(wait_for_active=True, idempotent=True, show="text")
        state.setdefault("workers", []).append(worker.name)  # deleted with the lease
        STATE.write_text(json.dumps(state, indent=2) + "\n")
        worker.add_security_group(group_name)
        worker.associate_floating_ip(floating_ips[index])
        worker.check_connectivity(host=floating_ips[index], show="text")
        worker.upload(str(HERE / "bootstrap.sh"), "bootstrap.sh")
        node_env = node_env_file(env_file, node_overrides)
        try:
            worker.upload(str(node_env), "project.env")
        finally:
            node_env.unlink()
        worker.execute(f"bash bootstrap.sh '{repo_url}' worker")
        servers.append(worker)
    master = next(address["addr"] for addresses in first.addresses.values() for address in addresses
                  if address.get("OS-EXT-IPS:type") == "fixed" and address.get("version") == 4)
    devices = "--device /dev/kfd --device /dev/dri "
    for rank, node in enumerate(servers):
        # Rank 0 (on the first server) records the run; the others only train their shards.
        # As the node's user (not the image's uid 10001): it owns outputs/, the bind-mounted folder.
        torchrun = (f"sudo docker run --rm --network host --ipc host {devices}"
                    "--user $$(id -u):$$(id -g) -e HOME=/tmp "
                    # The Makefile's MLFLOW_TRACKING_URI: the first server's MLflow on 127.0.0.1, where rank 0 runs.
                    "-e MLFLOW_TRACKING_URI=$(MLFLOW_TRACKING_URI) "
                    # $(...) is expanded by make in the project folder, $$(...) by the shell it runs:
                    # the image and its ID (the image records its commit itself).
                    "-e CONTAINER_IMAGE=rocm-lm:latest-local "
                    "-e CONTAINER_IMAGE_ID=$$(sudo docker image inspect --format={{.Id}} "
                    "rocm-lm:latest-local) "
                    "-v $(CURDIR)/outputs:/app/outputs -v $(CURDIR)/configs:/app/configs:ro "
                    "-v $(CURDIR)/data:/app/data:ro "
                    "rocm-lm:latest-local torchrun")
        node.execute(f"cd {NAME} && mkdir -p outputs && nohup make train-multinode TORCHRUN='{torchrun}' "
                     f"NNODES={NODES} NODE_RANK={rank} MASTER_ADDR={master} > outputs/train-node{rank}.log 2>&1 &")
    print(f"training on {NODES} servers; rank 0: ssh cc@{floating_ips[0]} tail -f {NAME}/outputs/train-node0.log")


if __name__ == "__main__":
    raise SystemExit(main())

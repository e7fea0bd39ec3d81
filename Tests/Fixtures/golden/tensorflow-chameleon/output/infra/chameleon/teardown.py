"""Release what provision.py created on KVM@TACC: server, security group, lease (and its floating IP).

    python infra/chameleon/teardown.py [--force]

The MLflow runs and artifacts live on the node's disk and are deleted with it:
copy what you need first. Without --force, teardown refuses while a server exists.
SSH uses cc@<floating IP> with your agent or CHI_SSH_KEY (a private key file).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import chi
from chi import lease as chi_lease
from chi import network as chi_network
from chi import server as chi_server
from chi.clients import neutron

STATE = Path(__file__).resolve().parent / "state.json"


def ssh(host: str, command: str) -> subprocess.CompletedProcess:
    argv = ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new", "-o", "ConnectTimeout=30"]
    if os.environ.get("CHI_SSH_KEY"):
        argv += ["-i", os.environ["CHI_SSH_KEY"]]
    return subprocess.run([*argv, f"cc@{host}", command], capture_output=True, text=True)


def keep_results(state: dict) -> str | None:
    """None when it is safe to delete the node; otherwise why not."""
    if not state.get("server"):
        return None
    return ("the MLflow runs and artifacts live only on the node (Docker volumes postgres-data and minio-data); "
            "copy them first")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Release the Chameleon resources of this project.")
    parser.add_argument("--force", action="store_true",
                        help="release even when the results on the node could not be saved")
    args = parser.parse_args(argv)
    if not STATE.exists():
        print(f"nothing to release: {STATE} does not exist")
        return 0
    state = json.loads(STATE.read_text())
    reason = keep_results(state)
    if reason and not args.force:
        print(f"refusing to tear down: {reason}.\nFix it and run teardown.py again, or run teardown.py --force "
              "to delete the node and whatever is only on it.", file=sys.stderr)
        return 1
    if reason:
        print(f"warning: {reason}; releasing anyway (--force)", file=sys.stderr)
    chi.use_site(state["site"])
    chi.set("project_name", os.environ.get("OS_PROJECT_NAME", ""))
    failures = []
    if state.get("server"):
        try:
            server = chi_server.get_server(state["server"])
            if state.get("floating_ip"):
                # A reserved floating IP belongs to the lease: detach it; deleting the lease releases it.
                server.detach_floating_ip(state["floating_ip"], delete=False)
            server.delete(idempotent=True)
        except Exception as error:  # noqa: BLE001 - keep releasing the rest
            failures.append(f"server {state['server']}: {error}")
    if state.get("security_group"):
        try:
            for group in chi_network.list_security_groups(state["security_group"]):
                neutron().delete_security_group(group.id)
        except Exception as error:  # noqa: BLE001
            failures.append(f"security group {state['security_group']}: {error}")
    if state.get("lease_id"):
        try:
            chi_lease.delete_lease(state["lease_id"])
        except Exception as error:  # noqa: BLE001
            failures.append(f"lease {state['lease_id']}: {error}")
    if failures:
        print("could not release:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    STATE.unlink()
    print("released server, security group and lease (with its floating IP)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

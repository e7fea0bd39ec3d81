"""A stand-in for python-chi that records every call (JSON lines in $FAKE_CHI_LOG) instead of calling
Chameleon. Only the API the generated infra/chameleon scripts use; test_chameleon.py checks every
recorded call against the real python-chi's signatures."""

from __future__ import annotations

import json
import os
from pathlib import Path


def record(name: str, *args, **kwargs) -> None:
    def plain(value):
        if isinstance(value, (str, int, float, bool)) or value is None:
            return value
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return repr(value)

    with open(os.environ["FAKE_CHI_LOG"], "a") as log:
        log.write(json.dumps({"call": name, "args": plain(list(args)), "kwargs": plain(kwargs)}) + "\n")


def use_site(site_name):
    record("chi.use_site", site_name)


def set(key, value):  # python-chi's name
    record("chi.set", key, value)


def uploaded(path: str) -> str:
    return Path(path).read_text()

"""Only for pre-commit's `language: python` hook (.pre-commit-hooks.yaml): pre-commit pip-installs this
repository, and this installs nothing of its own but the mlrepro wheel of the same version from PyPI.
mlrepro itself is built with SwiftPM and packed by `make dist` (scripts/dist/build_dist.py)."""
import re
from pathlib import Path

from setuptools import setup

VERSION = re.search(r'static let current = "([^"]+)"',
                    (Path(__file__).parent / "Sources/MLReproCore/Record/Version.swift").read_text()).group(1)

setup(
    name="mlrepro-pre-commit-hook",
    version=VERSION,
    description="pre-commit hook running mlrepro check",
    install_requires=[f"mlrepro=={VERSION}"],
    py_modules=[],
)

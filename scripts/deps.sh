#!/usr/bin/env bash
# Installs the system packages mlrepro builds against, when missing. Idempotent.
set -euo pipefail
missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! pkg-config --exists libgit2 2>/dev/null; then missing+=(libgit2-dev); fi
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
# The private-template tests (Tests/hostile/test_private_templates.py) serve a template over
# OpenSSH (sshd, ssh-keygen, ssh-agent) and over HTTP through `git http-backend`.
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v git >/dev/null 2>&1 || missing+=(git)
# `deps.sh stack`: also the PostgreSQL server the tracking-stack test starts.
if [ "${1:-}" = "stack" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing+=(postgresql); fi
# `deps.sh dist`: what `make dist` and `make test-install` use (objcopy, readelf, patchelf, debootstrap).
if [ "${1:-}" = "dist" ] && [ "$(uname -s)" = Linux ]; then
    command -v objcopy >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1 || missing+=(binutils)
    command -v patchelf >/dev/null 2>&1 || missing+=(patchelf)
    command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
    echo "deps: missing ${missing[*]}; install them (Debian/Ubuntu: sudo apt-get install ${missing[*]})" >&2
    exit 1
fi

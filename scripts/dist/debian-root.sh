#!/usr/bin/env bash
# Builds, once, the bare machine the install test runs on: a minimal Debian root (debootstrap's
# minbase) with python3 and python3-venv and nothing of mlrepro's: no Swift, no libgit2, no git,
# no compiler. Reused while DIR/.complete exists; `rm -rf DIR` builds it again.
#   scripts/dist/debian-root.sh DIR        (as root; needs debootstrap and the Debian mirror)
set -euo pipefail
root=${1:?usage: debian-root.sh DIR}
suite=${DEBIAN_SUITE:-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ -f "$root/.complete" ]; then
    echo "debian-root: reusing $root ($suite)"
    exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "debian-root: debootstrap and chroot need root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "debian-root: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }

partial="$root.partial"
rm -rf "$partial"
mkdir -p "$(dirname "$root")"
echo "debian-root: debootstrap $suite minbase + python3, python3-venv into $root (a few minutes, once)"
started=$SECONDS
if ! debootstrap --variant=minbase --include=python3,python3-venv "$suite" "$partial" "$mirror" \
        > "$partial.log" 2>&1; then
    tail -n 30 "$partial.log" >&2
    echo "debian-root: debootstrap failed; the whole log is $partial.log" >&2
    exit 1
fi
# The point of the root is what it lacks.
for path in usr/bin/git usr/bin/swift usr/bin/cc usr/bin/gcc; do
    if [ -e "$partial/$path" ]; then echo "debian-root: $path is in the root; it must not be" >&2; exit 1; fi
done
if compgen -G "$partial/usr/lib/*/libgit2.so*" >/dev/null; then
    echo "debian-root: libgit2 is in the root; it must not be" >&2; exit 1
fi
rm -rf "$partial/var/cache/apt/archives/"*.deb "$partial.log"
rm -rf "$root"
mv "$partial" "$root"
touch "$root/.complete"
echo "debian-root: built in $((SECONDS - started)) s"

#!/usr/bin/env bash
# The install test (`make test-install`): the wheel from `make dist`, installed with pip on a bare
# Debian (python3 and python3-venv only: no Swift, no libgit2, no git, no compiler), must give a
# working `mlrepro`: --version, init from the built-in template with its git commit (through the
# bundled libgit2), init from a file:// git template with tags, check (0, then 1 after an edit),
# update to a newer tag, and `python -m mlrepro`.
#   scripts/dist/test-install.sh WHEEL ROOT     (as root; ROOT is built once by debian-root.sh)
set -euo pipefail
wheel=$(realpath "${1:?usage: test-install.sh WHEEL ROOT}")
root=${2:?usage: test-install.sh WHEEL ROOT}
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -nE 's/.*static let current = "([^"]+)".*/\1/p' "$here/../../Sources/MLReproCore/Record/Version.swift")

[ "$(id -u)" -eq 0 ] || { echo "test-install: needs root (debootstrap, chroot, mount)" >&2; exit 1; }
[ -f "$wheel" ] || { echo "test-install: no wheel $wheel; run make dist" >&2; exit 1; }
"$here/debian-root.sh" "$root"
root=$(realpath "$root")
work="$root/work"

mounted=""
cleanup() {
    status=$?
    if [ -n "$mounted" ]; then umount "$root/proc" || umount -l "$root/proc" || true; fi
    rm -rf "$work"
    if [ $status -ne 0 ]; then echo "test-install: FAILED (exit $status)" >&2; fi
}
trap cleanup EXIT
rm -rf "$work"
mkdir -p "$work"
cp "$wheel" "$work/"

# A git template with two version tags, made with this machine's git (the root has none).
template="$work/template"
mkdir -p "$template"
git -C "$template" init --quiet --initial-branch main
git -C "$template" config user.name "Template Author"
git -C "$template" config user.email author@example.org
cat > "$template/mlrepro.yml" <<'YAML'
name:
  type: str
  default: world
YAML
printf 'Hello {{ name }}!\n' > "$template/greeting.txt.jinja"
printf 'unchanged\n' > "$template/notes.txt"
git -C "$template" add -A && git -C "$template" commit --quiet -m "v1" && git -C "$template" tag v1.0.0
printf 'Hello {{ name }}, again!\n' > "$template/greeting.txt.jinja"
git -C "$template" add -A && git -C "$template" commit --quiet -m "v1.1" && git -C "$template" tag v1.1.0

# /proc: the loader finds the bundled libgit2 from /proc/self/exe, and the Swift runtime reads the
# command line from /proc/self/cmdline (without /proc, mlrepro sees no arguments at all).
if ! mount -t proc proc "$root/proc"; then
    echo "test-install: cannot mount /proc in $root: run as root with CAP_SYS_ADMIN (a container needs --privileged)" >&2
    exit 1
fi
mounted=yes

cat > "$work/inside.sh" <<'SCRIPT'
set -euo pipefail
version=$1
step() { printf '\n== %s\n' "$*"; }
fail() { echo "test-install: $*" >&2; exit 1; }
millis() { date +%s%N | cut -b1-13; }
cd /work

step "the machine is bare"
for tool in git swift swiftc cc gcc; do
    if command -v "$tool" >/dev/null; then fail "$tool is on this machine; the test needs one without it"; fi
done
if ls /usr/lib/*/libgit2.so* >/dev/null 2>&1; then fail "libgit2 is on this machine"; fi

step "pip install the wheel (no index)"
python3 -m venv /work/venv
started=$(millis)
/work/venv/bin/pip install --no-index --disable-pip-version-check --quiet /work/mlrepro-*.whl
echo "pip install: $(( $(millis) - started )) ms"
export PATH=/work/venv/bin:$PATH
[ "$(command -v mlrepro)" = /work/venv/bin/mlrepro ] || fail "mlrepro is not the venv's command"

step "mlrepro --version"
mlrepro --version | tee version.txt
[ "$(head -n 1 version.txt)" = "$version" ] || fail "--version's first line is not $version"
grep -Eq '^commit: [0-9a-f]{40}(-dirty)?$' version.txt || fail "--version names no commit"
grep -Eq '^target: [a-z0-9_]+-' version.txt || fail "--version names no target"
[ "$(python3 -c 'import sys; print(sys.version_info >= (3, 0))')" = True ]
[ "$(/work/venv/bin/python -m mlrepro --version | head -n 1)" = "$version" ] || fail "python -m mlrepro does not run it"

step "init from the built-in template, with a git commit through the bundled libgit2"
mlrepro init study --defaults --quiet
[ -f study/.git/HEAD ] || fail "init made no git repository"
[ -n "$(ls study/.git/refs/heads)" ] || fail "init made no commit"
started=$(millis)
mlrepro check study >/dev/null
echo "mlrepro check (built-in template): $(( $(millis) - started )) ms"

step "init from a file:// git template at its older tag"
mlrepro init greeting --template file:///work/template --vcs-ref v1.0.0 --defaults --quiet
[ "$(cat greeting/greeting.txt)" = "Hello world!" ] || fail "greeting.txt: $(cat greeting/greeting.txt)"
grep -q "v1.0.0" greeting/.mlrepro/answers.yml || grep -q "_commit" greeting/.mlrepro/answers.yml \
    || fail "answers.yml records no template version"

step "check: 0 in sync, 1 after an edit"
mlrepro check greeting
cp greeting/greeting.txt greeting.txt.kept
echo "edited" >> greeting/greeting.txt
status=0; mlrepro check greeting > check.out || status=$?
cat check.out
[ $status -eq 1 ] || fail "check after an edit exited $status, not 1"
cp greeting.txt.kept greeting/greeting.txt
mlrepro check greeting

step "update to the newer tag"
mlrepro update greeting
[ "$(cat greeting/greeting.txt)" = "Hello world, again!" ] || fail "update left greeting.txt: $(cat greeting/greeting.txt)"
mlrepro check greeting
echo "test-install: every step passed"
SCRIPT

chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 TERM=dumb \
    /bin/bash /work/inside.sh "$version"

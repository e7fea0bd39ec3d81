#!/usr/bin/env bash
# Checks what `make dist` wrote (`make test-dist`): the wheel's metadata renders on PyPI (twine check
# --strict), its contents are sane (check-wheel-contents), its platform tag matches the newest GLIBC
# symbol version the binary and the bundled libraries need (auditwheel show), SHA256SUMS verifies, the
# archive holds the binary, libraries, man page, completions and LICENSE; the release workflow and the
# composite action validate against their schemas (check-jsonschema), and with actionlint when present.
#   scripts/dist/check-dist.sh VENV DIST
set -euo pipefail
venv=${1:?usage: check-dist.sh VENV DIST}
dist=${2:?usage: check-dist.sh VENV DIST}
root=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "check-dist: $*" >&2; exit 1; }

shopt -s nullglob
wheels=("$dist"/mlrepro-*.whl)
archives=("$dist"/mlrepro-*.tar.gz)
[ ${#wheels[@]} -eq 1 ] || fail "expected one wheel in $dist, found ${#wheels[@]}"
[ ${#archives[@]} -eq 1 ] || fail "expected one archive in $dist, found ${#archives[@]}"
wheel=${wheels[0]}
archive=${archives[0]}

echo "== twine check --strict"
"$venv/bin/twine" check --strict "$wheel"
echo "== check-wheel-contents"
"$venv/bin/check-wheel-contents" "$wheel"
echo "== auditwheel show"
shown=$("$venv/bin/auditwheel" show "$wheel")
echo "$shown"
tag=$(basename "$wheel" .whl | sed -E 's/^mlrepro-[^-]+-py3-none-//')
if [[ $tag == manylinux_* ]]; then
    # auditwheel wraps its sentence; compare on one line.
    echo "$shown" | tr '\n' ' ' | tr -s ' ' | grep -q "consistent with the following platform tag: \"${tag%%.*}\"" \
        || fail "auditwheel does not find $wheel consistent with its tag $tag"
fi
echo "== SHA256SUMS"
(cd "$dist" && sha256sum -c SHA256SUMS)
echo "== archive contents"
listing=$(tar -tzf "$archive")
for path in bin/mlrepro lib/mlrepro/ share/man/man1/mlrepro.1 share/bash-completion/completions/mlrepro \
            share/zsh/site-functions/_mlrepro share/fish/vendor_completions.d/mlrepro.fish LICENSE; do
    echo "$listing" | grep -q "^[^/]*/$path" || fail "$archive has no $path"
done
echo "== release workflow and action.yml against their schemas"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$root/.github/workflows/release.yml"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions "$root/action.yml"
if command -v actionlint >/dev/null; then
    actionlint "$root/.github/workflows/release.yml"
else
    echo "check-dist: actionlint is not on PATH; the release workflow was checked against its schema only"
fi
echo "check-dist: ok"

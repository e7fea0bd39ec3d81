#!/usr/bin/env bash
# Wall time of `mlrepro probe --json`: once with no GPU tools on PATH, once with fake
# nvidia-smi, nvcc and amd-smi (which print recorded outputs and take no time of their own).
# Usage: scripts/bench-probe.sh BINARY [RUNS]
set -euo pipefail
bin=$(realpath "$1")
runs=${2:-15}
fixtures=$(realpath "$(dirname "$0")/../Tests/EnvironmentProbeTests/Fixtures")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/fake-bin" "$work/root/proc/driver/nvidia" "$work/root/usr/include" "$work/root/etc"
cp "$fixtures/nvidia/proc-version-proprietary.txt" "$work/root/proc/driver/nvidia/version"
cp "$fixtures/cuda/cudnn_version-9.1.0.h.txt" "$work/root/usr/include/cudnn_version.h"
cp "$fixtures/cuda/nccl-2.18.3.h.txt" "$work/root/usr/include/nccl.h"
cp /proc/cpuinfo "$work/root/proc/cpuinfo"; cp /proc/meminfo "$work/root/proc/meminfo"
cp /etc/os-release "$work/root/etc/os-release"
cat > "$work/fake-bin/nvidia-smi" <<SH
#!/bin/sh
case "\$*" in
  --query-gpu=*) exec /bin/cat "$fixtures/nvidia/query-a100-mig.csv" ;;
  "-q -x") exec /bin/cat "$fixtures/nvidia/xml-a100-mig.xml" ;;
  -L) exec /bin/cat "$fixtures/nvidia/list-a100-mig.txt" ;;
esac
exit 64
SH
printf '#!/bin/sh\nexec /bin/cat "%s"\n' "$fixtures/cuda/nvcc-12.2.txt" > "$work/fake-bin/nvcc"
printf '#!/bin/sh\nexec /bin/cat "%s"\n' "$fixtures/amd/amd-smi-static-list.json" > "$work/fake-bin/amd-smi"
chmod +x "$work/fake-bin/"*

# Minimal system PATH: the real python3 and git, no GPU tools.
system_path=/usr/bin:/bin

measure() { # label, then env assignments
    local label=$1; shift
    local times=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        env "$@" "$bin" probe --json > /dev/null
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000000 )))
    done
    local sorted
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    local median max
    median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
    max=$(echo "$sorted" | tail -1)
    printf '%-34s median %4d ms   max %4d ms   (%d runs)\n' "$label" "$median" "$max" "$runs"
}

cd "$work"
measure "probe, no GPU tools (target <300)" PATH="$system_path"
measure "probe, fake GPU tools (target <1000)" PATH="$work/fake-bin:$system_path" MLREPRO_PROBE_ROOT="$work/root"

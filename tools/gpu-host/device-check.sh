#!/usr/bin/env bash
# Everything a GPU host session measures, in one command from the repo root (see README.md beside this):
#   bash tools/gpu-host/device-check.sh OUTDIR [BUNDLE]
# 1. host facts (GPU, driver, Vulkan loader and ICD files, python/torch)      -> OUTDIR/host.txt
# 2. arrive.sh: Node, asma, Vulkan loader, VK_DRIVER_FILES                     -> the log
# 3. probe.mjs: Dawn's adapter, limits, one WGSL compute shader checked         -> OUTDIR/probe.json
#    (when no adapter answers, again with each other NVIDIA ICD file found)
# 4. torch-peer.py on CUDA: ST-GCN-16 train B=64/128, infer B=256, latency B=1 -> OUTDIR/torch-peer.json
# 5. asma on WebGPU, once its CLI has `bench --backend`: one run per line of $ASMA_BENCH_RUNS, each line
#    the arguments of one asma command (default: training at B = 64 and 128, ASMa pretraining), e.g.
#    $'bench --backend webgpu --json --batch 64\nbench --backend webgpu --json --batch 128'
#    Their stdout goes to OUTDIR/asma-bench.jsonl, the steps are named asma-1, asma-2, ...
# 6. OUTDIR/summary.json: each step's exit code and seconds, the adapter, the peer's figures.
# Everything printed also goes to OUTDIR/device-check.log. Six files in all (the device tool brings back
# at most 8). Each step has a timeout and the whole stays within $ASMA_CHECK_BUDGET_S (default 420 s).
# Exit code: 0 when the probe passed and the peer ran, else 1.

out="${1:?usage: bash tools/gpu-host/device-check.sh OUTDIR [BUNDLE]}"
bundle="${2:-${ASMA_GPU_BUNDLE:-.gpu-host}}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$out" || exit 1
out="$(cd "$out" && pwd)"
exec > >(tee -a "$out/device-check.log") 2>&1
export PYTHONUNBUFFERED=1

start=$(date +%s)
deadline=$((start + ${ASMA_CHECK_BUDGET_S:-420}))
declare -A rc secs

# step NAME CAP_S COMMAND...: runs COMMAND under `timeout`, capped by what is left of the budget; its
# own lines go to stderr, so that a step's stdout can go to a file.
step() {
  local name="$1" cap="$2"
  shift 2
  local left=$((deadline - $(date +%s) - 5))
  if ((left < 10)); then
    echo "== $name: skipped, the budget is spent" >&2
    rc[$name]=skipped
    return 1
  fi
  ((cap > left)) && cap=$left
  echo "== $name (timeout ${cap} s): $*" >&2
  local t0=$(date +%s)
  timeout --kill-after=5 "$cap" "$@"
  local code=$?
  rc[$name]=$code
  secs[$name]=$(($(date +%s) - t0))
  echo "== $name: exit $code after ${secs[$name]} s" >&2
  return "$code"
}

host_facts() {
  echo "date: $(date -u +%FT%TZ)"
  echo "uname: $(uname -a)"
  grep PRETTY_NAME /etc/os-release 2>/dev/null
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 | head -5
  echo "ldconfig libvulkan: $(ldconfig -p 2>/dev/null | grep libvulkan || echo none)"
  echo "ICD files:"
  ls -l /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>&1
  echo "EGL vendor files:"
  ls -l /usr/local/nvidia/share/glvnd/egl_vendor.d /usr/share/glvnd/egl_vendor.d 2>&1
  echo "python3: $(command -v python3) $(python3 --version 2>&1)"
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())' 2>&1
  echo "nproc: $(nproc)"
}

echo "== host"
host_facts | tee "$out/host.txt"

# arrive.sh runs as a program under a timeout; its exports come back through env.sh.
step arrive 120 bash "$here/arrive.sh" "$bundle"
if [ "${rc[arrive]}" = 0 ]; then
  # shellcheck disable=SC1091
  . "${ASMA_GPU_HOME:-/tmp/asma-gpu}/env.sh"
  echo "node: $(command -v node) $(node --version); VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"

  step probe 60 node "$here/probe.mjs" --out "$out/probe.json" --timeout-s 45
  if [ "${rc[probe]}" = 2 ]; then
    # No adapter: try each other NVIDIA ICD file, then the loader's own search (VK_DRIVER_FILES unset).
    for icd in /usr/local/nvidia/share/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/nvidia*.json \
      /etc/vulkan/icd.d/nvidia*.json ""; do
      [ -n "$icd" ] && { [ ! -f "$icd" ] || [ "$icd" = "${VK_DRIVER_FILES:-}" ]; } && continue
      echo "== probe again with VK_DRIVER_FILES=${icd:-unset}"
      if [ -n "$icd" ]; then export VK_DRIVER_FILES="$icd"; else unset VK_DRIVER_FILES; fi
      step probe 45 node "$here/probe.mjs" --out "$out/probe.json" --timeout-s 30 && break
    done
  fi
else
  rc[probe]=skipped
fi

step torch 180 python3 "$here/torch-peer.py" --device cuda --out "$out/torch-peer.json"

if [ "${rc[arrive]}" = 0 ] && node "$ASMA_CLI" bench --help 2>&1 | grep -q -- '--backend'; then
  # Default: ST-GCN-16 training at B = 64 and 128, then ASMa pretraining at the paper's sizes (B = 128,
  # projector 6144) with its data-wait share (does the GPU wait for the host's augmentation and masks?).
  runs="${ASMA_BENCH_RUNS:-$'bench --backend webgpu --json --batch 64\nbench --backend webgpu --json --batch 128\nbench --backend webgpu --json --method asma --batch 128 --steps 5'}"
  : >"$out/asma-bench.jsonl"
  n=0
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    n=$((n + 1))
    # shellcheck disable=SC2086
    step "asma-$n" 240 node "$ASMA_CLI" $line >>"$out/asma-bench.jsonl" || true
  done <<<"$runs"
else
  echo "== asma: skipped (no arrive, or \`asma bench\` has no --backend option yet)"
  rc[asma]=skipped
fi

export DC_OUT="$out" DC_START="$start"
export DC_RC="$(for k in "${!rc[@]}"; do echo "$k=${rc[$k]}"; done)"
export DC_SECS="$(for k in "${!secs[@]}"; do echo "$k=${secs[$k]}"; done)"
python3 - <<'EOF'
import json, os, time
out = os.environ["DC_OUT"]
def pairs(text):
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
def load(name):
    try:
        with open(os.path.join(out, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
probe = load("probe.json") or {}
peer = load("torch-peer.json") or {}
summary = {
    "seconds": round(time.time() - int(os.environ["DC_START"])),
    "exit_codes": pairs(os.environ["DC_RC"]),
    "step_seconds": {k: int(v) for k, v in pairs(os.environ["DC_SECS"]).items()},
    "adapter": probe.get("adapter") and {k: probe["adapter"].get(k) for k in ("vendor", "architecture", "description")},
    "probe_ok": probe.get("ok", False),
    "probe_error": probe.get("error"),
    "vk_driver_files": (probe.get("env") or {}).get("VK_DRIVER_FILES"),
    "torch": peer.get("torch"),
    "torch_runs": [{k: r.get(k) for k in ("tf32", "gpu", "train_samples_per_s", "infer_samples_per_s", "latency_ms_b1")}
                   for r in peer.get("runs", [])],
}
with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=2)
print(json.dumps(summary, indent=2))
EOF

echo "== done in $(($(date +%s) - start)) s; files in $out: $(ls "$out" | tr '\n' ' ')"
[ "${rc[probe]}" = 0 ] && [ "${rc[torch]}" = 0 ]

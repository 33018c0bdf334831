#!/usr/bin/env bash
# engine=webgpu on a bare NVIDIA machine (the device tool's machine: no network, no Node), in under
# 8 minutes: Vulkan loader, the WebGPU tests, the GPU bench, then our kernels against
# @tensorflow/tfjs-backend-webgpu on the same model and adapter. Two steps:
#
#   bash bench/gpu.sh pack   # here, once: .gpu/ = node, the runtime node_modules, Vulkan loader debs (< 64 MiB)
#   bash bench/gpu.sh        # there (device run with carry [".gpu"]): results in $OUT (or bench/results/gpu)
#
# The second step also runs on any machine with a WebGPU adapter (lavapipe included: the tests then
# check correctness and the bench rows say "lavapipe: correctness, not speed").
set -euo pipefail
cd "$(dirname "$0")/.."
PACK=.gpu

if [ "${1:-}" = "pack" ]; then
  rm -rf "$PACK" && mkdir -p "$PACK/debs"
  xz -T0 -6 -c "$(readlink -f "$(command -v node)")" > "$PACK/node.xz"
  # The Vulkan loader (the GPU machine may lack it), as the device README says.
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial && chmod 777 "$PACK/debs" && apt-get $o update -qq && (cd "$PACK/debs" && apt-get $o download -qq libvulkan1)
  # Runtime modules only: Dawn's linux-x64 build, onnxruntime's linux-x64 CPU library, no compilers or browsers.
  tar -cf - --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' --exclude='node_modules/webgpu/dist/linux-arm64' \
    --exclude='node_modules/onnxruntime-node/bin/napi-v6/darwin' --exclude='node_modules/onnxruntime-node/bin/napi-v6/win32' --exclude='node_modules/onnxruntime-node/bin/napi-v6/linux/arm64' \
    --exclude='node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_*' \
    --exclude='node_modules/playwright-core' --exclude='node_modules/typescript' --exclude='node_modules/@types' --exclude='*.map' \
    node_modules dist | xz -T0 -6 > "$PACK/modules.tar.xz"
  du -sh "$PACK"
  size=$(du -sm "$PACK" | cut -f1)
  if [ "$size" -ge 60 ]; then echo "gpu.sh pack: $PACK is ${size} MiB, over what a device run carries" >&2; exit 1; fi
  exit 0
fi

START=$(date +%s)
OUTDIR="${OUT:-bench/results/gpu}"
mkdir -p "$OUTDIR"
if [ -d "$PACK" ]; then
  mkdir -p /tmp/gpu-node && xz -dc "$PACK/node.xz" > /tmp/gpu-node/node && chmod +x /tmp/gpu-node/node
  export PATH="/tmp/gpu-node:$PATH"
  [ -d node_modules ] || tar -xJf "$PACK/modules.tar.xz"
  if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
    for f in "$PACK"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
fi
# NVIDIA's ICD where the device README finds it; elsewhere the loader's own search (or lavapipe).
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUTDIR/gpu.txt"
export EMOBENCH_REQUIRE_WEBGPU=1
node --version
# Each step may take at most its cap and what is left of 450 s, so the whole script ends within 8 minutes.
limit() { local left=$(( 450 - ($(date +%s) - START) )); [ "$left" -lt 1 ] && left=1; echo $(( left < $1 ? left : $1 )); }
set +e
timeout "$(limit 240)" node --import tsx --test tests/gpu/kernels.test.ts tests/gpu/engine.test.ts tests/gpu/tfjs-webgpu.test.ts 2>&1 | grep -v '^# Warning' | tee "$OUTDIR/tests.txt"
tests=${PIPESTATUS[0]}
# H200: 4.8 TB/s HBM3e; the roofline is weights read once per decode step.
timeout "$(limit 200)" node --import tsx bench/gpu-decode.ts --config paper --kv fp32,int8 --batch 1,8 --new 64 --prompt-tokens 128 --bandwidth-gbs "${GPU_BANDWIDTH_GBS:-4800}" --json "$OUTDIR/bench.json" 2>&1 | grep -v '^Warning' | tee "$OUTDIR/bench.txt"
bench=${PIPESTATUS[0]}
# Side by side with tfjs-backend-webgpu (same weights, config and adapter): batch-1 decode and logit agreement.
timeout "$(limit 150)" node --import tsx bench/tfjs-webgpu-decode.ts --config tiny,small,paper --new 64 --prompt-tokens 128 --json "$OUTDIR/vs-tfjs.json" 2>&1 | grep -v '^Warning' | tee "$OUTDIR/vs-tfjs.txt"
vs=${PIPESTATUS[0]}
echo "gpu.sh: tests exit $tests, bench exit $bench, vs tfjs exit $vs, $(( $(date +%s) - START )) s" | tee -a "$OUTDIR/bench.txt"
[ "$tests" -eq 0 ] && [ "$bench" -eq 0 ] && [ "$vs" -eq 0 ]

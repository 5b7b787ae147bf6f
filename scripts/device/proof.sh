#!/usr/bin/env bash
# The GPU proof (scripts/device/README.md): serve and transcribe on the device, and measure.
#
#   bash scripts/device/proof.sh [--device cuda|cpu] [--batch-sizes 1,4,16] [--clients 16]
#                                [--seconds 15]
#
# Run after stage.sh has laid every slice down. Joins the slices in
# $STT_DEVICE_STAGE (default /tmp/stt-device), checks every sum, installs the carried wheels
# into a --target folder, then: the doctor (text and --json), `stt-engine serve --backend
# torch --device D` on 127.0.0.1, the log's "Device: D (", JFK and a Korean clip through the
# HTTP API, `stt-engine check --expect-device D`, and throughput per batch size through
# `stt-engine bench load`. Everything goes to $OUT/proof.log. Exit 0 only if every step passed.
set -uo pipefail
device=cuda batch_sizes="" clients="" seconds=""
while (($#)); do
  case $1 in
    --device) device=$2; shift 2 ;;
    --batch-sizes) batch_sizes=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "proof: unknown argument $1" >&2; exit 64 ;;
  esac
done
if [[ $device == cuda ]]; then
  batch_sizes=${batch_sizes:-1,4,16} clients=${clients:-16} seconds=${seconds:-15}
else
  batch_sizes=${batch_sizes:-1,4} clients=${clients:-4} seconds=${seconds:-8}
fi
stage=${STT_DEVICE_STAGE:-/tmp/stt-device}
OUT=${OUT:-$stage/out}
mkdir -p "$OUT"
exec > >(tee "$OUT/proof.log") 2>&1
tee_pid=$!
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
payload="$stage/payload" port=${STT_DEVICE_PORT:-18003}
source "$repo/scripts/device/proof_lib.sh"
trap on_exit EXIT

section "proof on $device ($(date -u +%FT%TZ), $(uname -n), python3 $(python3 -V 2>&1 | cut -d' ' -f2))"
run_step payload join_payload || finish
run_step wheels install_wheels || finish
export PYTHONPATH="${site_path:+$site_path:}$repo/src"
run_step imports python3 -c 'import numpy, av, fastapi, faster_whisper, torch, transformers, stt_engine
gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
print("torch", torch.__version__, "built for CUDA", torch.version.cuda, "sees", gpu)
print("transformers", transformers.__version__, "numpy", numpy.__version__, "av", av.__version__)'
run_step doctor doctor_both
run_step serve serve_main || finish
run_step device_line grep -m1 "Device: $device (" "$OUT/serve.log"
run_step transcribe python3 "$repo/scripts/device/transcribe_check.py" \
  --url "http://127.0.0.1:$port" --manifest "$payload/audio/manifest.jsonl"
run_step check stt check --url "http://127.0.0.1:$port" --expect-device "$device" --wait 60
stop_servers
run_step throughput throughput "$batch_sizes" "$clients" "$seconds"
finish

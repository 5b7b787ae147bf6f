#!/usr/bin/env bash
# Defaults against fitted_windows=off, side by side: `stt-engine bench load` at concurrency
# 1, 2, 4, 8 and 16 on short Korean and English clips, then short requests while a
# 10-minute recording runs as a job (scripts/bench/load_with_job.sh) on the defaults.
# Usage: scripts/bench/load_sweep.sh MANIFEST OUT_DIR [SECONDS_PER_LEVEL]
# Two servers run on 127.0.0.1:8101 (defaults) and :8102 (STT_ENGINE_FITTED_WINDOWS=off);
# only the one under load does work.
set -euo pipefail
manifest=$1 out=$2 seconds=${3:-20}
mkdir -p "$out"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
start() {  # PORT [VAR=VALUE...]
  local port=$1
  shift  # each server its own data dir: one job database per process
  env STT_ENGINE_DATA_DIR="$out/data-$port" "$@" stt-engine serve --host 127.0.0.1 --port "$port" >"$out/server-$port.log" 2>&1 &
  pids+=($!)
}
start 8101
start 8102 STT_ENGINE_FITTED_WINDOWS=off
for port in 8101 8102; do
  until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do sleep 1; done
done
urls=(--url http://127.0.0.1:8101 --url http://127.0.0.1:8102)
for lang in ko en; do
  stt-engine bench load "${urls[@]}" --manifest "$manifest" --lang "$lang" --max-duration 12 \
    --limit 30 --spread --concurrency 1,2,4,8,16 --duration "$seconds" --no-progress \
    --out "$out/$lang"
done
long="$out/long-ko.wav"
python3 - "$manifest" "$long" <<'PY'
import json, sys, wave
from pathlib import Path
import numpy as np
from stt_engine.audio import decode_audio
manifest, target = Path(sys.argv[1]), sys.argv[2]
pieces, total = [], 0
for line in manifest.read_text(encoding="utf-8").splitlines():
    entry = json.loads(line)
    if entry.get("lang", entry.get("language")) != "ko" or total >= 600 * 16000:
        continue
    samples = decode_audio(manifest.parent / entry["audio_filepath"])
    pieces += [samples, np.zeros(8000, np.float32)]
    total += samples.size + 8000
pcm = (np.clip(np.concatenate(pieces), -1, 1) * 32767).astype("<i2")
with wave.open(target, "wb") as out:
    out.setnchannels(1), out.setsampwidth(2), out.setframerate(16000), out.writeframes(pcm.tobytes())
print(f"{target}: {pcm.size / 16000:.0f} s", file=sys.stderr)
PY
"$(dirname "$0")/load_with_job.sh" http://127.0.0.1:8101 "$long" "$out/with-job" \
  --manifest "$manifest" --lang ko --max-duration 12 --limit 30 --spread \
  --concurrency 1,2,4 --duration "$seconds" --no-progress

#!/usr/bin/env bash
# Accuracy through the server, side by side on the same clips: this version's defaults, this
# version with STT_ENGINE_FITTED_WINDOWS=off, and (with OLD_SRC) another version's defaults,
# e.g. the 0.1.0 release: git worktree add /tmp/old 96666a4 && OLD_SRC=/tmp/old/src ...
# Usage: [OLD_SRC=DIR] scripts/bench/server_accuracy.sh MANIFEST OUT_DIR [bench accuracy options]
# Servers run on 127.0.0.1:8111 (defaults), :8112 (off) and :8113 (OLD_SRC).
set -euo pipefail
manifest=$1 out=$2
shift 2
mkdir -p "$out"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
start() {  # PORT [VAR=VALUE...]
  local port=$1
  shift  # each server its own data dir: one job database per process
  env STT_ENGINE_DATA_DIR="$out/data-$port" "$@" python -m stt_engine.cli serve --host 127.0.0.1 --port "$port" \
    >"$out/server-$port.log" 2>&1 &
  pids+=($!)
}
urls=(--url http://127.0.0.1:8111 --url http://127.0.0.1:8112)
start 8111
start 8112 STT_ENGINE_FITTED_WINDOWS=off
if [ -n "${OLD_SRC:-}" ]; then
  start 8113 PYTHONPATH="$OLD_SRC"
  urls+=(--url http://127.0.0.1:8113)
fi
for port in 8111 8112 ${OLD_SRC:+8113}; do
  until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null; do sleep 1; done
done
stt-engine bench accuracy "${urls[@]}" --manifest "$manifest" --no-progress --out "$out" "$@"

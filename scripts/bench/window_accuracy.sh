#!/usr/bin/env bash
# Error rate of one clip set under one fitted-windows setting, for docs/benchmarks.md.
#   scripts/bench/window_accuracy.sh LANG CONDITION SETTING [extra bench-accuracy flags]
# LANG: ko | en. CONDITION: clean | snr10 | snr5 | snr0 | phone (degraded copies made first
# with scripts/bench/degrade.py into out/deg-LANG) | long (the corpus's 5- and 10-minute
# recordings). SETTING: off | streams | all. Clips: Korean, 60 spread over ko/emotiontts;
# English, every clip up to 60 s (47).
# Prints "LANG CONDITION SETTING rate seconds" and keeps the JSON in out/acc/.
set -euo pipefail
lang=$1 condition=$2 setting=$3
shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${PYTHON:-$root/.venv/bin/python}
if [ "$condition" = clean ] || [ "$condition" = long ]; then
    manifest=${MANIFEST:-$root/../shared/audio/manifest.jsonl}
else
    manifest=$root/out/deg-$lang/$condition/manifest.jsonl
fi
case $lang-$condition in
    *-long) select=(--filter long_) ;;
    ko-*) select=(--filter ko/emotiontts --limit 60 --spread) ;;
    en-*) select=(--max-duration 60) ;;
esac
out=$root/out/acc/$lang-$condition-$setting${TAG:+-$TAG}
started=$(date +%s)
STT_ENGINE_FITTED_WINDOWS=$setting "$python" -m stt_engine.cli bench accuracy \
    --manifest "$manifest" --lang "$lang" "${select[@]}" --concurrency 4 \
    --no-progress --out "$out" "$@" >/dev/null
rate=$("$python" -c "import json,sys; s=json.load(open(sys.argv[1]))['summary']['engine']; print(round(s.get('cer', s.get('wer')), 4))" "$out/accuracy.json")
echo "$lang $condition $setting${TAG:+ $TAG} $rate $(( $(date +%s) - started ))s"

#!/usr/bin/env bash
# Short requests while one long recording runs as a job: what the job does to their latency.
# Usage: scripts/bench/load_with_job.sh URL LONG_FILE OUT_DIR [bench load options...]
# Submits LONG_FILE as a job, waits until it is running, runs `stt-engine bench load` against
# URL with the options given, then cancels the job (and says how far it got).
set -euo pipefail
url=$1 long=$2 out=$3
shift 3
auth=()
if [ -n "${OPENAI_API_KEY:-}" ]; then auth=(-H "Authorization: Bearer $OPENAI_API_KEY"); fi
job=$(curl -sf "${auth[@]}" -F "file=@$long" -F language=ko "$url/v1/jobs" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
echo "job $job submitted" >&2
until curl -sf "${auth[@]}" "$url/v1/jobs/$job" | grep -q '"status": *"running"'; do sleep 1; done
stt-engine bench load --url "$url" --out "$out" "$@"
curl -sf "${auth[@]}" "$url/v1/jobs/$job" |
  python3 -c 'import json,sys; j=json.load(sys.stdin); print("job", j["status"], j.get("progress"), file=sys.stderr)'
curl -sf -X DELETE "${auth[@]}" "$url/v1/jobs/$job" >/dev/null || true

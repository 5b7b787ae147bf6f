# Steps of proof.sh (sourced by it; it sets device, stage, payload, repo, port and OUT).
# The main server listens on $port, the throughput servers on $port + 11, + 12, ...
results=() servers=() site_path=""
STEP_LIMIT=180  # seconds any one outside command may run

section() { printf '\n===== %s\n' "$1"; }

# run_step NAME COMMAND...: run it, time it, record PASS/FAIL; returns its status.
run_step() {
  local name=$1 started=$SECONDS status
  shift
  section "$name: $*"
  if declare -F "$1" >/dev/null; then "$@"; else timeout -k 5 "$STEP_LIMIT" "$@"; fi
  status=$?
  local verdict=PASS
  ((status == 0)) || verdict="FAIL (exit $status)"
  results+=("$(printf '%-12s %-16s %4d s' "$name" "$verdict" $((SECONDS - started)))")
  echo "--- $name: $verdict"
  return $status
}

finish() {
  section "summary on $device, $SECONDS s in all"
  local failed=0 line
  for line in "${results[@]}"; do
    echo "  $line"
    [[ $line == *FAIL* ]] && failed=1
  done
  if ((failed)); then
    echo "PROOF FAILED on $device (steps after a failed payload, wheels or serve step do not run)"
    exit 1
  fi
  echo "PROOF PASSED on $device"
  exit 0
}

stt() { python3 -m stt_engine.cli "$@"; }

join_payload() {
  local parts="$stage/parts" want names=() missing=() name
  [[ -f "$parts/parts.sha256" ]] || { echo "no slices in $parts: run the stage calls first"; return 1; }
  want=$(awk '$2 == "payload.tar.xz" {print $1}' "$parts/parts.sha256")
  if [[ -f "$payload/.archive-sha256" && $(<"$payload/.archive-sha256") == "$want" ]]; then
    echo "payload $want already joined and unpacked in $payload"
  else
    while read -r _ name; do
      [[ $name == *.part-* ]] || continue
      names+=("$parts/$name")
      [[ -f "$parts/$name" ]] || missing+=("$name")
    done <"$parts/parts.sha256"
    if ((${#missing[@]})); then
      echo "missing slices: ${missing[*]}: the machine was replaced; start again from call 1"
      return 1
    fi
    cat "${names[@]}" >"$stage/payload.tar.xz"
    (cd "$stage" && echo "$want  payload.tar.xz" | sha256sum -c -) || return 1
    rm -rf "$payload" && mkdir -p "$payload"
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2], filter="data")' \
      "$stage/payload.tar.xz" "$payload" || return 1
    rm -f "$stage/payload.tar.xz"
    echo "$want" >"$payload/.archive-sha256"
  fi
  (cd "$payload" && sha256sum --quiet -c SHA256SUMS) || return 1
  echo "all $(wc -l <"$payload/SHA256SUMS") payload files match SHA256SUMS"
  du -sh "$payload"/* | sed 's/^/  /'
}

install_wheels() {
  local wheels=("$payload"/wheels/*.whl) site="$stage/site"
  if [[ ! -e ${wheels[0]} ]]; then
    echo "no wheels carried: python3's own packages serve"
    return 0
  fi
  rm -rf "$site"
  # shellcheck disable=SC2046  # one word per --platform flag and platform
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
    --disable-pip-version-check --target "$site" --only-binary=:all: \
    --python-version 3.12 --implementation cp $(python3 "$repo/scripts/device/wheels.py") \
    "${wheels[@]}" || return 1
  echo "installed ${#wheels[@]} wheels into $site: $(cd "$payload/wheels" && ls | cut -d- -f1-2 | tr '\n' ' ')"
  if python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then
    site_path=$site
  else
    echo "python3 is not 3.12: the wheels install for 3.12 (checked above); it runs on its own packages"
  fi
}

doctor_both() {
  python3 -m stt_engine.doctor
  echo "(doctor exit $?: a fail verdict is a finding, not a failed step)"
  python3 -m stt_engine.doctor --json >"$OUT/doctor.json"
  python3 -c 'import json, sys; print("doctor --json:", json.load(open(sys.argv[1]))["summary"])' \
    "$OUT/doctor.json"
}

# start_server PORT LOG [serve flags...]: in the background, its pid added to servers
start_server() {
  local port=$1 log=$2
  shift 2
  STT_ENGINE_DATA_DIR="$stage/data-$port" STT_ENGINE_CACHE_DIR="$stage/cache" \
    python3 -m stt_engine.cli serve --host 127.0.0.1 --port "$port" --backend torch \
    --device "$device" --models-dir "$payload/model" --default-model whisper-base-hf \
    --upload-dir "$stage/uploads-$port" --log-level INFO "$@" >"$log" 2>&1 &
  servers+=($!)
}

# wait_ready PORT PID SECONDS
wait_ready() {
  local url="http://127.0.0.1:$1/health/ready" deadline=$((SECONDS + $3))
  until python3 -c 'import sys, httpx; sys.exit(httpx.get(sys.argv[1]).status_code != 200)' \
    "$url" 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || { echo "the server on port $1 exited"; return 1; }
    ((SECONDS < deadline)) || { echo "the server on port $1 is not ready after $3 s"; return 1; }
    sleep 1
  done
}

serve_main() {
  start_server "$port" "$OUT/serve.log"
  if ! wait_ready "$port" "${servers[-1]}" 150; then
    tail -n 40 "$OUT/serve.log"
    return 1
  fi
  grep -E "Device: |ready:" "$OUT/serve.log"
  echo "serving on http://127.0.0.1:$port after $SECONDS s"
}

# the servers stopped, and proof.log complete before the command returns and $OUT is taken
on_exit() {
  stop_servers
  exec >&- 2>&-
  wait "$tee_pid" 2>/dev/null
}

stop_servers() {
  local pid
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${servers[@]}"; do wait "$pid" 2>/dev/null; done
  servers=()
}

# throughput SIZES CLIENTS SECONDS: one server per batch size, then bench load over them all
throughput() {
  local sizes=() size urls=() next=$((port + 10)) first=$((port + 11)) index=0
  IFS=, read -ra sizes <<<"$1"
  for size in "${sizes[@]}"; do
    next=$((next + 1))
    start_server "$next" "$OUT/serve-batch$size.log" --batch-size "$size"
    urls+=(--url "http://127.0.0.1:$next")
  done
  for size in "${sizes[@]}"; do
    wait_ready $((first + index)) "${servers[index]}" 150 || return 1
    index=$((index + 1))
  done
  echo "${#sizes[@]} servers ready (batch sizes $1) after $SECONDS s"
  stt bench load "${urls[@]}" --manifest "$payload/audio/manifest.jsonl" --concurrency "$2" \
    --duration "$3" --timeout 120 --out "$OUT/bench" --no-progress || return 1
  python3 "$repo/scripts/device/throughput.py" "$OUT/bench/load.json" "$1"
}

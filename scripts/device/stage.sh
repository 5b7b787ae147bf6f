#!/usr/bin/env bash
# Lay one carried slice of the proof's payload down on the GPU machine (scripts/device/README.md).
#
#   bash scripts/device/stage.sh .device/call-K
#
# Checks the slice against the sums it travelled with and copies it into
# $STT_DEVICE_STAGE/parts (default /tmp/stt-device/parts), which lasts while the machine stays
# warm. Prints which slices are there and which are still missing. Exit 0: the slice is laid
# down; 2: the slice is damaged; 3: slices of an earlier call are gone (the machine was replaced:
# start again from call 1).
set -euo pipefail
carried=${1:?usage: stage.sh .device/call-K}
stage=${STT_DEVICE_STAGE:-/tmp/stt-device}
parts="$stage/parts"
mkdir -p "$parts"

if [[ -f "$parts/parts.sha256" ]] && ! cmp -s "$parts/parts.sha256" "$carried/parts.sha256"; then
  echo "stage: $parts holds slices of another prepare; clearing it"
  rm -f "$parts"/*
fi
cp "$carried/parts.sha256" "$parts/parts.sha256"

for part in "$carried"/payload.tar.xz.part-*; do
  name=$(basename "$part")
  if ! (cd "$carried" && grep -F "  $name" parts.sha256 | sha256sum --quiet -c -); then
    echo "stage: $name is damaged (sha256 differs from parts.sha256)" >&2
    exit 2
  fi
  cp "$part" "$parts/$name"
  echo "stage: laid down $name ($(stat -c %s "$part") bytes, sha256 ok) in $parts"
done

have=() missing=()
while read -r _ name; do
  [[ $name == *.part-* ]] || continue
  if [[ -f "$parts/$name" ]]; then have+=("${name##*.}"); else missing+=("${name##*.}"); fi
done <"$parts/parts.sha256"
echo "stage: have ${#have[@]} of $((${#have[@]} + ${#missing[@]})): ${have[*]}${missing:+; missing: ${missing[*]}}"

this=$(basename "$carried"/payload.tar.xz.part-*)
this=${this##*.part-}
for gone in "${missing[@]}"; do
  if ((10#${gone#part-} < 10#$this)); then
    echo "stage: $gone, from an earlier call, is gone: the machine was replaced; start again from call 1" >&2
    exit 3
  fi
done
if command -v nvidia-smi >/dev/null; then nvidia-smi -L; fi

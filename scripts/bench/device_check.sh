#!/usr/bin/env bash
# GPU-machine check: the doctor's facts next to nvidia-smi's, PyTorch's and CTranslate2's own
# reports, and the engine's device choice. Run from the repository root on a GPU machine whose
# python3 lacks stt-engine's light dependencies; wheels for them may be given in .whl/.
# Writes everything it prints to ${OUT:-/tmp}/device_check.log as well.
set -u
OUT=${OUT:-/tmp}
exec > >(tee "$OUT/device_check.log") 2>&1
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl
  export PYTHONPATH=/tmp/site:$PWD/src
else
  export PYTHONPATH=$PWD/src
fi
section() { printf '\n===== %s\n' "$1"; }

section "nvidia-smi"
nvidia-smi
nvidia-smi --query-gpu=index,name,driver_version,memory.total,compute_cap --format=csv

section "stt-engine doctor (python3 $(python3 -V 2>&1))"
python3 -m stt_engine.doctor --deep
python3 -m stt_engine.doctor --deep --json > "$OUT/doctor.json"
python3 - "$OUT/doctor.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("driver:", r["driver"]["version"], "max CUDA:", r["driver"]["max_cuda"])
print("gpus:", [(g.get("name"), g.get("memory_mib"), g.get("compute_capability")) for g in r.get("gpus", [])])
print("cuda_wheels:", r["cuda_wheels"])
print("ctranslate2_cuda:", r.get("ctranslate2_cuda"))
print("summary:", r["summary"])
PY

section "doctor zipapp under the system python3"
python3 -m stt_engine.doctor --zipapp /tmp/doctor.pyz >/dev/null && /usr/bin/python3 /tmp/doctor.pyz --summary

section "PyTorch's own report"
python3 - <<'PY'
import torch
print("torch", torch.__version__, "built for CUDA", torch.version.cuda, "cuDNN", torch.backends.cudnn.version())
print("available", torch.cuda.is_available(), "devices", torch.cuda.device_count())
for i in range(torch.cuda.device_count()):
    p = torch.cuda.get_device_properties(i)
    print(i, p.name, f"{p.total_memory / 2**20:.0f} MiB", f"sm_{p.major}{p.minor}")
print("arch list", torch.cuda.get_arch_list())
PY

section "CTranslate2's own report"
python3 - <<'PY'
import ctranslate2
print("ctranslate2", ctranslate2.__version__, "CUDA devices", ctranslate2.get_cuda_device_count())
try:
    print("cuda compute types", sorted(ctranslate2.get_supported_compute_types("cuda")))
except Exception as exc:
    print("cuda compute types: error:", exc)
PY

section "engine device choice (auto, then cuda demanded)"
python3 - <<'PY'
from stt_engine.config import Settings
from stt_engine.engine.device import choose_device
from stt_engine.errors import DeviceError
print(choose_device(Settings(device="auto")).log_line())
try:
    print(choose_device(Settings(device="cuda")).log_line())
except DeviceError as exc:
    print("device=cuda refused:", exc.message, "| hint:", exc.hint)
PY

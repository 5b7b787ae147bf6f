#!/bin/sh
# Container entrypoint: print the doctor's one-line verdict on this GPU setup, then serve.
# Any arguments replace the server command (e.g. `docker run IMAGE stt-engine doctor`).
set -eu
python3 -m stt_engine.doctor --summary || true
if [ "$#" -eq 0 ]; then
  set -- stt-engine serve --host 0.0.0.0 --port "${STT_ENGINE_PORT:-8003}"
fi
exec "$@"

"""senko's own pipeline (its torch VAD, compiled filterbank, its settings) on the evaluation set,
for its DER beside the engine's.

It runs in a child process: on CPUs without the vector instructions its compiled extractor
was built for, the process stops with an illegal instruction (SIGILL), which would take the
bench down with it. The child prints one JSON object, each reference's name to its turns.

    python -m stt_engine.bench.senko_own AUDIO_ROOT REFERENCE.json ...
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from stt_engine.diarize.turns import SpeakerTurn

Turns = dict[str, list[SpeakerTurn]]


def senko_turns(paths: list[Path], audio_root: Path) -> Turns | str:
    """Each reference's turns by senko's own pipeline, or why there are none."""
    command = [sys.executable, "-m", __name__, str(audio_root), *map(str, paths)]
    return outcome(subprocess.run(command, capture_output=True, text=True, check=False))


def outcome(done: subprocess.CompletedProcess[str]) -> Turns | str:
    """The child's turns, or why there are none."""
    if done.returncode == -signal.SIGILL:
        return "senko's own pipeline stopped with an illegal instruction on this CPU (skipped)"
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return f"senko's own pipeline failed (exit {done.returncode}): {tail[0]}"
    found: dict[str, list[list[object]]] = json.loads(done.stdout.splitlines()[-1])
    return {
        name: [SpeakerTurn(float(a), float(b), str(s)) for a, b, s in turns]  # type: ignore[arg-type]
        for name, turns in found.items()
    }


def _main(audio_root: Path, paths: list[Path]) -> None:
    import contextlib
    import io

    import senko

    from stt_engine.bench.diarization_set import load_reference, render

    with contextlib.redirect_stdout(io.StringIO()):
        pipeline = senko.Diarizer(device="cpu", warmup=False, quiet=True)
    found: dict[str, list[list[object]]] = {}
    for path in paths:
        reference = load_reference(path)
        with contextlib.redirect_stdout(io.StringIO()):
            result = pipeline.diarize_samples(render(reference, audio_root), 16_000)
        segments = result["merged_segments"] if result else []
        found[str(reference["name"])] = [[s["start"], s["end"], s["speaker"]] for s in segments]
    print(json.dumps(found))


if __name__ == "__main__":
    _main(Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]])

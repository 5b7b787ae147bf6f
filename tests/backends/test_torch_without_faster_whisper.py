"""The PyTorch backend transcribes in a process where faster-whisper and CTranslate2 are absent.

A child Python process puts a finder first on ``sys.meta_path`` that refuses to import
``faster_whisper`` and ``ctranslate2`` (as if they were not installed), then loads the
Hugging Face checkpoint on the PyTorch backend and transcribes JFK with word timestamps.
Voice detection is faster-whisper's Silero model, so with VAD on the same process gets a
clear error naming what to install or turn off.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jiwer
import pytest
from backend_support import JFK_TEXT, WORD_TIME_TOLERANCE, all_words, words

from stt_engine.config import Settings
from stt_engine.engine import Engine, TranscribeOptions

BLOCKED = ("faster_whisper", "ctranslate2")
_CHILD = """
import importlib.abc, json, sys

BLOCKED = {blocked!r}
assert not any(name in sys.modules for name in BLOCKED)


class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None


sys.meta_path.insert(0, NotInstalled())

from stt_engine.config import Settings
from stt_engine.engine import Engine, TranscribeOptions
from stt_engine.errors import SttError

engine = Engine(Settings(**json.loads(sys.argv[1])))
options = TranscribeOptions(language="en", word_timestamps=True, vad_filter=False)
transcript = engine.transcribe_file(sys.argv[2], options)
found = [[w.word, w.start, w.end, w.probability] for s in transcript.segments for w in s.words]
try:
    engine.transcribe_file(sys.argv[2], TranscribeOptions(language="en"))
    vad = None
except SttError as exc:
    vad = [exc.code, str(exc), exc.hint]
loaded = [name for name in BLOCKED if name in sys.modules]
print("RESULT=" + json.dumps({{"text": transcript.text, "words": found, "vad": vad,
                               "loaded": loaded}}))
"""
_SETTINGS = ("models_dir", "cache_dir", "data_dir", "upload_dir", "device", "backend")


def _run_blocked(settings: Settings, audio: Path) -> dict[str, object]:
    values = settings.model_dump(mode="json", include=set(_SETTINGS))
    values["default_model"] = settings.default_model
    code = _CHILD.format(blocked=BLOCKED)
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(values), str(audio)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT=")][-1]
    result: dict[str, object] = json.loads(line.removeprefix("RESULT="))
    return result


@pytest.mark.slow
def test_torch_transcribes_jfk_with_words_without_faster_whisper(
    torch_settings: Settings, ct2_full_engine: Engine, jfk: Path
) -> None:
    result = _run_blocked(torch_settings, jfk)
    assert result["loaded"] == []
    assert jiwer.wer(words(JFK_TEXT), words(str(result["text"]))) <= 0.05
    reference = ct2_full_engine.transcribe_file(
        jfk, TranscribeOptions(language="en", word_timestamps=True, vad_filter=False)
    )
    expected = all_words(reference)
    found = result["words"]
    assert isinstance(found, list)
    assert [words(w[0]) for w in found] == [words(w.word) for w in expected]
    for (_, start, end, probability), other in zip(found, expected, strict=True):
        assert abs(start - other.start) <= WORD_TIME_TOLERANCE, (start, other)
        assert abs(end - other.end) <= WORD_TIME_TOLERANCE, (end, other)
        assert 0.0 < probability <= 1.0
    code, message, hint = result["vad"]  # type: ignore[misc]
    assert code == "model_invalid" and "faster-whisper" in message
    assert "--no-vad" in hint and "pip install faster-whisper" in hint

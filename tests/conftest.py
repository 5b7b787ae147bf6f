"""Fixtures shared by every test folder: the real speech corpus and a real engine."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import speech_corpus


def pytest_report_header() -> str:
    return speech_corpus.describe()


def pytest_sessionstart(session: pytest.Session) -> None:
    problem = speech_corpus.start_problem()
    if problem is not None:
        pytest.exit(problem, returncode=pytest.ExitCode.USAGE_ERROR)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests with the corpus mark or the audio_dir fixture (even through another) need it."""
    fixtures = getattr(item, "fixturenames", ())
    if item.get_closest_marker("corpus") is not None or "audio_dir" in fixtures:
        speech_corpus.require()


@pytest.fixture(scope="session")
def audio_dir() -> Path:
    """The speech corpus folder: real speech with reference transcripts (speech_corpus.py)."""
    speech_corpus.require()
    return speech_corpus.AUDIO


@pytest.fixture(scope="session")
def manifest(audio_dir: Path) -> list[dict[str, object]]:
    lines = (audio_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="session")
def jfk(audio_dir: Path) -> Path:
    return audio_dir / "en" / "whisper_jfk.flac"


@pytest.fixture(scope="session")
def engine_settings(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Settings on the CPU with a private models/cache dir (the packaged models still resolve)."""
    from stt_engine.config import Settings

    base = tmp_path_factory.mktemp("engine")
    return Settings(
        models_dir=base / "models", cache_dir=base / "cache", data_dir=base / "data", device="cpu"
    )


@pytest.fixture(scope="session")
def engine(engine_settings):  # type: ignore[no-untyped-def]
    from stt_engine.engine import Engine

    return Engine(engine_settings)


@pytest.fixture(scope="session")
def phone_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """English speech with a phone number, synthesised with espeak-ng and sox (never committed).

    The base model transcribes it as "Please call me back at 5551234567. Thank you."
    """
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.skip("espeak-ng and sox synthesise the phone-number clip")
    folder = tmp_path_factory.mktemp("tts")
    raw, clip = folder / "raw.wav", folder / "phone.wav"
    text = "Please call me back at 555 123 4567. Thank you."
    subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", str(clip)], check=True)
    return clip


@pytest.fixture(scope="session")
def nonspeech(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Silence, noise, hum and tones made with sox (see nonspeech_support); name -> WAV."""
    if shutil.which("sox") is None:
        pytest.skip("sox makes the silence, noise, hum and tone files")
    from nonspeech_support import make_nonspeech

    return make_nonspeech(tmp_path_factory.mktemp("nonspeech"))


TWO_SPEAKERS_CHANGE = 10.05  # seconds: where the second speaker starts in two_speakers


@pytest.fixture(scope="session")
def two_speakers(audio_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """21 s of two real speakers (LJSpeech, then JFK), written to a temp WAV (never committed)."""
    import wave

    import numpy as np

    from stt_engine.audio import decode_audio

    first = decode_audio(audio_dir / "en" / "ljspeech" / "LJ001-0001.flac")
    second = decode_audio(audio_dir / "en" / "whisper_jfk.flac")
    gap = np.zeros(int(TWO_SPEAKERS_CHANGE * 16_000) - first.size, dtype=np.float32)
    samples = np.concatenate([first, gap, second])
    path = tmp_path_factory.mktemp("diarize") / "two_speakers.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path

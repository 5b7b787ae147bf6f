"""The same file gives the same transcript every time, alone or under load (real server).

Clean Korean and English clips and noisy copies (pink noise at 0 dB SNR, from
``bench/degrade.py``; one of them makes the base model fall back to a higher temperature) go
to a real server on 127.0.0.1 twice one at a time, then all at once from 8 clients, so the
batcher mixes them into shared batches. Every transcript must be identical each time.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_support import API_KEY, live_server, make_settings

from stt_engine.bench.degrade import clip_rng, degrade, write_flac
from stt_engine.engine import Engine

LMY = "ko/emotiontts/Main/main/lmy/"
CLEAN = (LMY + "lmy02015.flac", "ko/emotiontts/Emotional/emotional-to-emotional/nea/nea00001.flac")
NOISY = (LMY + "lmy02135.flac", LMY + "lmy02151.flac")  # the first falls back at 0 dB
CLIENTS = 8


def _noisy_copy(engine: Engine, audio_dir: Path, name: str, folder: Path) -> Path:
    pcm, rate = degrade(engine.decode(audio_dir / name), "snr0", clip_rng(0, name))
    path = folder / (Path(name).stem + "_snr0.flac")
    write_flac(path, pcm, rate)
    return path


@pytest.fixture(scope="module")
def clips(engine: Engine, audio_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("noisy")
    noisy = [_noisy_copy(engine, audio_dir, name, folder) for name in NOISY]
    return [audio_dir / "en" / "whisper_jfk.flac", *(audio_dir / n for n in CLEAN), *noisy]


def _transcribe(url: str, path: Path) -> tuple[str, tuple[float, ...]]:
    language = "en" if path.name.startswith("whisper") else "ko"
    response = httpx.post(
        url + "/v1/audio/transcriptions",
        headers={"Authorization": f"Bearer {API_KEY}"},
        data={"model": "whisper-1", "language": language, "response_format": "verbose_json"},
        files={"file": (path.name, path.read_bytes())},
        timeout=600,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return body["text"], tuple(s["temperature"] for s in body["segments"])


@pytest.mark.slow
def test_same_transcript_alone_twice_and_at_eight_clients(
    clips: list[Path], tmp_path: Path
) -> None:
    with live_server(make_settings(tmp_path, fitted_windows="all")) as server:
        alone = [_transcribe(server.url, c) for c in clips]
        again = [_transcribe(server.url, c) for c in clips]
        crowd = clips * 2  # more requests than clients: batches mix clips differently
        with ThreadPoolExecutor(CLIENTS) as pool:
            loaded = list(pool.map(lambda c: _transcribe(server.url, c), crowd))
    assert any(t > 0 for _, temps in alone for t in temps), "no clip reached the fallback"
    assert again == alone
    assert loaded == alone * 2

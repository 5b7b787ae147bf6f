"""Input formats on real speech converted by sox: G.711 tables and 24/8 kHz resampling."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from stt_engine.audio import decode_audio
from stt_engine.errors import InvalidRequestError
from stt_engine.realtime.input_audio import AudioFormat, InputDecoder, alaw_table, ulaw_table

pytestmark = pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox")
CLIP = "ko/emotiontts/Main/main/lmy/lmy01002.flac"


def _sox(source: Path, target: Path, *effects: str) -> bytes:
    subprocess.run(["sox", str(source), *effects, str(target)], check=True)
    return target.read_bytes()


@pytest.mark.parametrize(("encoding", "sox_name"), [("pcmu", "u-law"), ("pcma", "a-law")])
def test_g711_decodes_exactly_as_sox(
    audio_dir: Path, tmp_path: Path, encoding: str, sox_name: str
) -> None:
    source = audio_dir / CLIP
    coded = _sox(source, tmp_path / "x.raw", "-r", "8000", "-c", "1", "-e", sox_name)
    # sox decodes its own G.711 bytes to 16-bit: our tables must give the same samples
    coded_in = ["-t", "raw", "-r", "8000", "-c", "1", "-e", sox_name, "-b", "8"]
    linear_out = ["-e", "signed", "-b", "16"]
    subprocess.run(
        ["sox", *coded_in, str(tmp_path / "x.raw"), *linear_out, str(tmp_path / "y.raw")],
        check=True,
    )
    expected = np.frombuffer((tmp_path / "y.raw").read_bytes(), dtype="<i2")
    decoder = InputDecoder(AudioFormat(encoding, 8000))  # type: ignore[arg-type]
    assert np.array_equal(decoder.samples(coded), expected)
    assert expected.size > 30000 and np.abs(expected).max() > 3000  # real speech, not silence


def test_tables_cover_the_range() -> None:
    assert ulaw_table()[0x00] == -32124 and ulaw_table()[0x80] == 32124
    assert ulaw_table()[0xFF] == 0 and ulaw_table()[0x7F] == 0
    assert alaw_table()[0xD5] == 8 and alaw_table()[0x55] == -8
    assert alaw_table()[0xAA] == 32256 and alaw_table()[0x2A] == -32256


def _lagged_correlation(a: np.ndarray, b: np.ndarray, max_lag: int = 64) -> float:
    size = min(a.size, b.size) - 2 * max_lag
    best = 0.0
    for lag in range(-max_lag, max_lag + 1):
        x = a[max_lag : max_lag + size]
        y = b[max_lag + lag : max_lag + lag + size]
        best = max(best, float(np.corrcoef(x, y)[0, 1]))
    return best


@pytest.mark.parametrize("rate", [24000, 8000])
def test_resampled_pcm_matches_the_16k_decode(audio_dir: Path, tmp_path: Path, rate: int) -> None:
    source = audio_dir / CLIP
    raw = _sox(source, tmp_path / "x.raw", "-r", str(rate), "-c", "1", "-e", "signed", "-b", "16")
    decoder = InputDecoder(AudioFormat("pcm16", rate))
    step = rate // 10 * 2  # 100 ms appends, as a client sends them
    pieces = [decoder.decode(raw[i : i + step]) for i in range(0, len(raw), step)]
    ours = np.concatenate(pieces)
    reference = decode_audio(source)
    assert abs(ours.size - reference.size) < 400
    threshold = 0.98 if rate == 24000 else 0.9  # 8 kHz has lost everything above 4 kHz
    assert _lagged_correlation(ours, reference) > threshold


def test_odd_pcm_bytes_are_refused() -> None:
    with pytest.raises(InvalidRequestError, match="even byte count"):
        InputDecoder(AudioFormat("pcm16", 16000)).decode(b"\x00\x01\x02")

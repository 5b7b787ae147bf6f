"""Degraded copies for the accuracy benchmark: noise at a given SNR, the phone line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.bench.degrade import (
    NOISE_SNRS,
    PHONE_RATE,
    Source,
    add_noise,
    clip_rng,
    degrade,
    mulaw_decode,
    mulaw_encode,
    phone,
    pink_noise,
    power,
    write_conditions,
    write_flac,
)
from stt_engine.bench.manifest import read_manifest


def speech_like(seconds: float = 2.0) -> np.ndarray:
    """Tone bursts with pauses: a signal whose power is not uniform over time."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    envelope = (np.sin(2 * np.pi * 1.5 * t) > 0).astype(np.float64)
    return 0.2 * envelope * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 900 * t))


def band_power(signal: np.ndarray, rate: int, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(signal.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(signal.size, d=1.0 / rate)
    return float(spectrum[(freqs >= low) & (freqs < high)].sum())


def db(ratio: float) -> float:
    return 10 * float(np.log10(ratio))


@pytest.mark.parametrize("snr", [10.0, 5.0, 0.0, -3.0])
def test_noise_is_mixed_at_the_asked_snr(snr: float) -> None:
    speech = speech_like()
    mixed = add_noise(speech, pink_noise(speech.size, np.random.default_rng(1)), snr)
    assert abs(db(power(speech) / power(mixed - speech)) - snr) < 0.1


def test_written_condition_keeps_the_snr_and_is_deterministic() -> None:
    speech = speech_like()
    pcm, rate = degrade(speech, "snr5", clip_rng(0, "a.flac"))
    again, _ = degrade(speech, "snr5", clip_rng(0, "a.flac"))
    other, _ = degrade(speech, "snr5", clip_rng(0, "b.flac"))
    mixed = pcm / 32767
    assert rate == SAMPLE_RATE
    assert abs(db(power(speech) / power(mixed - speech)) - NOISE_SNRS["snr5"]) < 0.1
    assert np.array_equal(pcm, again)
    assert not np.array_equal(pcm, other)


def test_noise_is_pink() -> None:
    """Equal power per octave (white noise would have 6 dB more in each octave up)."""
    noise = pink_noise(10 * SAMPLE_RATE, np.random.default_rng(2))
    low = band_power(noise, SAMPLE_RATE, 250, 500)
    high = band_power(noise, SAMPLE_RATE, 2000, 4000)
    assert abs(db(high / low)) < 1.0


def test_phone_keeps_300_to_3400_hz_only() -> None:
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE  # 1 s: 1 Hz bins, every tone on a bin

    def tone(hz: float) -> np.ndarray:
        return 0.15 * np.sin(2 * np.pi * hz * t)

    line = phone(tone(150) + tone(250) + tone(1013) + tone(2917) + tone(3700) + tone(6000))
    assert line.dtype == np.int16 and line.size == PHONE_RATE

    def at(hz: float) -> float:  # power of the 1 Hz bin around hz, at 8 kHz
        return band_power(line, PHONE_RATE, hz - 0.5, hz + 0.5)

    passed = min(at(1013), at(2917))
    assert abs(db(at(1013) / at(2917))) < 0.5  # the pass band is flat
    for removed in (150, 250, 3700):
        assert at(removed) < passed * 1e-4, removed  # at least 40 dB down
    assert at(2000) < passed * 1e-4  # 6 kHz would fold onto 2 kHz at 8 kHz unless removed
    # whole bands, mu-law quantisation noise included: at least 30 dB down
    assert band_power(line, PHONE_RATE, 0, 300) < passed * 1e-3
    assert band_power(line, PHONE_RATE, 3400, 4001) < passed * 1e-3


def test_mulaw_round_trip_and_table_ends() -> None:
    codes = np.arange(256, dtype=np.uint8)
    decoded = mulaw_decode(codes)
    assert (decoded[0xFF], decoded[0x80], decoded[0x00]) == (0, 32124, -32124)
    kept = codes[codes != 0x7F]  # 0x7F is -0, which encodes as +0 (0xFF)
    assert np.array_equal(mulaw_encode(mulaw_decode(kept)), kept)


def test_written_manifests_read_back(tmp_path: Path) -> None:
    source = tmp_path / "src" / "ko" / "lmy" / "a.flac"
    source.parent.mkdir(parents=True)
    write_flac(source, np.round(speech_like(1.0) * 32767).astype(np.int16), SAMPLE_RATE)
    row = {"audio_filepath": "ko/lmy/a.flac", "duration": 1.0, "text": "네", "lang": "ko"}
    manifests = write_conditions([Source(row, source)], tmp_path / "out")
    assert sorted(manifests) == sorted(["clean", *NOISE_SNRS, "phone"])
    (clip,) = read_manifest(manifests["phone"])
    assert clip.name == "audio/ko/lmy/a.flac" and clip.text == "네" and clip.language == "ko"
    assert decode_audio(clip.path).size == SAMPLE_RATE
    (clean,) = read_manifest(manifests["clean"])
    assert np.abs(decode_audio(clean.path) - decode_audio(source)).max() < 1e-4  # as it was
    line = json.loads(manifests["snr0"].read_text("utf-8"))
    assert set(line) == set(row) and line["duration"] == 1.0

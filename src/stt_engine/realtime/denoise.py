"""``noise_reduction`` on a live session: Xiph's RNNoise over the 16 kHz input stream.

RNNoise (the ``pyrnnoise`` package of the ``denoise`` extra, which carries the library and its
weights) works on 10 ms frames at 48 kHz. The session's 16 kHz audio is resampled up to 48 kHz,
cleaned frame by frame, and resampled back; both resamplers (libswresample through PyAV) and
the network keep their state between appends, so the stream is cleaned as one signal. Output
lags input by 20 ms (the network's frame and window, and the resamplers).

The filter runs only when a client asks for it. Measured before Whisper it raises the error on
clean speech and on most noisy sets (docs/benchmarks.md), so the session's default is off.
"""

from __future__ import annotations

import ctypes
import weakref
from typing import Any

import numpy as np

from stt_engine.audio import SAMPLE_RATE
from stt_engine.errors import NoiseReductionUnavailableError
from stt_engine.realtime.input_audio import resample

NETWORK_RATE = 48000
_SCALE = 32767.0  # RNNoise takes and gives samples in 16-bit range, as floats


def _library() -> Any:
    try:
        from pyrnnoise import rnnoise
    except ImportError as exc:
        raise NoiseReductionUnavailableError(
            "noise_reduction needs the denoise extra, which this server lacks",
            hint="install stt-engine[denoise] on the server, or set noise_reduction to null",
            param="session.audio.input.noise_reduction",
        ) from exc
    return rnnoise


class Denoiser:
    """16 kHz float32 in, the same audio with RNNoise's noise suppression out."""

    def __init__(self) -> None:
        import av

        rnnoise = _library()
        self._lib = rnnoise.lib
        self._frame = int(rnnoise.FRAME_SIZE)
        state = self._lib.rnnoise_create(None)
        self._state = state
        self._release = weakref.finalize(self, self._lib.rnnoise_destroy, state)
        self._up = av.AudioResampler(format="flt", layout="mono", rate=NETWORK_RATE)
        self._down = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        self._pending = np.zeros(0, dtype=np.float32)
        self._pts = 0

    def process(self, audio: np.ndarray) -> np.ndarray:
        """Clean the next piece of the stream (what comes out may be a little shorter)."""
        if audio.size == 0:
            return np.zeros(0, dtype=np.float32)
        upsampled = resample(self._up, audio.astype(np.float32, copy=False), "flt", SAMPLE_RATE)
        data = np.concatenate([self._pending, upsampled * _SCALE])
        whole = data.size - data.size % self._frame
        self._pending = data[whole:]
        if whole == 0:
            return np.zeros(0, dtype=np.float32)
        frames = np.ascontiguousarray(data[:whole], dtype=np.float32).reshape(-1, self._frame)
        for frame in frames:  # rows of a C-contiguous array: cleaned in place
            pointer = frame.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            self._lib.rnnoise_process_frame(self._state, pointer, pointer)
        cleaned = np.clip(frames.reshape(-1) / _SCALE, -1.0, 1.0).astype(np.float32)
        return resample(self._down, cleaned, "flt", NETWORK_RATE)

    def close(self) -> None:
        """Free the network's state now (otherwise when the denoiser is collected)."""
        self._release()

"""Denoised copies of a manifest's clips, to measure what a denoiser before Whisper does.

Reads a manifest (the degraded sets of scripts/bench/degrade.py, or the corpus's), runs one
denoiser over every clip and writes FLAC copies and ``<out>/manifest.jsonl``, which
``stt-engine bench accuracy --manifest`` reads as is. Denoisers:

- ``spectral``: noisereduce's stationary spectral gating (noise profile from the clip);
- ``spectral-nonstationary``: noisereduce's gating against a running noise estimate;
- ``rnnoise``: Xiph's RNNoise network (pyrnnoise) as realtime sessions run it for
  ``noise_reduction`` (stt_engine/realtime/denoise.py);
- ``rnnoise-half``: RNNoise's output mixed half and half with the input.

``pip install noisereduce`` for the spectral ones; RNNoise is the ``denoise`` extra.

    python scripts/bench/denoise.py --manifest out/deg-ko/snr5/manifest.jsonl \\
        --denoiser rnnoise --out out/dn/snr5-rnnoise
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf

from stt_engine.audio import SAMPLE_RATE, decode_audio


def spectral(audio: np.ndarray, stationary: bool) -> np.ndarray:
    import noisereduce

    out = noisereduce.reduce_noise(y=audio, sr=SAMPLE_RATE, stationary=stationary, n_jobs=1)
    return np.asarray(out, dtype=np.float32)


def rnnoise(audio: np.ndarray) -> np.ndarray:
    """The realtime sessions' RNNoise filter over the whole clip (20 ms late, 50 ms of
    silence after the clip to flush it)."""
    from stt_engine.realtime.denoise import Denoiser

    denoiser = Denoiser()
    try:
        padded = np.concatenate([audio, np.zeros(SAMPLE_RATE // 20, dtype=np.float32)])
        return denoiser.process(padded)
    finally:
        denoiser.close()


DENOISERS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "spectral": lambda audio: spectral(audio, stationary=True),
    "spectral-nonstationary": lambda audio: spectral(audio, stationary=False),
    "rnnoise": rnnoise,
    "rnnoise-half": lambda audio: 0.5 * rnnoise(audio) + 0.5 * audio,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--denoiser", choices=sorted(DENOISERS), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    denoise = DENOISERS[args.denoiser]
    rows = [json.loads(line) for line in args.manifest.read_text().splitlines() if line]
    (args.out / "audio").mkdir(parents=True, exist_ok=True)
    with (args.out / "manifest.jsonl").open("w", encoding="utf-8") as manifest:
        for index, row in enumerate(rows):
            source = args.manifest.parent / row["audio_filepath"]  # absolute paths stay
            cleaned = denoise(decode_audio(source))
            name = f"audio/{index:04d}.flac"
            sf.write(args.out / name, np.clip(cleaned, -1, 1), SAMPLE_RATE)
            manifest.write(json.dumps({**row, "audio_filepath": name}, ensure_ascii=False) + "\n")
    print(f"{len(rows)} clips: {args.out / 'manifest.jsonl'}")


if __name__ == "__main__":
    main()

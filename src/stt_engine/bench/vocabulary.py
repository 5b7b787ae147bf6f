"""What a custom vocabulary gains on real speech: term recall and CER, without and with it.

The clips and their terms come from a JSON file (``{"clips": {path: [term, ...]}}``, paths
relative to the audio folder). Each clip is transcribed twice with the same model and
options: once plain, once with a vocabulary holding the clip's terms (fed to the decoder as
hotwords, as ``vocabulary=NAME`` does). A term is recalled when it appears in the
hypothesis, spaces ignored (``--shared``: one vocabulary of all the file's terms, cut to
what the prompt holds, for every clip). CER is the Korean-normalised character error rate
(bench/scoring.py), pooled over the clips.

    python -m stt_engine.bench.vocabulary scripts/bench/vocabulary/ko_proper_nouns.json \
        --audio ../shared/audio --model base
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

from stt_engine.bench.scoring import Count, aggregate, score

_SPACES = str.maketrans("", "", " \t\n")


@dataclass(frozen=True, slots=True)
class Case:
    path: Path
    reference: str
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    recalled: int
    terms: int
    cer: Count


def read_cases(spec: Path, audio: Path) -> list[Case]:
    """The clips of a term file with their manifest references."""
    clips: dict[str, list[str]] = json.loads(spec.read_text(encoding="utf-8"))["clips"]
    references = {}
    for line in (audio / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        references[entry["audio_filepath"]] = entry["text"]
    return [Case(audio / name, references[name], tuple(terms)) for name, terms in clips.items()]


def recalled(terms: tuple[str, ...], hypothesis: str) -> int:
    squeezed = hypothesis.translate(_SPACES)
    return sum(term.translate(_SPACES) in squeezed for term in terms)


def run(
    cases: list[Case], model: str, beam_size: int, shared: bool = False
) -> dict[str, list[Outcome]]:
    """Both passes over every clip (imports the engine: run it where the model is).

    ``shared``: one vocabulary of every clip's terms (as a team's glossary would be, cut to
    what the prompt holds) instead of each clip's own terms.
    """
    from dataclasses import replace

    from stt_engine.config import Settings
    from stt_engine.engine import Engine
    from stt_engine.options import TranscribeOptions
    from stt_engine.text.vocabulary import Vocabulary

    values: dict[str, object] = {"device": "cpu"}  # the figures are CPU figures
    engine = Engine(Settings(**values))  # type: ignore[arg-type]
    plain = TranscribeOptions(language="ko", beam_size=beam_size)
    results: dict[str, list[Outcome]] = {"without": [], "with": []}
    everything = [term for case in cases for term in case.terms]
    for case in cases:
        terms = everything if shared else list(case.terms)
        hotwords = Vocabulary.from_json("bench", {"terms": terms}).hotwords()
        for label, options in (("without", plain), ("with", replace(plain, hotwords=hotwords))):
            text = engine.transcribe_file(case.path, options, model).text
            cer = score(case.reference, text, "ko").primary
            found = recalled(case.terms, text)
            results[label].append(Outcome(found, len(case.terms), cer))
            print(f"{label:>7} {case.path.name}: {found}/{len(case.terms)} {text}")
    return results


def summary(results: dict[str, list[Outcome]]) -> dict[str, dict[str, float]]:
    table = {}
    for label, outcomes in results.items():
        found = sum(o.recalled for o in outcomes)
        total = sum(o.terms for o in outcomes)
        pooled = aggregate(o.cer for o in outcomes)["cer"]
        table[label] = {"term_recall": found / total, "terms": total, "cer": pooled.rate}
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("--audio", type=Path, default=Path("../shared/audio"))
    parser.add_argument("--model", default="base")
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--shared", action="store_true", help="One vocabulary for all clips.")
    args = parser.parse_args()
    cases = read_cases(args.spec, args.audio)
    started = time.perf_counter()
    table = summary(run(cases, args.model, args.beam_size, args.shared))
    scope = "shared" if args.shared else "per clip"
    print(
        json.dumps(
            {"clips": len(cases), "model": args.model, "vocabulary": scope, **table}, indent=2
        )
    )
    print(f"seconds: {time.perf_counter() - started:.0f}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Transcribe the proof's clips through a running server's HTTP API and check the text.

The manifest's ``jfk`` clip must contain "ask not what your country can do for you"; the
``korean`` clip's text is printed with its CER against the reference (at most ``--max-cer``,
a bound that only garbage or the wrong language breaks). Exit 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import httpx

JFK_PHRASE = "ask not what your country can do for you"


def transcribe(url: str, clip: Path, language: str) -> tuple[str, float]:
    started = time.perf_counter()
    with clip.open("rb") as audio:
        response = httpx.post(
            f"{url.rstrip('/')}/v1/audio/transcriptions",
            files={"file": (clip.name, audio, "audio/flac")},
            data={"model": "whisper-1", "language": language, "response_format": "json"},
            timeout=120,
        )
    response.raise_for_status()
    return str(response.json()["text"]), time.perf_counter() - started


def check_jfk(text: str) -> str | None:
    plain = re.sub(r"[^a-z ]+", " ", text.lower())
    if JFK_PHRASE in " ".join(plain.split()):
        return None
    return f'"{JFK_PHRASE}" is not in the transcript'


def check_korean(text: str, reference: str, max_cer: float) -> str | None:
    from stt_engine.bench.scoring import score

    count = score(reference, text, "ko").count("cer")
    rate = count.rate if count is not None else 1.0
    print(f"  reference: {reference}\n  CER {rate:.1%} (at most {max_cer:.0%})")
    return None if rate <= max_cer else f"CER {rate:.1%} is above {max_cer:.0%}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--max-cer", type=float, default=0.5)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.manifest.read_text("utf-8").splitlines()]
    failures = []
    for row in (r for r in rows if r["role"] in ("jfk", "korean")):
        clip = args.manifest.parent / row["audio_filepath"]
        text, seconds = transcribe(args.url, clip, row["lang"])
        print(f"{row['role']}: {clip.name} ({row['duration']:.1f} s audio) in {seconds:.2f} s:")
        print(f"  text: {text}")
        if row["role"] == "jfk":
            problem = check_jfk(text)
        else:
            problem = check_korean(text, row["text"], args.max_cer)
        print(f"  {'FAIL: ' + problem if problem else 'ok'}")
        failures += [problem] if problem else []
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

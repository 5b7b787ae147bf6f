"""Finished transcripts on disk: one JSON file per job, written whole or not at all.

The file holds every field of the ``Transcript`` (segments, words, info), so any response
format can be rendered from it later. It is written to ``<id>.json.partial``, flushed to disk,
then renamed into place; a crash mid-write leaves only a partial file, removed at start-up.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from stt_engine.errors import StorageError
from stt_engine.files import PARTIAL_SUFFIX, write_atomic
from stt_engine.transcript import Segment, TokenLogprob, Transcript, TranscriptionInfo, Word


def result_path(results_dir: Path, job_id: str) -> Path:
    return results_dir / f"{job_id}.json"


def write_result(results_dir: Path, job_id: str, transcript: Transcript) -> Path:
    """Store the transcript durably; StorageError (with the OS reason) when it cannot."""
    final = result_path(results_dir, job_id)
    partial = final.with_name(final.name + PARTIAL_SUFFIX)
    data = json.dumps(asdict(transcript), ensure_ascii=False).encode("utf-8")
    try:
        write_atomic(final, data, partial=partial, sync_folder=True)
    except OSError as exc:
        raise StorageError(
            f"cannot store the transcript: {exc.strerror or exc}",
            hint=f"free space in the data directory {results_dir.parent}",
        ) from exc
    return final


def read_result(path: Path) -> Transcript:
    raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return transcript_from_dict(raw)


def transcript_from_dict(raw: dict[str, Any]) -> Transcript:
    info = TranscriptionInfo(**{**raw["info"], "redact": tuple(raw["info"].get("redact", ()))})
    return Transcript(info=info, segments=tuple(_segment(s) for s in raw["segments"]))


def _segment(raw: dict[str, Any]) -> Segment:
    words, logprobs = raw.get("words"), raw.get("logprobs")
    nested = ("tokens", "words", "redactions", "logprobs")
    return Segment(
        **{k: v for k, v in raw.items() if k not in nested},
        tokens=tuple(raw.get("tokens", ())),
        redactions=tuple((kind, count) for kind, count in raw.get("redactions", ())),
        words=None if words is None else tuple(Word(**w) for w in words),
        logprobs=None if logprobs is None else tuple(_token(t) for t in logprobs),
    )


def _token(raw: dict[str, Any]) -> TokenLogprob:
    return TokenLogprob(raw["token"], float(raw["logprob"]), tuple(raw.get("bytes", ())))


def remove_partials(results_dir: Path) -> None:
    """Drop half-written results a crash left behind."""
    for partial in results_dir.glob("*" + PARTIAL_SUFFIX):
        partial.unlink(missing_ok=True)

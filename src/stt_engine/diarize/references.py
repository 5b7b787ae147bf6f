"""Known speakers' names and voice references, as OpenAI's transcription API takes them.

``known_speaker_names[]`` and ``known_speaker_references[]`` go in pairs: the i-th name is
the speaker heard in the i-th reference, a data URL (``data:audio/wav;base64,...``) of 2 to
10 seconds of that voice alone, at most four pairs. Any audio the server decodes may be
inside (wav, mp3, m4a, ogg/opus, webm, flac); the decoded sample is at most 2 MiB.

The checks here are light (the field's shape); ``reference_audio`` decodes a reference and
checks its length. Light to import: the audio decoder loads only when a reference is decoded.
"""

from __future__ import annotations

import base64
import binascii
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from stt_engine.errors import AudioError, AudioTooLargeError, InvalidRequestError, quoted

if TYPE_CHECKING:
    import numpy as np

MAX_SPEAKERS = 4  # OpenAI's
MIN_SECONDS = 2.0
MAX_SECONDS = 10.0
_SLACK_SECONDS = 0.05  # encoders pad a frame or two
MAX_REFERENCE_BYTES = 2 * 1024 * 1024
MAX_REFERENCE_URL_CHARS = 4 * (MAX_REFERENCE_BYTES // 3 + 1) + 256  # base64 and the header
MAX_NAME_CHARS = 64
NAMES = "known_speaker_names"
REFERENCES = "known_speaker_references"
_DATA_URL = re.compile(r"^data:(?P<media>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^;,]*)*?);base64,")
_MEDIA = ("audio/", "video/", "application/octet-stream", "application/ogg")


def check_name(name: str) -> str:
    """A speaker's name, stripped: 1 to 64 printable characters."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > MAX_NAME_CHARS or not cleaned.isprintable():
        raise InvalidRequestError(
            f"invalid speaker name {quoted(name)}: use 1 to {MAX_NAME_CHARS} printable characters",
            param=NAMES,
        )
    return cleaned


def check_names(names: Sequence[str]) -> tuple[str, ...]:
    """Every name checked (``check_name``)."""
    return tuple(check_name(name) for name in names)


def check_reference_urls(urls: Sequence[str]) -> tuple[str, ...]:
    """Every reference's data URL checked for shape (``check_reference_url``)."""
    return tuple(check_reference_url(url) for url in urls)


def check_reference_url(url: str) -> str:
    """A reference's data URL, checked for shape (audio media type, base64, size)."""
    decoded_bytes(url)
    return url.strip()


def decoded_bytes(url: str) -> bytes:
    """The bytes inside a reference's data URL; InvalidRequestError naming the field."""
    text = url.strip()
    found = _DATA_URL.match(text)
    if found is None:
        raise _bad("each known speaker reference must be a base64 data URL "
                   "(data:audio/wav;base64,...)")  # fmt: skip
    media = (found.group("media") or "").lower()
    if media and not media.startswith(_MEDIA):
        raise _bad(f"a known speaker reference is {quoted(media)}, not audio")
    payload = text[found.end() :]
    if len(payload) > MAX_REFERENCE_URL_CHARS:
        raise _bad(f"a known speaker reference is over {MAX_REFERENCE_BYTES // 1024 // 1024} MiB")
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _bad("a known speaker reference is not valid base64") from exc
    if not data:
        raise _bad("a known speaker reference is empty")
    if len(data) > MAX_REFERENCE_BYTES:
        raise _bad(f"a known speaker reference is over {MAX_REFERENCE_BYTES // 1024 // 1024} MiB")
    return data


def check_pairs(names: tuple[str, ...], references: tuple[str, ...]) -> None:
    """One reference per name, no name twice, at most four."""
    if len(names) != len(references):
        raise InvalidRequestError(
            f"{len(names)} known_speaker_names but {len(references)} known_speaker_references: "
            "give one reference per name",
            hint="or leave the references out to use the server's saved voice profiles "
            "(PUT /v1/speakers/{name})",
            param=REFERENCES if names else NAMES,
        )
    if len(set(names)) != len(names):
        raise InvalidRequestError("a known speaker name is given twice", param=NAMES)


def reference_audio(url: str, index: int = 0) -> np.ndarray:
    """A reference decoded to 16 kHz mono samples, 2 to 10 seconds long."""
    data = decoded_bytes(url)
    with tempfile.TemporaryDirectory(prefix="stt-reference-") as folder:
        path = Path(folder) / f"reference-{index + 1}"
        path.write_bytes(data)
        return voice_sample(path, index)


def voice_sample(path: Path, index: int = 0) -> np.ndarray:
    """A voice sample file decoded to 16 kHz mono, 2 to 10 seconds long."""
    from stt_engine.audio import AudioLimits, decode_audio

    try:
        samples = decode_audio(path, AudioLimits(max_seconds=MAX_SECONDS + 5))
    except AudioTooLargeError as exc:
        raise _bad(
            f"known speaker reference {index + 1} is over {MAX_SECONDS:g} s long: "
            f"use {MIN_SECONDS:g} to {MAX_SECONDS:g} s of the speaker alone"
        ) from exc
    except AudioError as exc:
        raise _bad(f"known speaker reference {index + 1} is not audio we can decode "
                   f"({exc.message})") from exc  # fmt: skip
    checked_seconds(samples, index)
    return samples


def checked_seconds(samples: np.ndarray, index: int = 0) -> float:
    """A voice sample's length, which must be 2 to 10 seconds."""
    seconds = samples.size / 16_000
    if not MIN_SECONDS - _SLACK_SECONDS <= seconds <= MAX_SECONDS + _SLACK_SECONDS:
        raise _bad(
            f"known speaker reference {index + 1} is {seconds:.1f} s long: "
            f"use {MIN_SECONDS:g} to {MAX_SECONDS:g} s of the speaker alone"
        )
    return seconds


def check_references(references: Sequence[str]) -> None:
    """Decode every reference (not audio, too short or too long: InvalidRequestError)."""
    for index, url in enumerate(references):
        reference_audio(url, index)


def data_url(wav: bytes) -> str:
    """WAV bytes as a reference's data URL."""
    return "data:audio/wav;base64," + base64.b64encode(wav).decode("ascii")


def _bad(message: str) -> InvalidRequestError:
    return InvalidRequestError(message, param=REFERENCES)

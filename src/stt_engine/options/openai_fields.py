"""How OpenAI's newer transcription fields are checked and what they set.

``include[]=logprobs`` turns on token log-probabilities; ``languages[]`` restricts language
detection; ``keywords[]`` become decoder hotwords; ``chunking_strategy`` (``"auto"`` or a
``server_vad`` object) sets the voice detection options the engine already has
(``vad_threshold``, ``vad_speech_pad_ms``, ``vad_min_silence_ms``): one option each, whichever
field a client uses. Checks follow OpenAI's (a keyword is one line without ``<`` or ``>``);
OpenAI's reference gives no count or length limit, so ours are stated here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from stt_engine.errors import InvalidRequestError, quoted
from stt_engine.languages import normalise_language

MAX_KEYWORDS = 100  # keywords in one request
MAX_KEYWORD_CHARS = 100  # characters in one keyword
_FORBIDDEN = ("<", ">", "\r", "\n")
# chunking_strategy's server_vad keys -> (the engine's option, its type)
_SERVER_VAD = {
    "threshold": ("vad_threshold", float),
    "prefix_padding_ms": ("vad_speech_pad_ms", int),
    "silence_duration_ms": ("vad_min_silence_ms", int),
}


def _items(value: object) -> list[str]:
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    if isinstance(value, Sequence):
        return [str(item) for item in value]
    raise InvalidRequestError("must be a list of strings", param="languages")


def language_list(value: object) -> str | None:
    """Language codes or names (a list, or ``ko,en``) as ``ko,en``: known, each once."""
    codes: list[str] = []
    for item in _items(value):
        try:
            code = normalise_language(item)
        except InvalidRequestError as exc:
            raise InvalidRequestError(exc.message, param="languages") from exc
        if code is not None and code not in codes:
            codes.append(code)
    return ",".join(codes) or None


def check_keywords(value: object) -> tuple[str, ...] | None:
    """Keywords checked as OpenAI checks them: each one line, free of ``<`` and ``>``."""
    if value is None:
        return None
    keywords = (value,) if isinstance(value, str) else tuple(str(v) for v in value)  # type: ignore[attr-defined]
    if len(keywords) > MAX_KEYWORDS:
        raise InvalidRequestError(
            f"too many keywords ({len(keywords)}): at most {MAX_KEYWORDS}", param="keywords"
        )
    for keyword in keywords:
        if any(mark in keyword for mark in _FORBIDDEN):
            raise InvalidRequestError(
                f"invalid keyword {quoted(keyword)}: a keyword is one line without < or >",
                param="keywords",
            )
        if len(keyword) > MAX_KEYWORD_CHARS:
            raise InvalidRequestError(
                f"keyword {quoted(keyword)} is too long: at most {MAX_KEYWORD_CHARS} characters",
                param="keywords",
            )
    return tuple(k.strip() for k in keywords if k.strip()) or None


def keywords_as_hotwords(keywords: Any, values: dict[str, object]) -> dict[str, object]:
    """The keywords after any hotwords the request gave, as the decoder's hotwords."""
    given = values.get("hotwords")
    return {"hotwords": " ".join(filter(None, (given, *keywords)))}  # type: ignore[arg-type]


def include_sets(included: Any, values: dict[str, object]) -> dict[str, object]:
    return {"logprobs": "logprobs" in included}


def chunking_strategy(value: object) -> str | None:
    """``auto``, or a ``server_vad`` object (JSON text or a mapping) with its values checked
    and typed, as canonical JSON text."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip() == "auto":
        return "auto"
    raw = _object(value)
    if raw.get("type") != "server_vad":
        raise InvalidRequestError(
            'invalid chunking_strategy: use "auto" or an object with type "server_vad"',
            param="chunking_strategy",
        )
    unknown = set(raw) - {"type", *_SERVER_VAD}
    if unknown:
        raise InvalidRequestError(
            f"unknown chunking_strategy keys {sorted(unknown)}: use " + ", ".join(_SERVER_VAD),
            param="chunking_strategy",
        )
    typed: dict[str, object] = {"type": "server_vad"}
    for key, (_, kind) in _SERVER_VAD.items():
        if raw.get(key) is not None:
            typed[key] = _number(raw[key], kind, key)
    return json.dumps(typed, sort_keys=True)


def _object(value: object) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(str(value))
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidRequestError(
            f'invalid chunking_strategy {quoted(str(value))}: use "auto" or a JSON object',
            param="chunking_strategy",
        )
    return parsed


def _number(value: object, kind: type, key: str) -> object:
    try:
        number = kind(float(value)) if kind is int else kind(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError(
            f"invalid chunking_strategy.{key}: {quoted(str(value))} is not a number",
            param="chunking_strategy",
        ) from exc
    return number


def chunking_sets(strategy: Any, values: dict[str, object]) -> dict[str, object]:
    """The voice detection options a chunking strategy sets (``auto``: the defaults, on)."""
    chosen: dict[str, object] = {"vad_filter": True}
    if strategy != "auto":
        for key, number in json.loads(strategy).items():
            if key in _SERVER_VAD:
                chosen[_SERVER_VAD[key][0]] = number
    return chosen

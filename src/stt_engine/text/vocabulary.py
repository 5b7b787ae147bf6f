"""Named custom vocabularies: terms the decoder should favour, and fixes applied after it.

A vocabulary is a JSON file ``<name>.json`` in ``<data_dir>/vocabularies`` (written by
``PUT /v1/vocabularies/{name}`` and ``stt-engine vocab add``) or ``<models_dir>/vocabularies``
(shipped with the models)::

    {"terms": ["쿠버네티스", "김민수"],
     "pronunciations": {"쿠버네티스": ["쿠버네티즈"]},
     "replacements": {"쿠버 네티스": "쿠버네티스"}}

``terms`` go to the decoder as hotwords (Whisper reads them as a prompt before each
window); ``replacements`` (and each pronunciation, mapped to its term) rewrite known
misrecognitions after decoding, token by token, a particle glued to the last token kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stt_engine.errors import InvalidRequestError, NotFoundError, quoted
from stt_engine.text.edits import Edit

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_TERMS = 500
MAX_PROMPT_CHARS = 400  # Whisper's prompt holds about 224 tokens; leave room for the text


@dataclass(frozen=True, slots=True)
class Vocabulary:
    name: str
    terms: tuple[str, ...] = ()
    replacements: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, name: str, data: object) -> Vocabulary:
        """A vocabulary from its JSON object, checked (errors name the bad key)."""
        if not isinstance(data, dict):
            raise _invalid("a vocabulary is a JSON object with 'terms'")
        unknown = set(data) - {"terms", "pronunciations", "replacements"}
        if unknown:
            raise _invalid(f"unknown vocabulary key '{sorted(unknown)[0]}'")
        terms = _strings(data.get("terms", []), "terms")
        if len(terms) > MAX_TERMS:
            raise _invalid(f"a vocabulary holds at most {MAX_TERMS} terms")
        replacements = dict(_pairs(data.get("replacements", {}), "replacements"))
        for term, heard in _pairs(data.get("pronunciations", {}), "pronunciations", many=True):
            replacements.setdefault(heard, term)
        return cls(check_name(name), tuple(dict.fromkeys(terms)), replacements)

    def to_json(self) -> dict[str, object]:
        return {"terms": list(self.terms), "replacements": dict(self.replacements)}

    def hotwords(self) -> str:
        """The terms as one hotword string, cut to what the prompt holds."""
        chosen: list[str] = []
        for term in self.terms:
            if len(", ".join([*chosen, term])) > MAX_PROMPT_CHARS:
                break
            chosen.append(term)
        return ", ".join(chosen)

    def edits(self, tokens: Sequence[str]) -> list[Edit]:
        """Edits that turn every known misrecognition into its replacement."""
        rules = sorted(
            ((wrong.split(), right) for wrong, right in self.replacements.items()),
            key=lambda rule: -len(rule[0]),
        )
        edits: list[Edit] = []
        index = 0
        while index < len(tokens):
            found = next((e for w, r in rules if (e := _match(tokens, index, w, r))), None)
            if found is not None:
                edits.append(found)
            index = found.end if found is not None else index + 1
        return edits


def _match(tokens: Sequence[str], index: int, wrong: list[str], right: str) -> Edit | None:
    window = tokens[index : index + len(wrong)]
    if len(window) < len(wrong) or not wrong:
        return None
    if len(wrong) == 1:
        return (
            Edit(index, index + 1, window[0].replace(wrong[0], right), "vocabulary")
            if (wrong[0] in window[0])
            else None
        )
    if list(window[:-1]) != wrong[:-1] or not window[-1].startswith(wrong[-1]):
        return None
    return Edit(index, index + len(wrong), right + window[-1][len(wrong[-1]) :], "vocabulary")


def _invalid(message: str) -> InvalidRequestError:
    return InvalidRequestError(message, param="vocabulary")


def _strings(value: object, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _invalid(f"'{key}' must be a list of non-empty strings")
    return [v.strip() for v in value]


def _pairs(value: object, key: str, many: bool = False) -> Iterator[tuple[str, str]]:
    if not isinstance(value, dict):
        raise _invalid(f"'{key}' must be an object")
    for name, target in value.items():
        targets = target if many and isinstance(target, list) else [target]
        for item in targets:
            if not isinstance(item, str) or not item.strip() or not name.strip():
                raise _invalid(f"'{key}' maps non-empty strings to non-empty strings")
            yield name.strip(), item.strip()


def check_name(name: str) -> str:
    if not _NAME.match(name):
        raise _invalid(
            f"invalid vocabulary name {quoted(name)}: use letters, digits, '.', '_', '-'"
        )
    return name


class VocabularyStore:
    """Vocabularies in the data folder (writable) and the models folder (read only)."""

    def __init__(self, data_dir: Path, models_dir: Path):
        self.writable = data_dir / "vocabularies"
        self.folders = (self.writable, models_dir / "vocabularies")

    def names(self) -> list[str]:
        found = {p.stem for f in self.folders if f.is_dir() for p in f.glob("*.json")}
        return sorted(n for n in found if _NAME.match(n))

    def load(self, name: str) -> Vocabulary:
        check_name(name)
        for folder in self.folders:
            path = folder / f"{name}.json"
            if path.is_file():
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, ValueError) as exc:
                    raise _invalid(f"vocabulary '{name}' cannot be read: {exc}") from exc
                return Vocabulary.from_json(name, data)
        raise NotFoundError(
            f"no vocabulary named {quoted(name)}",
            hint="create it with PUT /v1/vocabularies/{name} or 'stt-engine vocab add'",
            param="vocabulary",
        )

    def save(self, vocabulary: Vocabulary) -> Path:
        self.writable.mkdir(parents=True, exist_ok=True)
        path = self.writable / f"{vocabulary.name}.json"
        partial = path.with_suffix(".json.part")
        text = json.dumps(vocabulary.to_json(), ensure_ascii=False, indent=2)
        partial.write_text(text + "\n", encoding="utf-8")
        partial.replace(path)
        return path

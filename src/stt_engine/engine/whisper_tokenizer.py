"""Whisper's vocabulary over a ``tokenizers`` tokenizer, for the PyTorch backend.

Whisper's special tokens and the decoder's start sequence for a task and language, text to
tokens and back, tokens grouped into words (for word timestamps), and the tokens decoding
never produces (speaker tags, music signs, the task and start tokens). It reads only the
checkpoint's ``tokenizers`` tokenizer, so the PyTorch backend needs no other backend's
library; the CTranslate2 backend keeps faster-whisper's tokenizer, which these rules follow.
"""

from __future__ import annotations

import string
from functools import cached_property
from typing import Any

from stt_engine.engine.tokens import TIME_PRECISION
from stt_engine.languages import LANGUAGE_NAMES

TASKS = ("transcribe", "translate")
# Languages written without spaces: words are cut wherever the text decodes to whole characters.
_UNSPACED = frozenset({"zh", "ja", "th", "lo", "my", "yue"})
# Whisper's non-speech symbols (OpenAI's list): never sampled, as single tokens.
_SYMBOLS = [*'"#()*+/:;<=>@[\\]^_`{|}~「」『』']
_SYMBOLS += ["<<", ">>", "<<<", ">>>", "--", "---", "-(", "-[", "('", '("', "((", "))"]
_SYMBOLS += ["(((", ")))", "[[", "]]", "{{", "}}", "♪♪", "♪♪♪"]
_MUSIC = "♩♪♫♬♭♮♯"  # one UTF-8 lead shared: the first token is suppressed even when split
_REPLACEMENT = "\ufffd"


class WhisperTokenizer:
    """Whisper's tokens for one task and language (English and transcribe when monolingual)."""

    def __init__(
        self, tokenizer: Any, multilingual: bool, task: str = "transcribe", language: str = "en"
    ):
        self.tokenizer = tokenizer
        self.task: int | None = None
        self.language: int | None = None
        self.language_code = "en"
        if multilingual:
            if task not in TASKS:
                raise ValueError(f"unknown task {task!r}: one of {', '.join(TASKS)}")
            if language not in LANGUAGE_NAMES:
                raise ValueError(f"unknown language code {language!r}")
            self.task = self._special(task)
            self.language = self._special(language)
            self.language_code = language

    def _special(self, name: str) -> int:
        token = self.tokenizer.token_to_id(f"<|{name}|>")
        if token is None:
            raise ValueError(f"the tokenizer has no <|{name}|> token")
        return int(token)

    @cached_property
    def sot(self) -> int:
        return self._special("startoftranscript")

    @cached_property
    def sot_prev(self) -> int:
        return self._special("startofprev")

    @cached_property
    def eot(self) -> int:
        return self._special("endoftext")

    @cached_property
    def no_timestamps(self) -> int:
        return self._special("notimestamps")

    @cached_property
    def no_speech(self) -> int | None:
        find = self.tokenizer.token_to_id
        token = find("<|nospeech|>") or find("<|nocaptions|>")
        return None if token is None else int(token)

    @property
    def timestamp_begin(self) -> int:
        return self.no_timestamps + 1

    @property
    def sot_sequence(self) -> list[int]:
        """The start of transcript, then the language and the task (multilingual models)."""
        return [self.sot, *(t for t in (self.language, self.task) if t is not None)]

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer.encode(text, add_special_tokens=False).ids)

    def decode(self, tokens: list[int]) -> str:
        """The text of the text tokens (special and timestamp tokens left out)."""
        return str(self.tokenizer.decode([t for t in tokens if t < self.eot]))

    def decode_with_timestamps(self, tokens: list[int]) -> str:
        """The text with each timestamp token written as ``<|1.24|>``."""
        parts: list[str] = []
        run: list[int] = []
        for token in tokens:
            if token < self.timestamp_begin:
                run.append(token)
                continue
            parts.append(self.tokenizer.decode(run))
            parts.append(f"<|{(token - self.timestamp_begin) * TIME_PRECISION:.2f}|>")
            run = []
        parts.append(self.tokenizer.decode(run))
        return "".join(parts)

    def split_to_word_tokens(self, tokens: list[int]) -> tuple[list[str], list[list[int]]]:
        """The words of ``tokens`` and the tokens of each (a word keeps its leading space)."""
        if self.language_code in _UNSPACED:
            return self._split_on_characters(tokens)
        return self._split_on_spaces(tokens)

    def _split_on_characters(self, tokens: list[int]) -> tuple[list[str], list[list[int]]]:
        """Runs of tokens that decode to whole characters (no broken UTF-8 sequence)."""
        full = self.decode_with_timestamps(tokens)
        pieces: list[str] = []
        groups: list[list[int]] = []
        run: list[int] = []
        offset = 0
        for token in tokens:
            run.append(token)
            text = self.decode_with_timestamps(run)
            broken = text.find(_REPLACEMENT)
            at = offset + broken
            if broken < 0 or (at < len(full) and full[at] == _REPLACEMENT):
                pieces.append(text)
                groups.append(run)
                run = []
                offset += len(text)
        return pieces, groups

    def _split_on_spaces(self, tokens: list[int]) -> tuple[list[str], list[list[int]]]:
        """Pieces joined into words: a word starts at a space, a punctuation mark or a
        special token."""
        words: list[str] = []
        groups: list[list[int]] = []
        for piece, run in zip(*self._split_on_characters(tokens), strict=True):
            starts = run[0] >= self.eot or piece.startswith(" ")
            if starts or piece.strip() in string.punctuation or not words:
                words.append(piece)
                groups.append(run)
            else:
                words[-1] += piece
                groups[-1].extend(run)
        return words, groups

    @cached_property
    def non_speech_tokens(self) -> tuple[int, ...]:
        """Tokens that would write speaker tags or sound annotations (``[MUSIC]``, ``♪``);
        hyphens and apostrophes stay allowed inside words, not at their start."""
        found = {self.encode(" -")[0], self.encode(" '")[0]}
        for symbol in [*_SYMBOLS, *_MUSIC]:
            for tokens in (self.encode(symbol), self.encode(" " + symbol)):
                if len(tokens) == 1 or symbol in _MUSIC:
                    found.add(tokens[0])
        return tuple(sorted(found))

    @cached_property
    def suppressed_tokens(self) -> tuple[int, ...]:
        """Every token decoding must not produce: non-speech, task, start and no-speech."""
        find = self.tokenizer.token_to_id
        names = ("transcribe", "translate", "startoftranscript", "startofprev", "startoflm")
        control = [find(f"<|{name}|>") for name in names] + [self.no_speech]
        return tuple(sorted({*self.non_speech_tokens, *(t for t in control if t is not None)}))


def language_tokens(tokenizer: Any) -> list[tuple[str, int]]:
    """(code, token id) of every Whisper language the ``tokenizers`` tokenizer has."""
    found = ((code, tokenizer.token_to_id(f"<|{code}|>")) for code in LANGUAGE_NAMES)
    return [(code, int(token)) for code, token in found if token is not None]

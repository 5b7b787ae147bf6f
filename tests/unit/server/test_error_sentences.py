"""Every error code the server can send has a sentence on the web page, in both languages."""

from __future__ import annotations

import re
from importlib import resources

from stt_engine import errors

# codes the page words by family (web/banners.js): every model_* code, every invalid_* request
_FAMILIES = ("model_", "invalid_")
_ALSO = {"not_a_whisper_model"}
# the realtime socket's own refusals that reach the page's microphone
_REALTIME = {"session_limit", "session_timeout", "not_ready", "invalid_api_key"}
_CLI_ONLY = (errors.BundleError,)


def _codes() -> set[str]:
    found, stack = set(), [errors.SttError]
    while stack:
        kind = stack.pop()
        stack.extend(kind.__subclasses__())
        if not issubclass(kind, _CLI_ONLY):
            found.add(kind.code)
    return found | _REALTIME


def _sentences() -> dict[str, set[str]]:
    text = resources.files("stt_engine.server").joinpath("web/i18n.js").read_text("utf-8")
    english, korean = text.split("\n  ko: {")
    pattern = re.compile(r'"code\.(\w+)":')
    return {"en": set(pattern.findall(english)), "ko": set(pattern.findall(korean))}


def test_every_code_has_a_sentence_in_english_and_korean() -> None:
    sentences = _sentences()
    assert sentences["en"] == sentences["ko"]
    missing = {
        code
        for code in _codes()
        if code not in sentences["en"] and not code.startswith(_FAMILIES) and code not in _ALSO
    }
    assert not missing, f"add code.<name> sentences to web/i18n.js for {sorted(missing)}"


def test_the_two_languages_have_the_same_strings() -> None:
    text = resources.files("stt_engine.server").joinpath("web/i18n.js").read_text("utf-8")
    english, korean = text.split("\n  ko: {")
    keys = re.compile(r'^\s+"([\w.]+)":', re.M)
    assert keys.findall(english) == keys.findall(korean.split("\n};")[0])

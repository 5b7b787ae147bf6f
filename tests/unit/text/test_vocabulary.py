"""Vocabularies: the file format, the store, replacements on tokens, the decoder feed, and
the server's default masking."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stt_engine.config import Settings
from stt_engine.errors import InvalidRequestError, NotFoundError
from stt_engine.text.edits import rewrite_text
from stt_engine.text.postprocess import plan
from stt_engine.text.vocabulary import MAX_PROMPT_CHARS, Vocabulary, VocabularyStore

DATA = {
    "terms": ["쿠버네티스", "김민수", "쿠버네티스"],
    "pronunciations": {"쿠버네티스": ["쿠버네티즈", "큐브 네티스"]},
    "replacements": {"스테이트 풀셋": "스테이트풀셋", "API 써버": "API 서버"},
}


def _vocabulary() -> Vocabulary:
    return Vocabulary.from_json("infra", DATA)


@pytest.mark.parametrize(
    ("heard", "fixed"),
    [
        ("쿠버네티즈를 배포해요", "쿠버네티스를 배포해요"),
        ("큐브 네티스 클러스터", "쿠버네티스 클러스터"),
        ("스테이트 풀셋으로 올려요", "스테이트풀셋으로 올려요"),
        ("API 써버가 죽었어요", "API 서버가 죽었어요"),
        ("큐브 장난감", "큐브 장난감"),
        ("쿠버네티스", "쿠버네티스"),
    ],
)
def test_known_misrecognitions_are_fixed(heard: str, fixed: str) -> None:
    assert rewrite_text(heard, _vocabulary().edits)[0] == fixed


def test_terms_are_kept_once_and_feed_the_decoder() -> None:
    vocabulary = _vocabulary()
    assert vocabulary.terms == ("쿠버네티스", "김민수")
    assert vocabulary.hotwords() == "쿠버네티스, 김민수"
    many = Vocabulary.from_json("many", {"terms": [f"용어{i:03d}" for i in range(400)]})
    assert 0 < len(many.hotwords()) <= MAX_PROMPT_CHARS


@pytest.mark.parametrize(
    "data",
    [[], {"terms": "a"}, {"terms": [""]}, {"terms": [], "other": 1}, {"replacements": {"a": 1}},
     {"pronunciations": {"a": [2]}}, {"terms": [f"t{i}" for i in range(501)]}],
)  # fmt: skip
def test_bad_files_are_refused_naming_the_field(data: object) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        Vocabulary.from_json("bad", data)
    assert raised.value.param == "vocabulary"


def test_the_store_saves_lists_and_loads(tmp_path: Path) -> None:
    store = VocabularyStore(tmp_path / "data", tmp_path / "models")
    assert store.names() == []
    store.save(_vocabulary())
    shipped = tmp_path / "models" / "vocabularies"
    shipped.mkdir(parents=True)
    (shipped / "medical.json").write_text(json.dumps({"terms": ["혈압"]}), encoding="utf-8")
    (shipped / "broken.json").write_text("{", encoding="utf-8")
    assert store.names() == ["broken", "infra", "medical"]
    assert store.load("infra") == _vocabulary()
    assert store.load("medical").terms == ("혈압",)
    with pytest.raises(InvalidRequestError):
        store.load("broken")
    with pytest.raises(NotFoundError):
        store.load("absent")
    with pytest.raises(InvalidRequestError):
        store.load("../data/x")


def test_the_server_default_masking_applies_when_a_request_names_none(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, models_dir=tmp_path, redact="phone,email")
    assert plan("keep", None, None, settings).masking.kinds == {"phone", "email"}
    assert plan("keep", "none", None, settings).masking.kinds == frozenset()
    assert plan("keep", "card", None, settings).masking.kinds == {"card"}
    stars = Settings(data_dir=tmp_path, models_dir=tmp_path, redact_placeholder="stars")
    assert plan("keep", "phone", None, stars).masking.placeholder("phone") == "***"
    with pytest.raises(ValueError, match="ssn"):
        Settings(data_dir=tmp_path, models_dir=tmp_path, redact="ssn")

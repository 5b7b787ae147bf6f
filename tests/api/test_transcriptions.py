"""Transcriptions and translations through the official openai client, every response format."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import jiwer
import pytest
import srt
import webvtt
from api_support import API_KEY, JFK, KO_CLIP, KO_SPAGHETTI, reference, upload_files
from openai import OpenAI

from stt_engine.bench.local_server import BackgroundServer


def _words(text: str) -> str:
    return re.sub(r"[^\w\s']", " ", text.lower()).strip()


def wer(hypothesis: str, path: Path) -> float:
    return float(jiwer.wer(_words(reference(path)), _words(hypothesis)))


def cer_ko(hypothesis: str, path: Path) -> float:
    def squash(text: str) -> str:
        return re.sub(r"[\W_]", "", text)

    return float(jiwer.cer(squash(reference(path)), squash(hypothesis)))


@pytest.mark.corpus
def test_json_is_the_default_format(client: OpenAI) -> None:
    with JFK.open("rb") as audio:
        result = client.audio.transcriptions.create(file=audio, model="whisper-1")
    assert wer(result.text, JFK) < 0.1


@pytest.mark.corpus
def test_text(client: OpenAI) -> None:
    with JFK.open("rb") as audio:
        result = client.audio.transcriptions.create(
            file=audio, model="whisper-1", response_format="text"
        )
    assert isinstance(result, str)
    assert wer(result, JFK) < 0.1


@pytest.mark.corpus
def test_srt_parses_with_srt_package(client: OpenAI) -> None:
    with JFK.open("rb") as audio:
        body = client.audio.transcriptions.create(
            file=audio, model="whisper-1", response_format="srt"
        )
    cues = list(srt.parse(str(body)))
    assert cues and cues[0].index == 1
    assert all(c.start < c.end for c in cues)
    assert cues[-1].end.total_seconds() <= 11.5
    assert wer(" ".join(c.content for c in cues), JFK) < 0.1


@pytest.mark.corpus
def test_vtt_parses_with_webvtt(client: OpenAI) -> None:
    with JFK.open("rb") as audio:
        body = client.audio.transcriptions.create(
            file=audio, model="whisper-1", response_format="vtt"
        )
    captions = webvtt.from_string(str(body)).captions
    assert captions
    assert all(c.start_in_seconds < c.end_in_seconds for c in captions)
    assert wer(" ".join(c.text.replace("\n", " ") for c in captions), JFK) < 0.1


@pytest.mark.corpus
def test_verbose_json_with_word_and_segment_timestamps(client: OpenAI) -> None:
    with JFK.open("rb") as audio:
        result = client.audio.transcriptions.create(
            file=audio,
            model="whisper-1",
            response_format="verbose_json",
            timestamp_granularities=["word", "segment"],
        )
    assert result.language == "english"
    assert result.duration == pytest.approx(11.0, abs=0.1)
    assert result.segments and result.words
    starts = [w.start for w in result.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= 11.1 for w in result.words)
    assert wer(" ".join(w.word for w in result.words), JFK) < 0.1
    assert result.segments[0].start < result.segments[0].end


@pytest.mark.corpus
def test_word_granularity_alone_leaves_out_segments(client: OpenAI) -> None:
    with JFK.open("rb") as audio:
        result = client.audio.transcriptions.create(
            file=audio,
            model="whisper-1",
            response_format="verbose_json",
            timestamp_granularities=["word"],
        )
    assert result.words
    assert result.segments is None


@pytest.mark.corpus
def test_streaming_sends_deltas_then_done(client: OpenAI) -> None:
    with JFK.open("rb") as audio:
        stream = client.audio.transcriptions.create(file=audio, model="whisper-1", stream=True)
        events = list(stream)
    types = [e.type for e in events]
    assert types[-1] == "transcript.text.done"
    assert types[:-1] and set(types[:-1]) == {"transcript.text.delta"}
    deltas = "".join(e.delta for e in events[:-1])  # type: ignore[union-attr]
    assert deltas.strip() == events[-1].text  # type: ignore[union-attr]
    assert wer(events[-1].text, JFK) < 0.1  # type: ignore[union-attr]


@pytest.mark.corpus
def test_korean_with_language_and_prompt(client: OpenAI) -> None:
    with KO_CLIP.open("rb") as audio:
        result = client.audio.transcriptions.create(
            file=audio, model="whisper-1", language="ko", prompt="민요"
        )
    assert cer_ko(result.text, KO_CLIP) < 0.35


@pytest.mark.corpus
@pytest.mark.parametrize("fmt", ["json", "text", "srt", "verbose_json", "vtt"])
def test_translation_to_english_in_every_format(client: OpenAI, fmt: str) -> None:
    with KO_SPAGHETTI.open("rb") as audio:
        result = client.audio.translations.create(
            file=audio,
            model="whisper-1",
            response_format=fmt,  # type: ignore[arg-type]
        )
    if fmt == "json":
        text = result.text  # type: ignore[union-attr]
    elif fmt == "verbose_json":
        assert result.task == "translate"  # type: ignore[union-attr]
        text = result.text  # type: ignore[union-attr]
    elif fmt == "srt":
        text = " ".join(c.content for c in srt.parse(str(result)))
    elif fmt == "vtt":
        text = " ".join(c.text for c in webvtt.from_string(str(result)).captions)
    else:
        text = str(result)
    assert not re.search(r"[\uac00-\ud7a3]", text), "a translation must not be Hangul"
    assert "spaghetti" in text.lower()


@pytest.mark.corpus
def test_extension_fields_are_read(client: OpenAI) -> None:
    with JFK.open("rb") as audio:
        result = client.audio.transcriptions.create(
            file=audio,
            model="whisper-1",
            extra_body={"beam_size": "1", "vad_filter": "false", "hotwords": "Americans"},
        )
    assert wer(result.text, JFK) < 0.15


@pytest.mark.corpus
def test_aliases_and_tsv_extension(server: BackgroundServer) -> None:
    response = httpx.post(
        f"{server.url}/v1/audio/transcriptions",
        headers={"Authorization": f"Bearer {API_KEY}"},
        files={"file": ("jfk.flac", JFK.read_bytes(), "audio/flac")},
        data={"model": "Systran/faster-whisper-base", "response_format": "tsv"},
        timeout=120,
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    lines = response.text.splitlines()
    assert lines[0] == "start\tend\ttext"
    assert all(len(line.split("\t")) == 3 for line in lines[1:])


@pytest.mark.corpus
def test_no_upload_left_behind(client: OpenAI, base_dir: Path) -> None:
    with JFK.open("rb") as audio:
        client.audio.transcriptions.create(file=audio, model="whisper-1", response_format="text")
    assert upload_files(base_dir) == []

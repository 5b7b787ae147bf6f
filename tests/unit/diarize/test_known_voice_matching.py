"""Known speakers: one-to-one matching, the list fields, pairs, and the stored job options."""

from __future__ import annotations

import numpy as np
import pytest

from stt_engine import options
from stt_engine.diarize.known import KnownVoice, match, name_turns, speaker_audio
from stt_engine.diarize.references import check_pairs, check_reference_url, decoded_bytes
from stt_engine.diarize.turns import SpeakerTurn
from stt_engine.errors import InvalidRequestError
from stt_engine.jobs.record import options_from_json, options_to_json
from stt_engine.options import TranscribeOptions
from stt_engine.server.params import parse_request
from stt_engine.server.uploads import UploadedForm

URL = "data:audio/wav;base64,UklGRg=="


def test_matching_is_one_to_one_most_similar_first() -> None:
    # SPEAKER_3 is close to both names, but each is nearer to its own speaker
    similarity = {
        "SPEAKER_1": [0.95, 0.70],
        "SPEAKER_2": [0.60, 0.93],
        "SPEAKER_3": [0.91, 0.90],
    }
    assert match(similarity, ["Lee", "Kim"], 0.85) == {"SPEAKER_1": "Lee", "SPEAKER_2": "Kim"}


def test_a_name_below_the_threshold_is_given_to_nobody() -> None:
    assert match({"SPEAKER_1": [0.84], "SPEAKER_2": [0.2]}, ["Lee"], 0.85) == {}
    assert match({"SPEAKER_1": [0.86], "SPEAKER_2": [0.2]}, ["Lee"], 0.85) == {"SPEAKER_1": "Lee"}


class _Loudness:
    """An embedder whose 'voice' is the sign pattern of the audio's level (a stand-in)."""

    def embed(self, audio: np.ndarray) -> np.ndarray:
        level = float(np.mean(audio))
        vector = np.array([1.0, 0.0]) if level > 0 else np.array([0.0, 1.0])
        return vector


def test_found_speakers_take_the_names_of_their_voices() -> None:
    audio = np.concatenate([np.full(32_000, 0.5), np.full(32_000, -0.5)]).astype(np.float32)
    turns = [SpeakerTurn(0.0, 2.0, "SPEAKER_1"), SpeakerTurn(2.0, 4.0, "SPEAKER_2")]
    voices = [KnownVoice("Kim", np.array([0.0, 1.0]))]
    named = name_turns(turns, audio, voices, _Loudness(), 0.85)
    assert [t.speaker for t in named] == ["SPEAKER_1", "Kim"]
    assert name_turns(turns, audio, [], _Loudness(), 0.85) == turns


def test_a_speakers_audio_is_their_longest_turns_up_to_a_minute() -> None:
    audio = np.arange(16_000 * 100, dtype=np.float32)
    turns = [SpeakerTurn(float(s), float(s) + 30.0, "A") for s in (0, 35, 70)]
    turns.append(SpeakerTurn(31.0, 32.0, "B"))
    assert speaker_audio(audio, turns, "A").size == 60 * 16_000
    assert speaker_audio(audio, turns, "B").size == 16_000


def test_list_fields_read_every_part_of_their_name() -> None:
    form = UploadedForm(
        fields={
            "diarize": ["true"],
            "known_speaker_names[]": ["이정민", " Kim "],
            "known_speaker_references[]": [URL],
            "known_speaker_references": [URL],
        }
    )
    parsed = parse_request(form, "transcribe")
    assert parsed.options.known_speaker_names == ("이정민", "Kim")
    assert parsed.options.known_speaker_references == (URL, URL)


def test_names_alone_take_saved_references() -> None:
    form = UploadedForm(
        fields={"response_format": ["diarized_json"], "known_speaker_names[]": ["Kim"]}
    )
    asked: list[tuple[str, ...]] = []

    def saved(names: tuple[str, ...]) -> tuple[str, ...]:
        asked.append(names)
        return (URL,) * len(names)

    parsed = parse_request(form, "transcribe", saved)
    assert asked == [("Kim",)] and parsed.options.known_speaker_references == (URL,)
    with pytest.raises(InvalidRequestError) as caught:
        parse_request(form, "transcribe")  # no profiles to take them from
    assert caught.value.param == "known_speaker_references"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("aGVsbG8=", "base64 data URL"),
        ("data:image/png;base64,aGVsbG8=", "not audio"),
        ("data:audio/wav;base64,not base64!", "not valid base64"),
        ("data:audio/wav;base64,", "empty"),
        ("data:audio/wav;base64," + "A" * 3_000_000, "over 2 MiB"),
    ],
)
def test_bad_reference_urls_are_refused_naming_the_field(url: str, message: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        check_reference_url(url)
    assert caught.value.param == "known_speaker_references" and message in caught.value.message


def test_a_data_url_without_a_media_type_or_with_parameters_is_taken() -> None:
    assert decoded_bytes("data:;base64,UklGRg==") == b"RIFF"
    assert decoded_bytes("data:audio/webm;codecs=opus;base64,UklGRg==") == b"RIFF"


def test_pairs_are_one_reference_per_name_and_no_name_twice() -> None:
    check_pairs(("A", "B"), (URL, URL))
    with pytest.raises(InvalidRequestError, match="one reference per name"):
        check_pairs(("A", "B"), (URL,))
    with pytest.raises(InvalidRequestError, match="given twice") as caught:
        check_pairs(("A", "A"), (URL, URL))
    assert caught.value.param == "known_speaker_names"


def test_known_speakers_are_kept_in_job_options_and_old_jobs_read_the_same() -> None:
    known = TranscribeOptions(
        diarize=True, known_speaker_names=("Kim",), known_speaker_references=(URL,)
    )
    assert options_from_json(options_to_json(known)) == known
    plain = options_to_json(TranscribeOptions())
    assert "known_speaker" not in plain  # earlier fingerprints hold
    assert options.BY_NAME["known_speaker_names"].form_field == "known_speaker_names[]"


def test_a_sessions_profiles_are_those_of_the_first_accepted_key() -> None:
    from stt_engine.server.auth import key_holder, key_owner

    accepted = frozenset({"k1", "k2"})
    assert key_holder(["bad", "k2"], accepted) == key_owner("k2")
    assert key_holder(["ek_secret"], accepted) is None
    assert key_holder(["k1"], frozenset()) is None  # no keys: one shared scope

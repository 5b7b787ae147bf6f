"""Speakers on words and segments, and segments split where the speaker changes."""

from __future__ import annotations

from stt_engine.diarize.assign import assign_speakers, speaker_at
from stt_engine.diarize.turns import SpeakerTurn, merge_adjacent, relabel
from stt_engine.transcript import Segment, Word

A, B = "SPEAKER_1", "SPEAKER_2"
TURNS = [SpeakerTurn(0.0, 2.0, A), SpeakerTurn(2.0, 4.0, B), SpeakerTurn(5.0, 6.0, A)]


def _segment(start: float, end: float, text: str, words: list[Word] | None = None) -> Segment:
    return Segment(id=0, seek=0, start=start, end=end, text=text, tokens=(1, 2), words=words)


def test_largest_overlap_wins() -> None:
    assert speaker_at(1.5, 3.0, TURNS) == B  # 0.5 s of A, 1.0 s of B
    assert speaker_at(0.5, 2.2, TURNS) == A


def test_overlap_summed_over_turns_of_one_speaker() -> None:
    turns = [SpeakerTurn(0, 1, A), SpeakerTurn(1, 2.5, B), SpeakerTurn(2.5, 3.5, A)]
    assert speaker_at(0, 3.5, turns) == A  # 2 s of A in two turns against 1.5 s of B


def test_no_overlap_takes_the_nearest_turn() -> None:
    assert speaker_at(4.2, 4.4, TURNS) == B  # 0.3 s after B, 0.7 s before A
    assert speaker_at(4.7, 4.9, TURNS) == A
    assert speaker_at(9.0, 9.5, TURNS) == A


def test_no_turns_no_speaker() -> None:
    assert speaker_at(0, 1, []) is None
    (segment,) = assign_speakers([_segment(0, 1, " hi")], [])
    assert segment.speaker is None


def test_segments_without_words_get_one_speaker() -> None:
    out = list(assign_speakers([_segment(0, 1.8, " one"), _segment(2.1, 3.9, " two")], TURNS))
    assert [s.speaker for s in out] == [A, B]
    assert [s.text for s in out] == [" one", " two"]
    assert out[0].tokens == (1, 2)


def test_words_get_speakers_and_a_change_splits_the_segment() -> None:
    words = [
        Word(" Hello", 0.5, 1.0),
        Word(" there.", 1.0, 1.9),
        Word(" Hi", 2.1, 2.5),
        Word(" back.", 2.5, 3.0),
    ]
    out = list(assign_speakers([_segment(0.4, 3.2, " Hello there. Hi back.", words)], TURNS))
    assert [(s.id, s.speaker, s.text) for s in out] == [
        (0, A, " Hello there."),
        (1, B, " Hi back."),
    ]
    assert (out[0].start, out[0].end) == (0.4, 1.9)  # the first keeps the segment's start
    assert (out[1].start, out[1].end) == (2.1, 3.2)  # the last keeps its end
    assert all(w.speaker == A for w in out[0].words or ())
    assert all(w.speaker == B for w in out[1].words or ())
    assert out[0].tokens == ()  # tokens belong to the whole segment


def test_split_pieces_are_renumbered_across_segments() -> None:
    words = [Word(" a", 1.0, 1.5), Word(" b", 2.5, 3.0)]
    segments = [_segment(1.0, 3.0, " a b", words), _segment(5.0, 6.0, " c")]
    out = list(assign_speakers(segments, TURNS))
    assert [(s.id, s.speaker) for s in out] == [(0, A), (1, B), (2, A)]


def test_one_speaker_keeps_the_segment_whole() -> None:
    words = [Word(" a", 0.1, 0.5), Word(" b", 0.6, 1.0)]
    segment = _segment(0.0, 1.0, " a b", words)
    (out,) = assign_speakers([segment], TURNS)
    assert out.text == segment.text and out.tokens == segment.tokens and out.speaker == A


def test_piece_text_starts_with_a_space() -> None:
    words = [Word("안녕", 0.5, 1.0), Word("하세요", 2.5, 3.0)]  # no leading spaces
    out = list(assign_speakers([_segment(0.5, 3.0, "안녕하세요", words)], TURNS))
    assert [s.text for s in out] == ["안녕", " 하세요"]


def test_redaction_counts_stay_once() -> None:
    words = [Word(" a", 0.5, 1.0), Word(" b", 2.5, 3.0)]
    segment = Segment(0, 0, 0.5, 3.0, " a b", words=tuple(words), redactions=(("phone", 1),))
    out = list(assign_speakers([segment], TURNS))
    assert sum(c for s in out for _, c in s.redactions) == 1


def test_relabel_names_speakers_by_first_speech() -> None:
    turns = [SpeakerTurn(3, 4, "x"), SpeakerTurn(0, 1, "y"), SpeakerTurn(1, 2, "x")]
    assert [(t.start, t.speaker) for t in relabel(turns)] == [(0, A), (1, B), (3, B)]


def test_merge_adjacent_joins_one_speakers_turns() -> None:
    turns = [SpeakerTurn(0, 1, A), SpeakerTurn(1.2, 2, A), SpeakerTurn(2, 3, B)]
    assert merge_adjacent(turns, gap=0.3) == [SpeakerTurn(0, 2, A), SpeakerTurn(2, 3, B)]
    assert len(merge_adjacent(turns, gap=0.1)) == 3

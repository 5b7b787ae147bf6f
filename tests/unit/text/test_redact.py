"""Masking on real-looking sentences: every kind, Korean and English, spoken and written,
with numbers that look alike but must stay (bad checksums, dates, amounts, short codes)."""

from __future__ import annotations

import pytest

from stt_engine.errors import InvalidRequestError
from stt_engine.text.edits import rewrite_text
from stt_engine.text.postprocess import PostProcess, postprocess_segment
from stt_engine.text.redact import (
    Masking,
    canonical_kinds,
    find,
    luhn_valid,
    parse_kinds,
    rrn_valid,
)
from stt_engine.transcript import Segment

EVERYTHING = Masking(frozenset({"phone", "rrn", "card", "account", "email", "name"}))

MASKED = [
    ("010-1234-5678로 연락 주세요", "[전화번호]로 연락 주세요", "phone"),
    ("010 1234 5678", "[전화번호]", "phone"),
    ("01012345678", "[전화번호]", "phone"),
    ("제 번호는 010-9876-5432입니다.", "제 번호는 [전화번호]입니다.", "phone"),
    ("02-345-6789", "[전화번호]", "phone"),
    ("02-3456-7890으로", "[전화번호]으로", "phone"),
    ("031-750-1234", "[전화번호]", "phone"),
    ("064-712-3456 제주", "[전화번호] 제주", "phone"),
    ("070-1234-5678", "[전화번호]", "phone"),
    ("1588-1234로 문의", "[전화번호]로 문의", "phone"),
    ("+82 10 1234 5678", "[전화번호]", "phone"),
    ("+82-10-1234-5678", "[전화번호]", "phone"),
    ("011-234-5678", "[전화번호]", "phone"),
    ("공일공 일이삼사 오육칠팔로 전화 주세요", "[전화번호]로 전화 주세요", "phone"),
    ("공일공 구팔칠육 오사삼이입니다", "[전화번호]입니다", "phone"),
    ("영일영 일이삼사 오육칠팔", "[전화번호]", "phone"),
    ("공이 삼사오 육칠팔구", "[전화번호]", "phone"),
    ("call me at 555-123-4567", "call me at [전화번호]", "phone"),
    ("(415) 555-2671 is the office", "[전화번호] is the office", "phone"),
    ("212.555.0100", "[전화번호]", "phone"),
    ("Please call me back at 5551234567.", "Please call me back at [전화번호].", "phone"),
    ("주민번호는 900101-1234568입니다", "주민번호는 [주민등록번호]입니다", "rrn"),
    ("850315-2345678", "[주민등록번호]", "rrn"),
    ("0207043123459", "[주민등록번호]", "rrn"),
    ("991231-1876546", "[주민등록번호]", "rrn"),
    ("770620 2987654", "[주민등록번호]", "rrn"),
    ("카드 번호는 4111 1111 1111 1111입니다", "카드 번호는 [카드번호]입니다", "card"),
    ("4111-1111-1111-1111", "[카드번호]", "card"),
    ("5555555555554444", "[카드번호]", "card"),
    ("6011 1111 1111 1117", "[카드번호]", "card"),
    ("9400-1234-5678-9012", "[카드번호]", "card"),
    ("계좌 110-123-456789로 입금", "계좌 [계좌번호]로 입금", "account"),
    ("국민은행 123456-78-901234", "국민은행 [계좌번호]", "account"),
    ("1002-345-678901", "[계좌번호]", "account"),
    ("계좌번호는 12345678901234입니다", "계좌번호는 [계좌번호]입니다", "account"),
    ("account 3333-01-1234567", "account [계좌번호]", "account"),
    ("메일은 kim.ms@example.co.kr 입니다.", "메일은 [이메일] 입니다.", "email"),
    ("hong_gd+cs@corp-mail.com으로", "[이메일]으로", "email"),
    ("write to jane.doe@example.org.", "write to [이메일].", "email"),
    ("<a.b@c.io>", "<[이메일]>", "email"),
    ("김민수 고객님 안녕하세요", "[이름] 고객님 안녕하세요", "name"),
    ("박지영님 맞으세요?", "[이름]님 맞으세요?", "name"),
    ("이서연 선생님께서", "[이름] 선생님께서", "name"),
    ("최영수 씨", "[이름] 씨", "name"),
    ("정하늘 과장님", "[이름] 과장님", "name"),
    ("Mr. Smith called", "Mr. [이름] called", "name"),
    ("Dr Kim's office", "Dr [이름]'s office", "name"),
]

KEPT = [
    "2026년 3월 15일",
    "5월 17일 기준, 홍수로 인해 최소 20명이 사망했고 16,000명 이상이 대피하였습니다.",
    "편도 요금은 70만 원이고, 왕복 요금은 130만 원입니다.",
    "그 숫자는 228입니다.",
    "100미터 앞에서 사고가 있습니다.",
    "24.2이닝 방어율 5.47의 성적",
    "900101-1234567",  # the check digit does not match
    "901301-1234568",  # no thirteenth month
    "4111 1111 1111 1112",  # fails Luhn
    "1234-5678",
    "12345",
    "2009년, 2010년 시즌",
    "3.14159",
    "1,000,000원",
    "오늘은 일이삼 연습을 했어요",
    "하나 둘 셋",
    "김치찌개 주세요",
    "김민수가 왔어요",  # no title
    "고객님 안녕하세요",
    "선생님께서 말씀하셨어요",
    "the meeting is at 10:30",
    "version 1.2.3",
    "room 1203",
    "Mr",
    "at 2 p.m.",
    "@handle",
    "kim at example dot com",
    "010",
    "12345678901234",  # plain digits, no account word before them
    "19:00-21:00",
]


@pytest.mark.parametrize(("text", "masked", "kind"), MASKED)
def test_personal_data_is_masked(text: str, masked: str, kind: str) -> None:
    result, edits = rewrite_text(text, lambda tokens: find(tokens, EVERYTHING))
    assert result == masked
    assert [edit.kind for edit in edits] == [kind]


@pytest.mark.parametrize("text", KEPT)
def test_look_alikes_are_kept(text: str) -> None:
    assert rewrite_text(text, lambda tokens: find(tokens, EVERYTHING))[0] == text


def test_only_the_kinds_asked_for_are_masked() -> None:
    text = "010-1234-5678 kim@example.com 김민수 고객님"
    phone = Masking(frozenset({"phone"}))
    assert (
        rewrite_text(text, lambda t: find(t, phone))[0]
        == "[전화번호] kim@example.com 김민수 고객님"
    )
    stars = Masking(frozenset({"email", "name"}), stars=True)
    assert rewrite_text(text, lambda t: find(t, stars))[0] == "010-1234-5678 *** *** 고객님"


def test_a_segment_counts_what_it_masked_not_the_text() -> None:
    segment = Segment(0, 0, 0.0, 3.0, " 010-1234-5678 아니면 02-345-6789, kim@example.com")
    done = postprocess_segment(segment, PostProcess(masking=EVERYTHING))
    assert done.text == " [전화번호] 아니면 [전화번호], [이메일]"
    assert dict(done.redactions) == {"phone": 2, "email": 1}


def test_numbers_are_formatted_before_masking() -> None:
    segment = Segment(0, 0, 0.0, 3.0, " 공일공 일이삼사 오육칠팔로 전화 주세요")
    post = PostProcess(numbers="keep", masking=Masking(frozenset({"phone"})))
    assert postprocess_segment(segment, post).text == " [전화번호]로 전화 주세요"
    digits = PostProcess(numbers="digits", masking=Masking(frozenset({"phone"})))
    assert postprocess_segment(segment, digits).text == " [전화번호]로 전화 주세요"


def test_checksums() -> None:
    assert rrn_valid("9001011234568") and not rrn_valid("9001011234567")
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert not rrn_valid("90010112345") and not luhn_valid("411111")


def test_kinds_are_parsed_and_checked() -> None:
    assert parse_kinds("all") == frozenset({"phone", "rrn", "card", "account", "email"})
    assert parse_kinds("none") == parse_kinds("") == parse_kinds(None) == frozenset()
    assert canonical_kinds(" Phone, email ") == "email,phone"
    assert canonical_kinds("none") == "none"
    with pytest.raises(InvalidRequestError) as error:
        parse_kinds("phone,ssn")
    assert error.value.param == "redact" and "ssn" in error.value.message


def test_the_tables_are_big_enough() -> None:
    assert len(MASKED) + len(KEPT) >= 60

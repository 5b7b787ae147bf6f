"""Names before a title, for ``redact=name``: "김민수 고객님", "박지영님", "Mr. Smith".

A Korean name is a common surname and one or two syllables more, followed by a title (as
the next token, or glued with 님 / 씨); the name is masked, the title kept. An English name
is the capitalised word after Mr, Mrs, Ms, Miss or Dr.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stt_engine.text.edits import Edit

_SURNAMES = frozenset(
    "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채"
    "원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉태"
)  # one syllable each
_TITLES = ("고객님", "선생님", "과장님", "부장님", "대리님", "팀장님", "사장님",
           "실장님", "차장님", "이사님", "교수님", "회원님", "환자분", "씨", "님",
           "고객", "선생")  # fmt: skip
_GLUED_TITLES = ("님", "씨")
_ENGLISH_NAME = re.compile(r"[A-Z][A-Za-z-]*")
_ENGLISH_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mr.", "mrs.", "ms.", "dr."})


def _korean_name(text: str) -> bool:
    hangul = all("가" <= ch <= "힣" for ch in text)
    return hangul and 2 <= len(text) <= 4 and text[0] in _SURNAMES


def name_before_title(tokens: Sequence[str], index: int, placeholder: str) -> Edit | None:
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else ""
    if _korean_name(token) and following.startswith(_TITLES):
        return Edit(index, index + 1, placeholder, "name")
    for title in _GLUED_TITLES:
        head, _, rest = token.partition(title)
        if rest == "" and token.endswith(title) and _korean_name(head) and len(head) >= 3:
            return Edit(index, index + 1, placeholder + title, "name")
    name = _ENGLISH_NAME.match(following)
    if token.lower() in _ENGLISH_TITLES and name is not None:
        tail = following[name.end() :]
        return Edit(index, index + 2, f"{token} {placeholder}{tail}", "name")
    return None

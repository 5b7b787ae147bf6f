"""Whisper's language codes and their English names (OpenAI's verbose_json reports names)."""

from __future__ import annotations

_NAMES = """
en english|zh chinese|de german|es spanish|ru russian|ko korean|fr french|ja japanese|
pt portuguese|tr turkish|pl polish|ca catalan|nl dutch|ar arabic|sv swedish|it italian|
id indonesian|hi hindi|fi finnish|vi vietnamese|he hebrew|uk ukrainian|el greek|ms malay|
cs czech|ro romanian|da danish|hu hungarian|ta tamil|no norwegian|th thai|ur urdu|hr croatian|
bg bulgarian|lt lithuanian|la latin|mi maori|ml malayalam|cy welsh|sk slovak|te telugu|
fa persian|lv latvian|bn bengali|sr serbian|az azerbaijani|sl slovenian|kn kannada|
et estonian|mk macedonian|br breton|eu basque|is icelandic|hy armenian|ne nepali|
mn mongolian|bs bosnian|kk kazakh|sq albanian|sw swahili|gl galician|mr marathi|
pa punjabi|si sinhala|km khmer|sn shona|yo yoruba|so somali|af afrikaans|oc occitan|
ka georgian|be belarusian|tg tajik|sd sindhi|gu gujarati|am amharic|yi yiddish|lo lao|
uz uzbek|fo faroese|ht haitian creole|ps pashto|tk turkmen|nn nynorsk|mt maltese|
sa sanskrit|lb luxembourgish|my myanmar|bo tibetan|tl tagalog|mg malagasy|as assamese|
tt tatar|haw hawaiian|ln lingala|ha hausa|ba bashkir|jw javanese|su sundanese|yue cantonese
"""

LANGUAGE_NAMES: dict[str, str] = dict(
    item.strip().split(" ", 1) for item in _NAMES.replace("\n", "").split("|") if item.strip()
)
CODES_BY_NAME: dict[str, str] = {name: code for code, name in LANGUAGE_NAMES.items()}
# Names users type in their own script, for the languages this engine serves first.
CODES_BY_NAME.update({"한국어": "ko", "조선어": "ko", "日本語": "ja", "中文": "zh", "汉语": "zh"})


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def normalise_language(value: str | None) -> str | None:
    """A language code from a code or a name ('Korean', '한국어' -> 'ko'); None stays None.

    InvalidRequestError (param ``language``) for anything Whisper has no language for.
    """
    if value is None or not value.strip():
        return None
    lowered = value.strip().lower()
    code = CODES_BY_NAME.get(lowered, lowered)
    if code not in LANGUAGE_NAMES:
        from stt_engine.errors import InvalidRequestError

        shown = value.strip()[:40].encode("unicode_escape").decode("ascii")
        raise InvalidRequestError(
            f"unknown language '{shown}': use an ISO-639-1 code such as ko or en, or a "
            "language name such as korean",
            param="language",
        )
    return code

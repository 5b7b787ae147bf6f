"""Text normalisers applied to both reference and hypothesis before scoring.

Four normalisers, each named in every result so a figure always says how it was made:

``cjk``      Japanese, Chinese. Unicode NFC (never NFKD: that splits Hangul syllables into
             jamo and turns CER into a jamo error rate), lowercase Latin letters, drop
             bracketed annotations, punctuation and symbols.
``korean``   ``cjk`` plus Arabic numerals read as Sino-Korean numerals on both sides
             ("2009년" -> "이천구년"; see text/numbers_ko.py). Hangul syllables are kept as
             they are.
``english``  Lowercase; drop bracketed annotations, fillers (uh, um, hmm, ...) and
             punctuation; expand common contractions; spelled numbers become digits
             ("twenty one" -> "21", "first" -> "1st", "a hundred and five" -> "105");
             "%" -> "percent"; titles spelled out ("mr" -> "mister"); a small British ->
             American spelling map.
``basic``    Every other language: NFKC, lowercase, bracketed annotations, punctuation and
             symbols removed.
"""

from __future__ import annotations

import re
import unicodedata

from stt_engine.text.numbers_en import words_to_digits
from stt_engine.text.numbers_ko import read_numerals

CJK_LANGUAGES = frozenset({"ko", "ja", "zh", "yue"})
NORMALISERS = ("korean", "cjk", "english", "basic")

_BRACKETED = re.compile(r"\[[^\]]*\]|<[^>]*>|\([^)]*\)")
_SPACES = re.compile(r"\s+")


def normaliser_for(language: str) -> str:
    """The normaliser name used for a language code."""
    if language == "ko":
        return "korean"
    if language in CJK_LANGUAGES:
        return "cjk"
    if language == "en":
        return "english"
    return "basic"


def normalise(text: str, language: str) -> str:
    """Text normalised with the normaliser for the language."""
    name = normaliser_for(language)
    if name == "korean":
        return normalise_korean(text)
    if name == "cjk":
        return normalise_cjk(text)
    if name == "english":
        return normalise_english(text)
    return normalise_basic(text)


def _drop_marks(text: str) -> str:
    """Punctuation (P*) and symbols (S*) become spaces; letters, digits and marks stay."""
    return "".join(" " if unicodedata.category(ch)[0] in "PS" else ch for ch in text)


def _squeeze(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def normalise_cjk(text: str) -> str:
    """NFC, lowercase, annotations and punctuation removed; word spaces kept (single)."""
    text = unicodedata.normalize("NFC", text)
    text = _BRACKETED.sub(" ", text).lower()
    return _squeeze(_drop_marks(text))


def normalise_korean(text: str) -> str:
    """``normalise_cjk`` after reading Arabic numerals as Sino-Korean numerals."""
    text = unicodedata.normalize("NFC", text)
    return normalise_cjk(read_numerals(_BRACKETED.sub(" ", text)))


def normalise_basic(text: str) -> str:
    """NFKC, lowercase, annotations, punctuation and symbols removed."""
    text = unicodedata.normalize("NFKC", text)
    text = _BRACKETED.sub(" ", text).lower()
    return _squeeze(_drop_marks(text))


FILLERS = frozenset({"uh", "um", "umm", "uhm", "hmm", "hm", "mm", "mhm", "er", "erm", "ah"})

# Whole-word contractions first, then the regular suffixes.
_CONTRACTIONS = {
    "won't": "will not",
    "can't": "can not",
    "cannot": "can not",
    "shan't": "shall not",
    "ain't": "is not",
    "let's": "let us",
    "it's": "it is",
    "that's": "that is",
    "what's": "what is",
    "there's": "there is",
    "here's": "here is",
    "he's": "he is",
    "she's": "she is",
    "who's": "who is",
    "where's": "where is",
    "y'all": "you all",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "got to",
    "kinda": "kind of",
    "'cause": "because",
}
_SUFFIXES = (
    ("n't", " not"),
    ("'re", " are"),
    ("'m", " am"),
    ("'ll", " will"),
    ("'ve", " have"),
    ("'d", " would"),
)

TITLES = {"mr": "mister", "mrs": "missus", "ms": "miss", "dr": "doctor", "prof": "professor"}

_SPELLINGS = """
colour color  colours colors  favourite favorite  favour favor  honour honor  labour labor
neighbour neighbor  neighbours neighbors  behaviour behavior  humour humor  harbour harbor
rumour rumor  centre center  theatre theater  metre meter  litre liter  organise organize
organised organized  realise realize  realised realized  recognise recognize
recognised recognized  apologise apologize  analyse analyze  travelled traveled
travelling traveling  cancelled canceled  grey gray  programme program  defence defense
licence license  catalogue catalog  dialogue dialog  jewellery jewelry  tyre tire
cheque check  mum mom  aeroplane airplane  moustache mustache
"""  # British American, in pairs
_PAIRS = _SPELLINGS.split()
BRITISH_TO_AMERICAN = dict(zip(_PAIRS[::2], _PAIRS[1::2], strict=True))


def _expand_contraction(word: str) -> str:
    if word in _CONTRACTIONS:
        return _CONTRACTIONS[word]
    for suffix, expansion in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)] + expansion
    return word


def _english_symbols(text: str) -> str:
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000 -> 1000
    text = re.sub(r"(\d)\s*%", r"\1 percent ", text)
    text = re.sub(r"\$\s*(\d+(?:\.\d+)?)", r"\1 dollars ", text)
    return text.replace("&", " and ")


def normalise_english(text: str) -> str:
    """The English normaliser described in the module docstring."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = _english_symbols(_BRACKETED.sub(" ", text))
    words = []
    for raw in re.findall(r"[\w']+|\S", text):
        word = _expand_contraction(raw.strip("'") if raw not in _CONTRACTIONS else raw)
        words.extend(word.split())
    text = " ".join(words).replace("'", "")  # possessives: "beauty's" -> "beautys"
    words = [w for w in _squeeze(_drop_marks(text)).split() if w not in FILLERS]
    words = [TITLES.get(w, BRITISH_TO_AMERICAN.get(w, w)) for w in words]
    return " ".join(words_to_digits(words))

"""The Python 3.6 stand-in for dataclasses behaves like the standard library for records."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from stt_engine.doctor import backport

Decorator = Callable[..., Any]


def _records(dataclass: Decorator, field: Decorator) -> tuple[type, type, type]:
    """The same three classes (a reading, a frozen result, a nested record) built by either."""

    class Reading:
        source: str
        version: str | None = None
        tags: list = field(default_factory=list)

    class Result:
        code: int = 0
        text: str = ""

    class Facts:
        target: bool = False
        reading: Reading = field(default_factory=lambda: Reading("nvml"))
        readings: list = field(default_factory=list)
        extra: dict = field(default_factory=dict)

    return dataclass(Reading), dataclass(frozen=True)(Result), dataclass(Facts)


STD = _records(dataclasses.dataclass, dataclasses.field)
OURS = _records(backport.dataclass, backport.field)
BOTH = pytest.mark.parametrize(
    ("classes", "asdict"), [(STD, dataclasses.asdict), (OURS, backport.asdict)], ids=["std", "ours"]
)


def _observe(classes: tuple[type, type, type], asdict: Decorator) -> list[Any]:
    reading_cls, result_cls, facts_cls = classes
    one = reading_cls("proc", version="575.57.08")
    two = reading_cls(source="proc", version="575.57.08")
    fresh = facts_cls()
    fresh.readings.append(one)
    nested = facts_cls(True, readings=[one, reading_cls("smi")], extra={"k": [one]})
    return [
        repr(one),
        one == two,
        one == reading_cls("proc"),
        one.__eq__(object()),
        reading_cls("a").tags is not reading_cls("b").tags,
        facts_cls().readings,
        asdict(nested),
        asdict(fresh),
        repr(result_cls(3, "x")),
        hash(result_cls(3, "x")) == hash(result_cls(3, "x")),
        reading_cls.__hash__ is None,
        getattr(reading_cls, "version", "missing"),
        getattr(facts_cls, "readings", "missing"),
    ]


def test_the_backport_matches_the_standard_library() -> None:
    assert _observe(OURS, backport.asdict) == _observe(STD, dataclasses.asdict)


@BOTH
def test_wrong_construction_is_a_type_error(classes: tuple[type, ...], asdict: Decorator) -> None:
    reading_cls = classes[0]
    for args, kwargs in [((), {}), (("a", "b", [], "extra"), {}), (("a",), {"source": "b"})]:
        with pytest.raises(TypeError):
            reading_cls(*args, **kwargs)
    with pytest.raises(TypeError):
        reading_cls("a", colour="red")
    with pytest.raises(TypeError):
        asdict(reading_cls)


@BOTH
def test_frozen_records_refuse_assignment(classes: tuple[type, ...], asdict: Decorator) -> None:
    result = classes[1](1, "ok")
    with pytest.raises(AttributeError):
        result.code = 2
    with pytest.raises(AttributeError):
        del result.text
    assert (result.code, result.text) == (1, "ok")


@pytest.mark.parametrize("dataclass", [dataclasses.dataclass, backport.dataclass])
def test_a_required_field_after_a_default_is_refused(dataclass: Decorator) -> None:
    class Bad:
        first: int = 0
        second: int

    with pytest.raises(TypeError):
        dataclass(Bad)


def test_a_field_takes_a_default_or_a_factory_not_both() -> None:
    with pytest.raises(ValueError):
        backport.field(default=[], default_factory=list)

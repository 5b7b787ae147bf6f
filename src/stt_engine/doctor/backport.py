"""``dataclass``, ``field`` and ``asdict`` for Python 3.6, which has no ``dataclasses`` module.

The doctor runs on a bare server's system Python, and CentOS 7, RHEL 7 and Ubuntu 18.04 ship 3.6.
:mod:`stt_engine.doctor.records` takes the standard library's versions where they exist (3.7+)
and these otherwise. They cover what the doctor's records use and behave the same there:
fields from the class annotations in order, defaults and ``default_factory``, positional or
keyword construction, ``repr``, ``==``, ``frozen=True`` and a recursive ``asdict``. Base classes'
fields are not inherited (no record subclasses another).
"""

import copy
from typing import Any, Callable, Dict, List, Optional, Tuple

_FIELDS = "__record_fields__"


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a ``frozen=True`` record."""


class Field:
    """One field: its name and its default value or factory (at most one of the two)."""

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory

    def value(self, owner: str) -> Any:
        if self.default_factory is not MISSING:
            return self.default_factory()
        if self.default is MISSING:
            raise TypeError("%s() missing required argument: %r" % (owner, self.name))
        return self.default


def field(*, default: Any = MISSING, default_factory: Any = MISSING) -> Any:
    """A field with a default value or a factory called for every new record."""
    return Field(default, default_factory)


def _collect(cls: type) -> List[Field]:
    fields: List[Field] = []
    own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 (inspect.get_annotations is 3.10+)
    for name in own:
        found = cls.__dict__.get(name, MISSING)
        spec = found if isinstance(found, Field) else Field(default=found)
        spec.name = name
        if isinstance(found, Field):
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        if fields and _has_default(fields[-1]) and not _has_default(spec):
            raise TypeError("non-default argument %r follows default argument" % name)
        fields.append(spec)
    return fields


def _has_default(spec: Field) -> bool:
    return spec.default is not MISSING or spec.default_factory is not MISSING


def _bind(cls: type, fields: List[Field], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Dict:
    owner = cls.__name__
    if len(args) > len(fields):
        raise TypeError("%s() takes %d positional arguments" % (owner, len(fields)))
    values = {fields[index].name: value for index, value in enumerate(args)}
    names = [spec.name for spec in fields]
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError("%s() got an unexpected keyword argument %r" % (owner, key))
        if key in values:
            raise TypeError("%s() got multiple values for argument %r" % (owner, key))
        values[key] = value
    return {
        spec.name: values[spec.name] if spec.name in values else spec.value(owner)
        for spec in fields
    }


def _values(record: Any) -> Tuple[Any, ...]:
    return tuple(getattr(record, spec.name) for spec in getattr(record, _FIELDS))


def _install(cls: type, fields: List[Field], frozen: bool) -> None:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        for name, value in _bind(cls, fields, args, kwargs).items():
            object.__setattr__(self, name, value)

    def __repr__(self: Any) -> str:
        shown = ", ".join("%s=%r" % (spec.name, getattr(self, spec.name)) for spec in fields)
        return "%s(%s)" % (type(self).__qualname__, shown)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return _values(self) == _values(other)

    def refuse(self: Any, name: str, *rest: Any) -> None:
        raise FrozenInstanceError("cannot assign to field %r" % name)

    methods: Dict[str, Any] = {"__init__": __init__, "__repr__": __repr__, "__eq__": __eq__}
    if frozen:
        methods.update(__setattr__=refuse, __delattr__=refuse, __hash__=lambda s: hash(_values(s)))
    else:
        methods["__hash__"] = None
    for name, method in methods.items():
        setattr(cls, name, method)
    setattr(cls, _FIELDS, tuple(fields))


def dataclass(cls: Optional[type] = None, *, frozen: bool = False) -> Any:
    """``@dataclass`` or ``@dataclass(frozen=True)`` on a class with annotated fields."""

    def wrap(target: type) -> type:
        _install(target, _collect(target), frozen)
        return target

    return wrap if cls is None else wrap(cls)


def asdict(record: Any, dict_factory: Callable[[List[Tuple[str, Any]]], Any] = dict) -> Any:
    """A record as a dict, records inside lists, tuples and dicts included (values copied)."""
    if not hasattr(type(record), _FIELDS):
        raise TypeError("asdict() should be called on dataclass instances")
    return _convert(record, dict_factory)


def _convert(value: Any, dict_factory: Callable[[List[Tuple[str, Any]]], Any]) -> Any:
    if hasattr(type(value), _FIELDS):
        pairs = [
            (spec.name, _convert(getattr(value, spec.name), dict_factory))
            for spec in getattr(value, _FIELDS)
        ]
        return dict_factory(pairs)
    if isinstance(value, (list, tuple)):
        return type(value)(_convert(item, dict_factory) for item in value)
    if isinstance(value, dict):
        return type(value)(
            (_convert(k, dict_factory), _convert(v, dict_factory)) for k, v in value.items()
        )
    return copy.deepcopy(value)

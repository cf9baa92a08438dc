"""Records: the domain's frozen value types, checked and converted when they are made.

A record is declared like a dataclass: annotated fields, defaults, :func:`field` for a
default factory and bounds. Making one checks every field and converts what a form, a
CSV cell or a JSON line gives (``"2"`` to 2, ``"yes"`` to True, an ISO text to a
datetime, a value to its enum, a list to a tuple, a dict to a nested record). Anything
else, an unknown field or a missing one, raises :class:`Invalid` with every problem as
a (field, sentence) pair, so a refusal can name what is wrong.

Why not pydantic (docs/dependencies.md): the console process imports the domain before
its first paint, and pydantic's core and model building cost ~10 MiB of its memory and
~70 ms of its start-up, for checks this small module makes. Field types are read when a
class is first made, not when it is defined: importing the domain compiles only the
records it makes at import (the town's default shift and timers).
"""

from __future__ import annotations

import math
import re
import threading
import types
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import (
    Annotated,
    Any,
    ClassVar,
    Literal,
    NoReturn,
    Self,
    Union,
    dataclass_transform,
    get_args,
    get_origin,
    get_type_hints,
)

_MISSING: Any = object()
Loc = tuple[str | int, ...]


class Invalid(ValueError):
    """What is wrong with the values given for a record: one entry per problem, each
    with ``loc`` (the field, and the item or nested field within it) and ``msg``."""

    def __init__(self, title: str, problems: list[tuple[Loc, str]]) -> None:
        self.title = title
        self.problems = problems
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type[Invalid], tuple[str, list[tuple[Loc, str]]]]:
        return Invalid, (self.title, self.problems)

    def errors(self) -> list[dict[str, Any]]:
        return [{"loc": loc, "msg": msg} for loc, msg in self.problems]

    def error_count(self) -> int:
        return len(self.problems)

    def __str__(self) -> str:
        n = len(self.problems)
        lines = [f"{n} validation error{'s' if n != 1 else ''} for {self.title}"]
        for loc, msg in self.problems:
            lines.append(".".join(map(str, loc)) or "(record)")
            lines.append(f"  {msg}")
        return "\n".join(lines)


class _Bad(Exception):
    """A field's value refused: the problems, their locations relative to the field."""

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        self.problems = problems


def _bad(msg: str) -> NoReturn:
    raise _Bad([((), msg)])


class FieldSpec:
    """A field's default and bounds (what :func:`field` returns)."""

    __slots__ = _SPEC = ("default", "default_factory", "ge", "gt", "le", "min_length",
                         "max_length", "pattern")  # fmt: skip
    default: Any
    default_factory: Callable[[], Any] | None
    ge: int | None
    gt: int | None
    le: int | None
    min_length: int | None
    max_length: int | None
    pattern: str | None

    def __init__(self, **given: Any) -> None:
        for name in self._SPEC:
            setattr(self, name, given.get(name, _MISSING if name == "default" else None))

    def merged(self, other: FieldSpec | None) -> FieldSpec:
        """These bounds, with ``other``'s where it gives one."""
        if other is None:
            return self
        kw = {n: getattr(self, n) for n in self._SPEC}
        kw.update({n: v for n in self._SPEC if (v := getattr(other, n)) is not None})
        return FieldSpec(**kw)


def field(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] | None = None,
    ge: int | None = None,
    gt: int | None = None,
    le: int | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
) -> Any:
    """A field's default (or factory) and bounds: numbers ``ge``/``gt``/``le``, text and
    tuple lengths, a text ``pattern``. Also usable in ``Annotated`` metadata."""
    return FieldSpec(default=default, default_factory=default_factory, ge=ge, gt=gt, le=le,
                     min_length=min_length, max_length=max_length, pattern=pattern)  # fmt: skip


class after:  # noqa: N801 - read as a marker in Annotated metadata
    """``Annotated`` metadata: a function the checked value goes through (it may raise
    ValueError with the sentence to show)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn


Convert = Callable[[Any], Any]
_Plan = tuple[tuple[str, Convert, Any, Callable[[], Any] | None], ...]
_compile_lock = threading.RLock()  # a record made while another's checks are compiled


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(field,))
class Record:
    """A frozen, checked record (see the module docstring). ``strip_text``: text fields
    lose surrounding whitespace before they are checked."""

    strip_text: ClassVar[bool] = False
    _fields: ClassVar[tuple[str, ...]] = ()
    _known: ClassVar[frozenset[str]] = frozenset()
    _specs: ClassVar[dict[str, FieldSpec]] = {}
    _plan: ClassVar[_Plan | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names: list[str] = list(cls._fields)
        specs = dict(cls._specs)
        for name, ann in cls.__dict__.get("__annotations__", {}).items():
            if name.startswith("_") or _is_classvar(ann):
                continue
            value = cls.__dict__.get(name, _MISSING)
            if isinstance(value, FieldSpec):
                spec = value
                delattr(cls, name)
            else:
                spec = FieldSpec(default=value)
            if name not in names:
                names.append(name)
            specs[name] = spec
        cls._fields = tuple(names)
        cls._known = frozenset(names)
        cls._specs = specs
        cls._plan = None

    @classmethod
    def _compile(cls) -> _Plan:
        with _compile_lock:
            plan = cls.__dict__.get("_plan")
            if plan is None:
                hints = get_type_hints(cls, include_extras=True)
                strip = cls.strip_text
                plan = tuple(
                    (
                        name,
                        # bounds given with field(...) apply to the field's own value
                        _bounded(_converter(hints[name], strip), spec),
                        spec.default,
                        spec.default_factory,
                    )
                    for name in cls._fields
                    for spec in (cls._specs[name],)
                )
                cls._plan = plan
            return plan

    def __init__(self, **values: Any) -> None:
        cls = type(self)
        plan = cls.__dict__.get("_plan")
        if plan is None:
            plan = cls._compile()
        d = self.__dict__
        problems: list[tuple[Loc, str]] = []
        taken = 0
        for name, conv, default, factory in plan:
            if name in values:
                taken += 1
                try:
                    d[name] = conv(values[name])
                except _Bad as bad:
                    problems.extend(((name, *loc), msg) for loc, msg in bad.problems)
            elif default is not _MISSING:
                d[name] = default
            elif factory is not None:
                d[name] = factory()
            else:
                problems.append(((name,), "Field required"))
        if taken < len(values):  # a name given that is no field
            problems.extend(
                ((k,), "Extra inputs are not permitted") for k in values if k not in cls._known
            )
        if problems:
            raise Invalid(cls.__name__, problems)
        d["_given"] = frozenset(values)

    # making without checks, copying, reading back ---------------------------

    @classmethod
    def unchecked(cls, **values: Any) -> Self:
        """A record from values already checked (the journal's own, a draft's): no
        conversion. Fields not given take their defaults."""
        self = cls.__new__(cls)
        d = self.__dict__
        for name in cls._fields:
            if name in values:
                d[name] = values[name]
            else:
                spec = cls._specs[name]
                if spec.default_factory is not None:
                    d[name] = spec.default_factory()
                elif spec.default is _MISSING:
                    raise TypeError(f"{cls.__name__}.unchecked() needs {name}")
                else:
                    d[name] = spec.default
        d["_given"] = frozenset(values)
        return self

    @classmethod
    def from_dict(cls, data: object) -> Self:
        """A record from a mapping read from outside (a JSON object)."""
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
            raise Invalid(cls.__name__, [((), f"Input should be an object of {cls.__name__}")])
        return cls(**data)

    def replaced(self, **changes: Any) -> Self:
        """A copy with ``changes`` (checked)."""
        return type(self)(**{**self.as_dict(), **changes})

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return cls._fields

    @classmethod
    def required_fields(cls) -> tuple[str, ...]:
        """The fields with neither a default nor a default factory."""
        return tuple(
            n
            for n in cls._fields
            if (s := cls._specs[n]).default is _MISSING and s.default_factory is None
        )

    def as_dict(self) -> dict[str, Any]:
        d = self.__dict__
        return {name: d[name] for name in self._fields}

    @property
    def fields_given(self) -> frozenset[str]:
        """The fields named when this record was made (the rest took defaults)."""
        given: frozenset[str] = self.__dict__.get("_given", frozenset())
        return given

    def to_json(self) -> dict[str, Any]:
        """Every field as JSON values: datetimes in ISO 8601 (UTC as ``Z``), enums as
        their values, tuples as lists, nested records as objects."""
        return {name: _json(value) for name, value in self.as_dict().items()}

    # a value type ---------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):
            raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot change")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be deleted")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        d, o = self.__dict__, other.__dict__
        return all(d[n] == o[n] for n in self._fields)

    def __hash__(self) -> int:
        d = self.__dict__
        return hash((type(self), *(d[n] for n in self._fields)))

    def __repr__(self) -> str:
        d = self.__dict__
        inner = ", ".join(f"{n}={d[n]!r}" for n in self._fields)
        return f"{type(self).__name__}({inner})"


def _is_classvar(ann: object) -> bool:
    if isinstance(ann, str):
        return ann.startswith(("ClassVar", "typing.ClassVar"))
    return get_origin(ann) is ClassVar


def _json(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_json()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        text = value.isoformat()
        off = value.utcoffset()
        if off is not None and not off:
            text = text.removesuffix("+00:00") + "Z"
        return text
    if isinstance(value, (tuple, list)):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


# converters -----------------------------------------------------------------------


def _converter(tp: Any, strip: bool) -> Convert:
    """The function that checks and converts one value of type ``tp``."""
    origin = get_origin(tp)
    if origin is Annotated:
        base, *meta = get_args(tp)
        spec: FieldSpec | None = None
        for m in meta:
            if isinstance(m, FieldSpec):
                spec = m.merged(spec) if spec else m
        conv = _bounded(_converter(base, strip), spec)
        for m in meta:
            if isinstance(m, after):
                conv = _then(conv, m.fn)
        return conv
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) != 1 or len(get_args(tp)) != 2:
            raise TypeError(f"a record field may be one type or None, not {tp!r}")
        inner = _converter(args[0], strip)
        return lambda v: None if v is None else inner(v)
    if tp is str:
        return _text_strip if strip else _text
    if tp is bool:
        return _bool
    if tp is int:
        return _int
    if tp is datetime:
        return _datetime
    if tp is Any or tp is object:
        return lambda v: v
    if origin is Literal:
        return _one_of(get_args(tp))
    if origin is tuple:
        item = get_args(tp)
        if len(item) != 2 or item[1] is not Ellipsis:
            raise TypeError(f"a record's tuple field is tuple[X, ...], not {tp!r}")
        return _tuple_of(_converter(item[0], strip))
    if origin is dict or tp is dict:
        return _mapping
    if isinstance(tp, type) and issubclass(tp, Enum):
        return _enum(tp)
    if isinstance(tp, type) and issubclass(tp, Record):
        return _nested(tp)
    raise TypeError(f"no record field can be of type {tp!r}")


def _then(conv: Convert, fn: Callable[[Any], Any]) -> Convert:
    def check(v: Any) -> Any:
        value = conv(v)
        try:
            return fn(value)
        except ValueError as exc:
            _bad(f"Value error, {exc}")

    return check


def _bounded(conv: Convert, spec: FieldSpec | None) -> Convert:
    if spec is None:
        return conv
    checks: list[Callable[[Any], None]] = []
    if spec.ge is not None:
        checks.append(_limit(lambda v, n: v >= n, spec.ge, "greater than or equal to"))
    if spec.gt is not None:
        checks.append(_limit(lambda v, n: v > n, spec.gt, "greater than"))
    if spec.le is not None:
        checks.append(_limit(lambda v, n: v <= n, spec.le, "less than or equal to"))
    if spec.min_length is not None or spec.max_length is not None:
        checks.append(_length(spec.min_length, spec.max_length))
    if spec.pattern is not None:
        checks.append(_matches(spec.pattern))
    if not checks:
        return conv

    def bounded(v: Any) -> Any:
        value = conv(v)
        if value is not None:
            for check in checks:
                check(value)
        return value

    return bounded


def _limit(ok: Callable[[Any, int], bool], n: int, words: str) -> Callable[[Any], None]:
    def check(v: Any) -> None:
        if not ok(v, n):
            _bad(f"Input should be {words} {n}")

    return check


def _length(lo: int | None, hi: int | None) -> Callable[[Any], None]:
    def check(v: Any) -> None:
        what, unit = ("String", "character") if isinstance(v, str) else ("Tuple", "item")
        if lo is not None and len(v) < lo:
            _bad(f"{what} should have at least {lo} {unit}{'s' if lo != 1 else ''}")
        if hi is not None and len(v) > hi:
            _bad(f"{what} should have at most {hi} {unit}{'s' if hi != 1 else ''}")

    return check


def _matches(pattern: str) -> Callable[[Any], None]:
    # "$" ends the text, as in the pattern's usual reading (Python's also allows a "\n").
    rx = re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)

    def check(v: Any) -> None:
        if not rx.search(v):
            _bad(f"String should match pattern '{pattern}'")

    return check


def _text(v: Any) -> str:
    if isinstance(v, str):
        return str(v)
    _bad("Input should be a valid string")


# Unicode's White_Space: str.strip() alone would also take the control characters
# \x1c-\x1f, which are text (made safe when shown), not space around it.
_WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
_WHITE_SPACE += "\u2028\u2029\u202f\u205f\u3000"


def _text_strip(v: Any) -> str:
    if isinstance(v, str):
        return str(v).strip(_WHITE_SPACE)
    _bad("Input should be a valid string")


_INT_TEXT = re.compile(r"[+-]?[0-9]+(_[0-9]+)*(\.0*)?\Z")  # "2.0" is a whole number
_MAX_INT_DIGITS = 4300


def _int(v: Any) -> int:
    if type(v) is int:
        return v
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            _bad("Input should be a finite number")
        if v != int(v):
            _bad("Input should be a valid integer, got a number with a fractional part")
        return int(v)
    if isinstance(v, str):
        s = v.strip()
        if len(s) <= _MAX_INT_DIGITS and _INT_TEXT.match(s):
            return int(s.partition(".")[0])
        _bad("Input should be a valid integer, unable to parse string as an integer")
    _bad("Input should be a valid integer")


_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _bool(v: Any) -> bool:
    if v is True or v is False:
        return bool(v)
    if isinstance(v, int) and v in (0, 1):
        return v == 1
    if isinstance(v, str):
        s = v.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
    _bad("Input should be a valid boolean, unable to interpret input")


def _datetime(v: Any) -> datetime:
    if isinstance(v, datetime):
        return v
    if isinstance(v, str) and v.isascii():
        try:
            return datetime.fromisoformat(v.strip())
        except ValueError:
            pass
    _bad("Input should be a valid datetime")


def _one_of(choices: tuple[Any, ...]) -> Convert:
    words = _choice_words([repr(c) for c in choices])

    def check(v: Any) -> Any:
        for c in choices:
            if (type(v) is type(c) or isinstance(v, str) and isinstance(c, str)) and v == c:
                return c
        _bad(f"Input should be {words}")

    return check


def _choice_words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _enum(tp: type[Enum]) -> Convert:
    words = _choice_words([repr(m.value) for m in tp])

    def check(v: Any) -> Any:
        if isinstance(v, tp):
            return v
        try:
            return tp(v)
        except (ValueError, TypeError):
            _bad(f"Input should be {words}")

    return check


def _tuple_of(item: Convert) -> Convert:
    def check(v: Any) -> tuple[Any, ...]:
        if not isinstance(v, (tuple, list, set, frozenset)):
            _bad("Input should be a valid tuple")
        out = []
        problems: list[tuple[Loc, str]] = []
        for i, x in enumerate(v):
            try:
                out.append(item(x))
            except _Bad as bad:
                problems.extend(((i, *loc), msg) for loc, msg in bad.problems)
        if problems:
            raise _Bad(problems)
        return tuple(out)

    return check


def _mapping(v: Any) -> dict[Any, Any]:
    if isinstance(v, dict):
        return dict(v)  # the record's own: the caller's dict may change after
    _bad("Input should be a valid dictionary")


def _nested(tp: type[Record]) -> Convert:
    def check(v: Any) -> Any:
        if isinstance(v, tp):
            return v
        if not isinstance(v, Mapping) or not all(isinstance(k, str) for k in v):
            _bad(f"Input should be a valid dictionary or instance of {tp.__name__}")
        try:
            return tp(**v)
        except Invalid as exc:
            raise _Bad(exc.problems) from None

    return check

"""Records written as plain ``__slots__`` classes that the :mod:`dataclasses` module still sees as
dataclasses.

Importing :mod:`dataclasses` imports :mod:`inspect` (and with it ``ast``, ``dis`` and
``tokenize``), and ``@dataclass`` writes each class's methods with ``exec``: together most of the
first send's import time in a new process. The records a send makes (:class:`Request`,
:class:`Response`, :class:`Attempt`, the delivery, the subscription) write their ``__init__``,
``__eq__`` and ``__repr__`` by hand instead, and a :class:`DataclassFields` descriptor makes the
``dataclasses`` module's view of them on first look: ``dataclasses.fields()``, ``replace()``,
``asdict()`` and ``is_dataclass()`` (and pytest's comparison of two records) work as they did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["REQUIRED", "DataclassFields", "FrozenRecord", "frozen_error", "replace_fields"]

#: A field without a default.
REQUIRED: Any = object()


class DataclassFields:
    """``__dataclass_fields__`` of a hand-written record, made by :mod:`dataclasses` on first use.

    :param fields: every field in order, each with its default (:data:`REQUIRED` for none).
    :param options: per field, the keyword arguments of :func:`dataclasses.field` besides the
        default (``repr``, ``compare``, ``metadata``...).
    :param frozen: whether the record is immutable.
    """

    def __init__(
        self,
        fields: Mapping[str, Any],
        *,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        frozen: bool = False,
    ) -> None:
        self.fields = dict(fields)
        self.options = dict(options or {})
        self.frozen = frozen
        self.owner: type | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.owner = owner

    def __get__(self, instance: object, owner: type | None = None) -> dict[str, Any]:
        import dataclasses
        import inspect

        record = self.owner
        assert record is not None
        annotations = inspect.get_annotations(record)
        namespace: dict[str, Any] = {
            "__module__": record.__module__,
            "__qualname__": record.__qualname__,
            "__annotations__": {name: annotations.get(name, "Any") for name in self.fields},
        }
        for name, default in self.fields.items():
            keywords = dict(self.options.get(name, {}))
            if default is not REQUIRED:
                keywords["default"] = default
            namespace[name] = dataclasses.field(**keywords)
        shadow: Any = dataclasses.dataclass(frozen=self.frozen)(
            type(record.__name__, (), namespace)
        )
        found: dict[str, Any] = shadow.__dataclass_fields__
        # Made once: the descriptor gives way to what it made, on the record and its subclasses.
        type.__setattr__(record, "__dataclass_fields__", found)
        type.__setattr__(record, "__dataclass_params__", shadow.__dataclass_params__)
        return found


def frozen_error(name: str, *, deleting: bool = False, kind: str | None = None) -> AttributeError:
    """The error an assignment to (or a deletion of) a frozen record's field raises: the
    ``FrozenInstanceError`` of ``@dataclass(frozen=True)``, with its message, which *kind*
    (``"an Event"``) completes."""
    from dataclasses import FrozenInstanceError

    message = f"cannot {'delete' if deleting else 'assign to'} field {name!r}"
    return FrozenInstanceError(message if kind is None else f"{message}: {kind} is immutable")


def replace_fields(record: Any, /, **changes: Any) -> Any:
    """``__replace__`` of a hand-written record: what Python 3.13's ``copy.replace()`` calls on a
    dataclass, :func:`dataclasses.replace`."""
    import dataclasses

    return dataclasses.replace(record, **changes)


class FrozenRecord:
    """What an immutable hand-written record shares: equality and hashing by :meth:`_key` (its
    fields, in the order of ``__slots__``), assignment and deletion refused as
    ``@dataclass(frozen=True)`` refuses them, and pickling by the same fields."""

    __slots__ = ()

    def _key(self) -> tuple[Any, ...]:
        """The record's fields in the order of ``__slots__`` (written out by each record, which
        is faster than reading ``__slots__``)."""
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: Any) -> None:
        raise frozen_error(name)

    def __delattr__(self, name: str) -> None:
        raise frozen_error(name, deleting=True)

    def __getstate__(self) -> tuple[Any, ...]:
        return self._key()

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        names: tuple[str, ...] = self.__slots__
        for name, value in zip(names, state, strict=True):
            object.__setattr__(self, name, value)

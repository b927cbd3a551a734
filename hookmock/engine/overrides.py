"""Override paths checked against the event's schema.

A dotted path must name a field the event's schema declares (or lie below an object the schema
leaves open); a typo such as ``payload.objet.topic`` is an
:class:`~hookmock.UnknownFieldError` naming the closest valid paths. A field the schema does not
know is created only when asked for: wrap its value in :class:`ADD` (the CLI:
``--add PATH=VALUE``), or turn every schema check off with ``validate=False``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..errors import UnknownFieldError

__all__ = ["ADD", "KnownPaths", "LeafCheck", "check_paths", "leaf_check", "unwrap"]

# How many names of one object a message lists, and how many suggestions it makes per path.
_LISTED = 12
_SUGGESTIONS = 3
_MAX_DEPTH = 12


class ADD:
    """An override value that may create a field the event's schema does not know::

        zoom.send("meeting.started", {"payload.object.internal_ref": hookmock.ADD("r-42")})

    Missing objects along its path are created. The event is still validated against its
    schema, which accepts fields it does not declare unless it says otherwise.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"hookmock.ADD({self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ADD) and other.value == self.value

    __hash__ = None  # type: ignore[assignment]


def unwrap(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The overrides with :class:`ADD` values replaced by what they wrap."""
    return {path: v.value if isinstance(v, ADD) else v for path, v in overrides.items()}


def check_paths(
    event: str,
    schema: Mapping[str, Any],
    overrides: Mapping[str, Any],
    *,
    fields_at: str = "payload.object",
) -> None:
    """Check that each override path names a field of *schema* (paths with :class:`ADD`
    values are exempt).

    :param fields_at: where the provider's event fields are, for the error's example.

    :raises UnknownFieldError: listing every path that does not, with the closest valid ones.
    """
    problems: dict[str, tuple[str, list[str]]] = {}
    for path, value in overrides.items():
        parts = path.split(".") if isinstance(path, str) else [""]
        if isinstance(value, ADD) or "" in parts:
            continue  # a path that is not dotted gets its own error when it is applied
        depth = _unknown_at(schema, parts)
        if depth is None:
            continue
        where = ".".join(parts[:depth]) or "the body's top level"
        node = _walk(schema, parts[:depth])
        if node is not None and not _fields(schema, node) and _items(schema, node) is None:
            kind = _kind(schema, node)
            reason = (
                f"{where} is an object that declares no fields in the schema"
                if kind == "object"
                else f"{where} is {kind} in the schema, not an object or list"
            )
        elif parts[depth].isdigit():
            reason = f"{where} is not a list in the schema"
        else:
            reason = f"no field {parts[depth]!r} in {where}"
        close = _closest(schema, parts, depth)
        if not close and node is not None and _fields(schema, node):
            reason += f" (its fields: {_field_names(schema, node)})"
        problems[path] = (reason, close)
    if problems:
        raise UnknownFieldError(event, problems, fields_at=fields_at)


# -- overrides that need no validation of the whole event -----------------------------------------

#: What an object on the way to a field may say, for the field's value to be checked alone:
#: nothing that relates its properties to each other (combinators, conditions, dependencies,
#: counts of properties), and no $ref to follow.
_PLAIN_OBJECT = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "title",
        "description",
        "$comment",
        "$schema",
        "$id",
    }
)
#: What a field's own schema may say, for a value to be checked here: its type, lengths and
#: bounds, and a list of strings; no format or pattern (checked by the validator alone).
_PLAIN_LEAF = frozenset(
    {
        "type",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "enum",
        "title",
        "description",
        "$comment",
        "examples",
    }
)
_LEAF_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,)}


class LeafCheck:
    """How a value given for one field is checked without validating the whole event: its
    Python type (exactly: a bool is no integer), length or bounds, and allowed strings."""

    __slots__ = ("enum", "high", "low", "types")

    def __init__(self, node: Mapping[str, Any]) -> None:
        self.types = _LEAF_TYPES[node["type"]]
        text = self.types == (str,)
        self.low = node.get("minLength" if text else "minimum")
        self.high = node.get("maxLength" if text else "maximum")
        enum = node.get("enum")
        self.enum = None if enum is None else frozenset(enum)

    def accepts(self, value: Any) -> bool:
        if type(value) not in self.types:
            return False
        size = len(value) if type(value) is str else value
        if self.low is not None and size < self.low:
            return False
        if self.high is not None and size > self.high:
            return False
        return self.enum is None or value in self.enum


def _keywords(node: Mapping[str, Any]) -> Iterator[str]:
    """The keywords of a schema node that validation reads (not hookmock's ``x-`` hints)."""
    return (key for key in node if not key.startswith("x-"))


def leaf_check(root: Mapping[str, Any], path: str, rule_inputs: frozenset[str]) -> LeafCheck | None:
    """How to check a value for the field at the dotted *path* alone, when the schema lets
    that field's value be judged by itself; None when the event must be validated whole.

    Each object on the way must be plain (:data:`_PLAIN_OBJECT`) and always there (required),
    the field's schema a string or integer with only :data:`_PLAIN_LEAF` keywords, and its
    name none of *rule_inputs* (the fields the provider's consistency rules read, which may
    make other fields from the value).
    """
    parts = path.split(".")
    if parts[-1] in rule_inputs:
        return None
    node: Any = root
    for depth, part in enumerate(parts):
        if not isinstance(node, Mapping) or node.get("type") != "object":
            return None
        if not _PLAIN_OBJECT.issuperset(_keywords(node)):
            return None
        # An object on the way that may be missing would be made empty, without its fields.
        if depth < len(parts) - 1 and part not in node.get("required", ()):
            return None
        properties = node.get("properties")
        if not isinstance(properties, Mapping) or part not in properties:
            return None
        node = properties[part]
    if not isinstance(node, Mapping) or not _PLAIN_LEAF.issuperset(_keywords(node)):
        return None
    kind = node.get("type")
    if type(kind) is not str or kind not in _LEAF_TYPES:  # a list of types is judged whole
        return None
    enum = node.get("enum")
    if enum is not None and not all(type(choice) is str for choice in enum):
        return None
    return LeafCheck(node)


class KnownPaths:
    """What is known of one event's override paths (in their order) in one schema, which
    depends on the paths and the schema alone: a test sends the same paths again and again.

    :ivar checked: whether :func:`check_paths` found that each names a field of the schema
        (for values that are not :class:`ADD`).
    :ivar split: the paths split for generation
        (:func:`hookmock.generate.fake.override_paths`), or None.
    :ivar levels: for paths that field names stand for, the provider's field levels they were
        looked up at (see :attr:`hookmock.Adapter.field_levels`).
    """

    __slots__ = ("_checks", "checked", "levels", "paths", "schema", "settled", "split")

    def __init__(
        self,
        schema: Mapping[str, Any],
        paths: tuple[str, ...],
        split: Any,
        levels: Sequence[str] = (),
    ) -> None:
        self.schema = schema
        self.paths = paths
        self.split = split
        self.levels = levels
        self.checked = False
        #: The rule inputs the leaf checks were found for, and each path's check, as far as
        #: asked (:data:`_UNSEEN` past that): one tuple, so that a thread never reads checks
        #: found for other inputs.
        self._checks: tuple[frozenset[str] | None, list[Any]] = (None, [])
        #: Once every path has a leaf check for some rule inputs (:meth:`alone` said so):
        #: those inputs, and a function of the values (one argument each) that says what
        #: :meth:`alone` says for them, in one call.
        self.settled: tuple[frozenset[str] | None, Callable[..., bool]] = (None, _never)

    def alone(self, values: Iterable[Any], rule_inputs: frozenset[str], remove: Any) -> bool:
        """Whether each of *values* (one for each path, in order) is a value its field's
        schema accepts, judged alone (:func:`leaf_check`); *remove*, the value that removes
        its field (:data:`hookmock.REMOVE`), never is."""
        inputs, checks = self._checks
        if inputs is not rule_inputs:
            checks = [_UNSEEN] * len(self.paths)
            self._checks = (rule_inputs, checks)
        for index, value in enumerate(values):
            check = checks[index]
            if check is _UNSEEN:
                # Looked for in order, up to the first value that decides (as a field
                # removed does): a check found accepts no removal.
                if value is remove:
                    return False
                check = checks[index] = leaf_check(self.schema, self.paths[index], rule_inputs)
            if check is None or not check.accepts(value):
                return False
        self.settled = (rule_inputs, _accepts_each(checks))
        return True


def _never(*values: Any) -> bool:
    return False


def _accepts_each(checks: list[LeafCheck]) -> Callable[..., bool]:
    """A function of one value per check that tells whether each check accepts its value."""
    if len(checks) == 1:
        return checks[0].accepts
    every = [check.accepts for check in checks]

    def accepted(*values: Any) -> bool:
        return all(accepts(value) for accepts, value in zip(every, values, strict=True))

    return accepted


#: A leaf check not looked for yet.
_UNSEEN: Any = object()


# -- walking the schema ---------------------------------------------------------------------------


def _resolve(root: Mapping[str, Any], node: Any) -> Mapping[str, Any]:
    seen = 0
    while isinstance(node, Mapping) and "$ref" in node and seen < 32:
        ref = str(node["$ref"])
        target: Any = root
        for part in ref.removeprefix("#/").split("/") if ref.startswith("#/") else []:
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
        node, seen = target, seen + 1
    return node if isinstance(node, Mapping) else {}


def _branches(root: Mapping[str, Any], node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The node and every branch of its anyOf/oneOf/allOf, resolved."""
    node = _resolve(root, node)
    yield node
    for combinator in ("anyOf", "oneOf", "allOf"):
        for branch in node.get(combinator, ()):
            yield from _branches(root, branch)


def _fields(root: Mapping[str, Any], node: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for branch in _branches(root, node):
        properties = branch.get("properties")
        if isinstance(properties, Mapping):
            for key, sub in properties.items():
                found.setdefault(key, sub)
    return found


def _items(root: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for branch in _branches(root, node):
        items = branch.get("items")
        if isinstance(items, Mapping):
            return items
    return None


def _open(root: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """Whether the schema leaves the node's contents unknown, so any path below it is fine:
    an object without declared fields, or one that says it takes fields it does not list."""
    branches = list(_branches(root, node))
    if any(b.get("additionalProperties") not in (None, False) for b in branches):
        return True
    if any(b.get("patternProperties") for b in branches):
        return True
    declared = any("properties" in b or "items" in b for b in branches)
    types: set[str] = set()
    for branch in branches:
        kind = branch.get("type")
        types.update([kind] if isinstance(kind, str) else kind or ())
    scalar = bool(types) and not types & {"object", "array"}
    return not declared and not scalar and "const" not in node and "enum" not in node


def _step(root: Mapping[str, Any], node: Mapping[str, Any], part: str) -> Mapping[str, Any] | None:
    fields = _fields(root, node)
    if part in fields:
        return _resolve(root, fields[part])
    items = _items(root, node)
    if part.isdigit() and items is not None:
        return _resolve(root, items)
    return None


def _walk(root: Mapping[str, Any], parts: list[str]) -> Mapping[str, Any] | None:
    node: Mapping[str, Any] | None = _resolve(root, root)
    for part in parts:
        if node is None:
            return None
        node = _step(root, node, part)
    return node


def _unknown_at(root: Mapping[str, Any], parts: list[str]) -> int | None:
    """The index of the first part the schema does not know, or ``None`` when it knows all
    (or leaves the rest open)."""
    node = _resolve(root, root)
    for depth, part in enumerate(parts):
        following = _step(root, node, part)
        if following is None:
            return None if _open(root, node) else depth
        node = following
    return None


# -- suggestions ----------------------------------------------------------------------------------


def _closest(root: Mapping[str, Any], parts: list[str], depth: int) -> list[str]:
    """Valid paths close to *parts*: the unknown part (and any after it) repaired by the
    closest names at each level; else the paths elsewhere in the schema that end in the same
    field name, or in a close one (a field set at the wrong level)."""
    repaired = list(_repair(root, _walk(root, parts[:depth]) or {}, parts[:depth], parts[depth:]))
    if repaired:
        return repaired[:_SUGGESTIONS]
    leaf = parts[-1]
    if leaf.isdigit():
        return []
    every = list(_all_paths(root, _resolve(root, root), ""))
    leaves = {path.rsplit(".", 1)[-1] for path in every}
    import difflib  # only for a misspelt override: not on a send's way

    close = difflib.get_close_matches(leaf, leaves, n=_SUGGESTIONS, cutoff=0.75)
    ranked = [path for name in close for path in every if path.rsplit(".", 1)[-1] == name]
    return ranked[:_SUGGESTIONS]


def _repair(
    root: Mapping[str, Any], node: Mapping[str, Any], done: list[str], rest: list[str]
) -> Iterator[str]:
    if not rest:
        yield ".".join(done)
        return
    part, *after = rest
    following = _step(root, node, part)
    if following is not None:
        yield from _repair(root, following, [*done, part], after)
        return
    if _open(root, node):
        yield ".".join([*done, *rest])
        return
    names = list(_fields(root, node))
    import difflib

    for name in difflib.get_close_matches(part, names, n=_SUGGESTIONS, cutoff=0.6):
        yield from _repair(root, _resolve(root, _fields(root, node)[name]), [*done, name], after)


def _all_paths(root: Mapping[str, Any], node: Mapping[str, Any], prefix: str) -> Iterator[str]:
    if prefix.count(".") >= _MAX_DEPTH:  # a schema that refers to itself ends here
        return
    for name, sub in _fields(root, node).items():
        path = f"{prefix}{name}"
        yield path
        yield from _all_paths(root, _resolve(root, sub), path + ".")
    items = _items(root, node)
    if items is not None:
        yield from _all_paths(root, _resolve(root, items), prefix + "0.")


def _kind(root: Mapping[str, Any], node: Mapping[str, Any]) -> str:
    kinds: list[str] = []
    for branch in _branches(root, node):
        kind = branch.get("type")
        for name in [kind] if isinstance(kind, str) else kind or ():
            if name not in kinds:
                kinds.append(name)
    words = {"string": "a string", "integer": "an integer", "number": "a number"}
    words |= {"boolean": "a boolean", "null": "null"}
    return " or ".join(words.get(k, k) for k in kinds) or "a value"


def _field_names(root: Mapping[str, Any], node: Mapping[str, Any]) -> str:
    names = sorted(_fields(root, node))
    shown = ", ".join(names[:_LISTED])
    return shown + (f", … ({len(names)} in all)" if len(names) > _LISTED else "")

"""Zoom's consistency rules: related fields agree as in real deliveries (ZOOM.md §8).

The field that reports the event (``join_time``, a meeting's ``end_time``...) lies within a second
and a half before ``event_ts``, and nothing but a scheduled time after it; a meeting's times
follow from where the event puts it (scheduled, running, ended, or ended and its recording
processed); join URLs contain the meeting id; a participant's ``id`` is its
``participant_user_id``, and some participants are guests with empty ids and email; a change
event's ``old_object`` is the same thing as its ``object``, its switches the other way; recording
files weigh what their type and length make and add up to ``total_size``; an email matches its
person's name. :data:`GENERATION` is Zoom's generation profile: these rules and Zoom's kinds
(:mod:`hookmock.providers.zoom.kinds`).

Where each rule applies is worked out once per event from its schema (see
:mod:`hookmock.generate.profile`); the rules leave every overridden field alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from ...generate.kinds import Context, email_for, parse_iso, pick
from ...generate.profile import (
    Before,
    GenerationProfile,
    Later,
    ObjectRules,
    drawable,
    is_count,
    is_text,
    put,
    settle,
    value_type,
)
from .kinds import NAME_KINDS, NUMBER_KINDS, STRING_KINDS, SUFFIX_KINDS, ZOOM_WEB, alnum_32

__all__ = ["GENERATION", "GUEST_SHARE", "RULE_INPUTS", "ZoomCoherence"]

# The kinds of ISO times, and the domains of the emails the rules write.
_STAMP_KINDS = ("datetime", "datetime_ms")
_domain = pick("domain")

# How an event's main object sits in time relative to the moment the event is sent.
_ENDED_ACTIONS = ("ended", "completed", "stopped", "left", "deleted", "trashed", "recovered")
_SCHEDULED_ACTIONS = ("created", "updated", "registration_created")
_FILE_EXTENSIONS = {
    "MP4": "MP4",
    "M4A": "M4A",
    "CHAT": "TXT",
    "TRANSCRIPT": "VTT",
    "CC": "VTT",
    "CSV": "CSV",
    "TIMELINE": "JSON",
    "SUMMARY": "JSON",
}


def _moment_fields(family: str, action: str) -> frozenset[str]:
    """The time fields that report the moment the event is about: they sit within about a
    second before ``event_ts`` (ZOOM.md §8). ``date_time`` always does."""
    fields = {"date_time"}
    if family == "recording":
        if action in ("started", "resumed"):
            fields.add("recording_start")
        elif action in ("stopped", "paused"):
            fields.add("recording_end")
    elif action == "started":
        fields.add("start_time")
    elif action == "ended":
        fields.add("end_time")
    elif "joined" in action:
        fields.add("join_time")
    elif "left" in action:
        fields.add("leave_time")
    return frozenset(fields)


# Events about a moment inside a meeting that is still going on (someone joined or left;
# recording started or stopped), whatever their name says.
_RUNNING_MARKS = frozenset({"join_time", "leave_time", "recording_start", "recording_end"})


def _anchor(family: str, action: str, marks: frozenset[str]) -> str:
    """Where the event's meeting is in time: scheduled, running, ended, or ended and processed."""
    if action in ("completed", "transcript_completed") and family == "recording":
        return "processed"  # a recording is processed some minutes after the meeting ended
    if (action.endswith(_ENDED_ACTIONS) or family == "recording") and not (marks & _RUNNING_MARKS):
        # Every other recording event is about a meeting that already took place.
        return "ended"
    if action.endswith(_SCHEDULED_ACTIONS):
        return "scheduled"
    return "running"


_NOTHING: frozenset[str] = frozenset()
_TIMINGS = ("scheduled", "start", "end", "processed", "ended", "running")
_SPAN_KEYS = frozenset({"join_time", "leave_time", "recording_start", "recording_end"})
_SPAN_PAIRS = (("join_time", "leave_time"), ("recording_start", "recording_end"))
_LINK_KEYS = frozenset({"join_url", "start_url"})
_NAME_KEYS = ("user_name", "display_name", "name")


class _Object:
    """The rules that apply in one object of an event, from the properties its schema has."""

    __slots__ = (
        "anchor",
        "date_time",
        "keys",
        "links",
        "marks",
        "occurrence",
        "participant",
        "payload",
        "person",
        "recording",
        "rules",
        "spans",
        "spans_only",
        "stamps",
        "times",
        "timing",
    )

    def __init__(self, event: _Event, keys: frozenset[str], where: str) -> None:
        self.keys = keys
        self.marks, self.anchor = event.marks, event.anchor
        self.payload = where == "$.payload" and "object" in keys
        self.times = "start_time" in keys or bool(keys & _SPAN_KEYS)
        #: The pairs of times within a meeting's span that this object has one of.
        self.spans = tuple(pair for pair in _SPAN_PAIRS if keys.intersection(pair))
        #: Whether its only times are within a meeting's span (a recording file's, say).
        self.spans_only = self.times and "start_time" not in keys
        #: The pairs of :attr:`spans` as :func:`_fix_known_spans` takes them, when each of
        #: their times is one the rules set (a :class:`Later` ISO time in a drawn body).
        self.stamps: tuple[_Stamps, ...] | None = None
        #: Where the meeting is in time, for :func:`_fix_times_plain`: the first of the cases
        #: of :func:`_fix_times` that applies without overrides.
        self.timing = _TIMINGS.index(
            "scheduled"
            if event.anchor == "scheduled"
            else "start"
            if "start_time" in event.marks
            else "end"
            if "end_time" in event.marks
            else event.anchor
        )
        self.occurrence = "occurrence_id" in keys and "start_time" in keys
        self.date_time = "date_time" in keys and event.anchor != "scheduled"
        self.links = "id" in keys and bool(keys & _LINK_KEYS)
        self.participant = "participant_user_id" in keys
        self.person = "email" in keys
        self.recording = "recording_files" in keys
        #: Whether any rule applies here before the objects inside are visited.
        self.rules = (
            self.payload
            or self.times
            or self.occurrence
            or self.date_time
            or self.links
            or self.participant
            or self.person
        )

    def before(
        self,
        obj: dict[str, Any],
        path: str,
        ctx: Context,
        span: tuple[float, float] | None,
        overridden: frozenset[str],
    ) -> tuple[float, float] | None:
        """Apply the rules of one object that come before those of the objects inside it;
        return the span of the meeting the objects inside take place in."""
        if self.payload:
            _fix_payload(obj, ctx, overridden)
        if self.spans_only:
            span = self.before_spans(obj, path, ctx, span, overridden)
        elif self.times:
            if overridden:
                span = _fix_times(self, obj, path, ctx, span, overridden)
            else:
                span = _fix_times_plain(self, obj, ctx, span)
        if self.occurrence:
            occurrence, stamp = obj.get("occurrence_id"), obj.get("start_time")
            start = ctx.parse(stamp) if isinstance(stamp, str) else None
            if isinstance(occurrence, str) and occurrence.isdigit() and start is not None:
                # An occurrence's id is its start time in Unix milliseconds (Zoom's API).
                put(obj, "occurrence_id", str(int(start * 1000)), path, overridden)
        if self.date_time and "date_time" in obj:
            # When a message was sent, a participant admitted, sharing begun: the event's moment.
            _put_time(obj, "date_time", ctx.moment, path, ctx, overridden)
        if self.links:
            _fix_links(obj, path, ctx, overridden)
        if self.participant and "participant_user_id" in obj:
            _fix_participant(obj, path, ctx, overridden)
        if self.person and "email" in obj:
            _fix_person(obj, path, ctx, overridden)
        return span

    def before_spans(
        self,
        obj: dict[str, Any],
        path: str,
        ctx: Context,
        span: tuple[float, float] | None,
        overridden: frozenset[str],
    ) -> tuple[float, float] | None:
        """:meth:`before` where the only rule is that of times within a meeting's span."""
        if overridden:
            return _fix_times(self, obj, path, ctx, span, overridden)
        if self.stamps is not None:
            return _fix_known_spans(self, obj, path, ctx, span, overridden)
        return _fix_spans(self, obj, ctx, span)

    def before_payload(
        self,
        obj: dict[str, Any],
        path: str,
        ctx: Context,
        span: tuple[float, float] | None,
        overridden: frozenset[str],
    ) -> tuple[float, float] | None:
        """:meth:`before` where the only rule is that of the payload."""
        if overridden:
            _fix_payload(obj, ctx, overridden)
            return span
        inner = obj.get("object")
        if type(inner) is dict and "account_id" in inner:
            # What _fix_payload does first without overrides: the object's account is the
            # payload's.
            if "account_id" in obj:
                inner["account_id"] = obj["account_id"]
            value = inner["account_id"]
            if type(value) is Later:
                inner["account_id"] = value.draw(ctx)
        if "old_object" in obj:
            _fix_payload(obj, ctx, overridden)
        return span

    @property
    def _others(self) -> bool:
        """Whether a rule other than those of the payload, times and spans applies here."""
        return bool(
            self.occurrence or self.date_time or self.links or self.participant or self.person
        )

    @property
    def only_times(self) -> bool:
        """Whether the only rule before the objects inside is that of times (a meeting's start
        and end, say)."""
        return bool(self.times and not self.spans_only and not (self.payload or self._others))

    @property
    def only_payload(self) -> bool:
        """Whether the only rule before the objects inside is that of the payload."""
        return bool(self.payload and not (self.times or self._others))

    @property
    def only_spans(self) -> bool:
        """Whether the only rule before the objects inside is that of times within a span."""
        return bool(self.spans_only and not (self.payload or self._others))


class _Event:
    """The rules of one event: where its meeting is in time, and which of its times report the
    event's moment."""

    __slots__ = ("anchor", "marks", "profile")

    def __init__(self, event: str, profile: GenerationProfile) -> None:
        family, _, action = event.rpartition(".")
        self.marks = _moment_fields(family, action)
        self.anchor = _anchor(family, action, self.marks)
        self.profile = profile

    def begin(self, ctx: Context) -> None:
        # What happened, happened before it was reported: up to a second and a half before
        # event_ts, and at most at event_ts once written in whole seconds.
        ctx.moment = ctx.now - int(ctx.random() * 1500) / 1000

    def object_rules(
        self, keys: frozenset[str], where: str, resolved: Mapping[str, Mapping[str, Any]]
    ) -> ObjectRules | None:
        plan = _Object(self, keys, where)
        if not (plan.rules or plan.recording):
            return None
        deferred = _deferred(plan, resolved, self.profile)
        plan.stamps = _known_stamps(plan, deferred, resolved, self.profile)
        before: Before | None = None
        if plan.rules:
            if plan.only_spans:
                known = plan.stamps is not None
                before = partial(_fix_known_spans, plan) if known else plan.before_spans
            elif plan.only_payload:
                before = plan.before_payload
            elif plan.only_times:
                before = partial(_times, plan)
            else:
                before = plan.before
        return ObjectRules(
            before=before,
            after=_fix_recording if plan.recording else None,
            deferred=deferred,
            below=_deferred_below(plan),
        )


class ZoomCoherence:
    """Zoom's consistency rules (see the module's docstring)."""

    def for_event(self, event: str, profile: GenerationProfile) -> _Event:
        return _Event(event, profile)


def _is_stamp_kind(node: Mapping[str, Any], name: str, profile: GenerationProfile) -> bool:
    return value_type(node) is str and profile.string_kind(node, name) in _STAMP_KINDS


def _deferred(
    plan: _Object, resolved: Mapping[str, Mapping[str, Any]], profile: GenerationProfile
) -> frozenset[str]:
    """The properties of an object that its own rules set whenever they apply."""
    keys = plan.keys
    settable = drawable(resolved)
    out: set[str] = set()
    if plan.times:
        times = _SPAN_KEYS | ({"start_time", "end_time"} if "start_time" in keys else set())
        out.update(k for k in keys & times if _is_stamp_kind(resolved[k], k, profile))
    if plan.date_time and _is_stamp_kind(resolved["date_time"], "date_time", profile):
        out.add("date_time")
    if plan.links:
        out.update(keys & _LINK_KEYS & settable)
    if plan.participant and "id" in keys and value_type(resolved["participant_user_id"]) is str:
        out.add("participant_user_id")
    named = ("first_name" in keys and "last_name" in keys) or any(k in keys for k in _NAME_KEYS)
    email = resolved.get("email")
    if plan.person and named and email is not None and value_type(email) is str:
        out.update(("email",) if profile.string_kind(email, "email") == "email" else ())
    if plan.recording:
        out.update(keys & {"total_size", "recording_count"} & settable)
    return frozenset(out)


# One pair of times within a meeting's span, for _fix_known_spans: the names of the first and
# the last, whether the object has each, whether each is written with milliseconds, and
# whether each reports the event's moment.
_Stamps = tuple[str, str, bool, bool, bool, bool, bool, bool]


def _known_stamps(
    plan: _Object,
    deferred: frozenset[str],
    resolved: Mapping[str, Mapping[str, Any]],
    profile: GenerationProfile,
) -> tuple[_Stamps, ...] | None:
    """The pairs of times within a meeting's span of *plan*'s object as
    :func:`_fix_known_spans` takes them, or None when one of its times is drawn (not set by
    the rules): its value is then only known once drawn."""
    keys = plan.keys
    if any(key in keys and key not in deferred for pair in plan.spans for key in pair):
        return None

    def ms(key: str) -> bool:
        return key in keys and profile.string_kind(resolved[key], key) == "datetime_ms"

    marks = plan.marks
    return tuple(
        (
            first,
            last,
            first in keys,
            last in keys,
            ms(first),
            ms(last),
            first in marks,
            last in marks,
        )
        for first, last in plan.spans
    )


def _deferred_below(plan: _Object) -> dict[str, frozenset[str]]:
    """The properties of the objects inside an object that the outer object's rules set."""
    below: dict[str, frozenset[str]] = {}
    if plan.payload:
        if "account_id" in plan.keys:
            below["object"] = frozenset({"account_id"})
        below["old_object"] = frozenset({"id", "uuid"})
    if plan.recording:
        files = {"file_size"} | ({"meeting_id"} if "uuid" in plan.keys else set())
        below["recording_files"] = frozenset(files)
        below["participant_audio_files"] = frozenset({"file_size"})
    return below


def _fix_payload(payload: dict[str, Any], ctx: Context, overridden: frozenset[str]) -> None:
    obj, old = payload.get("object"), payload.get("old_object")
    if isinstance(obj, dict) and "account_id" in obj:
        if "account_id" in payload:
            put(obj, "account_id", payload["account_id"], "payload.object", overridden)
        settle(obj, "account_id", ctx)
    if not isinstance(old, dict):
        return
    if isinstance(obj, dict):
        # A change event describes one thing before and after: the same identity.
        for key in ("id", "uuid"):
            if key in obj and key in old:
                before = old[key]
                kind = before.typ if type(before) is Later else type(before)
                if type(obj[key]) is kind:
                    put(old, key, obj[key], "payload.old_object", overridden)
    for key in ("id", "uuid"):
        settle(old, key, ctx)
    if isinstance(obj, dict):
        if overridden:
            _contrast(obj, old, "payload.old_object", overridden)
        else:
            _contrast_plain(obj, old)


def _contrast(
    new: dict[str, Any], old: dict[str, Any], path: str, overridden: frozenset[str]
) -> None:
    """A switch that changed was off before it was on, or on before it was off."""
    for key, value in new.items():
        before = old.get(key)
        if type(value) is bool and type(before) is bool:
            put(old, key, not value, path, overridden)
        elif type(value) is dict and type(before) is dict:
            _contrast(value, before, f"{path}.{key}", overridden)


def _contrast_plain(new: dict[str, Any], old: dict[str, Any]) -> None:
    """What :func:`_contrast` does without overrides. It walks the old object, not the new:
    an old object names only what changed, often a few of the new one's many settings."""
    for key, before in old.items():
        kind = type(before)
        if kind is bool:
            value = new.get(key)
            if type(value) is bool:
                old[key] = not value
        elif kind is dict:
            value = new.get(key)
            if type(value) is dict:
                _contrast_plain(value, before)


def _is_stamp(value: Any) -> bool:
    """Whether *value* is one of Zoom's ISO times (``...T...Z``), not "09:00" or milliseconds."""
    if isinstance(value, str):
        return len(value) >= 20 and value[10] == "T" and value[-1] == "Z"
    return type(value) is Later and value.stamp


def _put_time(
    obj: dict[str, Any], key: str, epoch: float, path: str, ctx: Context, overridden: frozenset[str]
) -> None:
    """Set the time *key* to *epoch*, written as its value is (with milliseconds or not)."""
    value = obj.get(key)
    if type(value) is Later:
        if value.stamp:
            obj[key] = ctx.stamp(epoch, value.ms)
    elif isinstance(value, str) and _is_stamp(value):
        put(obj, key, ctx.stamp(epoch, "." in value), path, overridden)


def _fix_times(
    plan: _Object,
    obj: dict[str, Any],
    path: str,
    ctx: Context,
    span: tuple[float, float] | None,
    overridden: frozenset[str],
) -> tuple[float, float] | None:
    """Times that agree: a meeting's start and end, people's join and leave times and a
    recording's start and end inside them, the field that reports the event at its moment,
    and nothing but scheduled times after ``event_ts``. Returns the span of the meeting."""
    moment, marks, anchor = ctx.moment, plan.marks, plan.anchor
    # Only the times its schema declares, unless an override may have added others.
    known = not overridden
    if (not known or "start_time" in plan.keys) and _is_stamp(obj.get("start_time")):
        duration: int = obj["duration"] if isinstance(obj.get("duration"), int) else 60
        # A meeting rarely lasts exactly as long as it was scheduled for.
        length = max(60.0, duration * 60 * (0.6 + 0.55 * ctx.random()) + ctx.between(0, 60))
        if overridden and f"{path}.start_time".lstrip(".") in overridden:
            start = ctx.parse(obj["start_time"]) or ctx.now
            end = start + (duration * 60 if anchor == "scheduled" else length)
        elif anchor == "scheduled":
            start = (ctx.now // 3600 + ctx.between(24, 24 * 14)) * 3600
            end = start + duration * 60
        elif "start_time" in marks:
            start = end = moment
        elif "end_time" in marks:
            start, end = moment - length, moment
        elif anchor == "processed":
            end = moment - ctx.between(60, 1200)
            start = end - length
        elif anchor == "ended":
            end = moment - ctx.between(3600, 7 * 86400)
            start = end - length
        else:  # under way: begun a while ago, and nothing in it has happened after now
            start = moment - ctx.between(120, max(121, min(int(length), 3600)))
            end = moment
        _put_time(obj, "start_time", start, path, ctx, overridden)
        if "end_time" in obj:
            finish = end if anchor != "running" else start + duration * 60
            _put_time(obj, "end_time", finish, path, ctx, overridden)
        span = (start, end)
    if span is None:
        return None
    start, end = span
    for first, last in plan.spans if known else _SPAN_PAIRS:
        has_first, has_last = _is_stamp(obj.get(first)), _is_stamp(obj.get(last))
        if not (has_first or has_last):
            continue
        if last in marks:
            finish = moment
        elif first in marks:
            finish = end
        else:
            finish = end - ctx.between(0, max(1, min(300, int(end - start) // 4)))
        if first in marks:
            begin = moment
        else:
            room = max(1, min(300, int(finish - start) // 2))
            begin = start + ctx.between(0, room)
        if has_first:
            _put_time(obj, first, min(begin, finish), path, ctx, overridden)
        if has_last:
            _put_time(obj, last, max(finish, begin) if has_first else finish, path, ctx, overridden)
    return span


def _times(
    plan: _Object,
    obj: dict[str, Any],
    path: str,
    ctx: Context,
    span: tuple[float, float] | None,
    overridden: frozenset[str],
) -> tuple[float, float] | None:
    """:meth:`_Object.before` where the only rule is that of times."""
    if overridden:
        return _fix_times(plan, obj, path, ctx, span, overridden)
    return _fix_times_plain(plan, obj, ctx, span)


def _fix_times_plain(
    plan: _Object, obj: dict[str, Any], ctx: Context, span: tuple[float, float] | None
) -> tuple[float, float] | None:
    """What :func:`_fix_times` does in an object without overrides: the same times, drawn in
    the same order, with the case that applies chosen once per event (:attr:`_Object.timing`)."""
    if "start_time" in plan.keys and _is_stamp(obj.get("start_time")):
        duration = obj.get("duration")
        if not isinstance(duration, int):
            duration = 60
        random = ctx.random
        # A meeting rarely lasts exactly as long as it was scheduled for.
        length = max(60.0, duration * 60 * (0.6 + 0.55 * random()) + int(random() * 60))
        timing, moment = plan.timing, ctx.moment
        if timing == 0:  # scheduled
            start = (ctx.now // 3600 + 24 + int(random() * (24 * 14 - 24))) * 3600
            end = start + duration * 60
        elif timing == 1:  # the event reports the start
            start = end = moment
        elif timing == 2:  # the event reports the end
            start, end = moment - length, moment
        elif timing == 3:  # processed
            end = moment - (60 + int(random() * 1140))
            start = end - length
        elif timing == 4:  # ended
            end = moment - (3600 + int(random() * (7 * 86400 - 3600)))
            start = end - length
        else:  # under way: begun a while ago, and nothing in it has happened after now
            start = moment - (120 + int(random() * (max(121, min(int(length), 3600)) - 120)))
            end = moment
        _put_plain(obj, "start_time", start, ctx)
        if "end_time" in obj:
            finish = end if plan.anchor != "running" else start + duration * 60
            _put_plain(obj, "end_time", finish, ctx)
        span = (start, end)
    if span is None:
        return None
    if not plan.spans:
        return span
    if plan.stamps is not None:
        return _fix_known_spans(plan, obj, "", ctx, span, _NOTHING)
    return _fix_spans(plan, obj, ctx, span)


def _put_plain(obj: dict[str, Any], key: str, epoch: float, ctx: Context) -> None:
    """What :func:`_put_time` does without overrides."""
    value = obj[key]
    if type(value) is Later:
        if value.stamp:
            obj[key] = ctx.stamp(epoch, value.ms)
    elif isinstance(value, str) and _is_stamp(value):
        obj[key] = ctx.stamp(epoch, "." in value)


def _fix_spans(
    plan: _Object, obj: dict[str, Any], ctx: Context, span: tuple[float, float] | None
) -> tuple[float, float] | None:
    """What :func:`_fix_times` does in an object without overrides whose times all lie
    within the meeting's span (a recording file's start and end, a participant's join and
    leave): the same times, drawn in the same order, without its general cases."""
    if span is None:
        return None
    start, end = span
    moment, marks, random, stamp = ctx.moment, plan.marks, ctx.random, ctx.stamp
    for first, last in plan.spans:
        before: Any = obj.get(first)
        after: Any = obj.get(last)
        has_first, has_last = _is_stamp(before), _is_stamp(after)
        if not (has_first or has_last):
            continue
        if last in marks:
            finish = moment
        elif first in marks:
            finish = end
        else:
            finish = end - int(random() * max(1, min(300, int(end - start) // 4)))
        if first in marks:
            begin = moment
        else:
            begin = start + int(random() * max(1, min(300, int(finish - start) // 2)))
        if has_first:
            ms = before.ms if type(before) is Later else "." in before
            obj[first] = stamp(min(begin, finish), ms)
        if has_last:
            ms = after.ms if type(after) is Later else "." in after
            obj[last] = stamp(max(finish, begin) if has_first else finish, ms)
    return span


def _fix_known_spans(
    plan: _Object,
    obj: dict[str, Any],
    path: str,
    ctx: Context,
    span: tuple[float, float] | None,
    overridden: frozenset[str],
) -> tuple[float, float] | None:
    """The times within a meeting's span of an object whose times are all ones the rules set
    (:attr:`_Object.stamps`); with overrides, :func:`_fix_times`. Without, it does what
    :func:`_fix_spans` does: the object holds a :class:`Later` ISO time for each it has (or
    none, when it was left out), so what each is and how it is written is known once per
    event."""
    if overridden:
        return _fix_times(plan, obj, path, ctx, span, overridden)
    stamps = plan.stamps
    if span is None or stamps is None:
        return None
    start, end = span
    random, stamp = ctx.random, ctx.stamp
    for first, last, first_known, last_known, first_ms, last_ms, first_mark, last_mark in stamps:
        has_first = first_known and first in obj
        has_last = last_known and last in obj
        if not (has_first or has_last):
            continue
        # max(1, min(300, n)) as _fix_spans writes it, without two calls.
        if last_mark:
            finish = ctx.moment
        elif first_mark:
            finish = end
        else:
            room = int(end - start) // 4
            finish = end - int(random() * (300 if room >= 300 else room if room > 1 else 1))
        if first_mark:
            begin = ctx.moment
        else:
            room = int(finish - start) // 2
            begin = start + int(random() * (300 if room >= 300 else room if room > 1 else 1))
        if has_first:
            obj[first] = stamp(begin if begin < finish else finish, first_ms)
        if has_last:
            obj[last] = stamp(finish if not has_first or finish >= begin else begin, last_ms)
    return span


def _fix_links(obj: dict[str, Any], path: str, ctx: Context, overridden: frozenset[str]) -> None:
    number = obj.get("id")
    if not isinstance(number, int | str) or not str(number).isdigit():
        return
    if "join_url" not in obj and "start_url" not in obj:
        return
    token = alnum_32(ctx)
    if "join_url" in obj:
        put(obj, "join_url", f"{ZOOM_WEB}/j/{number}?pwd={token}", path, overridden)
    if "start_url" in obj:
        put(obj, "start_url", f"{ZOOM_WEB}/s/{number}?zak={token}", path, overridden)


#: The share of meeting participants who are not signed in to Zoom. In the captured deliveries
#: of ZOOM.md §8 one participant in two was; a quarter keeps signed-in people the usual case.
GUEST_SHARE = 0.25
_GUEST_BLANKS = ("id", "participant_user_id", "email", "registrant_id")


def _fix_participant(
    obj: dict[str, Any], path: str, ctx: Context, overridden: frozenset[str]
) -> None:
    """A participant's ids agree (``id`` is ``participant_user_id``, ZOOM.md §8), and some are
    guests, who are not signed in: their email, ids and registrant id are empty."""
    # Only someone in a meeting (a user name and a participant UUID) can be a guest; invitations
    # and the like name Zoom users.
    in_meeting = "user_name" in obj and "participant_uuid" in obj
    if in_meeting and ctx.random() < GUEST_SHARE and is_text(obj["participant_user_id"]):
        for key in _GUEST_BLANKS:
            if is_text(obj.get(key)):
                put(obj, key, "", path, overridden)
        return
    own = obj.get("id")
    if isinstance(own, str) and own:
        put(obj, "participant_user_id", own, path, overridden)
    elif is_text(obj.get("participant_user_id")) and "id" in obj:
        put(obj, "id", settle(obj, "participant_user_id", ctx), path, overridden)


def _fix_person(obj: dict[str, Any], path: str, ctx: Context, overridden: frozenset[str]) -> None:
    reason = obj.get("leave_reason")
    if isinstance(reason, str) and isinstance(obj.get("user_name"), str) and " left " in reason:
        tail = reason.split(" left ", 1)[1]
        put(obj, "leave_reason", f"{obj['user_name']} left {tail}", path, overridden)
    email = obj.get("email")
    later = type(email) is Later
    if not later and (not isinstance(email, str) or "@" not in email):
        return
    if isinstance(obj.get("first_name"), str) and isinstance(obj.get("last_name"), str):
        name = f"{obj['first_name']} {obj['last_name']}"
    else:
        name = next((obj[k] for k in _NAME_KEYS if isinstance(obj.get(k), str)), "")
    if name:
        domain = _domain(ctx) if later else str(email).rsplit("@", 1)[1]
        put(obj, "email", email_for(name, domain), path, overridden)


# Bytes per second of recording, by file type: low and high. From real deliveries (ZOOM.md §8:
# a 2-minute MP4 of 361 kB, its M4A of 69 kB, a timeline of 93 bytes; transcripts are kilobytes)
# and what Zoom's recordings commonly weigh (video up to some hundred MB an hour).
_BYTE_RATES = {
    "MP4": (3_000.0, 80_000.0),
    "M4A": (500.0, 4_000.0),
    "TRANSCRIPT": (15.0, 40.0),
    "CC": (15.0, 40.0),
    "CHAT": (0.5, 10.0),
    "TIMELINE": (0.2, 2.0),
    "CSV": (0.2, 3.0),
    "SUMMARY": (1.0, 5.0),
}


def _file_size(item: dict[str, Any], ctx: Context) -> int | None:
    """A size that fits the file's type and how long it runs, or None if that is unknown."""
    rates = _BYTE_RATES.get(str(item.get("file_type")))
    start, end = item.get("recording_start"), item.get("recording_end")
    if rates is None or not (isinstance(start, str) and isinstance(end, str)):
        return None
    began, ended = ctx.parse(start), ctx.parse(end)
    if began is None or ended is None:
        return None
    seconds = max(1.0, ended - began)
    low, high = rates
    return max(20, int(seconds * (low + (high - low) * ctx.random())))


def _size_file(item: dict[str, Any], path: str, ctx: Context, overridden: frozenset[str]) -> None:
    if is_count(item.get("file_size")):
        size = _file_size(item, ctx)
        if size is not None:
            put(item, "file_size", size, path, overridden)
    settle(item, "file_size", ctx)


def _fix_recording(
    obj: dict[str, Any], path: str, ctx: Context, overridden: frozenset[str]
) -> None:
    if not overridden:
        _fix_recording_plain(obj, ctx)
        return
    files = obj.get("recording_files")
    if isinstance(files, list):
        uuid = obj.get("uuid")
        for i, item in enumerate(files):
            if not isinstance(item, dict):
                continue
            item_path = f"{path}.recording_files.{i}".lstrip(".") if overridden else ""
            if "meeting_id" in item and isinstance(uuid, str):
                put(item, "meeting_id", uuid, item_path, overridden)
            settle(item, "meeting_id", ctx)
            file_type = item.get("file_type")
            if type(file_type) is str and file_type in _FILE_EXTENSIONS:
                extension = _FILE_EXTENSIONS[file_type]
                put(item, "file_extension", extension, item_path, overridden)
            _size_file(item, item_path, ctx, overridden)
    audio = obj.get("participant_audio_files")
    for i, item in enumerate(audio if isinstance(audio, list) else ()):
        if isinstance(item, dict):
            item_path = f"{path}.participant_audio_files.{i}".lstrip(".") if overridden else ""
            if isinstance(files, list):
                _size_file(item, item_path, ctx, overridden)
            settle(item, "file_size", ctx)
    if not isinstance(files, list):
        return
    sizes = [f["file_size"] for f in files if isinstance(f, dict) and "file_size" in f]
    if all(isinstance(s, int) for s in sizes):
        put(obj, "total_size", sum(sizes), path, overridden)
    put(obj, "recording_count", len(files), path, overridden)


def _plain_size(item: dict[str, Any], ctx: Context) -> Any:
    """What :func:`_size_file` does to a file without overrides; returns its size."""
    size = item.get("file_size")
    if isinstance(size, int) or (type(size) is Later and size.typ is int):
        rates = _BYTE_RATES.get(str(item.get("file_type")))
        start, end = item.get("recording_start"), item.get("recording_end")
        if rates is not None and isinstance(start, str) and isinstance(end, str):
            # What ctx.parse does, without a call for each time: the rules wrote both.
            epochs = ctx.epochs
            began = epochs.get(start)
            if began is None:
                began = parse_iso(start)
            ended = epochs.get(end)
            if ended is None:
                ended = parse_iso(end)
            if began is not None and ended is not None:
                low, high = rates
                seconds = max(1.0, ended - began)
                size = max(20, int(seconds * (low + (high - low) * ctx.random())))
                item["file_size"] = size
    if type(size) is Later:
        size = item["file_size"] = size.draw(ctx)
    return size


def _fix_recording_plain(obj: dict[str, Any], ctx: Context) -> None:
    """What :func:`_fix_recording` does to a body without overrides, drawing the same values
    in the same order."""
    files: Any = obj.get("recording_files")
    listed = type(files) is list
    # The sum of the files' sizes, while each is an integer.
    total: int | None = 0
    if listed:
        uuid = obj.get("uuid")
        own = isinstance(uuid, str)
        for item in files:
            if type(item) is not dict:
                continue
            if "meeting_id" in item:
                if own:
                    item["meeting_id"] = uuid
                else:
                    settle(item, "meeting_id", ctx)
            extension = _FILE_EXTENSIONS.get(item.get("file_type"))  # type: ignore[arg-type]
            if extension is not None and "file_extension" in item:
                item["file_extension"] = extension
            size = _plain_size(item, ctx)
            if total is not None and "file_size" in item:
                total = total + size if isinstance(size, int) else None
    audio: Any = obj.get("participant_audio_files")
    if type(audio) is list:
        for item in audio:
            if type(item) is dict:
                if listed:
                    _plain_size(item, ctx)
                settle(item, "file_size", ctx)
    if not listed:
        return
    if "total_size" in obj and total is not None:
        obj["total_size"] = total
    if "recording_count" in obj:
        obj["recording_count"] = len(files)


#: The fields whose values the rules above read (to copy, to derive other fields from, or to
#: decide whether a rule applies): an override of any of them may change other fields, so the
#: event is validated whole after it.
RULE_INPUTS = frozenset(
    {
        "account_id",
        "object",
        "old_object",
        "id",
        "uuid",
        "duration",
        "start_time",
        "end_time",
        "occurrence_id",
        "date_time",
        "join_url",
        "start_url",
        "participant_user_id",
        "participant_uuid",
        "registrant_id",
        "user_name",
        "display_name",
        "name",
        "first_name",
        "last_name",
        "email",
        "leave_reason",
        "recording_files",
        "participant_audio_files",
        "meeting_id",
        "file_type",
        "file_extension",
        "file_size",
        "total_size",
        "recording_count",
        *_SPAN_KEYS,
    }
)

#: How Zoom's events are generated: Zoom's kinds, and these rules.
GENERATION = GenerationProfile(
    string_kinds=STRING_KINDS,
    number_kinds=NUMBER_KINDS,
    name_kinds=NAME_KINDS,
    suffix_kinds=SUFFIX_KINDS,
    coherence=ZoomCoherence(),
    rule_inputs=RULE_INPUTS,
)

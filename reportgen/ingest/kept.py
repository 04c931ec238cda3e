"""Readings kept between commands: a file read by `check` is not read again by `run`.

An office checks the folder several times while the forms come in, then runs the month: each
command read all of them again (a city's 289 forms, two seconds). What reading a file found
(`FileRead`: its submission, figures, reports and issues) is kept in
`history/readings-<period>.json` and taken back only when nothing the reading depended on has
changed:

- the file itself: the same path, size and modification time, and the same bytes (SHA-256 of
  the file as it is now against the hash the reading recorded);
- everything else the reader was given: the plan (its version is a hash of its content), the
  configuration, last month's figures (a cumulative that went down), the period, and this code
  (every module of the package; a new version of reportgen reads afresh).

Anything else (an unreadable cache, another version's file, a file that could not be read) is
simply read again; keeping is never needed for a right answer.

The file is two lines of text. The first is small, JSON: the key, the units expected to report,
a `stamp` the caller gives (what the inputs looked like: reportgen.received), for every file
read its name, size, modification and change times and what `status` shows of it (intake.Seen),
and the CRC-32 of the second line. `status` reads only that line, so it shows the very readings
`run` takes back. The second line holds the readings themselves as plain data (`encode`), in
`marshal`'s format 2 written in base64 (a city's 289 readings: a third of the instructions of JSON,
written and read back; format 2 has no back-references, which follow reference counts, so readings
sent by a forked child are written byte for byte as one process writes them); they are read only
when their checksum is the one recorded (a line cut short or changed by hand is not unmarshalled).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import json
import marshal
import os
import types
import typing
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from reportgen.config import Config
from reportgen.fsutil import write_bytes_atomic
from reportgen.intake import Seen
from reportgen.model import FileRead, Plan, plan_version
from reportgen.rules import EarlierFigures

VERSION = 3
_PACKAGE = Path(__file__).resolve().parent.parent


@functools.cache
def code_stamp() -> str:
    """Return a hash of every module of the package (what a reading depends on besides its inputs)."""
    digest = hashlib.sha256()
    for source in sorted(_PACKAGE.rglob("*.py")):
        try:
            digest.update(source.relative_to(_PACKAGE).as_posix().encode() + b"\0" + source.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


def context(plan: Plan, config: Config, period: str, previous: Mapping[str, float]) -> str:
    """Return the key of what every reading of `period`'s files depends on besides the file."""
    # the version is a hash of the plan's content; a plan made without one is hashed here
    plan_key = plan.version or plan_version(plan)
    since = previous.since if isinstance(previous, EarlierFigures) else ""  # messages name its month
    data = [VERSION, code_stamp(), plan_key, repr(config), period, sorted(previous.items()), since]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, default=str).encode()).hexdigest()


# ---------------------------------------------------------------- FileRead <-> JSON


_PLAIN = frozenset({str, int, float, bool, type(None)})  # exactly these (a StrEnum is not)


@functools.cache
def _field_names(tp: type) -> tuple[str, ...] | None:
    return tuple(f.name for f in dataclasses.fields(tp)) if dataclasses.is_dataclass(tp) else None


def encode(value: Any) -> Any:
    """Return `value` (dataclasses, enums, dates, paths, lists, dicts) as plain JSON data."""
    # most values are plain, and a city's readings hold 200,000 of them: plain ones first,
    # a dataclass's field names looked up once per class
    tp: Any = type(value)
    if tp in _PLAIN:
        return value
    names = _field_names(tp)
    if names is not None:
        return [encode(getattr(value, n)) for n in names]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):  # datetime too
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


@functools.cache
def encoder(tp: Any) -> Callable[[Any], Any]:
    """Return a function giving what `encode` gives, for values declared of type `tp`: what to do
    with each field is worked out once per class (a value of another type than declared is
    handed to `encode`)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _fields_encoder(tp)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            return encode
        return encoder(inner[0])  # each encoder hands None, as any other type, to encode
    if origin is list:
        item = encoder(args[0])
        return lambda v: [x if type(x) in _PLAIN else item(x) for x in v] if type(v) is list else encode(v)
    if origin is dict and args and args[0] is str:
        item = encoder(args[1])
        return lambda v: ({k: x if type(x) in _PLAIN else item(x) for k, x in v.items()} if type(v) is dict
                          else encode(v))
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return lambda v: v._value_ if type(v) is tp else encode(v)  # .value is a property
    if tp in (dt.datetime, dt.date):
        return lambda v: v.isoformat() if type(v) is tp else encode(v)
    return encode


def _fields_encoder(tp: type) -> Callable[[Any], Any]:
    """Return the encoder of a dataclass: one list display of its fields, each plain value taken
    as it is and the others handed to their field's encoder (made with exec, as dataclasses makes
    __init__: a loop over the fields took three times as long)."""
    hints = typing.get_type_hints(tp)
    names = [f.name for f in dataclasses.fields(tp)]
    scope: dict[str, Any] = {"tp": tp, "plain": _PLAIN, "encode": encode}
    scope.update({f"part{i}": encoder(hints[n]) for i, n in enumerate(names)})
    items = ", ".join(f"x if type(x := v.{n}) in plain else part{i}(x)" for i, n in enumerate(names))
    exec(f"def fields(v):\n    return [{items}] if type(v) is tp else encode(v)\n", scope)
    fields: Callable[[Any], Any] = scope["fields"]
    return fields


@functools.cache
def decoder(tp: Any) -> Callable[[Any], Any]:
    """Return the function rebuilding a value of type `tp` from what `encode` gave."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _fields_decoder(tp)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"cannot keep a value of type {tp}")
        one = decoder(inner[0])
        return _same if one is _same else lambda v: None if v is None else one(v)
    if origin is list:
        item = decoder(args[0])
        return list if item is _same else lambda v: [item(x) for x in v]
    if origin is dict and args[0] is str:
        item = decoder(args[1])
        return lambda v: {k: item(x) for k, x in v.items()}
    if tp in (dt.datetime, dt.date):
        return tp.fromisoformat
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {m.value: m for m in tp}.__getitem__  # Enum(value) is several times slower
    if tp is Path:
        return Path
    if tp in (str, int, float, bool):
        return _same
    raise TypeError(f"cannot keep a value of type {tp}")


def _same(v: Any) -> Any:
    """Decode a plain value: it is what it was."""
    return v


def _fields_decoder(tp: type) -> Callable[[Any], Any]:
    """Return the decoder of a dataclass: its fields unpacked (a ValueError when there are more
    or fewer), each plain one passed as it is (made with exec, as the encoder)."""
    hints = typing.get_type_hints(tp)
    parts = [decoder(hints[f.name]) for f in dataclasses.fields(tp)]
    if not parts:
        return lambda v: tp(*[part(x) for part, x in zip(parts, v, strict=True)])
    scope: dict[str, Any] = {"tp": tp, **{f"part{i}": part for i, part in enumerate(parts)}}
    names = ", ".join(f"a{i}" for i in range(len(parts)))
    values = ", ".join(f"a{i}" if part is _same else f"part{i}(a{i})" for i, part in enumerate(parts))
    exec(f"def fields(v):\n    {names}, = v\n    return tp({values})\n", scope)
    fields: Callable[[Any], Any] = scope["fields"]
    return fields


# ---------------------------------------------------------------- the kept readings


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


class Kept:
    """The readings kept in one file for one context: `take` what is still good, `keep` what was
    read and `save` it with the units expected to report and the caller's `stamp`."""

    def __init__(self, path: Path, key: str, stamp: Any = None) -> None:
        self.path = path
        self.key = key
        self.stamp = stamp
        self.files: dict[str, list[Any]] = {}
        self.seen: dict[str, list[Any]] = {}  # name -> [path, size, mtime_ns, ctime_ns, Seen.row()]
        self.units: list[str] | None = None  # the units expected to report (plan and configuration)
        self._stamped: Any = None  # the stamp the file was saved with
        self._taken: dict[int, list[Any]] = {}  # id of a FileRead taken back -> its entry
        self._changed = False
        try:
            with open(path, "rb") as fh:
                head = json.loads(fh.readline())
                if not (isinstance(head, dict) and head.get("key") == key):
                    return
                body = fh.readline()
            if zlib.crc32(body) != head.get("body"):
                return  # cut short or changed since: not what was written
            data = marshal.loads(base64.b64decode(body, validate=True))
        except (OSError, ValueError, EOFError, TypeError):
            return
        if isinstance(data, dict) and isinstance(data.get("files"), dict) and isinstance(head.get("seen"), dict):
            self.files, self.seen, self._stamped = data["files"], head["seen"], head.get("stamp")
            units = head.get("units")
            self.units = units if isinstance(units, list) and all(isinstance(u, str) for u in units) else None

    def take(self, path: Path, name: str) -> FileRead | None:
        """Return the kept reading of `path` (shown as `name`) when it is of the file as it is now."""
        entry = self.files.get(name)
        if entry is None:
            return None
        try:
            st = os.stat(path)
            shown, size, mtime_ns, sha, read = entry
            if (shown, size, mtime_ns) != (str(path), st.st_size, st.st_mtime_ns) or _sha256(path) != sha:
                return None
            got = typing.cast(FileRead, decoder(FileRead)(read))
        except (OSError, ValueError, TypeError, KeyError):
            return None
        self._taken[id(got)] = entry
        return got

    def keep(self, reads: Iterable[FileRead], encoded: Mapping[int, list[Any]] | None = None) -> None:
        """Keep the readings of `reads` (files read whole) until `save`; what `status` shows is
        kept of every file read, even one whose reading is not worth keeping. `encoded` holds
        readings already encoded (by the process that read them), by id of the FileRead."""
        files: dict[str, list[Any]] = {}
        seen: dict[str, list[Any]] = {}
        for f in reads:
            if not f.followed:
                continue
            try:
                st = os.stat(f.path)
            except OSError:
                continue
            sub = f.submission
            if sub is not None and sub.received != dt.datetime.fromtimestamp(st.st_mtime):
                continue  # changed while it was read
            # the change time too: no copy or tool that keeps the modification time keeps it
            seen[f.name] = [str(f.path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, Seen.of(f).row()]
            if id(f) in self._taken:
                files[f.name] = self._taken[id(f)]
            elif sub is not None and sub.sha256:  # else nothing taken from it: read again (and cheap to)
                plain = encoded.get(id(f)) if encoded else None
                files[f.name] = [str(f.path), st.st_size, st.st_mtime_ns, sub.sha256,
                                 encoder(FileRead)(f) if plain is None else plain]
        self._changed = files != self.files or seen != self.seen
        self.files, self.seen = files, seen

    def save(self, units: list[str]) -> None:
        """Keep the units expected to report, and write out what is kept when anything changed."""
        if not (self._changed or units != self.units or self.stamp != self._stamped):
            return
        self.units = list(units)
        try:
            body = base64.b64encode(marshal.dumps({"files": self.files}, 2))
        except ValueError:  # a value of a type `encode` does not make plain: nothing is kept
            return
        head = {"key": self.key, "stamp": self.stamp, "units": self.units, "seen": self.seen,
                "body": zlib.crc32(body)}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # ASCII: a file name from another system's encoding holds lone surrogates (fsdecode);
            # no newline inside either line (json.dumps escapes it in strings, base64 has none)
            write_bytes_atomic(self.path, json.dumps(head).encode("ascii") + b"\n" + body)
            self._stamped = self.stamp
        except OSError:
            pass  # only a saving: a read-only workspace reads every time

"""units.yml and the units' exports: each unit either loaded or marked missing, unreadable, of an unknown version, or stale, with the reason."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from taizhang.errors import Error, show
from taizhang.text import url
from taizhang.labels import ROLLUP_WORDS as R
from taizhang.labels import STATUSES
from taizhang.ledger.export import SCHEMA_VERSION
from taizhang.ledger.figures import rate
from taizhang.ledger.schema import ID
from taizhang.speed import parallel

CONFIG = "units.yml"
KNOWN_VERSIONS = frozenset({SCHEMA_VERSION})  # the export versions this roll-up reads
STATES = ("ok", "missing", "unreadable", "unknown_schema", "stale")
_KEYS = {"round", "from", "to", "max_age_days", "allow_missing", "timeout_seconds", "max_bytes", "units"}
_UNIT_KEYS = {"id", "name", "export", "site"}


@dataclass(frozen=True)
class Source:
    """One unit as units.yml names it."""

    id: str
    name: str
    export: str  # a path (relative to units.yml) or an http(s) URL
    site: str | None = None


@dataclass(frozen=True)
class Config:
    round: str
    start: date | None
    end: date | None
    units: list[Source]
    max_age_days: int = 8  # a weekly export a day late is still current
    allow_missing: bool = False  # True: a unit without current figures does not fail `mkdocs build --strict`
    timeout_seconds: float = 10.0
    max_bytes: int = 64 << 20


@dataclass
class UnitMeasure:
    """An overdue or due-soon measure of a unit, as its export has it (no people: the roll-up names none)."""

    id: str
    problem: str
    text: str
    due: str
    status: str
    overdue: bool
    progress: str | None


@dataclass
class Unit:
    """One unit's export as read: its figures when it could be read, its state and the reason otherwise."""

    source: Source
    state: str = "ok"
    reason: str = ""
    as_of: date | None = None
    commit: str | None = None
    title: str = ""
    problems: int = 0
    measures: int = 0
    by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    overdue: int = 0
    due_soon: int = 0
    completed_due: int = 0  # completed measures that had a deadline
    on_time: int = 0  # of those, completed by it
    areas: list[dict[str, Any]] = field(default_factory=list)
    urgent: list[UnitMeasure] = field(default_factory=list)

    @property
    def current(self) -> bool:
        """Figures that count in the round's totals: read, known, not stale."""
        return self.state == "ok"

    @property
    def has_figures(self) -> bool:
        """Figures to show (a stale unit's are shown, marked with their date)."""
        return self.state in ("ok", "stale")

    @property
    def completed(self) -> int:
        return self.by_status["done"] + self.by_status["closed"]

    @property
    def in_progress(self) -> int:
        return self.by_status["not_started"] + self.by_status["in_progress"]

    @property
    def completion_rate(self) -> float:
        return rate(self.completed, self.measures)

    @property
    def on_time_rate(self) -> float:
        return rate(self.on_time, self.completed_due)

    def measure_url(self, m: UnitMeasure) -> str | None:
        """The measure on the unit's own site (the site's page addresses), when units.yml gives a web address."""
        if not self.source.site:
            return None
        return url(f"{self.source.site.rstrip('/')}/problems/{quote(m.problem, safe='')}/#{quote(m.id, safe='')}")


@dataclass
class Rollup:
    """The round: its units in units.yml's order and the totals over the current ones."""

    config: Config
    as_of: date
    units: list[Unit]

    @property
    def current(self) -> list[Unit]:
        return [u for u in self.units if u.current]

    @property
    def lacking(self) -> list[Unit]:
        return [u for u in self.units if not u.current]

    def total(self) -> Unit:
        """The round's figures: the sum over the units whose figures are current."""
        found = Unit(Source("", R["total"], ""))
        for u in self.current:
            found.problems += u.problems
            found.measures += u.measures
            for s in STATUSES:
                found.by_status[s] += u.by_status[s]
            found.overdue += u.overdue
            found.due_soon += u.due_soon
            found.completed_due += u.completed_due
            found.on_time += u.on_time
        return found

    def warnings(self) -> list[str]:
        """One line per unit without current figures: `mkdocs build --strict` stops on them unless allowed."""
        return [R["warning"].format(id=u.source.id, name=u.source.name, state=R[u.state], reason=u.reason)
                for u in self.lacking]


class ConfigError(Exception):
    def __init__(self, errors: list[Error]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


def load_config(root: Path) -> Config:
    """units.yml at `root`; ConfigError with PATH:LINE: FIELD: MESSAGE lines."""
    path = root / CONFIG
    try:
        source = path.read_text(encoding="utf-8")
        node = yaml.compose(source, Loader=yaml.SafeLoader)
        data = yaml.safe_load(source)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        raise ConfigError([Error(CONFIG, line, "-", R["bad_yaml"].format(error=str(exc).splitlines()[0]))]) from None
    errors: list[Error] = []

    def fail(where: Any, key: str, message: str) -> None:
        errors.append(Error(CONFIG, where.start_mark.line + 1 if where is not None else 1, key, message))

    if not isinstance(data, dict):
        fail(node, "-", R["not_mapping"])
        raise ConfigError(errors)
    nodes = {k.value: v for k, v in node.value}
    for key in sorted(set(data) - _KEYS):
        fail(nodes.get(key), str(key), R["unknown_key"])
    if not isinstance(data.get("round"), str) or not data["round"].strip():
        fail(nodes.get("round", node), "round", R["required"])
    dates = {}
    for key in ("from", "to"):
        value = data.get(key)
        if value is not None and not isinstance(value, date):
            fail(nodes.get(key), key, R["bad_date"].format(value=show(value)))
        dates[key] = value if isinstance(value, date) else None
    numbers = {}
    for key, kind, default in (("max_age_days", int, 8), ("timeout_seconds", (int, float), 10.0), ("max_bytes", int, 64 << 20)):
        value = data.get(key, default)
        if not isinstance(value, kind) or isinstance(value, bool) or value <= 0:
            fail(nodes.get(key), key, R["bad_number"].format(value=show(value)))
            value = default
        numbers[key] = value
    allow = data.get("allow_missing", False)
    if not isinstance(allow, bool):
        fail(nodes.get("allow_missing"), "allow_missing", R["bad_bool"].format(value=show(allow)))
    units: list[Source] = []
    listed = data.get("units")
    if not isinstance(listed, list) or not listed:
        fail(nodes.get("units", node), "units", R["no_units"])
        listed = []
    seen: set[str] = set()
    for i, (item, item_node) in enumerate(zip(listed, nodes["units"].value if "units" in nodes and listed else [])):
        where = f"units[{i}]"
        if not isinstance(item, dict):
            fail(item_node, where, R["not_mapping"])
            continue
        item_nodes = {k.value: v for k, v in item_node.value}
        for key in sorted(set(item) - _UNIT_KEYS):
            fail(item_nodes.get(key), f"{where}.{key}", R["unknown_key"])
        for key in ("id", "name", "export"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                fail(item_nodes.get(key, item_node), f"{where}.{key}", R["required"])
        uid = item.get("id")
        if isinstance(uid, str) and not ID.fullmatch(uid):
            fail(item_nodes["id"], f"{where}.id", R["bad_id"].format(value=show(uid)))
        elif isinstance(uid, str) and uid in seen:
            fail(item_nodes["id"], f"{where}.id", R["duplicate_id"].format(value=show(uid)))
        site = item.get("site")
        if site is not None and not isinstance(site, str):
            fail(item_nodes.get("site"), f"{where}.site", R["bad_url"].format(value=show(site)))
        if isinstance(uid, str):
            seen.add(uid)
            units.append(Source(uid, str(item.get("name", "")), str(item.get("export", "")), site if isinstance(site, str) else None))
    if errors:
        raise ConfigError(errors)
    return Config(data["round"].strip(), dates["from"], dates["to"], units, numbers["max_age_days"],
                  allow, float(numbers["timeout_seconds"]), numbers["max_bytes"])


def gather(root: Path, config: Config, as_of: date) -> Rollup:
    """Every unit's export fetched (side by side: most of the time is waiting) and read."""
    return Rollup(config, as_of, parallel.waiting(lambda s: read(root, config, s, as_of), config.units))


def is_url(where: str) -> bool:
    return where.startswith(("http://", "https://"))


def fetch(root: Path, config: Config, where: str) -> bytes:
    """The export's bytes, at most `max_bytes`; OSError (FileNotFoundError when there is none) otherwise."""
    limit = config.max_bytes
    if is_url(where):
        try:
            with urllib.request.urlopen(where, timeout=config.timeout_seconds) as answer:
                data = answer.read(limit + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise FileNotFoundError(R["http_status"].format(code=exc.code)) from None
            raise OSError(R["http_status"].format(code=exc.code)) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise OSError(R["timeout"].format(seconds=config.timeout_seconds)) from None
            raise OSError(R["unreachable"].format(reason=exc.reason)) from None
        except TimeoutError:  # the answer started, then stalled
            raise OSError(R["timeout"].format(seconds=config.timeout_seconds)) from None
    else:
        path = root / where
        with path.open("rb") as f:
            data = f.read(limit + 1)
    if len(data) > limit:
        raise OSError(R["too_big"].format(limit=limit))
    return data


def read(root: Path, config: Config, source: Source, as_of: date) -> Unit:
    """One unit's export, or the unit marked with why its figures are not shown as current."""
    unit = Unit(source)
    try:
        raw = fetch(root, config, source.export)
    except FileNotFoundError as exc:
        return _marked(unit, "missing", R["not_found"].format(where=source.export, why=_why(exc)))
    except OSError as exc:
        return _marked(unit, "unreadable", _why(exc))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return _marked(unit, "unreadable", R["not_json"].format(error=str(exc)[:120]))
    if not isinstance(data, dict):
        return _marked(unit, "unreadable", R["not_json"].format(error=type(data).__name__))
    version = data.get("schema_version")
    if version not in KNOWN_VERSIONS or isinstance(version, bool):
        return _marked(unit, "unknown_schema", R["version"].format(version=show(version), known=SCHEMA_VERSION))
    try:
        _figures(unit, data)
    except (KeyError, TypeError, ValueError) as exc:
        return _marked(unit, "unreadable", R["bad_export"].format(error=show(exc, 80)))
    if unit.as_of is not None and unit.as_of < as_of - timedelta(days=config.max_age_days):
        return _marked(unit, "stale", R["stale_reason"].format(as_of=unit.as_of, days=(as_of - unit.as_of).days,
                                                               max=config.max_age_days))
    return unit


def _figures(unit: Unit, data: dict[str, Any]) -> None:
    """Figures as the unit's own build derived them; the counts are checked to be counts."""
    ledger, summary = data["ledger"], data["summary"]
    unit.as_of = date.fromisoformat(ledger["as_of"])
    unit.commit = data["commit"] if isinstance(data.get("commit"), str) else None
    unit.title = str(ledger.get("title") or "")
    unit.problems = _count(summary["problems"])
    unit.measures = _count(summary["measures"])
    unit.by_status = {s: _count(summary["measures_by_status"][s]) for s in STATUSES}
    unit.overdue = _count(summary["overdue"])
    unit.due_soon = _count(summary["due_soon"])
    unit.areas = [{"id": str(a["id"]), "name": str(a["name"]), "problems": _count(a["problems"]),
                   "measures": _count(a["measures"]), "completion_rate": float(a["completion_rate"])}
                  for a in data["areas"]]
    for m in data["measures"]:
        if m["status"] in ("done", "closed") and m["due"] != "long_term":
            unit.completed_due += 1
            unit.on_time += not m["late"]
        if m["overdue"] or m["due_soon"]:
            unit.urgent.append(UnitMeasure(str(m["id"]), str(m["problem"]), str(m["text"]), str(m["due"]), str(m["status"]),
                                       bool(m["overdue"]), m.get("progress") if isinstance(m.get("progress"), str) else None))
    unit.urgent.sort(key=lambda m: (not m.overdue, m.due, m.id))


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(value)
    return value


def _marked(unit: Unit, state: str, reason: str) -> Unit:
    """The unit with its state; a stale unit keeps its figures, shown with their date, never summed."""
    unit.state, unit.reason = state, reason
    return unit


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)

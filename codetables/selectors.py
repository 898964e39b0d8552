"""Reads of the code tables: names for codes, choices for forms, legacy values to codes.

Tables change once a year at most; each process keeps what it read for a few minutes.
A version missing from the database (a table not loaded yet) is read from the repo's files.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from codetables import files

CACHE_SECONDS = 300
_cache: dict[tuple[str, str], tuple[float, CodeSet]] = {}
_current: dict[str, tuple[float, str]] = {}


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    parent: str = ""
    attrs: dict = field(default_factory=dict)


@dataclass
class CodeSet:
    table: str
    version: str
    entries: dict[str, Entry]

    def get(self, code: str | None) -> Entry | None:
        return self.entries.get(code or "")

    def name(self, code: str | None) -> str:
        entry = self.get(code)
        return entry.name if entry else (code or "")

    def choices(self) -> list[tuple[str, str]]:
        return [(e.code, e.name) for e in self.entries.values()]


def clear_cache() -> None:
    _cache.clear()
    _current.clear()


def current_version(table: str) -> str:
    hit = _current.get(table)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    from codetables.models import TableVersion

    version = (
        TableVersion.objects.filter(table=table, is_current=True)
        .values_list("version", flat=True)
        .first()
    ) or files.current_version(table)
    _current[table] = (time.monotonic() + CACHE_SECONDS, version)
    return version


def table(name: str, version: str | None = None) -> CodeSet:
    version = version or current_version(name)
    hit = _cache.get((name, version))
    if hit and hit[0] > time.monotonic():
        return hit[1]
    from codetables.models import Code

    rows = list(
        Code.objects.filter(version__table=name, version__version=version)
        .order_by("position")
        .values_list("code", "name", "parent", "attrs")
    )
    if rows:
        entries = {c: Entry(c, n, p, a) for c, n, p, a in rows}
    else:
        entries = {
            r["code"]: Entry(
                r["code"],
                r["name"],
                r.get("parent", ""),
                {k: v for k, v in r.items() if k not in ("code", "name", "parent")},
            )
            for r in files.rows(name, version)
        }
    codes = CodeSet(name, version, entries)
    _cache[(name, version)] = (time.monotonic() + CACHE_SECONDS, codes)
    return codes


def name_of(name: str, code: str | None, version: str | None = None) -> str:
    """The code's name in the version it was registered with (else the current one)."""
    if not code:
        return ""
    entry = table(name, version).get(code) if version else None
    return (entry or table(name).get(code) or Entry(code, code)).name


def choices(name: str) -> list[tuple[str, str]]:
    return table(name).choices()


def normalize(name: str, value: str | None) -> str:
    """A current code for a code, an old vocabulary key, a name, or (industry) a GB/T 4754 letter.

    Unknown values come back unchanged, for the validator to refuse with a clear message.
    """
    value = (value or "").strip()
    if not value:
        return ""
    codes = table(name)
    if value in codes.entries:
        return value
    for entry in codes.entries.values():
        legacy = entry.attrs.get("legacy", "")
        if (legacy and value in legacy.split("|")) or value == entry.name:
            return entry.code
        if name == files.INDUSTRY and value.upper() == entry.attrs.get("section"):
            return entry.code
    return value


def category_of(code: str | None, version: str | None = None) -> str:
    """employed | further_study | unplaced (for 毕业去向代码)."""
    entry = table(files.DESTINATION, version).get(code) or table(files.DESTINATION).get(code)
    return entry.attrs.get("category", "") if entry else ""


def region_code_for(province: str | None, city: str | None = "") -> str:
    """The GB/T 2260 code of "湖南省", "长沙市" (the city's if known, else the province's)."""
    province, city = (province or "").strip(), (city or "").strip()
    if not province and not city:
        return ""
    regions = table(files.REGION)
    key = (regions.version, province, city)
    if key not in _region_memo:
        if len(_region_memo) > 5000:
            _region_memo.clear()
        _region_memo[key] = _region_code(regions, province, city)
    return _region_memo[key]


_region_memo: dict[tuple[str, str, str], str] = {}


def _named(entries: list[Entry], name: str) -> Entry | None:
    exact = next((e for e in entries if e.name == name), None)
    if exact or len(name) < 2:
        return exact
    return next((e for e in entries if e.name.startswith(name)), None)


def _region_code(regions: CodeSet, province: str, city: str) -> str:
    provinces = [e for e in regions.entries.values() if not e.parent]
    province_entry = _named(provinces, province) if province else None
    if province_entry is None and province and len(province) >= 2:
        province_entry = _named(provinces, province[:2])
    if city and city != province:
        below = [
            e
            for e in regions.entries.values()
            if e.parent and (province_entry is None or e.code[:2] == province_entry.code[:2])
        ]
        found = _named(below, city)
        if found:
            return found.code
    return province_entry.code if province_entry else ""


def region_label(code: str | None, version: str | None = None) -> str:
    """ "湖南省长沙市岳麓区" for 430104: the names up the tree."""
    regions = table(files.REGION, version) if version else table(files.REGION)
    names = []
    entry = regions.get(code)
    while entry is not None:
        if not names or names[-1] != entry.name:
            names.append(entry.name)
        entry = regions.get(entry.parent) if entry.parent else None
    return "".join(reversed(names)) or (code or "")

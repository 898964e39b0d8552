"""Reads on employers: the directory search, lists for operators, the HR cross-school view."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet

from employers.credit_code import is_code_prefix
from employers.models import (
    TIER_PENDING,
    TIER_VERIFIED,
    AgreementIndexEntry,
    Employer,
    Industry,
    Nature,
    Status,
)
from employers.search_keys import bigrams, normalize

MAX_LIMIT = 50
MAX_QUERY = 50
# A capped prefix range larger than this is ranked by walking the ranking index instead.
PREFIX_CAP = 2000
# How far the ranking-index walk goes before a common term falls back to the bigram GIN.
SCAN_CAP = 40000

COLUMNS = (
    "id, name, credit_code, nature, industry, province, city, in_directory, "
    "search_tier, name_length"
)
RANK = "search_tier, name_length, id"

# Class of a match within a tier: exact name, name prefix, anywhere in the name.
EXACT, PREFIX, INSIDE = 0, 1, 2


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fetch(sql: str, params: list[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _capped_prefix(column: str, prefix: str, max_tier: int, limit: int) -> list[tuple]:
    """Top `limit` by rank among rows whose `column` starts with `prefix`.

    A btree (COLLATE "C") range gives the candidates; if there are more than PREFIX_CAP the
    prefix is common, and walking the ranking index finds the best ones sooner.
    """
    pattern = _like_escape(prefix) + "%"
    rows = _fetch(
        f"""
        WITH c AS MATERIALIZED (
            SELECT {COLUMNS} FROM employers_employer
            WHERE {column} LIKE %s AND search_tier <= %s LIMIT %s
        )
        SELECT *, (SELECT count(*) FROM c) FROM c ORDER BY {RANK} LIMIT %s
        """,  # noqa: S608 - column and the lists are constants
        [pattern, max_tier, PREFIX_CAP + 1, limit],
    )
    if not rows or rows[0][-1] <= PREFIX_CAP:
        return [row[:-1] for row in rows]
    return _ranked_walk(f"w.{column} LIKE %s", [pattern], max_tier, limit, column) or []


def _ranked_walk(
    condition: str, params: list[Any], max_tier: int, limit: int, column: str = "search_name"
) -> list[tuple] | None:
    """Walk the ranking index (tier, length, id) and keep the first matches: exact ranking
    for terms common enough that the first `limit` turn up early. None if the walk ran
    SCAN_CAP entries without finding `limit` matches (the term is rarer than it looked)."""
    include = "search_name" if column == "search_name" else f"search_name, {column}"
    rows = _fetch(
        f"""
        WITH m AS MATERIALIZED (
            SELECT id FROM (
                SELECT id, {include}, search_tier, name_length FROM employers_employer
                WHERE search_tier <= %s ORDER BY {RANK} LIMIT %s
            ) w
            WHERE {condition}
            LIMIT %s
        )
        SELECT {COLUMNS} FROM employers_employer WHERE id IN (SELECT id FROM m)
        ORDER BY {RANK}
        """,  # noqa: S608 - condition and columns are constants
        [max_tier, SCAN_CAP, *params, limit],
    )
    if len(rows) < limit:
        return None
    return rows


def _rarest_bigrams(grams: list[str]) -> list[tuple[str, int]]:
    counts = dict(
        _fetch(
            "SELECT bigram, employers FROM employers_bigramcount WHERE bigram = ANY(%s)",
            [grams],
        )
    )
    return sorted(((g, counts.get(g, 0)) for g in grams), key=lambda pair: pair[1])


def _inside(text: str, max_tier: int, limit: int) -> list[tuple]:
    """Names containing `text` (two characters or more), top `limit` by rank."""
    grams = bigrams(text)
    ranked = _rarest_bigrams(grams)
    if not ranked or ranked[0][1] == 0:
        return []
    pattern = "%" + _like_escape(text) + "%"
    if ranked[0][1] > settings.EMPLOYER_SEARCH_RARE_BIGRAM:
        rows = _ranked_walk("w.search_name LIKE %s", [pattern], max_tier, limit)
        if rows is not None:
            return rows
    # The GIN over bigrams: the rarest few are enough to narrow, LIKE checks the order.
    keys = [gram for gram, _count in ranked[:3]]
    return _fetch(
        f"""
        SELECT {COLUMNS} FROM (
            SELECT {COLUMNS}, search_name FROM employers_employer
            WHERE name_bigrams @> %s::varchar[] OFFSET 0
        ) c
        WHERE search_tier <= %s AND search_name LIKE %s
        ORDER BY {RANK} LIMIT %s
        """,  # noqa: S608 - constants only
        [keys, max_tier, pattern, limit],
    )


def _exact(column: str, text: str, max_tier: int, limit: int) -> list[tuple]:
    return _fetch(
        f"SELECT {COLUMNS} FROM employers_employer WHERE {column} = %s AND search_tier <= %s "  # noqa: S608
        f"ORDER BY {RANK} LIMIT %s",
        [text, max_tier, limit],
    )


def _by_code(code: str, max_tier: int, limit: int) -> list[tuple]:
    """Credit-code prefix: the unique index is COLLATE "C", so ORDER BY … LIMIT stops early."""
    rows: list[tuple] = []
    for tier in range(TIER_VERIFIED, max_tier + 1):
        rows += _fetch(
            f"SELECT {COLUMNS} FROM employers_employer "  # noqa: S608
            "WHERE credit_code LIKE %s AND search_tier = %s ORDER BY credit_code LIMIT %s",
            [_like_escape(code) + "%", tier, limit - len(rows)],
        )
        if len(rows) >= limit:
            break
    return rows


def _merge_ranked(classed: list[tuple[int, list[tuple]]], limit: int) -> list[tuple]:
    """Union of per-class top lists, ranked by (tier, class, length, id).

    Each list holds its class's best `limit` by (tier, length, id), so the union holds the
    overall best `limit`; an id seen in several lists keeps its best class.
    """
    best: dict[int, tuple[tuple, tuple]] = {}
    for match_class, rows in classed:
        for row in rows:
            key = (row[8], match_class, row[9], row[0])
            if row[0] not in best or key < best[row[0]][0]:
                best[row[0]] = (key, row)
    return [row for _key, row in sorted(best.values())][:limit]


def _as_result(row: tuple) -> dict[str, Any]:
    pk, name, code, nature, industry, province, city, in_directory, tier, _length = row
    region = province if not city or city == province else f"{province}{city}"
    return {
        "id": pk,
        "name": name,
        "credit_code": code,
        "nature": nature,
        "nature_display": str(Nature(nature).label) if nature in Nature.values else "",
        "industry": industry,
        "industry_display": str(Industry(industry).label) if industry in Industry.values else "",
        "province": province,
        "city": city,
        "region": region,
        "cloud": bool(in_directory),
        "verified": tier == TIER_VERIFIED,
    }


def search_employers(q: str, limit: int = 10, include_unverified: bool = False) -> list[dict]:
    """Suggestions for what someone is typing: Chinese substrings, pinyin, credit codes.

    Verified entries always rank above unverified ones (shown only when asked for);
    within each, exact and prefix matches come first, then shorter names.
    """
    text = normalize(q)[:MAX_QUERY]
    limit = max(1, min(int(limit or 10), MAX_LIMIT))
    if not text:
        return []
    max_tier = TIER_PENDING if include_unverified else TIER_VERIFIED
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Parallel workers cost more to start than these queries take.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        if is_code_prefix(text.upper()):
            rows = _by_code(text.upper(), max_tier, limit)
        elif text.isascii() and text.isalnum():
            rows = _merge_ranked(
                [
                    (EXACT, _exact("name_initials", text, max_tier, limit)),
                    (EXACT, _exact("name_pinyin", text, max_tier, limit)),
                    (PREFIX, _capped_prefix("name_initials", text, max_tier, limit)),
                    (PREFIX, _capped_prefix("name_pinyin", text, max_tier, limit)),
                ],
                limit,
            )
        else:
            classed = [
                (EXACT, _exact("search_name", text, max_tier, limit)),
                (PREFIX, _capped_prefix("search_name", text, max_tier, limit)),
            ]
            if len(text) >= 2:
                classed.append((INSIDE, _inside(text, max_tier, limit)))
            rows = _merge_ranked(classed, limit)
    return [_as_result(row) for row in rows]


# --- operators and HR ---------------------------------------------------------------------


def employer_queue() -> QuerySet[Employer]:
    """Organisations waiting for verification, oldest first."""
    return Employer.objects.filter(status=Status.PENDING).order_by("created_at", "id")


def employer_list(status: str | None = None, q: str = "") -> QuerySet[Employer]:
    qs = Employer.objects.all().order_by("-updated_at", "-id")
    if status:
        qs = qs.filter(status=status)
    if q:
        text = normalize(q)
        qs = qs.filter(Q(search_name__contains=text) | Q(credit_code__startswith=text.upper()))
    return qs


def get_employer(employer_id: int) -> Employer | None:
    return Employer.objects.filter(pk=employer_id).first()


def employer_dashboard(
    employer: Employer, school=None, state: str | None = None, limit: int = 200
) -> dict[str, Any]:
    """What an employer has going on in every school, from the public index alone.

    Returns {"entries": [...], "by_school": [{school, name, total, states{}}], "by_state": {}}.
    """
    base = AgreementIndexEntry.objects.filter(employer=employer)
    entries = base.select_related("school")
    if school is not None:
        entries = entries.filter(school=school)
    if state:
        entries = entries.filter(state=state)
    by_school: dict[int, dict[str, Any]] = {}
    by_state: dict[str, int] = {}
    for row in (
        base.values("school_id", "school__name", "state")
        .annotate(n=Count("id"))
        .order_by("school__name", "state")
    ):
        entry = by_school.setdefault(
            row["school_id"],
            {"school_id": row["school_id"], "name": row["school__name"], "total": 0, "states": {}},
        )
        entry["states"][row["state"]] = row["n"]
        entry["total"] += row["n"]
        by_state[row["state"]] = by_state.get(row["state"], 0) + row["n"]
    return {
        "entries": list(entries[:limit]),
        "by_school": list(by_school.values()),
        "by_state": by_state,
    }

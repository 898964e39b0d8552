"""Reads on employers: the directory search, lists for operators, the HR cross-school view."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet

from accounts.models import Role
from employers.credit_code import is_code_prefix
from employers.models import (
    TIER_PENDING,
    TIER_VERIFIED,
    AgreementIndexEntry,
    Employer,
    Industry,
    Membership,
    Nature,
    Status,
)
from employers.search_keys import bigrams, normalize

MAX_LIMIT = 50
MAX_QUERY = 50
# A prefix matching more names than this is ranked by walking the ranking index instead.
PREFIX_CAP = 2000
# Bound on any walk: postings of a term's rarest bigram, or the ranking index for a
# common prefix. Only a term whose every bigram is common yet which itself is rare
# can reach it; it then gets the matches found so far.
SCAN_CAP = 50000
# Bigram counts this high are cached in the process: they only choose which bigram to
# walk, and a common one stays common. Rare ones are read fresh (a new name may hold them).
COUNT_CACHE_MIN = 1000
COUNT_CACHE_TTL = 300.0
COUNT_CACHE_SIZE = 20000

COLUMNS = (
    "id, name, credit_code, nature, industry, province, city, in_directory, "
    "search_tier, name_length, search_name, name_initials, name_pinyin"
)
RANK = "search_tier, name_length, id"
PARALLEL_OFF = "SET LOCAL max_parallel_workers_per_gather = 0"

# Class of a match within a tier: exact, prefix, anywhere in the name.
EXACT, PREFIX, INSIDE = 0, 1, 2

_count_cache: dict[str, tuple[int, float]] = {}


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _run(sql: str, params: dict[str, Any]) -> list[tuple]:
    """One round trip: parallel workers off, then the query.

    Parallel workers cost more to start than these queries take. In autocommit (the API)
    both statements run in one implicit transaction, which SET LOCAL lasts for; inside a
    caller's transaction it lasts to that transaction's end. Needs client-side binding
    (Django's default for psycopg 3): the extended protocol takes one statement.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"{PARALLEL_OFF}; {sql}", params)
        cursor.nextset()
        return cursor.fetchall()


def _bigram_counts(grams: list[str]) -> dict[str, int]:
    now = time.monotonic()
    counts, missing = {}, []
    for gram in grams:
        cached = _count_cache.get(gram)
        if cached and now - cached[1] < COUNT_CACHE_TTL:
            counts[gram] = cached[0]
        else:
            missing.append(gram)
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT bigram, employers FROM employers_bigramcount WHERE bigram = ANY(%s)",
                [missing],
            )
            fresh = dict(cursor.fetchall())
        if len(_count_cache) > COUNT_CACHE_SIZE:
            _count_cache.clear()
        for gram in missing:
            counts[gram] = fresh.get(gram, 0)
            if counts[gram] >= COUNT_CACHE_MIN:
                _count_cache[gram] = (counts[gram], now)
    return counts


def _prefix_ctes(name: str, column: str) -> str:
    """Names whose `column` starts with the prefix: the btree (COLLATE "C") range, capped;
    past the cap the prefix is common and a walk of the ranking index finds the best."""
    return f"""
        {name} AS MATERIALIZED (
            SELECT id, search_tier, name_length FROM employers_employer
            WHERE {column} LIKE %({name}_like)s AND search_tier <= %(tier)s LIMIT %(cap)s
        ),
        {name}_top AS (SELECT id FROM {name} ORDER BY {RANK} LIMIT %(limit)s),
        {name}_walk AS MATERIALIZED (
            SELECT id FROM (
                SELECT id, {column} AS key FROM employers_employer
                WHERE search_tier <= %(tier)s ORDER BY {RANK} LIMIT %(scan)s
            ) w
            WHERE w.key LIKE %({name}_like)s AND (SELECT count(*) FROM {name}) >= %(cap)s
            LIMIT %(limit)s
        )"""  # noqa: S608 - names and columns are constants


def _postings_cte(name: str, check: bool) -> str:
    """Walk the rarest bigram's postings in rank order and keep names holding the whole
    term: exact ranking that stops after `limit` matches. OFFSET 0 keeps the check a
    per-posting nested loop, so the walk's order survives and nothing is sorted. A
    two-character term is its bigram: every posting is a match, no name is read."""
    if not check:
        return f"""
        {name} AS (
            SELECT employer_id AS id FROM employers_namebigram
            WHERE bigram = %(key)s AND rank < %(max_rank)s
            ORDER BY rank, employer_id LIMIT %(limit)s
        )"""  # noqa: S608 - constants only
    return f"""
        {name} AS MATERIALIZED (
            SELECT p.employer_id AS id FROM (
                SELECT employer_id, rank FROM employers_namebigram
                WHERE bigram = %(key)s AND rank < %(max_rank)s
                ORDER BY rank, employer_id LIMIT %(scan)s
            ) p
            CROSS JOIN LATERAL (
                SELECT 1 FROM employers_employer e
                WHERE e.id = p.employer_id AND e.search_name LIKE %(inside_like)s
                OFFSET 0
            ) hit
            ORDER BY p.rank, p.employer_id
            LIMIT %(limit)s
        )"""  # noqa: S608 - constants only


def _fetch_ids(ctes: list[str], sources: list[str], params: dict[str, Any]) -> list[tuple]:
    union = " UNION ".join(f"SELECT id FROM {source}" for source in sources)  # noqa: S608
    sql = f"""
        WITH {",".join(ctes)}
        SELECT {COLUMNS} FROM employers_employer WHERE id IN ({union})
    """  # noqa: S608 - built from constants only
    return _run(sql, params)


def _name_rows(text: str, max_tier: int, limit: int) -> list[tuple]:
    params: dict[str, Any] = {
        "tier": max_tier,
        "limit": limit,
        "cap": PREFIX_CAP,
        "scan": SCAN_CAP,
        "p_like": _like_escape(text) + "%",
    }
    ctes = [_prefix_ctes("p", "search_name")]
    sources = ["p_top", "p_walk"]
    if len(text) >= 2:
        grams = bigrams(text)
        counts = _bigram_counts(grams)
        if min(counts.values()) == 0:
            return []  # no name holds one of its bigrams, so no name holds the text
        params["key"] = min(grams, key=counts.__getitem__)
        params["max_rank"] = (max_tier + 1) * 1000
        params["inside_like"] = "%" + _like_escape(text) + "%"
        ctes.append(_postings_cte("inside", check=len(text) > 2))
        sources.append("inside")
    return _fetch_ids(ctes, sources, params)


def _pinyin_rows(text: str, max_tier: int, limit: int) -> list[tuple]:
    params = {
        "tier": max_tier,
        "limit": limit,
        "cap": PREFIX_CAP,
        "scan": SCAN_CAP,
        "ini_like": _like_escape(text) + "%",
        "py_like": _like_escape(text) + "%",
    }
    ctes = [_prefix_ctes("ini", "name_initials"), _prefix_ctes("py", "name_pinyin")]
    return _fetch_ids(ctes, ["ini_top", "ini_walk", "py_top", "py_walk"], params)


def _code_rows(code: str, max_tier: int, limit: int) -> list[tuple]:
    """Credit-code prefix: the unique btree is COLLATE "C", so ORDER BY … LIMIT stops early."""
    parts = [
        f"(SELECT {COLUMNS} FROM employers_employer WHERE credit_code LIKE %(like)s AND search_tier = {tier} ORDER BY credit_code LIMIT %(limit)s)"  # noqa: S608
        for tier in range(TIER_VERIFIED, max_tier + 1)
    ]
    rows = _run(" UNION ALL ".join(parts), {"like": _like_escape(code) + "%", "limit": limit})
    return sorted(rows, key=lambda row: (row[8], row[2]))[:limit]


def _rank(rows: list[tuple], match_class, limit: int) -> list[tuple]:
    """(tier, class, length, id): verified before unverified whatever the match."""
    return sorted(rows, key=lambda row: (row[8], match_class(row), row[9], row[0]))[:limit]


def _as_result(row: tuple) -> dict[str, Any]:
    pk, name, code, nature, industry, province, city, in_directory, tier = row[:9]
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
    if is_code_prefix(text.upper()):
        rows = _code_rows(text.upper(), max_tier, limit)
    elif text.isascii() and text.isalnum():
        rows = _rank(
            _pinyin_rows(text, max_tier, limit),
            lambda row: EXACT if text in (row[11], row[12]) else PREFIX,
            limit,
        )
    else:
        rows = _rank(
            _name_rows(text, max_tier, limit),
            lambda row: (
                EXACT if row[10] == text else PREFIX if row[10].startswith(text) else INSIDE
            ),
            limit,
        )
    return [_as_result(row) for row in rows]


# --- operators and HR ---------------------------------------------------------------------


# --- merged employers: the one resolution of an employer id stored in a school ------------


def surviving_employer_id(employer_id: int | None) -> int | None:
    """The id that stands for `employer_id` now: itself, or the employer it was merged into.

    School schemas keep the employer id an agreement was made with; after a merge that id
    names a row marked merged. Every read of such an id goes through here (or through
    `employer_id_family`), so the surviving employer's HR, name and notices are used.
    """
    current, seen = employer_id, set()
    while current and current not in seen:
        seen.add(current)
        nxt = Employer.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if not nxt:
            return current
        current = nxt
    return current


def employer_id_family(employer_id: int) -> list[int]:
    """`employer_id` and every id merged into it: what a school may have stored for it."""
    ids, frontier = [employer_id], [employer_id]
    while frontier:
        frontier = [
            pk
            for pk in Employer.objects.filter(merged_into_id__in=frontier).values_list(
                "pk", flat=True
            )
            if pk not in ids
        ]
        ids += frontier
    return ids


def can_see_licence(user, employer: Employer) -> bool:
    """The licence image: an operator, or the HR of that employer."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.OPERATOR:
        return True
    membership = membership_of(user)
    return membership is not None and membership.employer_id == employer.pk


def membership_of(user) -> Membership | None:
    """The HR user's organisation link (None for anyone else)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.EMPLOYER:
        return None
    return (
        Membership.objects.select_related("employer").filter(user_id=user.pk).first()
        if user.pk
        else None
    )


def verified_employer_of(user) -> Employer | None:
    """The HR user's organisation if it may invite graduates (verified), else None."""
    membership = membership_of(user)
    if membership is None or not membership.employer.is_verified:
        return None
    return membership.employer


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


def employer_index(employer: Employer, school=None, state: str | None = None):
    """The employer's agreements in every school (or one), newest first, from the public index."""
    entries = AgreementIndexEntry.objects.filter(employer=employer).select_related("school")
    if school is not None:
        entries = entries.filter(school=school)
    if state:
        entries = entries.filter(state=state)
    return entries.order_by("-updated_at", "-id")


def employer_index_summary(employer: Employer) -> dict[str, Any]:
    """Counts per school ({school, school_id, name, total, states{}}) and per state."""
    by_school: dict[int, dict[str, Any]] = {}
    by_state: dict[str, int] = {}
    for row in (
        AgreementIndexEntry.objects.filter(employer=employer)
        .values("school_id", "school__name", "school__subdomain", "state")
        .annotate(n=Count("id"))
        .order_by("school__name", "state")
    ):
        entry = by_school.setdefault(
            row["school_id"],
            {
                "school": row["school__subdomain"],
                "school_id": row["school_id"],
                "name": row["school__name"],
                "total": 0,
                "states": {},
            },
        )
        entry["states"][row["state"]] = row["n"]
        entry["total"] += row["n"]
        by_state[row["state"]] = by_state.get(row["state"], 0) + row["n"]
    return {"by_school": list(by_school.values()), "by_state": by_state}


def employer_dashboard(
    employer: Employer, school=None, state: str | None = None, limit: int = 200
) -> dict[str, Any]:
    """The HR home page: the latest `limit` entries and the counts (the API pages instead).

    Returns {"entries": [...], "by_school": [{school, name, total, states{}}], "by_state": {}}.
    """
    return {
        "entries": list(employer_index(employer, school, state)[:limit]),
        **employer_index_summary(employer),
    }

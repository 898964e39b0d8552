"""The keys the directory search matches on, computed from an employer's name.

Plain PostgreSQL has no pg_trgm here (and trigrams can't serve two-character Chinese
queries anyway), so each name carries its own keys, kept up to date by the services:
- `search_name`: the name normalised (NFKC, lower case, no spaces) for substring/prefix LIKE;
- `name_bigrams`: its distinct character bigrams, posted one row each to `NameBigram`
  (a btree in rank order, no GIN index) for rare substrings;
- `name_initials` / `name_pinyin`: pinyin initials and full pinyin for btree prefix search.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin


def normalize(text: str | None) -> str:
    """Full-width brackets and letters become half-width; case and spaces stop mattering."""
    return "".join(unicodedata.normalize("NFKC", text or "").lower().split())


def bigrams(normalized: str) -> list[str]:
    return sorted({normalized[i : i + 2] for i in range(len(normalized) - 1)})


def _letters(parts: list[str]) -> str:
    return "".join(char for part in parts for char in part if char.isascii() and char.isalnum())


@lru_cache(maxsize=65536)
def pinyin_keys(normalized: str) -> tuple[str, str]:
    """(initials, full pinyin) of a normalised name: 腾讯计算机 → (txjsj, tengxunjisuanji).

    Non-Chinese characters keep their letters and digits in both keys, so a name such as
    "3M中国" is found by "3mzg" as well.
    """
    full = lazy_pinyin(normalized, style=Style.NORMAL, errors=lambda chars: list(chars))
    initials = [part[:1] for part in full]
    return _letters(initials), _letters(full)


def keys_for(name: str) -> dict:
    normalized = normalize(name)
    initials, full = pinyin_keys(normalized)
    return {
        "search_name": normalized,
        "name_length": len(normalized),
        "name_bigrams": bigrams(normalized),
        "name_initials": initials[:200],
        "name_pinyin": full[:400],
    }

"""所在地区: "湖南省长沙市" → ("湖南省", "长沙市")."""

from __future__ import annotations

import re

PROVINCE_RE = re.compile(r"^(.+?(?:省|自治区|特别行政区|市))(.*)$")
MUNICIPALITIES = ("北京", "天津", "上海", "重庆")


def split_region(text: str | None) -> tuple[str, str]:
    text = "".join((text or "").split()).replace("/", "").replace("-", "")
    if not text:
        return "", ""
    for city in MUNICIPALITIES:
        if text.startswith(city):
            rest = text[len(city) :].removeprefix("市")
            return f"{city}市", rest or f"{city}市"
    match = PROVINCE_RE.match(text)
    if not match:
        return text[:20], ""
    return match.group(1)[:20], match.group(2)[:40]

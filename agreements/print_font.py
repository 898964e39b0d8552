"""The serif CJK font of the printed agreement: Debian's Noto Serif CJK SC, cut down once.

WeasyPrint subsets fonts with HarfBuzz but keeps glyph ids (every glyph up to the highest
one used stays, empty), so a PDF set in the full Noto Serif CJK (65,000 glyphs, common
hanzi at high ids) carries ~140 KB of font per weight. A copy holding only GB 2312 (the
6,763 common hanzi, punctuation and ASCII), renumbered from 1, costs a few KB per PDF.
Characters outside it (rare characters in names) fall back to the full font through the
CSS font list, so nothing prints as a box.

The cut copy is built once per machine (fontTools, about a minute): by
`manage.py build_print_font` (image build, `make run`), or by the first render in a
worker or test. A web request never builds it; it renders with the full font meanwhile.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

SOURCE_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
)
SOURCE_FACE = "Noto Serif CJK SC"
FAMILY = "WQ Serif"
FALLBACK_FAMILIES = '"Noto Serif CJK SC", "Noto Serif CJK", serif'
REVISION = "1"


def source_font() -> Path | None:
    for candidate in SOURCE_CANDIDATES:
        if os.path.exists(candidate):
            return Path(candidate)
    return None


def font_dir() -> Path:
    configured = os.environ.get("PRINT_FONT_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "wangqian-fonts"


def font_path() -> Path | None:
    source = source_font()
    if source is None:
        return None
    stamp = int(source.stat().st_mtime)
    return font_dir() / f"wq-serif-gb2312-r{REVISION}-{stamp}.otf"


def _gb2312() -> set[int]:
    chars = set(range(0x20, 0x7F))
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return chars


def build(path: Path, source: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(source), lazy=True)
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == SOURCE_FACE)
    options = subset.Options()
    options.desubroutinize = True
    options.hinting = False
    options.layout_features = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_gb2312())
    subsetter.subset(font)
    tmp = path.with_suffix(".tmp")
    font.save(str(tmp))
    os.replace(tmp, path)


def ensure(*, build_if_missing: bool) -> Path | None:
    """The cut font's path, building it first if allowed; None: use the full font."""
    path = font_path()
    if path is None:
        return None
    if path.exists():
        return path
    if not build_if_missing:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder per machine; the others wait for it
        if not path.exists():
            logger.info("building the print font %s", path.name)
            build(path, source_font())
    return path


def css(path: Path | None) -> tuple[str, str]:
    """(the @font-face rule, the font-family list) for the document's stylesheet."""
    if path is None:
        return "", FALLBACK_FAMILIES
    face = f'@font-face {{ font-family: "{FAMILY}"; src: url("{path.as_uri()}"); }}'
    return face, f'"{FAMILY}", {FALLBACK_FAMILIES}'

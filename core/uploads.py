"""Uploaded files: accepted by their content, never by their name, and stored privately.

Images are decoded and re-encoded, which strips EXIF (GPS positions, camera serials) and
anything smuggled after the image data; decompression bombs are refused before decoding.
PDFs are parsed (pypdf) and refused if any object carries a script or an automatic action;
accepted ones are stored as they are.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.storage import schema_prefix

JPEG = "jpeg"
PNG = "png"
PDF = "pdf"
IMAGES = frozenset({JPEG, PNG})
IMAGES_AND_PDF = frozenset({JPEG, PNG, PDF})

CONTENT_TYPES = {JPEG: "image/jpeg", PNG: "image/png", PDF: "application/pdf"}
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", PDF: ".pdf"}
KIND_LABELS = {JPEG: "JPG", PNG: "PNG", PDF: "PDF"}

_signer = TimestampSigner(salt="core.uploads.download")


@dataclass(frozen=True)
class CleanUpload:
    content: ContentFile
    kind: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    return None


def _allowed_text(kinds: frozenset[str]) -> str:
    return "、".join(KIND_LABELS[kind] for kind in sorted(kinds, key=list(KIND_LABELS).index))


def _read_bounded(upload, max_bytes: int) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise _too_big(max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(max_bytes)
    return data


def _too_big(max_bytes: int) -> ValidationError:
    return ValidationError(
        _("文件太大：不能超过 %(size)s MB。"),
        params={"size": f"{max_bytes / 1024 / 1024:g}"},
        code="too_big",
    )


def _reencode_image(data: bytes, kind: str, max_pixels: int) -> bytes:
    unreadable = ValidationError(_("图片已损坏或无法识别，请重新拍照上传。"), code="corrupt")
    bomb = ValidationError(
        _("图片尺寸过大（超过 %(pixels)s 万像素），请缩小后再上传。"),
        params={"pixels": max_pixels // 10000},
        code="too_many_pixels",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                # The header's size, checked before a single pixel is decoded.
                if probe.width * probe.height > max_pixels:
                    raise bomb
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if kind == JPEG:
                    if image.mode not in ("RGB", "L"):
                        image = image.convert("RGB")
                    image.save(out, "JPEG", quality=88, optimize=True)
                else:
                    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                        image = image.convert("RGBA")
                    image.save(out, "PNG", optimize=True)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise unreadable from None
    return out.getvalue()


# Keys and action types that make a PDF do something when opened or clicked.
_PDF_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/RichMedia", "/EmbeddedFile"})
_PDF_ACTIVE_ACTIONS = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/RichMedia", "/Rendition"}
)


def _pdf_objects(reader):
    """Every object of the file: reachable from the trailer, or merely listed in a
    cross-reference table or stream (objects inside compressed object streams included)."""
    from pypdf.generic import IndirectObject

    numbers = set()
    for generation, entries in reader.xref.items():
        numbers.update((number, generation) for number in entries)
    numbers.update((number, 0) for number in reader.xref_objStm)
    roots = [reader.trailer] + [IndirectObject(n, g, reader) for n, g in sorted(numbers)]
    seen: set[tuple[int, int]] = set()
    stack = list(roots)
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            try:
                item = item.get_object()
            except Exception:
                continue
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_pdf(data: bytes) -> None:
    """Parse the PDF (pypdf) and refuse scripts and other active content wherever they sit.

    Names are compared after parsing, so `/J#61vaScript` is `/JavaScript`; compressed
    object streams are opened by the parser. Encrypted PDFs can't be inspected: refused.
    """
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    corrupt = ValidationError(_("PDF 文件不完整或已损坏。"), code="corrupt")
    active = ValidationError(_("PDF 中含有脚本或自动执行的动作，不能上传。"), code="active_content")
    if b"%%EOF" not in data[-2048:]:
        raise corrupt
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    pypdf_logger.setLevel(logging.ERROR)  # repairs of sloppy files are not our log's business
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("不能上传加密的 PDF 文件。"), code="encrypted")
        for obj in _pdf_objects(reader):
            if _PDF_ACTIVE_KEYS.intersection(str(key) for key in obj):
                raise active
            if str(obj.get("/S", "")) in _PDF_ACTIVE_ACTIONS:
                raise active
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise corrupt from None
    except Exception:  # a parser crash on a hostile file is a refusal, not a server error
        raise corrupt from None
    finally:
        pypdf_logger.setLevel(level)


def validate_upload(
    upload,
    *,
    kinds: frozenset[str] = IMAGES,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> CleanUpload:
    """Check an uploaded file by its content; return what may be stored.

    Raises ValidationError (Chinese) for a wrong type, an oversized file, a corrupt image
    or a decompression bomb.
    """
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    max_pixels = max_pixels or settings.UPLOAD_MAX_PIXELS
    data = _read_bounded(upload, max_bytes)
    if not data:
        raise ValidationError(_("文件是空的。"), code="empty")
    kind = sniff(data[:16])
    if kind not in kinds:
        raise ValidationError(
            _("只能上传 %(kinds)s 文件（按文件内容识别，改扩展名无效）。"),
            params={"kinds": _allowed_text(kinds)},
            code="file_type",
        )
    if kind in IMAGES:
        data = _reencode_image(data, kind, max_pixels)
    else:
        _check_pdf(data)
    return CleanUpload(content=ContentFile(data, name=f"upload{EXTENSIONS[kind]}"), kind=kind)


def download_token(name: str) -> str:
    return _signer.sign_object(name)  # URL-safe: keys hold "/"


def signed_url(request, name: str) -> str:
    """A short-lived URL for a stored object: S3's presigned URL, or our own signed link.

    Call only after the caller's permission check: whoever holds the URL can fetch the
    object until it expires (settings.UPLOAD_URL_TTL seconds).
    """
    ttl = settings.UPLOAD_URL_TTL
    storage = default_storage
    if hasattr(storage, "bucket_name"):  # S3
        return storage.url(name, expire=ttl)
    from django.urls import reverse

    return request.build_absolute_uri(reverse("signed-file", args=[download_token(name)]))


def name_from_token(token: str) -> str | None:
    try:
        name = _signer.unsign_object(token, max_age=settings.UPLOAD_URL_TTL)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(name, str) or not is_safe_name(name):
        return None
    # A link minted on one school's host (or the platform's) opens nothing on another's.
    if not name.startswith(schema_prefix() + "/"):
        return None
    return name


def is_safe_name(name: str) -> bool:
    """A storage key as we mint them: relative, normalised, no `..`, no backslash or NUL.

    `school_a/../school_b/x` starts with school_a's prefix but names school_b's file.
    """
    import posixpath

    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return False
    if any(part in ("", ".", "..") for part in name.split("/")):
        return False
    return posixpath.normpath(name) == name

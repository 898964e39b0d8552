"""The signed agreement as a PDF: rendered from the accepted, immutable version, stored once.

`render_pdf` builds the document (WeasyPrint, `templates/agreements/print/document.html`);
`stored_pdf` returns the object-storage name of the PDF for the agreement's current
dependencies (version, seal, logo, school name, copies settings, which ID-number variant,
this module's revision), rendering and storing it only when it is missing. A Celery task
renders both variants right after signing, so downloads normally just sign a URL.

ID numbers: the `full` variant (the graduate, school admins) prints the ID number in full, as
the school's filing form needs it; every other reader (college admins, the employer's HR)
gets the `masked` variant. No page or API answer ever shows it in full.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import io
import logging
import time
from functools import lru_cache
from typing import Any

from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from agreements import links, numbering, print_font
from agreements.content import sections_for_display
from agreements.models import Agreement, AgreementPaper
from agreements.workflow import Party
from core.masking import mask_id_number
from core.models import AuditLog
from core.storage import schema_prefix
from core.uploads import download_token, signed_url

logger = logging.getLogger(__name__)
# WeasyPrint logs every rendering step at INFO: noise in a worker's log, one line per step.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Bump when the template or the rendering changes: stored PDFs are then rendered again.
REVISION = "1"
FULL = "full"
MASKED = "masked"
VARIANTS = (FULL, MASKED)
CONTENT_TYPE = "application/pdf"
SEAL_MAX_PX = 360
LOGO_MAX_PX = 160


def variant_for(party: Party | None) -> str:
    return FULL if party in (Party.GRADUATE, Party.SCHOOL) else MASKED


# --- links --------------------------------------------------------------------------------


def school_url(school, path: str) -> str:
    """An absolute URL on the school's own host (also from the platform host or a worker)."""
    from tenants.naming import domain_for

    port = f":{django_settings.SITE_PORT}" if django_settings.SITE_PORT else ""
    return f"{django_settings.SITE_SCHEME}://{domain_for(school.subdomain)}{port}{path}"


def verify_url(school, token: str) -> str:
    return school_url(school, f"/verify/{token}")


# --- the pieces of the document -----------------------------------------------------------


@lru_cache(maxsize=64)
def _image_uri(name: str, max_px: int) -> str | None:
    """A stored image, scaled down and inlined (names are unique per upload: safe to cache)."""
    from PIL import Image

    try:
        with default_storage.open(name, "rb") as handle, Image.open(handle) as image:
            image.load()
            image.thumbnail((max_px, max_px))
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            out = io.BytesIO()
            image.save(out, "PNG", optimize=True)
    except (OSError, ValueError):
        logger.warning("print: image %s unreadable", name)
        return None
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _qr_uri(url: str) -> str:
    import segno

    # A small PNG, not SVG: WeasyPrint parses an SVG QR code's thousand modules on every
    # render. A fixed mask skips scoring all eight (any mask is valid for every decoder).
    return segno.make(url, error="m", mask=0, boost_error=False).png_data_uri(border=0, scale=3)


def review_record(agreement: Agreement) -> list[dict[str, Any]]:
    """Who approved at college and school level, and when (from the audit log)."""
    from accounts.models import User

    rows = list(
        AuditLog.objects.filter(
            target_type=agreement._meta.label_lower,
            target_id=str(agreement.pk),
            action__in=("agreement.approve", "agreement.accept", "agreement.submit"),
        ).order_by("created_at", "id")
    )
    names = dict(
        User.objects.filter(pk__in=[r.actor_id for r in rows if r.actor_id]).values_list(
            "pk", "display_name"
        )
    )
    labels = {
        "college_admin": _("院系审核通过"),
        "school_admin": _("学校审核通过"),
        "graduate": _("毕业生确认"),
    }
    out = []
    for row in rows:
        if row.action == "agreement.approve" and row.actor_role not in labels:
            continue
        out.append(
            {
                "step": labels.get(row.actor_role, row.action),
                "role": row.actor_role,
                "who": names.get(row.actor_id) or row.actor_username,
                "at": timezone.localtime(row.created_at),
            }
        )
    return out


BOX_TITLES = {"employer": _l("用人单位情况"), "job": _l("工作信息"), "archive": _l("档案与户口")}


def _boxes(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The boxed sections of the paper form, two fields a row (other terms get their own box)."""
    by_key = {s["key"]: s for s in sections_for_display(content)}
    out = []
    for key, title in BOX_TITLES.items():
        rows = by_key[key]["rows"]
        if len(rows) % 2:
            rows = [*rows, ("", "")]
        out.append({"title": str(title), "pairs": list(zip(rows[::2], rows[1::2], strict=True))})
    return out


def copies_of(settings) -> tuple[list[str | None], int]:
    """(the labels of the copies in the PDF, /NumCopies): named copies preset one of each."""
    labels = [label for label in (settings.print_copy_labels or []) if label.strip()]
    if labels:
        return labels, 1
    return [None], settings.print_copies


def document_context(
    agreement: Agreement,
    paper: AgreementPaper,
    *,
    school,
    settings,
    full_id: bool,
    build_font: bool = True,
) -> dict[str, Any]:
    graduate = agreement.graduate
    content = paper.version.content
    labels, _num = copies_of(settings)
    record = review_record(agreement)
    return {
        "agreement": agreement,
        "paper": paper,
        "number": numbering.display(agreement.number),
        "school_name": settings.school_name or school.name,
        "logo": _image_uri(settings.logo.name, LOGO_MAX_PX) if settings.logo else None,
        "seal": _image_uri(settings.seal.name, SEAL_MAX_PX) if settings.seal else None,
        "graduate": graduate,
        "education": graduate.get_education_level_display(),
        "id_number": graduate.id_number if full_id else mask_id_number(graduate.id_number),
        "boxes": _boxes(content),
        "content": content,
        "record": record,
        "college_review": next((r for r in record if r["role"] == "college_admin"), None),
        "school_review": next((r for r in record if r["role"] == "school_admin"), None),
        "signed_at": timezone.localtime(agreement.signed_at) if agreement.signed_at else None,
        "qr": _qr_uri(verify_url(school, paper.verify_token)),
        "verify_home": school_url(school, "/verify/"),
        "short_code": numbering.display_code(paper.short_code),
        "labels": labels,
        "generated_at": timezone.localtime(),
    }


_IMAGE_CACHE: dict = {}


@lru_cache(maxsize=4)
def _stylesheet(font_face: str, font_family: str):
    """The document's CSS, compiled once (cssselect2 compiles every selector: slow per PDF)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    text = render_to_string(
        "agreements/print/document.css", {"font_face": font_face, "font_family": font_family}
    )
    return CSS(string=text, font_config=font_config), font_config


# Released before interpreter teardown: FontConfiguration.__del__ needs its modules alive.
atexit.register(_stylesheet.cache_clear)


def render_pdf(
    agreement: Agreement,
    *,
    full_id: bool,
    school=None,
    settings=None,
    build_font: bool = True,
) -> bytes:
    """The PDF of a signed agreement, in the current school's schema.

    build_font: whether a missing cut font may be built first (a minute, once per machine):
    workers, commands and tests may; a web request renders with the full font instead.
    """
    import pydyf
    from weasyprint import HTML

    from settings_per_school.selectors import get_school_settings

    paper = AgreementPaper.objects.select_related("version").get(agreement=agreement)
    school = school or links.current_school()
    settings = settings or get_school_settings()
    context = document_context(
        agreement, paper, school=school, settings=settings, full_id=full_id, build_font=build_font
    )
    html = render_to_string("agreements/print/document.html", context)
    _labels, num_copies = copies_of(settings)

    def finisher(_document, pdf) -> None:
        # A hint to the print dialog (viewers honour 2–5); no JavaScript, no auto-print.
        pdf.catalog["ViewerPreferences"] = pydyf.Dictionary(
            {"NumCopies": num_copies, "PrintScaling": "/None", "DisplayDocTitle": "true"}
        )

    stylesheet, font_config = _stylesheet(
        *print_font.css(print_font.ensure(build_if_missing=build_font))
    )
    document = HTML(string=html, base_url=None)
    # The stylesheet and fonts are set up, the seal and logo decoded, once per process.
    return document.write_pdf(
        stylesheets=[stylesheet], font_config=font_config, finisher=finisher, cache=_IMAGE_CACHE
    )


# --- storage ------------------------------------------------------------------------------


def dependency_hash(agreement: Agreement, paper: AgreementPaper, settings, variant: str) -> str:
    font = print_font.font_path()
    parts = [
        REVISION,
        variant,
        str(paper.version_id),
        agreement.number or "",
        settings.school_name,
        settings.logo.name if settings.logo else "",
        settings.seal.name if settings.seal else "",
        str(settings.print_copies),
        "|".join(settings.print_copy_labels or []),
        font.name if font is not None and font.exists() else "full-font",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def storage_name(agreement: Agreement, paper: AgreementPaper, settings, variant: str) -> str:
    digest = dependency_hash(agreement, paper, settings, variant)
    # The last part is the file name the browser saves it under (the /files/ view sends it).
    return (
        f"{schema_prefix()}/agreement-pdfs/{agreement.pk}/"
        f"v{paper.version.number}-{variant}-{digest}/{download_filename(agreement)}"
    )


def stored_pdf(
    agreement: Agreement,
    variant: str,
    *,
    school=None,
    build_font: bool = True,
    paper: AgreementPaper | None = None,
) -> str:
    """The storage name of the agreement's PDF, rendered and stored first if missing."""
    from settings_per_school.selectors import get_school_settings

    settings = get_school_settings()
    if paper is None:
        paper = AgreementPaper.objects.select_related("version").get(agreement=agreement)
    name = storage_name(agreement, paper, settings, variant)
    if default_storage.exists(name):
        return name
    data = render_pdf(
        agreement,
        full_id=variant == FULL,
        school=school,
        settings=settings,
        build_font=build_font,
    )
    saved = default_storage.save(name, ContentFile(data))
    if saved != name:  # a concurrent render stored it first: keep one copy
        default_storage.delete(saved)
    return name


def download_filename(agreement: Agreement) -> str:
    return f"agreement-{agreement.number or agreement.pk}.pdf"


# --- after signing ------------------------------------------------------------------------

BROKER_COOL_DOWN_SECONDS = 5.0
_broker_down_until = 0.0


def render_after_commit(agreement_id: int) -> None:
    """Queue the rendering once the signing commits (in the signing school's schema)."""
    schema = connection.schema_name
    transaction.on_commit(lambda: _enqueue(schema, agreement_id))


def _enqueue(schema: str, agreement_id: int) -> None:
    global _broker_down_until
    from django_tenants.utils import schema_context

    from agreements.tasks import render_signed_pdf

    if time.monotonic() < _broker_down_until:
        return
    try:
        with schema_context(schema):
            render_signed_pdf.apply_async((agreement_id,), retry=False)
    except Exception as exc:  # broker down: the first download renders it instead
        _broker_down_until = time.monotonic() + BROKER_COOL_DOWN_SECONDS
        logger.warning("pdf of agreement %s not queued (%s)", agreement_id, type(exc).__name__)


def render_all_variants(agreement_id: int) -> list[str]:
    agreement = Agreement.objects.select_related("graduate", "graduate__college").get(
        pk=agreement_id
    )
    if agreement.number is None:
        return []
    return [stored_pdf(agreement, variant) for variant in VARIANTS]


# --- links to stored files (pages and API both hand them out) ------------------------------

REGISTER_XLSX_NAME = "agreements-register.xlsx"


def signed_link(request, name: str, *, school=None) -> str:
    """A signed URL of a stored object; on the platform host, one on the school's own host.

    Our own /files/ links only open on the host whose schema owns the key, so the HR on the
    platform host is sent to the school's host (S3's presigned URLs work anywhere).
    """
    if school is None or hasattr(default_storage, "bucket_name"):
        return signed_url(request, name)
    path = reverse("signed-file", args=[download_token(name)])
    return school_url(school, path)

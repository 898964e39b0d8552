"""Template pieces of the printed agreement, so the existing pages include them in one line."""

from __future__ import annotations

from django import template
from django.urls import reverse

from agreements import numbering, paper, print_services, printing
from agreements.models import AgreementPaper
from agreements.workflow import Party

register = template.Library()


@register.filter
def agreement_number(value: str | None) -> str:
    return numbering.display(value)


@register.inclusion_tag("agreements/print/_panel.html", takes_context=True)
def print_panel(context, agreement, party, school=None) -> dict:
    """Number, 打印/下载, the copies line and the paper copy, on an agreement's page."""
    if not agreement.number:
        return {"number": None}
    record = AgreementPaper.objects.filter(agreement=agreement).first()
    from settings_per_school.selectors import get_school_settings

    labels, copies = printing.copies_of(get_school_settings())
    printable = agreement.state in print_services.PRINTABLE_STATES
    if school is not None:  # the platform host (HR)
        pdf_url = reverse("employer-agreements:pdf", args=[school.subdomain, agreement.pk])
        upload_url = reverse(
            "employer-agreements:paper-scan-upload", args=[school.subdomain, agreement.pk]
        )
    else:
        pdf_url = reverse("agreements:pdf", args=[agreement.pk])
        upload_url = reverse("agreements:paper-scan-upload", args=[agreement.pk])
    return {
        "csrf_token": context.get("csrf_token"),
        "agreement": agreement,
        "number": agreement.number,
        "pdf_url": pdf_url if printable else None,
        "labels": [label for label in labels if label],
        "copies": len(labels) if labels[0] else copies,
        "paper": record,
        "paper_actions": {a.value for a in paper.allowed_paper_actions(agreement, record, party)},
        "upload_url": upload_url,
        "can_see_scan": school is None and party != Party.EMPLOYER,
        "scan_url": reverse("agreements:paper-scan", args=[agreement.pk]) if school is None else "",
    }


@register.inclusion_tag("agreements/print/_paper_summary.html", takes_context=True)
def paper_summary(context) -> dict:
    from core.context import actor_from_request

    return {"papers": print_services.paper_counts(actor_from_request(context["request"]))}

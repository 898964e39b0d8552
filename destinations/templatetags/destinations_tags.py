from django import template

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    """0.3333 → "33.3%"; no graduates (None) → "—"."""
    return "—" if rate is None else f"{rate * 100:.1f}%"

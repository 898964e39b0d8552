"""`{{ code|state_label }}`: an agreement state's Chinese label, for pages outside this app
(我的单位 reads the employers' cross-school index, which stores only the code)."""

from django import template

from agreements.models import State

register = template.Library()


@register.filter
def state_label(code: str) -> str:
    return str(State(code).label) if code in State.values else str(code)

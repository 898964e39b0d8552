from django import template

from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_messages(user) -> int:
    return unread_count(user)


@register.simple_tag
def notification_events() -> list[tuple[str, str]]:
    """Event codes a school can give a WeChat template (for the settings page)."""
    from notifications.events import EVENTS

    return [(code, f"{event.label}：{event.result}") for code, event in EVENTS.items()]

from django import template

from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_messages(user) -> int:
    return unread_count(user)

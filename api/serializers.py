"""Small answers several apps give (counts of what an action touched)."""

from rest_framework import serializers


class MarkedOut(serializers.Serializer):
    marked = serializers.IntegerField(help_text="标记为已读的条数")


class UnreadOut(serializers.Serializer):
    unread = serializers.IntegerField(help_text="未读条数")

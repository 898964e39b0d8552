"""The one pagination of every API list (documented as paginated in the OpenAPI).

A list view sets ``pagination_class = Pagination`` (so drf-spectacular documents the
``{count, next, previous, results}`` envelope and the ``page``/``page_size`` parameters) and
answers with ``paginated()``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = _("页码无效或超出范围。")
    page_query_description = _("页码（从 1 开始）。")
    page_size_query_description = _("每页条数（默认 50，最多 200）。")


def paginated(view, request, queryset, serializer_class, **serializer_kwargs) -> Response:
    """One page of ``queryset`` through ``serializer_class``, in the paginated envelope."""
    paginator = view.paginator if hasattr(view, "paginator") else Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, **serializer_kwargs).data
    return paginator.get_paginated_response(data)


class PaginatedListMixin:
    """For APIViews with a list GET: the paginator drf-spectacular and ``paginated()`` use."""

    pagination_class = Pagination

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            self._paginator = self.pagination_class()
        return self._paginator

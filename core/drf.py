"""What every API shares: pagination, permissions by capability, and api.md's error shapes.

Kept apart from ``core.apis`` because DRF imports this module while it is still loading
(``DEFAULT_PAGINATION_CLASS``); it must not import DRF's views or viewsets.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError
from core.roles import has_cap


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """Map domain errors to api.md's shapes: 400 field errors, 403/404 detail, 409 detail+code."""
    if isinstance(exc, DomainError):
        if exc.status_code == status.HTTP_400_BAD_REQUEST:
            key = exc.field or "non_field_errors"
            return Response({key: [str(exc.message)]}, status=400)
        body = {"detail": str(exc.message)}
        if exc.status_code == status.HTTP_409_CONFLICT:
            body["code"] = exc.code
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response({k: [str(m) for m in v] for k, v in exc.message_dict.items()}, status=400)
        return Response({"non_field_errors": [str(m) for m in exc.messages]}, status=400)
    if isinstance(exc, (Http404, DjangoPermissionDenied)):
        exc = exceptions.NotFound() if isinstance(exc, Http404) else exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


class CapabilityPermission:
    """Checks ``view.required_caps[view.action]`` (a ``Cap``); actions not listed are refused.

    Services check again; this only gives the API its 403 before any work is done.
    """

    message = exceptions.PermissionDenied.default_detail

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        required = getattr(view, "required_caps", {})
        action = getattr(view, "action", None)
        if action == "metadata":
            return True
        if action not in required:
            return False
        cap = required[action]
        return cap is None or has_cap(request.user, cap)

    def has_object_permission(self, request, view, obj) -> bool:
        return True

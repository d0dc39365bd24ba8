"""What every API shares: pagination, permissions by capability, and api.md's error shapes.

Kept apart from ``core.apis`` because DRF imports this module while it is still loading
(``DEFAULT_PAGINATION_CLASS``); it must not import DRF's views or viewsets.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator as DjangoPaginator
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError
from core.roles import READ_ONLY_ROLES, has_cap


class Pagination(PageNumberPagination):
    """api.md's pages. A view that knows how many rows its list holds says so in ``known_count``.

    The count is then not taken again by a ``COUNT(*)`` for every page (a view sets it only
    where it is exact; see ``payouts.selectors.line_list_count``).
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    known_count: int | None = None

    def paginate_queryset(self, queryset, request, view=None):
        self.known_count = getattr(view, "known_count", None)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page):
        paginator = DjangoPaginator(object_list, per_page)
        if self.known_count is not None:
            paginator.count = self.known_count  # instead of the cached property's COUNT(*)
        return paginator


def _exception_response(exc, context):
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
    if isinstance(exc, exceptions.ParseError):
        # Malformed JSON and the like: api.md's 400 shape, not a bare "detail".
        return Response({"non_field_errors": [str(exc.detail)]}, status=400)
    if isinstance(exc, (Http404, DjangoPermissionDenied)):
        exc = exceptions.NotFound() if isinstance(exc, Http404) else exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


# Actions a shared mixin adds to many viewsets, allowed to whoever may take another action of the viewset.
ACTIONS_AS = {"history": "retrieve"}


class CapabilityPermission:
    """Checks ``view.required_caps[view.action]`` (a ``Cap``); actions not listed are refused.

    Services check again; this only gives the API its 403 before any work is done.
    """

    message = exceptions.PermissionDenied.default_detail

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated) or (
            # leadership and auditors never change anything: 403 whatever the record's state
            request.method not in SAFE_METHODS and getattr(request.user, "role", None) in READ_ONLY_ROLES
        ):
            return False
        required = getattr(view, "required_caps", {})
        action = getattr(view, "action", None)
        if action == "metadata":
            return True
        if action not in required and action in ACTIONS_AS:
            action = ACTIONS_AS[action]  # e.g. a record's history: whoever may read the record
        if action not in required:
            return False
        cap = required[action]
        if cap is None:
            return True
        if isinstance(cap, (tuple, frozenset, set)):  # any one of several capabilities
            return any(has_cap(request.user, c) for c in cap)
        return has_cap(request.user, cap)

    def has_object_permission(self, request, view, obj) -> bool:
        return True


# --- Strict input: unsafe text is refused; unknown fields where a serializer asks -------------

IGNORED_INPUT_KEYS = {"csrfmiddlewaretoken"}  # the browsable API's forms post it


def _is_password(field) -> bool:
    return "password" in (field.field_name or "") or field.style.get("input_type") == "password"


def strict_to_internal_value(original):
    """Wrap ``Serializer.to_internal_value``: free text goes through ``core.textsafety`` (the one text
    validator, shared with forms and imports) before any service runs: a name is brought to NFKC,
    text it refuses is a 400 naming the field (api.md's shape). Unknown keys are refused only by
    serializers that set ``reject_unknown_fields = True``: api.md leaves several inputs open
    ("…"), and outside clients must not break when they send a field this portal does not use."""
    from collections.abc import Mapping

    from rest_framework import serializers

    from core.textsafety import is_name_field, normalize_name, text_problem

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors, names = {}, {}
            if getattr(self, "reject_unknown_fields", False):
                for key in sorted(set(data) - set(self.fields) - IGNORED_INPUT_KEYS, key=str):
                    errors[str(key)[:100]] = [_("This field is not accepted here.")]
            for name, field in self.fields.items():
                value = data.get(name)
                if not (
                    isinstance(field, serializers.CharField)
                    and not field.read_only
                    and isinstance(value, str)
                    and not _is_password(field)
                ):
                    continue
                if is_name_field(name) and normalize_name(value) != value:
                    value = names[name] = normalize_name(value)
                problem = text_problem(value)
                if problem is not None:
                    errors[name] = [str(problem)]
            if errors:
                raise exceptions.ValidationError(errors)
            if names:
                data = data.copy()
                for name, value in names.items():
                    data[name] = value
        return original(self, data)

    to_internal_value._strict = True
    return to_internal_value


def strict_clean_fields(original):
    """Wrap ``BaseForm._clean_fields``: every Django form (pages and admin) checks its free text with
    ``core.textsafety`` too, names brought to NFKC, a refusal shown on the field."""
    from django import forms

    from core.textsafety import is_name_field, normalize_name, text_problem

    def _clean_fields(self):
        original(self)
        # Search and filter forms read, they store nothing: a search for "' OR 1=1" is harmless
        # (parameterised, escaped) and finds nothing (filter sets' forms: ``lenient_filter_forms``).
        if not getattr(self, "strict_text", True):
            return
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not isinstance(value, str) or not value or not isinstance(field, forms.CharField):
                continue
            if isinstance(field.widget, forms.PasswordInput):
                continue
            if is_name_field(name):
                value = self.cleaned_data[name] = normalize_name(value)
            problem = text_problem(value)
            if problem is not None:
                self.add_error(name, str(problem))

    _clean_fields._strict = True
    return _clean_fields


def install_strict_input() -> None:
    """Called once from ``CoreConfig.ready``: every DRF serializer and every form of every app validates strictly."""
    from django import forms
    from rest_framework import serializers

    if not getattr(serializers.Serializer.to_internal_value, "_strict", False):
        serializers.Serializer.to_internal_value = strict_to_internal_value(serializers.Serializer.to_internal_value)
    if not getattr(forms.BaseForm._clean_fields, "_strict", False):
        forms.BaseForm._clean_fields = strict_clean_fields(forms.BaseForm._clean_fields)
    lenient_filter_forms()


def lenient_filter_forms() -> None:
    """A filter set's form (django-filter builds one per filter set) reads a query; it stores nothing."""
    from django_filters.filterset import BaseFilterSet

    original = BaseFilterSet.get_form_class
    if getattr(original, "_lenient", False):
        return

    def get_form_class(self):
        form_class = original(self)
        form_class.strict_text = False
        return form_class

    get_form_class._lenient = True
    BaseFilterSet.get_form_class = get_form_class


def exception_handler(exc, context):
    """api.md's error shapes, always as JSON: an action that renders files (a bank file as CSV
    or XLSX) must not answer a refusal in the file's format."""
    from rest_framework.renderers import JSONRenderer

    response = _exception_response(exc, context)
    request = context.get("request")
    if response is not None and request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


class DivisionCodeFilter(filters.CharFilter):
    """A division-code filter (``?division=370202``, ``?community=…``): up to 12 ASCII digits, else 400."""

    def __init__(self, *args, **kwargs):
        from django.core.validators import RegexValidator

        kwargs.setdefault("max_length", 12)
        kwargs.setdefault(
            "validators", [RegexValidator(r"^[0-9]{1,12}\Z", _("A division code is written in digits (at most 12)."))]
        )
        super().__init__(*args, **kwargs)


class SelectorFilterSet(filters.FilterSet):
    """A filter set that only documents a list's query parameters (for the OpenAPI schema and the
    browsable API): the view's selector applies them, inside its scoped queryset."""

    def noop(self, queryset, name, value):
        return queryset


# --- Every filter validates its value before any selector reads it ---------------------------


def validate_query_filters(view, request) -> None:
    """Run the view's filter set over the query string and refuse what it cannot read (400 naming
    each parameter, api.md's shape). Lists read their filters in their selectors (``SelectorFilterSet``
    only documents them), so this must happen before ``get_queryset``: an id filter given ``abc``
    or a year given ``1.5e999`` is a clear 400, never a failed lookup and a 500."""
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is None or request.method not in ("GET", "HEAD"):
        return
    if getattr(view, "action", "list") not in (None, "list"):
        return
    # A filter set that only names parameters has no model; its form needs none, django-filter a queryset.
    model = filterset_class._meta.model or _any_model()
    filterset = filterset_class(data=request.query_params, queryset=model._default_manager.none(), request=request)
    if not filterset.is_valid():
        raise exceptions.ValidationError({name: [str(m) for m in errors] for name, errors in filterset.errors.items()})


def _any_model():
    from core.models import Division

    return Division


def install_filter_validation() -> None:
    """Called once from ``CoreConfig.ready``: every API view checks its filters right after its
    permissions (``APIView.initial``), whichever app it belongs to."""
    from rest_framework.views import APIView

    original = APIView.initial
    if getattr(original, "_validates_filters", False):
        return

    def initial(self, request, *args, **kwargs):
        original(self, request, *args, **kwargs)
        validate_query_filters(self, request)

    initial._validates_filters = True
    APIView.initial = initial


def validated(serializer_class, data) -> dict:
    """``data`` (a request's body or query) checked by ``serializer_class``: its validated data, or the 400 of
    api.md's error shape. The first step of every API write."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data

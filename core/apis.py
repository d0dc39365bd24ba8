"""The divisions API (public reference data) and the token endpoint."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.models import Division, DivisionLevel, SecurityEventKind
from core.scoping import scope
from core.security import lockout_message
from core.services import security_event_record


class DivisionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent_id", allow_null=True, read_only=True)

    class Meta:
        model = Division
        fields = ["code", "name", "level", "kind", "parent", "active"]


class DivisionFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=DivisionLevel.choices)
    parent = filters.CharFilter(field_name="parent_id")
    active = filters.BooleanFilter()

    class Meta:
        model = Division
        fields = ["level", "parent", "active"]


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative divisions: public reference data (GB/T 2260), the same for every user."""

    queryset = Division.objects.all().order_by("code")  # for the schema; requests use get_queryset
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilter
    lookup_field = "code"

    def get_queryset(self):
        return scope(Division.objects.order_by("code"), self.request.user)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class TokenView(APIView):
    """``POST auth/token/`` ``{"username", "password"}`` → ``{"token"}`` (api.md).

    Like DRF's ``obtain_auth_token``, but it authenticates through
    ``django.contrib.auth.authenticate(request=…)``, so django-axes counts failures and
    refuses a locked-out account or address (429 ``{"detail"}``), and the security log
    records each failure. An account that must first change its password gets no token.
    """

    authentication_classes: list = []  # credentials in the body; no session, so no CSRF to check
    permission_classes = [AllowAny]
    serializer_class = TokenRequestSerializer

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            raise Throttled(detail=lockout_message())
        if user is None:
            raise ValidationError({"non_field_errors": [_("Unable to log in with provided credentials.")]})
        if user.must_change_password:
            raise PermissionDenied(_("This account must change its password in the portal before it uses the API."))
        token, _created = Token.objects.get_or_create(user=user)
        security_event_record(
            kind=SecurityEventKind.LOGIN,
            username=user.get_username(),
            user=user,
            ip_address=django_request.META.get("REMOTE_ADDR"),
            path=django_request.path[:200],
            detail="api token",
        )
        return Response({"token": token.key})

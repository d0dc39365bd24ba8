"""The residents' API under ``/api/v1/public/`` (api.md, "Residents online"). Thin: validate, call a service."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.security import client_ip
from residents import services
from residents.auth import RESIDENT_AUTHENTICATION, IsResident


class ResidentViewSetMixin:
    """Residents' endpoints: a resident's token or the resident site's session, nothing of staff's."""

    authentication_classes = RESIDENT_AUTHENTICATION
    permission_classes = [IsResident]


class ResidentAPIView(ResidentViewSetMixin, APIView):
    pass


class ResidentCodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)


class ResidentDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ResidentCodeView(APIView):
    """``POST public/auth/code/`` ``{"phone"}`` → 202: a one-time code goes to the phone (5 an hour, then 429)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = ResidentCodeRequestSerializer

    @extend_schema(request=ResidentCodeRequestSerializer, responses={202: ResidentDetailSerializer})
    def post(self, request):
        data = ResidentCodeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.code_request(phone=data.validated_data["phone"], ip_address=client_ip(request._request))
        return Response(
            {"detail": _("A code was sent to the phone; it is valid for 5 minutes.")}, status=status.HTTP_202_ACCEPTED
        )


class ResidentTokenRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=20)
    code = serializers.CharField(max_length=12)


class ResidentTokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ResidentTokenView(APIView):
    """``POST public/auth/token/`` ``{"phone", "code"}`` → ``{"token"}``; five wrong codes lock the phone 15 minutes."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = ResidentTokenRequestSerializer

    @extend_schema(request=ResidentTokenRequestSerializer, responses={200: ResidentTokenSerializer})
    def post(self, request):
        data = ResidentTokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        signed_in = services.sign_in(
            phone=data.validated_data["phone"],
            code=data.validated_data["code"],
            ip_address=client_ip(request._request),
        )
        return Response({"token": signed_in.token})


class ResidentLogoutView(ResidentAPIView):
    """``POST public/auth/logout/``: the token used ends now (204)."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if request.auth is not None:
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

"""The residents' API under ``/api/v1/public/`` (api.md, "Residents online"). Thin: validate, call a service."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.parsers import DepthLimitedJSONParser
from core.security import client_ip
from residents import services
from residents.auth import RESIDENT_AUTHENTICATION, IsResident
from residents.models import OnlineApplication


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


# --- The resident's applications -----------------------------------------------------------------


class ResidentStepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    step = serializers.CharField(help_text="the step in plain words, in the request's language")
    note = serializers.CharField(allow_blank=True, help_text="a note meant for the applicant (a refusal's reason)")


class ResidentApplicantSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=50)


class ResidentMemberSerializer(serializers.Serializer):
    id_number = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=50)
    relationship = serializers.CharField(max_length=20)


class ResidentApplicationInputSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="dibao | tekun | temporary_relief")
    applicant = serializers.DictField(help_text='{"id_number", "name"}')
    community = serializers.CharField(max_length=12, help_text="the community's 12-digit code")
    address = serializers.CharField(max_length=200)
    area_type = serializers.CharField(help_text="urban | rural")
    members = serializers.ListField(child=serializers.DictField(), help_text="everyone, the applicant too")
    monthly_income = serializers.CharField(help_text="the household's total, yuan a month")
    reason = serializers.CharField(max_length=2000)
    amount = serializers.CharField(required=False, allow_null=True, help_text="temporary relief: the amount asked")
    authorization = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: the signed authorization of the economic-situation check (核对授权); "
        "false → 400 on authorization, as on the site's form; missing: signed at the home investigation",
    )


class ResidentAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    name = serializers.CharField(source="original_name")


def _masked(number: str) -> str:
    from core.idnumbers import mask_id_number

    return mask_id_number(number)


class ResidentApplicationSerializer(serializers.Serializer):
    """A resident's own application: what they sent (ID numbers masked), its status and its steps."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.SerializerMethodField(
        help_text="submitted | accepted | declined | withdrawn | approved | rejected"
    )
    status_label = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField()
    applicant = serializers.SerializerMethodField()
    community = serializers.CharField(source="community_id")
    community_name = serializers.CharField(source="community.name")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    decline_reason = serializers.CharField()
    steps = serializers.SerializerMethodField()
    can_withdraw = serializers.SerializerMethodField()
    decision_document = serializers.SerializerMethodField(help_text="where the decision notice (PDF) is, once decided")
    attachments = serializers.SerializerMethodField()

    def get_status(self, application) -> str:
        from residents.selectors import plain_status

        return plain_status(application)

    def get_status_label(self, application) -> str:
        from residents.selectors import status_label

        return status_label(application)

    def get_applicant(self, application) -> dict:
        return {"name": application.applicant_name, "id_number_masked": _masked(application.applicant_id_number)}

    @extend_schema_field(ResidentStepSerializer(many=True))
    def get_steps(self, application) -> list:
        from residents.selectors import steps_of

        return [ResidentStepSerializer(step).data for step in steps_of(application)]

    def get_can_withdraw(self, application) -> bool:
        from residents.selectors import is_undecided

        return is_undecided(application)

    def get_decision_document(self, application) -> str | None:
        from django.urls import reverse

        from residents.selectors import decision_document

        if decision_document(application) is None:
            return None
        return reverse("public-application-decision", args=[application.pk])

    @extend_schema_field(ResidentAttachmentSerializer(many=True))
    def get_attachments(self, application) -> list:
        from residents.selectors import my_attachments

        return ResidentAttachmentSerializer(my_attachments(application), many=True).data


class ResidentApplicationCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.CharField()


class ResidentAttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.CharField(required=False, allow_blank=True)


class ResidentNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class PublicApplicationViewSet(ResidentViewSetMixin, viewsets.GenericViewSet):
    """``public/applications/``: a resident's own applications (anyone else's: 404)."""

    serializer_class = ResidentApplicationSerializer
    parser_classes = [DepthLimitedJSONParser, MultiPartParser, FormParser]

    queryset = OnlineApplication.objects.none()  # for the schema; requests read get_queryset

    def get_queryset(self):
        from residents.selectors import my_applications

        if getattr(self, "swagger_fake_view", False):
            return OnlineApplication.objects.none()
        return my_applications(resident=self.request.user)

    def get_object(self):
        from residents.selectors import my_application

        return my_application(resident=self.request.user, pk=self.kwargs["pk"])

    def _detail(self, pk, *, code=status.HTTP_200_OK):
        from residents.selectors import my_application

        return Response(
            ResidentApplicationSerializer(my_application(resident=self.request.user, pk=pk)).data, status=code
        )

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ResidentApplicationSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(ResidentApplicationSerializer(self.get_object()).data)

    @extend_schema(request=ResidentApplicationInputSerializer, responses={201: ResidentApplicationSerializer})
    def create(self, request):
        data = ResidentApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        applicant = values["applicant"]
        application = services.application_submit(
            resident=request.user,
            data=services.ApplicationInput(
                kind=values["kind"],
                applicant_id_number=applicant.get("id_number", ""),
                applicant_name=applicant.get("name", ""),
                community=values["community"],
                address=values["address"],
                area_type=values["area_type"],
                members=values["members"],
                monthly_income=values["monthly_income"],
                reason=values["reason"],
                amount=values.get("amount"),
                authorized=values.get("authorization"),
            ),
        )
        return self._detail(application.pk, code=status.HTTP_201_CREATED)

    @extend_schema(request=ResidentNoteSerializer, responses={200: ResidentApplicationSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw an application not yet decided (its case too, once accepted); 409 once decided."""
        data = ResidentNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_withdraw(
            resident=request.user, application_id=pk, note=data.validated_data.get("note", "")
        )
        return self._detail(pk)

    @extend_schema(
        request={"multipart/form-data": ResidentAttachmentUploadSerializer},
        responses={201: ResidentAttachmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        """A photo or scan (PDF, JPEG or PNG by content) on the application, before it is accepted."""
        upload = request.FILES.get("file")
        scan = services.read_photo(upload)
        attachment = services.application_attach(
            resident=request.user,
            application_id=pk,
            scan=scan,
            kind=request.data.get("kind", ""),
            file_name=getattr(upload, "name", ""),
        )
        return Response(ResidentAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class PublicApplicationDecisionView(ResidentAPIView):
    """``public/applications/{id}/decision.pdf``: the decision notice of the application's case, once decided."""

    @extend_schema(responses={(200, "application/pdf"): bytes})
    def get(self, request, pk):
        return decision_pdf(request, resident=request.user, pk=pk)


def decision_pdf(request, *, resident, pk):
    """The case's decision notice as PDF, by the one document renderer; the download logged."""
    from core.errors import NotFound
    from documents.printviews import pdf_response
    from residents.models import ResidentEvent, ResidentEventKind
    from residents.selectors import decision_document, my_application

    application = my_application(resident=resident, pk=pk)
    found = decision_document(application)
    if found is None:
        raise NotFound()
    printable, case = found
    document = printable.build(case, actor=None)
    ResidentEvent.objects.create(
        kind=ResidentEventKind.DOCUMENT,
        phone=resident.phone,
        ip_address=client_ip(request._request if hasattr(request, "_request") else request),
    )
    return pdf_response(document)


class ResidentNoticeRowSerializer(serializers.Serializer):
    scheme = serializers.CharField()
    name = serializers.CharField()
    members_count = serializers.IntegerField()
    monthly_allowance = serializers.DecimalField(max_digits=12, decimal_places=2)
    notice_until = serializers.DateField(allow_null=True)


class PublicNoticesView(ResidentAPIView):
    """``public/notices/?community=CODE``: a community's public-notice list, the same one staff print
    (names as the public-notice rule shows them, members, amount); default: the community of the
    resident's latest application."""

    @extend_schema(operation_id="v1_public_resident_notices", responses={200: ResidentNoticeRowSerializer(many=True)})
    def get(self, request):
        from residents.selectors import notices_for

        community, rows = notices_for(resident=request.user, community=request.query_params.get("community", ""))
        return Response({"community": community, "results": ResidentNoticeRowSerializer(rows, many=True).data})

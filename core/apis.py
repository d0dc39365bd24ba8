"""The divisions API (public reference data) and the token endpoint."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.drf import CapabilityPermission
from core.models import Division, DivisionChange, DivisionLevel, SecurityEventKind
from core.roles import Cap
from core.scoping import scope
from core.security import lockout_message
from core.services import security_event_record
from core.tokens import token_issue


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


class DivisionChangeSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", allow_null=True, read_only=True)
    target = serializers.CharField(source="target_id", allow_null=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = DivisionChange
        fields = [
            "id",
            "kind",
            "effective_on",
            "status",
            "division",
            "new_code",
            "new_name",
            "target",
            "communities",
            "staff_follow",
            "note",
            "mapping",
            "created_by",
            "created_at",
            "applied_at",
        ]
        read_only_fields = fields


class DivisionChangeInputSerializer(serializers.Serializer):
    """``town_to_subdistrict``: ``division`` (the town), ``new_name``, ``new_code``? (empty: the town's own);
    ``move_communities``: ``communities`` (codes) and ``target`` (the sub-district they move to)."""

    kind = serializers.ChoiceField(choices=["town_to_subdistrict", "move_communities"])
    effective_on = serializers.DateField()
    division = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    new_code = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    new_name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    target = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    communities = serializers.ListField(
        child=serializers.CharField(max_length=12), required=False, default=list, max_length=500
    )
    staff_follow = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DivisionChangeViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Division changes (administrators): a town becomes a sub-district, or communities move; in force
    from ``effective_on`` (today's: at once; a later day: by the daily schedule)."""

    serializer_class = DivisionChangeSerializer
    permission_classes = [IsAuthenticated, CapabilityPermission]
    required_caps = {"list": Cap.DIVISIONS_CHANGE, "retrieve": Cap.DIVISIONS_CHANGE, "create": Cap.DIVISIONS_CHANGE}

    def get_queryset(self):
        from core.selectors import division_change_list

        return division_change_list(user=self.request.user)

    @extend_schema(request=DivisionChangeInputSerializer, responses={201: DivisionChangeSerializer})
    def create(self, request):
        from core.services import division_change_create

        data = DivisionChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        change = division_change_create(
            actor=request.user,
            kind=v["kind"],
            effective_on=v["effective_on"],
            division_code=v["division"],
            new_code=v["new_code"],
            new_name=v["new_name"],
            target_code=v["target"],
            communities=v["communities"],
            staff_follow=v["staff_follow"],
            note=v["note"],
        )
        return Response(DivisionChangeSerializer(change).data, status=status.HTTP_201_CREATED)


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
        _token, key = token_issue(user=user)
        security_event_record(
            kind=SecurityEventKind.LOGIN,
            username=user.get_username(),
            user=user,
            ip_address=django_request.META.get("REMOTE_ADDR"),
            path=django_request.path[:200],
            detail="api token",
        )
        return Response({"token": key})  # api.md's shape exactly; it expires after REST_KNOX's TOKEN_TTL


# --- The work queue ---------------------------------------------------------------------------


class TaskSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="a stable token, e.g. dibao_to_review, claims_to_approve, runs_to_approve")
    label = serializers.CharField(help_text="what waits, in the request's language")
    count = serializers.IntegerField()
    link = serializers.CharField(help_text="the portal page listing exactly these records")


class MyTasksSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    items = TaskSerializer(many=True)


class MyTasksView(APIView):
    """``GET my/tasks/``: what waits for this user (``core.worklist``), scoped, only kinds their role may act on."""

    serializer_class = MyTasksSerializer

    @extend_schema(responses={200: MyTasksSerializer})
    def get(self, request):
        from core.worklist import tasks_for

        items = [{"kind": t.kind, "label": t.label, "count": t.count, "link": t.link} for t in tasks_for(request.user)]
        return Response({"total": sum(i["count"] for i in items), "items": items})


# --- Search -----------------------------------------------------------------------------------


class SearchResultSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="person | household | social_org | community_org | road | marriage")
    id = serializers.IntegerField()
    title = serializers.CharField()
    subtitle = serializers.CharField(help_text="personal numbers masked")
    link = serializers.CharField(help_text="the record's page in the portal")


class SearchResponseSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True)


class SearchView(APIView):
    """``GET search/?q=``: a fragment of a name (one Chinese character or more), the last 4–6 characters of an
    ID number, or a keyword of an organization's or a road's name; within the user's scope, grouped by type."""

    serializer_class = SearchResponseSerializer

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True, description="what to look for")],
        responses={200: SearchResponseSerializer},
    )
    def get(self, request):
        from core.search import clean_query, search_for

        q = clean_query(request.query_params.get("q"))
        if not q:
            raise ValidationError({"q": [_("Type what to look for.")]})
        results = [
            {"type": r.type, "id": r.id, "title": r.title, "subtitle": r.subtitle, "link": r.link}
            for group in search_for(request.user, q)
            for r in group.results
        ]
        return Response({"results": results})


# --- History ----------------------------------------------------------------------------------


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="the field's name (a stable token for machines)")
    label = serializers.CharField(help_text="the field's name as people read it, in the request's language")
    old = serializers.CharField(help_text="the value before, as displayed (choice labels, names, masked numbers)")
    new = serializers.CharField(help_text="the value after, as displayed")


class HistoryRowSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(help_text="who made the change (their name)")
    action = serializers.CharField(help_text="created / changed / deleted, in the request's language")
    kind = serializers.CharField(help_text="insert | update | delete")
    step = serializers.CharField(help_text="the case's step that made the change (approve…), as people read it")
    record_type = serializers.CharField()
    record = serializers.CharField()
    changes = HistoryChangeSerializer(many=True)


class HistoryMixin:
    """``GET <collection>/{id}/history/``: the record's history (``core.history``), newest first, paginated.

    The record is found through the viewset's own ``get_object`` (scoped: outside the user's
    geography it is 404). A viewset gets it by listing this mixin first.
    """

    @extend_schema(responses={200: HistoryRowSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="history")
    def history(self, request, *args, **kwargs):
        from core import history

        record = self.get_object()
        page = self.paginate_queryset(history.events_for(record))
        return self.get_paginated_response([history.as_api(row) for row in history.rows_from_events(page)])


class CaseViewSet(HistoryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What a viewset over the cases of a case machine (``core.cases``) shares, whatever the domain.

    A subclass names its ``list_serializer`` and ``detail_serializer``, its ``required_caps``,
    ``get_object_by_pk(pk)`` (the scoped selector: 404 outside the user's geography) and
    ``case_services``, action name → the service that performs it; its actions are made by
    :func:`case_action`. Every action answers with the case's detail.
    """

    permission_classes = [IsAuthenticated, CapabilityPermission]
    list_serializer = None
    detail_serializer = None
    case_services: dict = {}

    def get_serializer_class(self):
        return self.list_serializer if self.action == "list" else self.detail_serializer

    def get_object(self):
        return self.get_object_by_pk(self.kwargs["pk"])

    def _respond(self, pk, *, created: bool = False):
        data = self.detail_serializer(self.get_object_by_pk(pk), context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _act(self, request, name: str, input_serializer, convert=None):
        """Validate the input, then perform ``case_services[name]`` on the case (``convert``: the valid
        input → the service's keyword arguments; without, they are passed as they are)."""
        serializer = input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        case = self.get_object()
        self.case_services[name](actor=request.user, case=case, **(convert(values) if convert else values))
        return self._respond(case.pk)


def case_action(name: str, input_serializer, doc: str | None = None, *, convert=None):
    """``POST <collection>/{id}/<name>/`` on a :class:`CaseViewSet`: ``input_serializer`` in, the case's detail out.

    ``doc`` is the operation's description in the API docs (without, the viewset's docstring);
    ``convert`` as in ``CaseViewSet._act``. Written in the class body: ``review = case_action("review", ...)``.
    """

    def act(self, request, pk=None):
        return self._act(request, name, input_serializer, convert)

    act.__name__ = act.__qualname__ = name  # DRF routes and dispatches the action by its function's name
    act.__doc__ = doc
    return extend_schema(request=input_serializer)(action(detail=True, methods=["post"])(act))

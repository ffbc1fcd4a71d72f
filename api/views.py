"""The API's endpoints (/api/v1/): each list reads the rows its page reads, through
the page's own FilterSet (a filter means the same in both: NetBox's way), the same
access policy (visible_to) and the same query shapes; a record the reader may not
see is a 404, as its page is."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
import django_filters
from drf_spectacular.types import OpenApiTypes
from rest_framework import exceptions, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView
from rest_framework.exceptions import ValidationError

from api import changes, registration, serializers
from kopnet import history, policy
from kopnet.cache import digest
from api.authentication import TokenScope
from api.errors import PreconditionFailed
from api.caching import ConditionalMixin, entity_tag, tag_parts
from api.pagination import MAX_LIMIT, KeysetPagination
from kopnet.filters import CodeChoiceFilter
from partnerships import selectors, services
from partnerships.filters import PartnershipFilter, YesNoFilter
from partnerships.models import CooperationField, Objective, Partnership
from registry.filters import CooperativeFilter, PartnerFilter
from registry.models import Cooperative, Membership, Partner, Province, Regency, Sector
from registry.views import PROVINCE_CODE, moved

TRUE = ("1", "true", "yes")


class ChosenFieldsMixin:
    """`fields=a,b` keeps those fields of each row; `brief=1` only `brief_fields` (a
    record's key, name and address). An unknown field is a 400 that names the known ones."""

    brief_fields = ()

    def chosen_fields(self):
        params = self.request.query_params
        if params.get("brief", "").lower() in TRUE:
            return self.brief_fields
        given = params.get("fields")
        if given is None:
            return None
        names = [name.strip() for name in given.split(",") if name.strip()]
        known = list(self.get_serializer_class()().fields)
        unknown = [name for name in names if name not in known]
        if unknown or not names:
            raise ValidationError(
                {"fields": [_("Choose among these fields, comma-separated: %(known)s.") % {"known": ", ".join(known)}]}
            )
        return names

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("fields", self.chosen_fields())
        return super().get_serializer(*args, **kwargs)


class RecordViewSet(ConditionalMixin, ChosenFieldsMixin, viewsets.ReadOnlyModelViewSet):
    """A list that filters, orders and pages like its page, and each record by its key."""

    filter_backends = [DjangoFilterBackend]
    pagination_class = KeysetPagination

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).for_list()


class MovedRecordMixin:
    """A record's address that it left (merged, or renamed) answers 301 with the
    address of the record that answers for it now, as its page does."""

    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        except Http404:
            return moved(request, self.model, kwargs)


class CooperativeViewSet(MovedRecordMixin, RecordViewSet):
    """Cooperatives: verified ones for everyone; officials and curators also see what
    the pages show them."""

    model = Cooperative
    serializer_class = serializers.CooperativeSerializer
    filterset_class = CooperativeFilter
    lookup_field = "slug"
    brief_fields = ("slug", "name", "url")


class PartnerViewSet(MovedRecordMixin, RecordViewSet):
    model = Partner
    serializer_class = serializers.PartnerSerializer
    filterset_class = PartnerFilter
    lookup_field = "slug"
    brief_fields = ("slug", "name", "url")


class Writer(permissions.IsAuthenticated):
    """Writes: a signed-in person (a read-write token, or a session with its CSRF check)."""


WRITERS = [TokenScope, Writer]


def read(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def version_asked(request):
    """The version of the record the client read, from If-Match (the ETag it got):
    every write names it, so that one made on a changed record is refused (412)."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired()
    versions = [version for version, _digest in tag_parts(header) if version is not None]
    if not versions:
        raise ValidationError({"If-Match": [_("Send the ETag you read the partnership with, as it was given.")]})
    return versions[0]


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _("Send If-Match with the ETag you read the partnership with: a write names what it changes.")
    default_code = "precondition_required"


class PartnershipViewSet(RecordViewSet):
    """Partnerships; a party's official confirms or declines its party, a curator
    verifies or rejects, through the services the pages use, at the version read
    (If-Match: the ETag of the partnership as last read; 412 if it changed since)."""

    model = Partnership
    serializer_class = serializers.PartnershipSerializer
    filterset_class = PartnershipFilter
    lookup_field = "reference"
    brief_fields = ("reference", "title", "url")

    def get_queryset(self):
        return selectors.partnerships_for_export(Partnership.objects.visible_to(self.request.user))

    def get_permissions(self):
        if self.action in ("create", "partial_update"):
            return [permission() for permission in WRITERS]
        return super().get_permissions()

    @extend_schema(request=serializers.PartnershipRegistrationSerializer, responses={201: serializers.PartnershipSerializer})
    def create(self, request):
        """Register a partnership of a cooperative you act for, as the page's form does
        (the same rules and messages): it waits for the other parties and the curators."""
        with history.through_api():
            partnership, errors = registration.register(request.data, request.user)
        if errors:
            raise ValidationError(errors)
        self.shown = [self.get_queryset().get(pk=partnership.pk)]
        response = Response(self.get_serializer(self.shown[0]).data, status=201)
        response["Location"] = response.data["url"]
        response["ETag"] = entity_tag(digest(partnership.reference, self.shown[0].version), self.shown[0])
        return response

    @extend_schema(request=serializers.PartnershipEditSerializer, responses=serializers.PartnershipSerializer)
    def partial_update(self, request, reference):
        """Edit a partnership your cooperative initiated, at the version read (If-Match):
        only the fields sent change; `parties` replaces the other parties. A verified
        partnership keeps its values while the edit waits for the curators."""
        partnership = self.get_object()
        policy.require(request.user, "edit", partnership, _("Only the initiating cooperative's officials edit it."))
        version = version_asked(request)
        with history.through_api():
            saved, errors = registration.edit(partnership, request.data, request.user, version)
        if errors:
            stale = Partnership.objects.filter(pk=partnership.pk).exclude(version=version).exists()
            if stale:
                raise PreconditionFailed(" ".join(errors.get("non_field_errors", [])) or None)
            raise ValidationError(errors)
        self.shown = [self.get_queryset().get(pk=partnership.pk)]
        response = Response(self.get_serializer(self.shown[0]).data)
        response["ETag"] = entity_tag(digest(partnership.reference, self.shown[0].version), self.shown[0])
        return response

    def written(self, request, write):
        """Run a service on this partnership at the version If-Match names; answer
        with the partnership as it is now and its new ETag."""
        partnership = self.get_object()
        version = version_asked(request)
        with history.through_api():
            write(partnership, version)
        self.shown = [self.get_queryset().get(pk=partnership.pk)]
        response = Response(self.get_serializer(self.shown[0]).data)
        response["ETag"] = entity_tag(digest(partnership.reference, self.shown[0].version), self.shown[0])
        return response

    def party_of(self, partnership, party_id):
        party = next((party for party in partnership.parties.all() if str(party.pk) == party_id), None)
        if party is None:
            raise Http404
        return party

    @extend_schema(request=None, responses=serializers.PartnershipSerializer)
    @action(detail=True, methods=["post"], url_path=r"parties/(?P<party_id>[0-9]{1,18})/confirm", permission_classes=WRITERS)
    def confirm(self, request, reference, party_id):
        """Confirm a cooperative party, as its official."""
        return self.written(
            request,
            lambda partnership, version: services.party_confirm(
                user=request.user, party_id=self.party_of(partnership, party_id).pk, version=version
            ),
        )

    @extend_schema(request=serializers.ReasonSerializer, responses=serializers.PartnershipSerializer)
    @action(detail=True, methods=["post"], url_path=r"parties/(?P<party_id>[0-9]{1,18})/decline", permission_classes=WRITERS)
    def decline(self, request, reference, party_id):
        """Decline a cooperative party, as its official, saying why."""
        reason = read(serializers.ReasonSerializer, request)["reason"]
        return self.written(
            request,
            lambda partnership, version: services.party_decline(
                user=request.user, party_id=self.party_of(partnership, party_id).pk, reason=reason, version=version
            ),
        )

    @extend_schema(request=serializers.VerifySerializer, responses=serializers.PartnershipSerializer)
    @action(detail=True, methods=["post"], permission_classes=WRITERS)
    def verify(self, request, reference):
        """Verify, as a curator (with an override note while a cooperative party has not answered)."""
        given = read(serializers.VerifySerializer, request)
        return self.written(
            request,
            lambda partnership, version: services.partnership_verify(
                curator=request.user, pk=partnership.pk, version=version, override_note=given["override_note"]
            ),
        )

    @extend_schema(request=serializers.ReasonSerializer, responses=serializers.PartnershipSerializer)
    @action(detail=True, methods=["post"], permission_classes=WRITERS)
    def reject(self, request, reference):
        """Reject, as a curator, saying why."""
        reason = read(serializers.ReasonSerializer, request)["reason"]
        return self.written(
            request,
            lambda partnership, version: services.partnership_reject(
                curator=request.user, pk=partnership.pk, reason=reason, version=version
            ),
        )




class ReferenceViewSet(ConditionalMixin, ChosenFieldsMixin, viewsets.ReadOnlyModelViewSet):
    """Reference data: few rows, one page."""

    pagination_class = None
    brief_fields = ("code", "slug", "name")


class ProvinceViewSet(ReferenceViewSet):
    queryset = Province.objects.order_by("code")
    serializer_class = serializers.ProvinceSerializer
    lookup_field = "code"


class SectorViewSet(ReferenceViewSet):
    queryset = Sector.objects.order_by("slug")
    serializer_class = serializers.TermSerializer
    lookup_field = "slug"


class ObjectiveViewSet(SectorViewSet):
    queryset = Objective.objects.order_by("slug")


class CooperationFieldViewSet(SectorViewSet):
    queryset = CooperationField.objects.order_by("slug")


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("province", str, description="A province's code: its regencies only.")])
)
class RegencyViewSet(ReferenceViewSet):
    """Regencies and cities (514), or a province's (`?province=32`)."""

    serializer_class = serializers.RegencySerializer
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{2}\.[0-9]{2}"

    def get_queryset(self):
        regencies = Regency.objects.order_by("code")
        province = self.request.query_params.get("province") if self.action == "list" else None
        if province is not None:
            if not (PROVINCE_CODE.fullmatch(province) and Province.objects.filter(code=province).exists()):
                raise ValidationError({"province": [_("Choose a province by its code (two digits).")]})
            regencies = regencies.filter(province_id=province)
        return regencies


class MembershipFilter(django_filters.FilterSet):
    """A federation's members, or a member's federations (by slug), active or not."""

    member = CodeChoiceFilter(
        queryset=lambda request: Cooperative.objects.visible_to(request.user),
        to_field_name="slug",
        pattern=r"[-a-zA-Z0-9_]{1,220}",
        label=_("Member (slug)"),
    )
    federation = CodeChoiceFilter(
        queryset=lambda request: Cooperative.objects.visible_to(request.user),
        to_field_name="slug",
        pattern=r"[-a-zA-Z0-9_]{1,220}",
        label=_("Federation (slug)"),
    )
    active = YesNoFilter(field_name="end_date__isnull", label=_("Active"))

    class Meta:
        model = Membership
        fields = []


class MembershipViewSet(RecordViewSet):
    """Memberships whose member and federation the reader may both see (kopnet.policy)."""

    model = Membership
    serializer_class = serializers.MembershipSerializer
    filterset_class = MembershipFilter
    brief_fields = ("id", "member", "federation")

    def get_queryset(self):
        visible = Membership.objects.all()
        return policy.visible(self.request.user, visible).select_related("member", "federation").order_by("id")


class StatisticsView(ConditionalMixin, APIView):
    """What /statistik/ counts: verified partnerships by category, direction, field,
    province, corroboration and year; verified cooperatives by tier, type, province."""

    basename = "statistics"

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        return self.conditional(self.read, request)

    def read(self, request):
        partnerships, cooperatives = selectors.statistics()
        as_of = selectors.data_as_of(Cooperative, Partnership)
        return Response(serializers.statistics_data(partnerships, cooperatives, as_of))


class ChangesView(ConditionalMixin, APIView):
    """Every change to a public record, in order: created, verified, updated (with the
    fields), ended, merged, withdrawn (api.changes). Resume from any change's `cursor`
    with `?after=`; `next` is where the next page starts (also when this one is the
    last for now: ask again later). What a visitor would see, whoever asks. Changes
    appear once KOPNET_CHANGES_SETTLE_SECONDS have passed."""

    basename = "changes"
    invalid_after = _("This cursor is not one the changes gave: start again without it.")

    def cache_key(self, request):
        return None  # the settling window moves with time, not only with writes

    @extend_schema(
        parameters=[
            OpenApiParameter("after", str, description="A change's `cursor`: the changes after it."),
            OpenApiParameter("limit", int, description=f"Changes a page, at most {MAX_LIMIT}."),
        ],
        responses=serializers.ChangePageSerializer,
    )
    def get(self, request):
        return self.conditional(self.read, request)

    def read(self, request):
        given = request.query_params.get("after")
        position = changes.Position.parse(given) if given is not None else None
        if given is not None and position is None:
            raise ValidationError({"after": [self.invalid_after]})
        found, last, more = changes.read(position, KeysetPagination().read_limit(request))
        next_link = None
        if last is not None:
            next_link = replace_query_param(request.build_absolute_uri(), "after", last.cursor())
        data = serializers.ChangeSerializer(found, many=True, context={"request": request}).data
        return Response({"next": next_link, "more": more, "results": data})

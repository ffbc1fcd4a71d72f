"""The admin where Dekopin's curators keep the registry.

Every ModelAdmin keeps a history (kopnet.admin.RegistryAdmin); cooperatives and
partners also import and export spreadsheets and are verified or rejected through
actions that record who and when (kopnet.admin.VerifiableAdmin). Curators have
view, add and change permissions but no delete: records are ended, dissolved or
rejected instead.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.filters import CountryFilter

from kopnet.admin import DecisionActions, RegistryAdmin, VerifiableAdmin, VersionedModelForm
from kopnet.admin_site import QueueSection
from kopnet.cache import data_version, digest
from kopnet.models import Verification
from registry import duplicates, services
from registry.models import (
    INDONESIA,
    Cooperative,
    Membership,
    MembershipProposal,
    Partner,
    ProposalState,
    Province,
    Representation,
    RepresentationState,
    Sector,
    Tier,
)
from registry.forms import PlacesFormMixin
from registry.resources import CooperativeResource, PartnerResource

# How many member cooperatives the federation page lists before linking to the rest.
MEMBERS_SHOWN = 50


@admin.display(description=_("location"), ordering="province__name")
def location(obj):
    """The province of an Indonesian organisation, the country of any other."""
    return obj.province.name if obj.province_id else obj.country.name


# ---------------------------------------------------------------------------
# Lists


class KnownCountryFilter(CountryFilter):
    """django-countries' filter (the countries present in the table), with that list
    cached under the data version: finding it reads every row of a national table."""

    def lookup_choices(self, changelist):
        key = "kn:admin-countries:" + digest(data_version(), changelist.model._meta.label, self.field_path)
        codes = cache.get(key)
        if codes is None:
            codes = [
                code
                for code in changelist.model._default_manager.order_by()
                .values_list(self.field_path, flat=True)
                .distinct()
                if code
            ]
            cache.set(key, codes)
        return sorted(((code, countries.name(code)) for code in codes), key=lambda choice: str(choice[1]))


# ---------------------------------------------------------------------------
# Cooperatives and their memberships


class MemberOfForm(forms.ModelForm):
    """A row of the cooperative's own memberships.

    Membership.clean() puts some errors on `member`, which this inline renders as a
    hidden field; they are shown on the row instead, where the curator sees them.
    """

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict") and "member" in errors.error_dict:
            moved = errors.error_dict.pop("member")
            errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(moved)
        super()._update_errors(errors)


class MemberOfFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        if self.instance.pk:
            # Validate against the cooperative as submitted (e.g. its new tier),
            # not as it is stored.
            form.instance.member = self.instance
        return form

    def clean(self):
        super().clean()
        # Two new rows naming the same federation pass Membership.clean() (each
        # only sees the database) and would then break the one-active-membership
        # constraint on save.
        active = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            federation = data.get("federation")
            if not federation or data.get("end_date") or data.get("DELETE"):
                continue
            if federation.pk in active:
                raise ValidationError(
                    gettext("%(federation)s is listed twice as an active membership.") % {"federation": federation}
                )
            active.add(federation.pk)


class MemberOfInline(admin.TabularInline):
    model = Membership
    fk_name = "member"
    form = MemberOfForm
    formset = MemberOfFormSet
    fields = ["federation", "start_date", "end_date"]
    autocomplete_fields = ["federation"]
    extra = 0
    verbose_name = _("membership of a federation")
    verbose_name_plural = _("member of (federations)")

    class Media:
        # Hides the line above each row that names the membership by its ids.
        css = {"all": ["registry/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("federation")


class MergedFilter(admin.SimpleListFilter):
    title = _("merged")
    parameter_name = "merged"

    def lookups(self, request, model_admin):
        return [("no", _("Not merged")), ("yes", _("Merged into another record"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(merged_into__isnull=self.value() == "no")
        return queryset


class RegencyCodedFilter(admin.SimpleListFilter):
    """The records whose regency/city is typed but has no code (made before the codes,
    and not matched by registry.services.regencies_match): a curator codes each."""

    title = _("regency/city code")
    parameter_name = "regency_code"

    def lookups(self, request, model_admin):
        return [("to_code", _("Typed, to code")), ("coded", _("Coded")), ("none", _("None"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "coded":
            return queryset.filter(regency_place__isnull=False)
        if value == "to_code":
            return queryset.filter(country=INDONESIA, regency_place__isnull=True).exclude(regency="")
        if value == "none":
            return queryset.filter(regency_place__isnull=True, regency="")
        return queryset


class PlacedAdminForm(PlacesFormMixin, VersionedModelForm):
    """A cooperative's or partner's admin form with the place pickers (static/js/places.js)."""

    class Media:
        js = ["js/places.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.init_places()

    def clean(self):
        cleaned_data = super().clean()
        self.clean_places_required(cleaned_data)
        return cleaned_data


class MergeForm(forms.Form):
    """Which of two selected records stays when the other is merged into it."""

    def __init__(self, *args, records, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"] = forms.TypedChoiceField(
            label=_("The record that stays"),
            choices=[(record.pk, f"{record} ({record.slug}, {record.get_verification_display()})") for record in records],
            coerce=int,
            widget=forms.RadioSelect,
        )
        self.fields["note"] = forms.CharField(
            label=_("Note (optional)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2, "cols": 60})
        )


class MergeAdmin:
    """The candidate duplicates of a cooperative or partner admin (registry.duplicates),
    at duplicates/: each pair with its evidence, merged one way or the other
    (registry.services.record_merge) or dismissed (duplicate_dismiss); and, for any two
    records a curator knows to be one, the list's action "Merge the two selected". A
    merged record shows its successor."""

    @admin.action(description=_("Merge the two selected records (one stays)"), permissions=["change"])
    def merge_selected(self, request, queryset):
        records = list(queryset.filter(merged_into__isnull=True).order_by("pk")[:3])
        if len(records) != 2:
            self.message_user(request, gettext("Select exactly two records that are not merged."), messages.ERROR)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None, records=records)
        if form.is_valid():
            survivor = form.cleaned_data["survivor"]
            merged = next(record for record in records if record.pk != survivor)
            self.merge_pair(request, survivor, merged.pk, form.cleaned_data["note"])
            return None
        return self.note_page(
            request, form, action="merge_selected",
            title=gettext("Merge two %(name_plural)s") % {"name_plural": self.model._meta.verbose_name_plural},
            intro=gettext("The record that stays keeps its profile and gains everything that pointed to the other; the other stays, marked merged, and its address leads to the one kept."),
            submit=gettext("Merge"), count=2, shown=records,
        )  # fmt: skip

    def merge_pair(self, request, survivor_pk, merged_pk, note=""):
        """record_merge() with the curator told the outcome; whether it was done."""
        try:
            survivor = services.record_merge(
                curator=request.user, model=self.model, survivor_pk=survivor_pk, merged_pk=merged_pk, note=note
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return False
        except Http404:
            self.message_user(request, gettext("No such record."), messages.ERROR)
            return False
        merged = self.model.objects.get(pk=merged_pk)
        self.log_change(request, merged, gettext("Merged into %(name)s.") % {"name": survivor.name})
        self.message_user(
            request,
            gettext("%(merged)s was merged into %(survivor)s; its address now leads there.")
            % {"merged": merged.name, "survivor": survivor.name},
            messages.SUCCESS,
        )
        return True

    merge_fieldset = (_("Merged"), {"fields": ["merged_into_link", "merged_at"]})

    @admin.display(description=_("merged into"))
    def merged_into_link(self, obj):
        if obj.merged_into_id is None:
            return "-"
        url = reverse(f"admin:registry_{obj._meta.model_name}_change", args=[obj.merged_into_id])
        return format_html('<a href="{}">{}</a>', url, obj.merged_into)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "merged_into_link", "merged_at"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        return [*fieldsets, self.merge_fieldset] if obj is not None and obj.merged_into_id else fieldsets

    def get_urls(self):
        from django.urls import path

        duplicates = path(
            "duplicates/",
            self.admin_site.admin_view(self.duplicates_view),
            name="registry_%s_duplicates" % self.model._meta.model_name,
        )
        return [duplicates, *super().get_urls()]

    def duplicates_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        status = 200
        if request.method == "POST":
            status = self.act_on_pair(request)
            if status == 302:
                return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Candidate duplicates: %(name)s") % {"name": self.model._meta.verbose_name_plural},
            "candidates": duplicates.candidates(self.model),
        }
        return TemplateResponse(request, "admin/registry/duplicates.html", context, status=status)

    def act_on_pair(self, request):
        """Merge or dismiss the pair a button names; 302 when done, 400 with the reason when refused."""
        action, first, second = (request.POST.get(name, "") for name in ("action", "first", "second"))
        if not (first.isdigit() and second.isdigit()) or action not in ("merge", "dismiss"):
            self.message_user(request, gettext("Choose a pair and what to do with it."), messages.ERROR)
            return 400
        if action == "merge":
            return 302 if self.merge_pair(request, first, second, request.POST.get("note", "")) else 400
        try:
            services.duplicate_dismiss(curator=request.user, model=self.model, first_pk=first, second_pk=second)
            self.message_user(request, gettext("The pair is no longer offered as duplicates."), messages.SUCCESS)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return 400
        except Http404:
            self.message_user(request, gettext("No such record."), messages.ERROR)
            return 400
        return 302


class CooperativeAdmin(MergeAdmin, VerifiableAdmin):
    form = PlacedAdminForm
    actions = [*VerifiableAdmin.actions, "merge_selected"]
    verify_service = staticmethod(services.cooperative_verify)
    reject_service = staticmethod(services.cooperative_reject)
    resource_classes = [CooperativeResource]
    import_help_template = "registry/admin/_cooperative_import_help.html"
    list_display = ["name_and_short_name", "tier", "type", location, "members", "status", "verification"]
    list_filter = [
        "verification",
        MergedFilter,
        "tier",
        "type",
        "status",
        "scope",
        "province",
        RegencyCodedFilter,
        ("country", KnownCountryFilter),
        "sectors",
        # Not a date_hierarchy: its year list reads every row of the table.
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["name", "short_name", "nik", "legal_number"]
    search_help_text = _("Name, short name, NIK Koperasi (all 16 digits) or legal entity number.")
    list_select_related = ["province"]
    autocomplete_fields = ["province", "sectors"]
    readonly_fields = ["members", "member_cooperatives"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "slug", "tier", "type", "sectors", "status"]}),
        (
            _("Location"),
            {"fields": ["country", "province", "regency_place", "district", "village", "regency", "address", "scope"]},
        ),
        (_("Legal entity"), {"fields": ["legal_number", "legal_date", "nik", "founded"]}),
        (_("Members"), {"fields": ["individual_members", "members"]}),
        (_("Contact"), {"fields": ["website", "email", "phone"]}),
        (
            _("Verification"),
            {"fields": [*VerifiableAdmin.verification_fields, "created_at", "updated_at"]},
        ),
    ]
    members_fieldset = (
        _("Member cooperatives"),
        {"fields": ["member_cooperatives"], "description": _("The cooperatives that are active members of this federation.")},
    )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        # Its memberships, through their locked services: the rows the curator
        # changed, and the ones ticked for deletion (only shown to those allowed to
        # delete: curators end a membership with its end date).
        for membership in formset.save(commit=False):
            services.membership_save(user=request.user, membership=membership)
        for membership in formset.deleted_objects:
            services.membership_delete(user=request.user, membership=membership)
        formset.save_m2m()

    @admin.display(description=Cooperative._meta.get_field("member_count").verbose_name, ordering="member_count")
    def members(self, obj):
        # Grouped as the language groups numbers (3.406, 3,406), as on the site's pages;
        # the admin writes a bare integer field ungrouped.
        return intcomma(obj.member_count)

    @admin.display(description=_("name"), ordering="name")
    def name_and_short_name(self, obj):
        return f"{obj.name} ({obj.short_name})" if obj.short_name else obj.name

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None and obj.is_federation:
            fieldsets.insert(4, self.members_fieldset)
        return fieldsets

    def get_inlines(self, request, obj):
        # On the add page the cooperative has no id yet, and Membership.clean()
        # cannot check a membership of an unsaved cooperative: add them once it exists.
        return [MemberOfInline] if obj is not None else []

    def get_search_results(self, request, queryset, search_term):
        queryset, duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "membership" and request.GET.get("field_name") == "federation":
            # The federation picker offers only cooperatives that take members.
            queryset = queryset.exclude(tier=Tier.PRIMER)
        return queryset, duplicates

    @admin.display(description=_("active members"))
    def member_cooperatives(self, obj):
        memberships = Membership.objects.active().filter(federation=obj)
        total = memberships.count()
        if not total:
            return gettext("No active member cooperatives.")
        shown = memberships.select_related("member").order_by("member__name", "member__id")[:MEMBERS_SHOWN]
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a> · {} · {}</li>',
            (
                (
                    reverse("admin:registry_cooperative_change", args=[m.member_id]),
                    m.member.name,
                    m.member.get_tier_display(),
                    gettext("since %(date)s") % {"date": date_format(m.start_date, "DATE_FORMAT")},
                )
                for m in shown
            ),
        )
        all_url = reverse("admin:registry_membership_changelist") + "?" + urlencode(
            {"federation": obj.pk, "active": "yes"}
        )
        summary = ngettext(
            "%(shown)s of %(total)s active member",
            "%(shown)s of %(total)s active members",
            total,
        ) % {"shown": intcomma(min(total, MEMBERS_SHOWN)), "total": intcomma(total)}
        return format_html(
            '<ul class="kopnet-members">{}</ul><p>{} · <a href="{}">{}</a></p>',
            items,
            summary,
            all_url,
            gettext("See all memberships of this federation"),
        )


class ActiveFilter(admin.SimpleListFilter):
    title = _("active")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("Active")), ("no", _("Ended"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.active()
        if self.value() == "no":
            return queryset.filter(end_date__isnull=False)
        return queryset


class CooperativeChoiceFilter(admin.SimpleListFilter):
    """One cooperative by id, from a link (listing thousands of choices would not help)."""

    field = None

    def lookups(self, request, model_admin):
        value = self.value()
        if not value:
            return []
        found = list(Cooperative.objects.filter(pk=value).values_list("pk", "name")) if value.isdigit() else []
        # Also shown when unknown, so that the filter stays visible (and applied).
        return [(str(pk), name) for pk, name in found] or [(value, gettext("No such cooperative"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(**{f"{self.field}_id": value})


class FederationFilter(CooperativeChoiceFilter):
    title = _("federation")
    parameter_name = "federation"
    field = "federation"


class MemberFilter(CooperativeChoiceFilter):
    title = _("member")
    parameter_name = "member"
    field = "member"


def titled(title):
    """A choices filter on a related field, with a title saying which side it filters."""

    class TitledChoicesFilter(admin.ChoicesFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledChoicesFilter


class MembershipAdmin(RegistryAdmin):
    list_display = ["member", "member_tier", "federation", "federation_tier", "start_date", "end_date", "is_active"]
    list_filter = [
        ActiveFilter,
        FederationFilter,
        MemberFilter,
        ("federation__tier", titled(_("federation tier"))),
        ("member__tier", titled(_("member tier"))),
    ]
    search_fields = ["member__name", "member__short_name", "federation__name", "federation__short_name"]
    search_help_text = _("Name or short name of the member or the federation.")
    list_select_related = ["member", "federation"]
    autocomplete_fields = ["member", "federation"]
    date_hierarchy = "start_date"
    fields = ["member", "federation", "start_date", "end_date"]

    @admin.display(description=_("member tier"), ordering="member__tier")
    def member_tier(self, obj):
        return obj.member.get_tier_display()

    @admin.display(description=_("federation tier"), ordering="federation__tier")
    def federation_tier(self, obj):
        return obj.federation.get_tier_display()

    @admin.display(description=_("active"), boolean=True, ordering="end_date")
    def is_active(self, obj):
        return obj.is_active

    def save_model(self, request, obj, form, change):
        services.membership_save(user=request.user, membership=obj)

    def delete_model(self, request, obj):
        services.membership_delete(user=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_delete(user=request.user, membership=membership)


# ---------------------------------------------------------------------------
# Partners, provinces, sectors


class PartnerAdmin(MergeAdmin, VerifiableAdmin):
    form = PlacedAdminForm
    actions = [*VerifiableAdmin.actions, "merge_selected"]
    verify_service = staticmethod(services.partner_verify)
    reject_service = staticmethod(services.partner_reject)
    resource_classes = [PartnerResource]
    import_help_template = "registry/admin/_partner_import_help.html"
    list_display = ["name", "kind", location, "registration_number", "verification"]
    list_filter = [
        "verification", MergedFilter, "kind", "province", ("country", KnownCountryFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["name", "registration_number"]
    search_help_text = _("Name or registration number.")
    list_select_related = ["province"]
    autocomplete_fields = ["province"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "registration_number", "website", "description"]}),
        (_("Location"), {"fields": ["country", "province", "regency_place", "district", "village"]}),
        (
            _("Verification"),
            {"fields": [*VerifiableAdmin.verification_fields, "created_at", "updated_at"]},
        ),
    ]


class ProvinceAdmin(RegistryAdmin):
    """Indonesia's provinces ship with the app (a data migration): read-only here."""

    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    ordering = ["code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SectorAdmin(RegistryAdmin):
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}


# ---------------------------------------------------------------------------
# Representations: who acts for a cooperative


class RepresentationForm(forms.ModelForm):
    def clean_state(self):
        state = self.cleaned_data["state"]
        before = self.initial.get("state")
        if self.instance.pk and state != before and services.decision_for(before, state) is None:
            raise ValidationError(_("A revoked representation stays revoked: the person asks again."))
        return state


class RepresentationAdmin(RegistryAdmin):
    form = RepresentationForm
    list_display = ["user", "cooperative", "state", "decided_by", "decided_at", "created_at"]
    list_filter = ["state", ("cooperative__tier", titled(_("cooperative tier")))]
    search_fields = ["user__username", "user__email", "cooperative__name", "cooperative__short_name"]
    search_help_text = _("Username, email, or the cooperative's name.")
    list_select_related = ["user", "cooperative", "decided_by"]
    # Curators may view users (migration 0005), which the user picker needs.
    autocomplete_fields = ["user", "cooperative"]
    date_hierarchy = "created_at"
    fields = ["user", "cooperative", "state", "decided_by_username", "decided_at", "created_at"]
    readonly_fields = ["decided_by_username", "decided_at", "created_at"]
    actions = ["approve_selected", "revoke_selected"]

    @admin.display(description=_("decided by"))
    def decided_by_username(self, obj):
        return obj.decided_by.get_username() if obj.decided_by_id else "-"

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # A representation is one person for one cooperative: ask anew for another.
            readonly += ["user", "cooperative"]
        return readonly

    def save_model(self, request, obj, form, change):
        if not change and obj.state != RepresentationState.REQUESTED:
            # Added already decided: recorded as a request, then decided by its service.
            decided = obj.state
            obj.state = RepresentationState.REQUESTED
            super().save_model(request, obj, form, change)
            services.representation_decide(
                curator=request.user, pk=obj.pk, decision=services.decision_for(obj.state, decided)
            )
            obj.refresh_from_db()
        elif change and "state" in form.changed_data:
            # A decision, through its service (RepresentationForm.clean_state checked it is one).
            decision = services.decision_for(form.initial["state"], obj.state)
            try:
                services.representation_decide(curator=request.user, pk=obj.pk, decision=decision)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            super().save_model(request, obj, form, change)

    def decide_selected(self, request, queryset, state):
        changed = 0
        for representation in queryset.select_related("user", "cooperative").exclude(state=state):
            decision = services.decision_for(representation.state, state)
            try:
                representation.state = state
                representation.validate_constraints()
                if decision is None:
                    raise ValidationError(_("Only a request can be approved; ask the person to request again."))
                services.representation_decide(curator=request.user, pk=representation.pk, decision=decision)
            except ValidationError as error:
                self.message_user(
                    request,
                    f"{representation.user} → {representation.cooperative}: {' '.join(error.messages)}",
                    messages.ERROR,
                )
                continue
            self.log_change(request, representation, RepresentationState(state).label)
            changed += 1
        return changed

    @admin.action(description=_("Approve selected representations"), permissions=["change"])
    def approve_selected(self, request, queryset):
        changed = self.decide_selected(request, queryset, RepresentationState.APPROVED)
        self.message_user(
            request,
            ngettext("%(count)d representation approved.", "%(count)d representations approved.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )

    @admin.action(description=_("Revoke selected representations"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        changed = self.decide_selected(request, queryset, RepresentationState.REVOKED)
        self.message_user(
            request,
            ngettext("%(count)d representation revoked.", "%(count)d representations revoked.", changed)
            % {"count": changed},
            messages.SUCCESS,
        )


class MembershipProposalAdmin(DecisionActions, RegistryAdmin):
    """Officials' proposals to join a federation, which the federation's officials
    answer on the site; a curator decides those nobody answers (a federation with
    no official on KopNet): verifying one records the membership, rejecting it
    refuses the proposal with the reason the proposer reads. Nothing is typed here:
    proposals are made on the site, and decided through registry.services."""

    list_display = ["member", "federation", "start_date", "state", "created_at", "decided_by", "decided_at"]
    list_filter = ["state", ("federation__tier", titled(_("federation tier")))]
    search_fields = ["member__name", "member__short_name", "federation__name", "federation__short_name"]
    search_help_text = _("The name of the member or of the federation.")
    list_select_related = ["member", "federation", "decided_by"]
    date_hierarchy = "created_at"
    fields = [
        "member", "federation", "start_date", "note", "state", "proposed_by", "created_at",
        "decided_by", "decided_at", "reason", "membership",
    ]  # fmt: skip
    readonly_fields = fields
    actions = ["verify_selected", "reject_selected"]
    rejection_note = {
        "name": "reason",
        "label": _("Why is the proposal refused?"),
        "help_text": _("The proposing cooperative's officials read this."),
        "required": _("A rejection needs a reason."),
    }

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def to_verify(self, queryset):
        return queryset.filter(state=ProposalState.PROPOSED)

    def to_reject(self, queryset):
        return queryset.filter(state=ProposalState.PROPOSED)

    def verify_one(self, request, obj, version=None):
        return self.through_service(
            request,
            obj,
            lambda: services.proposal_confirm(user=request.user, pk=obj.pk),
            gettext("Confirmed: the membership is recorded."),
        )

    def reject_one(self, request, obj, reason, version=None):
        return self.through_service(
            request,
            obj,
            lambda: services.proposal_refuse(user=request.user, pk=obj.pk, reason=reason),
            gettext("Refused: %(reason)s") % {"reason": reason.strip()},
        )


admin.site.register(Province, ProvinceAdmin)
admin.site.register(Sector, SectorAdmin)
admin.site.register(Cooperative, CooperativeAdmin)
admin.site.register(Membership, MembershipAdmin)
admin.site.register(Partner, PartnerAdmin)
admin.site.register(Representation, RepresentationAdmin)
admin.site.register(MembershipProposal, MembershipProposalAdmin)

# The curators' work queue on the admin's index (kopnet.admin_site.QueueSection).
admin.site.add_to_queue(
    QueueSection(
        order=10,
        label=_("Cooperatives waiting for verification"),
        model=Cooperative,
        waiting=lambda: Cooperative.objects.filter(verification=Verification.PENDING),
        age_field="created_at",
        filters={"verification__exact": Verification.PENDING},
        describe=lambda cooperative: cooperative.name,
    )
)
admin.site.add_to_queue(
    QueueSection(
        order=20,
        label=_("Partners waiting for verification"),
        model=Partner,
        waiting=lambda: Partner.objects.filter(verification=Verification.PENDING),
        age_field="created_at",
        filters={"verification__exact": Verification.PENDING},
        describe=lambda partner: partner.name,
    )
)
admin.site.add_to_queue(
    QueueSection(
        order=50,
        label=_("Representation requests"),
        model=Representation,
        waiting=lambda: Representation.objects.filter(state=RepresentationState.REQUESTED),
        age_field="created_at",
        related=("user", "cooperative"),
        filters={"state__exact": RepresentationState.REQUESTED},
        describe=lambda representation: f"{representation.user.get_username()} → {representation.cooperative.name}",
    )
)
admin.site.add_to_queue(
    QueueSection(
        order=55,
        label=_("Proposals to join a federation"),
        model=MembershipProposal,
        waiting=lambda: MembershipProposal.objects.filter(state=ProposalState.PROPOSED),
        age_field="created_at",
        related=("member", "federation"),
        filters={"state__exact": ProposalState.PROPOSED},
        describe=lambda proposal: f"{proposal.member.name} → {proposal.federation.name}",
    )
)

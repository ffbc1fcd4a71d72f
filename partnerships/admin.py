"""The admin where Dekopin's curators keep partnerships.

A partnership is edited on one page with its parties and documents inline; the
party rules that span rows (at least two, each once, the initiator among them, a
direction between cooperatives) are checked on the whole formset, and category and
international flag are recomputed from the parties once they are saved. Verifying
goes through services.partnership_verify(): refused while a cooperative party has
not confirmed, unless the curator records an override note on the page the action
shows. Rejecting needs a reason. Both record who and when, in the history too.
"""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Exists, Min, OuterRef, Prefetch, Q
from django.forms.models import BaseInlineFormSet
from django.template.defaultfilters import filesizeformat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from kopnet import history
from kopnet.admin import SHOWN_ON_NOTE_PAGES, NoteForm, RegistryAdmin, VerifiableAdmin, seen_versions
from kopnet.history import RelatedHistory
from kopnet.admin_site import QueueSection
from kopnet.models import Verification
from partnerships import services
from partnerships.models import (
    Confirmation,
    CooperationField,
    Objective,
    Partnership,
    PartnershipDocument,
    PartnershipParty,
)
from partnerships.resources import PartnershipResource
from registry.models import Cooperative, Partner

# ValidationError codes of partnerships.validators.inspect_document.
DOCUMENT_ERROR_CODES = {"empty", "too_large", "type"}


def unconfirmed_cooperative_parties():
    """Cooperative parties of the outer partnership that have not confirmed."""
    return PartnershipParty.objects.filter(partnership=OuterRef("pk"), cooperative__isnull=False).exclude(
        confirmation=Confirmation.CONFIRMED
    )


def cooperative_parties_answering(confirmation):
    return PartnershipParty.objects.filter(
        partnership=OuterRef("pk"), cooperative__isnull=False, confirmation=confirmation
    )


# A party whose organisation the curators have not verified.
NAMES_UNVERIFIED = Q(cooperative__isnull=False) & ~Q(cooperative__verification=Verification.VERIFIED) | Q(
    partner__isnull=False
) & ~Q(partner__verification=Verification.VERIFIED)


def unverified_organisations():
    """Parties of the outer partnership whose organisation the curators have not verified."""
    return PartnershipParty.objects.filter(partnership=OuterRef("pk")).filter(NAMES_UNVERIFIED)


# The verify page's hidden field with the version of every unverified organisation
# its partnerships name, as "cooperative:pk:version partner:pk:version …".
ORGANISATION_VERSIONS_FIELD = "organisation_versions"
ORGANISATION_KINDS = {"cooperative": Cooperative, "partner": Partner}


def shown_organisation_versions(partnerships):
    """The ORGANISATION_VERSIONS_FIELD value for these partnerships, as they are now."""
    ids = [p.pk for p in partnerships if p.unverified]
    rows = (
        PartnershipParty.objects.filter(partnership_id__in=ids)
        .filter(NAMES_UNVERIFIED)
        .values_list("cooperative_id", "cooperative__version", "partner_id", "partner__version")
    )
    return " ".join(
        sorted(
            {
                f"cooperative:{cooperative_id}:{cooperative_version}"
                if cooperative_id
                else f"partner:{partner_id}:{partner_version}"
                for cooperative_id, cooperative_version, partner_id, partner_version in rows
            }
        )
    )


def seen_organisation_versions(request):
    """{(model, pk): version as text} the verify page carried (partnership_verify's
    organisation_versions)."""
    seen = {}
    for item in request.POST.get(ORGANISATION_VERSIONS_FIELD, "").split():
        kind, _colon, rest = item.partition(":")
        pk, _colon, version = rest.partition(":")
        if kind in ORGANISATION_KINDS and pk.isdigit():
            seen[ORGANISATION_KINDS[kind], int(pk)] = version
    return seen


class VerifyForm(NoteForm):
    """The verify page: the override note, needed while a cooperative party has not
    answered, and, while a party organisation is unverified, the curator's consent
    to verify those organisations in the same step."""

    def __init__(self, *args, note_required, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.name].required = note_required
        if organisations:
            self.fields["verify_organisations"] = forms.BooleanField(
                label=_("Verify the unverified organisations too"),
                help_text=_("A verified partnership names verified organisations only. Tick this once you have checked them."),
                error_messages={"required": _("Tick this to verify the organisations with the partnership, or verify them first.")},
            )


# ---------------------------------------------------------------------------
# Curated lists


class TermAdmin(RegistryAdmin):
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name"]}


# ---------------------------------------------------------------------------
# Parties and documents, inline on the partnership


class PartyFormSet(BaseInlineFormSet):
    """The rules across rows, checked before anything is saved."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        parties, written = [], []
        for form in self.forms:
            if self._should_delete_form(form) or not form.has_changed() and form.instance.pk is None:
                continue
            data = form.cleaned_data
            parties.append(PartnershipParty(cooperative=data.get("cooperative"), partner=data.get("partner")))
            if form.has_changed():
                written.append(form.instance)
        partnership = self.instance
        if not partnership.initiator_id:
            return  # the partnership's own form says the initiator is missing
        try:
            services.check_parties(parties, partnership.initiator)
            # Sets category and international on the partnership about to be saved.
            services.apply_derived(partnership, parties)
            # The rows parties_curate() will write, asked here so that a refusal is
            # shown on the form (the change form's clean() holds the partnership's lock).
            services.require_named_unmerged(written)
            services.require_verified_organisations(partnership, written)
        except ValidationError as error:
            raise ValidationError(error.messages) from None


class PartyForm(forms.ModelForm):
    def _update_errors(self, errors):
        # clean() and the database constraint say "exactly one cooperative or one
        # partner" alike: show it once.
        if hasattr(errors, "error_dict") and NON_FIELD_ERRORS in errors.error_dict:
            seen, unique = set(), []
            for error in errors.error_dict[NON_FIELD_ERRORS]:
                message = " ".join(error.messages)
                if message not in seen:
                    seen.add(message)
                    unique.append(error)
            errors.error_dict[NON_FIELD_ERRORS] = unique
        super()._update_errors(errors)


class PartyInline(admin.TabularInline):
    model = PartnershipParty
    form = PartyForm
    formset = PartyFormSet
    fields = ["cooperative", "partner", "role", "confirmation_shown"]
    readonly_fields = ["confirmation_shown"]
    autocomplete_fields = ["cooperative", "partner"]
    extra = 0
    verbose_name = _("party")
    verbose_name_plural = _("parties (each is one cooperative or one partner)")

    class Media:
        # Hides the line above each row that names the party by its ids.
        css = {"all": ["partnerships/admin.css"]}

    def get_extra(self, request, obj=None, **kwargs):
        # A new partnership starts with the two rows it needs at least.
        return 2 if obj is None else 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cooperative", "partner", "confirmed_by")

    @admin.display(description=_("confirmation"))
    def confirmation_shown(self, party):
        if party.pk is None:
            return "-"
        if not party.cooperative_id:
            # Partners have no accounts: the curator checks them at verification.
            return gettext("partner: checked by the curator")
        shown = party.get_confirmation_display()
        if party.confirmed_at:
            when = date_format(timezone.localtime(party.confirmed_at), "SHORT_DATETIME_FORMAT")
            who = party.confirmed_by.get_username() if party.confirmed_by_id else ""
            shown = f"{shown} ({who}, {when})" if who else f"{shown} ({when})"
        if party.confirmation == Confirmation.DECLINED:
            shown = f"{shown}: {party.decline_reason}"
        return shown


class DocumentForm(forms.ModelForm):
    """The file is checked by its content in the model's clean(); its error belongs on the file."""

    class Meta:
        model = PartnershipDocument
        fields = ["title", "date", "file"]
        # No "currently" link to MEDIA_URL: documents are served only through the
        # partnership's access check.
        widgets = {"file": forms.FileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"})}

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict") and NON_FIELD_ERRORS in errors.error_dict:
            general = errors.error_dict[NON_FIELD_ERRORS]
            about_file = [error for error in general if error.code in DOCUMENT_ERROR_CODES]
            if about_file:
                errors.error_dict[NON_FIELD_ERRORS] = [error for error in general if error not in about_file]
                if not errors.error_dict[NON_FIELD_ERRORS]:
                    del errors.error_dict[NON_FIELD_ERRORS]
                errors.error_dict.setdefault("file", []).extend(about_file)
        super()._update_errors(errors)


class DocumentInline(admin.TabularInline):
    model = PartnershipDocument
    form = DocumentForm
    fields = ["title", "date", "file", "stored_file", "published"]
    readonly_fields = ["stored_file", "published"]
    extra = 0
    verbose_name_plural = _("agreement documents (PDF, PNG or JPEG, at most 10 MB)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partnership", "uploaded_by")

    @admin.display(description=_("stored file"))
    def stored_file(self, document):
        if document.pk is None:
            return "-"
        who = document.uploaded_by.get_username() if document.uploaded_by_id else "-"
        label = f"{document.original_name or document.title} · {filesizeformat(document.size)} · {who}"
        try:
            url = reverse(
                "partnerships:document_download",
                kwargs={"reference": document.partnership.reference, "pk": document.pk},
            )
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)


# ---------------------------------------------------------------------------
# List filters


class AllPartiesConfirmedFilter(admin.SimpleListFilter):
    title = _("all cooperative parties confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No, some are waiting or declined"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(~Exists(unconfirmed_cooperative_parties()))
        if self.value() == "no":
            return queryset.filter(Exists(unconfirmed_cooperative_parties()))
        return queryset


class YearFilter(admin.SimpleListFilter):
    """Partnerships active at some time in a year: started by its end, not ended before it."""

    title = _("active in year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        first = Partnership.objects.aggregate(first=Min("start_date"))["first"]
        if first is None:
            return []
        return [(str(year), str(year)) for year in range(timezone.localdate().year, first.year - 1, -1)]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not (value.isdigit() and 1 <= int(value) <= 9999):
            return queryset.none()
        year = int(value)
        return queryset.filter(start_date__lte=datetime.date(year, 12, 31)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1))
        )


# ---------------------------------------------------------------------------
# Partnerships


# The reasons partnerships.services gives its saves, in words on the history page.
history.describe_reasons(
    {
        "substance changed: parties asked again": _(
            "The partnership's substance changed: its cooperative parties were asked to confirm it again."
        ),
        f"party {Confirmation.CONFIRMED}": _("A cooperative party confirmed the partnership."),
        f"party {Confirmation.DECLINED}": _("A cooperative party declined the partnership."),
    }
)


class PartnershipAdmin(VerifiableAdmin):
    reject_service = staticmethod(services.partnership_reject)
    resource_classes = [PartnershipResource]
    # Its parties' answers and its documents are lines of its history, in time order.
    related_histories = (
        RelatedHistory(
            model=PartnershipParty,
            link="partnership",
            name_fields=("cooperative", "partner"),
            added=_("Party added: %(name)s"),
            changed=_("Party %(name)s"),
            removed=_("Party removed: %(name)s"),
        ),
        RelatedHistory(
            model=PartnershipDocument,
            link="partnership",
            name_fields=("title",),
            added=_("Document uploaded: %(name)s"),
            changed=_("Document %(name)s"),
            removed=_("Document removed: %(name)s"),
            # A stored name chosen at random; the original one is told.
            hidden=("file",),
        ),
    )
    # The note that verifies without every cooperative party's confirmation (NoteForm's arguments).
    override_note = {
        "name": "override_note",
        "label": _("Override note"),
        "help_text": _("Why verify although a cooperative party has not confirmed (e.g. how the curator checked it)."),
        "required": _("Verifying without every cooperative party's confirmation needs an override note."),
    }
    import_help_template = "admin/partnerships/_import_help.html"
    inlines = [PartyInline, DocumentInline]
    list_display = [
        "reference",
        "title",
        "initiator",
        "category",
        "direction",
        "international",
        "status",
        "verification",
        "all_parties_confirmed",
    ]
    list_display_links = ["reference", "title"]
    list_filter = [
        "category",
        "direction",
        "international",
        "status",
        "verification",
        AllPartiesConfirmedFilter,
        "corroboration",
        "objectives",
        "fields",
        YearFilter,
    ]
    search_fields = ["reference", "title"]
    search_help_text = _("Reference, title, or the name of a party.")
    list_select_related = ["initiator"]
    autocomplete_fields = ["initiator", "new_entity_cooperative", "new_entity_partner", "objectives", "fields"]
    verification_fields = (*VerifiableAdmin.verification_fields, "verification_override")
    fieldsets = [
        (None, {"fields": ["reference", "title", "description", "initiator", "status"]}),
        (
            _("Kind of cooperation"),
            {
                "fields": ["category", "international", "corroboration", "direction", "objectives", "fields"],
                "description": _(
                    "Category and international are derived from the parties when they are saved. "
                    "Between cooperatives choose a direction: vertical across tiers or along the "
                    "supply chain, horizontal at the same tier or stage."
                ),
            },
        ),
        (_("Period and value"), {"fields": ["start_date", "end_date", "value", "currency"]}),
        (
            _("New legal entity"),
            {"fields": ["new_entity", "new_entity_name", "new_entity_kind", "new_entity_cooperative", "new_entity_partner"]},
        ),
        (
            _("Verification"),
            {"fields": [*verification_fields, "registered_by", "created_at", "updated_at"]},
        ),
    ]
    actions = ["verify_selected", "reject_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            all_confirmed=~Exists(unconfirmed_cooperative_parties())
        )

    def get_readonly_fields(self, request, obj=None):
        return (
            *super().get_readonly_fields(request, obj), "reference", "category", "international", "corroboration",
            "registered_by",
        )  # fmt: skip

    @admin.display(description=_("all cooperative parties confirmed"), boolean=True, ordering="all_confirmed")
    def all_parties_confirmed(self, obj):
        return obj.all_confirmed

    @admin.display(description=_("registered by"))
    def registered_by(self, obj):
        return obj.created_by.get_username() if obj.created_by_id else "-"

    def get_search_results(self, request, queryset, search_term):
        """Every word in the reference, the title or a party's name."""
        for word in search_term.replace("\x00", "").split():
            parties = PartnershipParty.objects.filter(partnership=OuterRef("pk")).filter(
                Q(cooperative__name__icontains=word)
                | Q(cooperative__short_name__icontains=word)
                | Q(partner__name__icontains=word)
            )
            queryset = queryset.filter(Q(reference__icontains=word) | Q(title__icontains=word) | Exists(parties))
        return queryset, False

    # Saving ------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is PartnershipParty:
            # The curator's party rows, through their locked service.
            services.parties_curate(
                curator=request.user,
                partnership=form.instance,
                parties=formset.save(commit=False),
                removed=formset.deleted_objects,
            )
            return
        if formset.model is PartnershipDocument:
            for document_form in formset.extra_forms:
                document_form.instance.uploaded_by = request.user
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Every party write recomputes already (PartnershipParty.save/delete); once
        # more here so that the stored category holds whatever path the inline took.
        form.instance.refresh_derived()

    # Export ------------------------------------------------------------------

    def get_export_queryset(self, request):
        # The changelist's rows (filters and search applied), shaped for the export.
        return PartnershipResource.for_export(ImportExportMixin.get_export_queryset(self, request))

    # Verification ------------------------------------------------------------

    @admin.action(description=_("Verify selected partnerships"), permissions=["change"])
    def verify_selected(self, request, queryset):
        """Show the partnerships to verify on one page, then verify them as shown.

        A partnership a cooperative party declined is never verified here (reject
        it, or the initiator removes that party). One whose cooperative parties
        have not all answered needs an override note; one naming an unverified
        organisation needs the curator to verify that organisation with it. The
        page lists every partnership to verify with what stands in its way, and
        keeps the version of each and of each unverified organisation it names:
        applying it verifies each at that version, so that nothing is verified in
        a state the curator was not shown.
        """
        applying = "apply" in request.POST
        candidates = list(
            queryset.exclude(verification=Verification.VERIFIED)
            .annotate(
                declined=Exists(cooperative_parties_answering(Confirmation.DECLINED)),
                waiting=Exists(cooperative_parties_answering(Confirmation.PENDING)),
                unverified=Exists(unverified_organisations()),
            )
            .order_by("reference")
        )
        declined = [p for p in candidates if p.declined]
        candidates = [p for p in candidates if not p.declined]
        moved = []
        if applying:
            # Changed since the page was shown (or not on it): refused as such, and
            # the form is judged by what the page asked of the others.
            seen = seen_versions(request)
            moved = [p for p in candidates if seen.get(str(p.pk)) != str(p.version)]
            candidates = [p for p in candidates if p not in moved]
        blocked = [p for p in candidates if p.waiting or p.unverified]
        form = VerifyForm(
            request.POST if applying else None,
            note_required=any(p.waiting for p in blocked),
            organisations=any(p.unverified for p in blocked),
            **self.override_note,
        )
        if declined:
            self.message_user(
                request,
                gettext(
                    "Not verified, because a cooperative party declined (no note overrides an answer): %(references)s. "
                    "Reject them, or ask the initiator to remove that party."
                )
                % {"references": ", ".join(p.reference for p in declined)},
                messages.ERROR,
            )
        # Their services refuse them, each in words (a stale version, no version).
        self.decide_each(request, moved, lambda p, version: self.verify_one(request, p, version=version))
        if not candidates and not moved:
            return None
        if not applying:
            self.tell_blocked(request, blocked)
            return self.verify_page(request, form, candidates)
        if blocked and not form.is_valid():
            if form.name in form.errors:
                self.message_user(request, gettext("An override note is needed: nothing was verified."), messages.ERROR)
            else:
                self.message_user(request, gettext("Nothing was verified: complete the form below."), messages.ERROR)
            return self.verify_page(request, form, candidates)
        organisations = form.cleaned_data.get("verify_organisations") if blocked else False
        organisation_versions = seen_organisation_versions(request) if organisations else None

        def verify(partnership, version):
            return self.verify_one(
                request,
                partnership,
                note=form.note if partnership.waiting else "",
                verify_organisations=bool(partnership.unverified and organisations),
                version=version,
                organisation_versions=organisation_versions,
            )

        verified = self.decide_each(request, candidates, verify)
        self.message_user(
            request,
            ngettext("%(count)d %(name)s verified.", "%(count)d %(name_plural)s verified.", verified)
            % self.counted(verified),
            messages.SUCCESS,
        )
        return None

    def verify_from_change_page(self, request, obj, one):
        """Verified at once when nothing stands in the way; otherwise the verify
        action's page, which asks for what it needs (an override note, consent to
        verify the organisations) and posts back to this page."""
        blocked = one.filter(
            Exists(unconfirmed_cooperative_parties()) | Exists(unverified_organisations())
        ).exists()
        if not blocked:
            return super().verify_from_change_page(request, obj, one)
        return self.verify_selected(self.selecting(request, obj, keep_apply=False), one)

    def tell_blocked(self, request, blocked):
        """Which of the partnerships to verify wait for what the page asks."""
        waiting = [p for p in blocked if p.waiting]
        unverified = [p for p in blocked if p.unverified]
        if waiting:
            self.message_user(
                request,
                ngettext(
                    "%(count)d partnership was not verified: a cooperative party has not confirmed (%(references)s).",
                    "%(count)d partnerships were not verified: a cooperative party has not confirmed (%(references)s).",
                    len(waiting),
                )
                % {"count": len(waiting), "references": ", ".join(p.reference for p in waiting)},
                messages.WARNING,
            )
        if unverified:
            self.message_user(
                request,
                ngettext(
                    "%(count)d partnership was not verified: it names an organisation not verified yet (%(references)s).",
                    "%(count)d partnerships were not verified: they name organisations not verified yet (%(references)s).",
                    len(unverified),
                )
                % {"count": len(unverified), "references": ", ".join(p.reference for p in unverified)},
                messages.WARNING,
            )

    def verify_one(
        self, request, obj, note="", verify_organisations=False, version=None, organisation_versions=None
    ):
        """Verify through the service, which refuses what it must (see verify_selected)."""
        message = gettext("Verified.")
        if note:
            message = gettext("Verified with an override: %(note)s") % {"note": note}
        return self.through_service(
            request,
            obj,
            lambda: services.partnership_verify(
                curator=request.user,
                pk=obj.pk,
                version=version,
                override_note=note,
                verify_organisations=verify_organisations,
                organisation_versions=organisation_versions,
            ),
            message,
        )

    def verify_page(self, request, form, candidates):
        """The page listing the partnerships to verify, what stands in the way of
        each and what the curator must add for it (an override note, consent to
        verify the organisations too); it posts the action again for these, at the
        versions shown."""
        shown = Partnership.objects.filter(pk__in=[p.pk for p in candidates[:SHOWN_ON_NOTE_PAGES]]).prefetch_related(
            Prefetch(
                "parties",
                queryset=PartnershipParty.objects.select_related("cooperative", "partner").order_by("id"),
                to_attr="shown_parties",
            )
        )
        count = len(candidates)
        intro = [
            ngettext(
                "This partnership will be marked as verified, with your name and the time, as it is listed here.",
                "These %(counter)s partnerships will be marked as verified, with your name and the time, as they are "
                "listed here.",
                count,
            )
            % {"counter": count}
        ]
        if any(p.waiting for p in candidates):
            intro.append(
                gettext(
                    "A cooperative party has not answered yet. To verify anyway, say why: the note is kept with the "
                    "partnership, with your name and the time."
                )
            )
        if any(p.unverified for p in candidates):
            intro.append(
                gettext("An organisation named is not verified yet: verify it with the partnership, or first on its own.")
            )
        return self.note_page(
            request,
            form if any(p.waiting or p.unverified for p in candidates) else None,
            action="verify_selected",
            title=(
                gettext("Verify without every confirmation")
                if any(p.waiting for p in candidates)
                else gettext("Verify %(name_plural)s") % self.counted(count)
            ),
            intro=" ".join(intro),
            submit=gettext("Verify anyway") if any(p.waiting for p in candidates) else gettext("Verify"),
            count=count,
            shown=shown.order_by("reference"),
            shown_template="admin/partnerships/_waiting_parties.html",
            selected=[p.pk for p in candidates],
            select_across="0",  # these candidates, not every record the list matched
            versions=self.shown_versions(candidates),
            extra_fields={ORGANISATION_VERSIONS_FIELD: shown_organisation_versions(candidates)},
        )


# ---------------------------------------------------------------------------
# Parties and documents on their own: lists to find them, edited on the partnership


class ReadOnlyAdmin(RegistryAdmin):
    """Parties and documents change on their partnership's page, where the rules across rows are checked."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.display(description=_("partnership"), ordering="partnership__reference")
def partnership_link(obj):
    url = reverse("admin:partnerships_partnership_change", args=[obj.partnership_id])
    return format_html('<a href="{}">{}</a>', url, obj.partnership.reference)


class PartnershipPartyAdmin(ReadOnlyAdmin):
    list_display = [partnership_link, "organisation_name", "role", "confirmation", "confirmed_at"]
    list_filter = ["confirmation", "role", "partnership__category"]
    search_fields = ["partnership__reference", "cooperative__name", "partner__name"]
    search_help_text = _("Reference of the partnership, or the party's name.")
    list_select_related = ["partnership", "cooperative", "partner"]

    @admin.display(description=_("organisation"))
    def organisation_name(self, obj):
        return obj.organisation.name


class PartnershipDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", partnership_link, "date", "content_type", "size", "uploaded_at"]
    list_filter = ["content_type"]
    search_fields = ["title", "partnership__reference", "original_name"]
    list_select_related = ["partnership"]
    fields = ["partnership", "title", "date", "content_type", "size", "original_name", "uploaded_at"]


admin.site.register(Objective, TermAdmin)
admin.site.register(CooperationField, TermAdmin)
admin.site.register(Partnership, PartnershipAdmin)
admin.site.register(PartnershipParty, PartnershipPartyAdmin)
admin.site.register(PartnershipDocument, PartnershipDocumentAdmin)

# The curators' work queue on the admin's index (kopnet.admin_site.QueueSection):
# partnerships waiting for verification, as the list's "all cooperative parties
# confirmed" filter splits them (the unconfirmed parties' partial index answers it).
admin.site.add_to_queue(
    QueueSection(
        order=30,
        label=_("Partnerships ready to verify"),
        help_text=_("Every cooperative party has confirmed."),
        model=Partnership,
        waiting=lambda: Partnership.objects.filter(verification=Verification.PENDING).filter(
            ~Exists(unconfirmed_cooperative_parties())
        ),
        age_field="created_at",
        filters={"verification__exact": Verification.PENDING, AllPartiesConfirmedFilter.parameter_name: "yes"},
        describe=lambda partnership: f"{partnership.reference} — {partnership.title}",
    )
)
admin.site.add_to_queue(
    QueueSection(
        order=40,
        label=_("Partnerships stuck"),
        help_text=_("A cooperative party has not answered yet, or declined."),
        model=Partnership,
        waiting=lambda: Partnership.objects.filter(verification=Verification.PENDING).filter(
            Exists(unconfirmed_cooperative_parties())
        ),
        age_field="created_at",
        filters={"verification__exact": Verification.PENDING, AllPartiesConfirmedFilter.parameter_name: "no"},
        describe=lambda partnership: f"{partnership.reference} — {partnership.title}",
    )
)

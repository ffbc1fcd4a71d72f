"""Forms of the partnerships app: registering and editing a partnership.

One page gathers several forms: the partnership itself, the other parties (a
formset of organisation pickers with their roles), a partner proposed inline and
the agreement documents. `PartnershipRegistration` validates them together and
saves through services.partnership_register / partnership_update, so the rules
stay in the models and services; the forms only put each error next to its field.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kopnet.filters import CodeChoiceField
from kopnet.forms import BootstrapFormMixin, VersionedFormMixin
from kopnet.models import Verification
from kopnet.services import StaleVersion, changed_since
from partnerships import services
from partnerships.models import (
    CooperationField,
    Direction,
    Objective,
    Partnership,
    PartnershipDocument,
    PartnershipParty,
    PartyRole,
    derive_from_parties,
)
from partnerships.validators import inspect_document
from registry.forms import PlacesFormMixin
from registry.models import Cooperative, Partner, Province
from registry.policy import acts_for

ORGANISATION_TYPES = ("cooperative", "partner")
# The value a picker submits: which kind of organisation and its id.
TOKEN = re.compile(r"^(cooperative|partner):([0-9]{1,12})$")
MAX_NAME_LENGTH = 200
# Names listed when a typed name fits several organisations (the no-JavaScript path).
MAX_MATCHES = 10
MAX_PARTIES = 30


def organisation_type(organisation):
    return "cooperative" if isinstance(organisation, Cooperative) else "partner"


def organisation_token(organisation):
    return f"{organisation_type(organisation)}:{organisation.pk}"


def organisation_key(organisation):
    """(cooperative id, partner id), the way PartnershipParty tells organisations apart."""
    if isinstance(organisation, Cooperative):
        return (organisation.pk, None)
    return (None, organisation.pk)


class OrganisationPicker(forms.Widget):
    """A text box for the organisation's name and a hidden field for the one chosen.

    Without JavaScript the server finds the organisation by the name typed (and,
    when several fit, lists them as radio buttons to choose from); static/js/
    pickers.js turns the text box into an accessible combobox fed by
    partnerships:organisation_search, which fills the hidden field.
    """

    template_name = "partnerships/_organisation_picker.html"

    def __init__(self, types=ORGANISATION_TYPES, attrs=None):
        super().__init__(attrs)
        self.types = types
        self.matches = []  # set by OrganisationField when a name fits several
        self.chosen = None  # set by OrganisationField once the name is resolved

    def value_from_datadict(self, data, files, name):
        return [data.get(name, ""), data.get(f"{name}_ref", "")]

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_ref" not in data

    def format_value(self, value):
        return None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        organisation = self.chosen
        if organisation is None and isinstance(value, (Cooperative, Partner)):
            organisation = value
        if organisation is not None:
            text, token = organisation.name, organisation_token(organisation)
            tier = getattr(organisation, "tier", "")
        elif isinstance(value, (list, tuple)):
            text, token, tier = (value[0] or ""), (value[1] or ""), ""
        else:
            text, token, tier = "", "", ""
        context["widget"].update(
            text=text,
            token=token,
            tier=tier,
            types=" ".join(self.types),
            matches=[
                {"token": organisation_token(match), "name": match.name, "organisation": match}
                for match in self.matches
            ],
        )
        return context


class OrganisationField(forms.Field):
    """A cooperative or a partner, chosen with an OrganisationPicker.

    `querysets` maps each organisation type to the records that may be named;
    the form sets it (verified records, plus those already in the partnership).
    """

    widget = OrganisationPicker
    default_error_messages = {
        "invalid": _("Enter a name of at most 200 characters, without NUL characters."),
        "not_found": _(
            "No registered organisation matches “%(text)s”. Check the spelling, "
            "or propose a new partner below."
        ),
        "several": _("Several organisations match “%(text)s”: choose one below, or type the full name."),
    }

    def __init__(self, *, types=ORGANISATION_TYPES, **kwargs):
        self.types = types
        self.querysets = {}
        kwargs.setdefault("widget", OrganisationPicker(types=types))
        super().__init__(**kwargs)

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.querysets = dict(self.querysets)
        return result

    def queryset(self, kind):
        if kind in self.querysets:
            return self.querysets[kind]
        model = Cooperative if kind == "cooperative" else Partner
        return model.objects.verified()

    def to_python(self, value):
        self.widget.matches, self.widget.chosen = [], None
        if isinstance(value, (Cooperative, Partner)):
            return value
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            value = ["", ""]
        text, token = (str(part or "").strip() for part in value)
        if "\x00" in text or "\x00" in token or len(text) > MAX_NAME_LENGTH:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not text and not token:
            return None
        organisation = self.from_token(token)
        # A name typed over an earlier choice means a new choice; the part of a
        # name that listed several matches keeps the one chosen among them.
        if organisation is None or (text and text.casefold() not in organisation.name.casefold()):
            if not text:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
            organisation = self.from_name(text)
        self.widget.chosen = organisation
        return organisation

    def from_token(self, token):
        match = TOKEN.fullmatch(token)
        if not match or match[1] not in self.types:
            return None
        return self.queryset(match[1]).filter(pk=int(match[2])).first()

    def from_name(self, text):
        """The one organisation this name designates: the exact name (or short name,
        or slug) first, else the only one whose name contains it."""
        exact, partial = [], []
        for kind in self.types:
            records = self.queryset(kind).select_related("province").order_by("name", "pk")
            same = Q(name__iexact=text) | Q(slug=text.lower())
            if kind == "cooperative":
                same |= Q(short_name__iexact=text)
            exact += records.filter(same)[: MAX_MATCHES + 1]
            if not exact:
                partial += records.filter(name__icontains=text)[: MAX_MATCHES + 1]
        candidates = exact or partial
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise ValidationError(self.error_messages["not_found"], code="not_found", params={"text": text})
        self.widget.matches = candidates[:MAX_MATCHES]
        raise ValidationError(self.error_messages["several"], code="several", params={"text": text})

    def has_changed(self, initial, data):
        if isinstance(data, (list, tuple)) and len(data) == 2:
            text, token = (str(part or "").strip() for part in data)
        else:
            text, token = "", ""
        if initial is None or initial == "":
            return bool(text or token)
        if isinstance(initial, (Cooperative, Partner)):
            return token != organisation_token(initial) or text.casefold() != initial.name.casefold()
        return True


def verbose_name(field_name):
    return capfirst(Partnership._meta.get_field(field_name).verbose_name)


class TermsField(forms.ModelMultipleChoiceField):
    """Checkboxes of a curated list, labelled in the active language."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.label


class TierSelect(forms.Select):
    """The user's cooperatives, each option telling its tier to the direction script."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-tier"] = instance.tier
        return option


class PartnershipForm(VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """The partnership's own fields, plus (when registering) the user's cooperative."""

    objectives = TermsField(queryset=Objective.objects.all(), required=False, label=verbose_name("objectives"))
    fields = TermsField(queryset=CooperationField.objects.all(), required=False, label=verbose_name("fields"))
    direction = forms.ChoiceField(
        label=verbose_name("direction"),
        choices=Direction.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Vertical: along the supply chain or across tiers; it lowers transaction costs. "
            "Horizontal: same stage or tier; it raises bargaining power and competitiveness. "
            "Required for a partnership between cooperatives."
        ),
    )
    new_entity_record = OrganisationField(
        required=False,
        label=_("The new entity in the registry"),
        error_messages={"not_found": _("No verified cooperative or partner matches “%(text)s”. Leave this empty if it is not registered yet.")},
        help_text=_("When the new entity has its own record (a cooperative, or a partner such as a bank or a company), type its name: its page will say it was founded through this partnership."),
    )
    initiator_role = forms.ChoiceField(
        label=_("Role of your cooperative"), choices=PartyRole.choices, initial=PartyRole.INITIATOR
    )

    class Meta:
        model = Partnership
        fields = [
            "title",
            "description",
            "objectives",
            "fields",
            "start_date",
            "end_date",
            "status",
            "direction",
            "new_entity",
            "new_entity_name",
            "new_entity_kind",
            "value",
            "currency",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "value": forms.NumberInput(attrs={"min": "0", "step": "0.01"}),
            "currency": forms.TextInput(
                attrs={"maxlength": "3", "size": "4", "autocapitalize": "characters", "list": "currency-codes"}
            ),
        }
        help_texts = {
            "currency": _("A three-letter ISO code, e.g. IDR or USD."),
            "end_date": _("Leave empty while the partnership has no agreed end."),
        }

    def __init__(self, *args, user, initiator_party=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.creating = self.instance.pk is None
        if self.creating:
            cooperatives = acts_for(user).order_by("name", "pk")
            self.fields["cooperative"] = forms.ModelChoiceField(
                label=_("Your cooperative"),
                queryset=cooperatives,
                widget=TierSelect(attrs={"class": "form-select"}),
                help_text=_("The cooperative you register this partnership for: its party is confirmed at once."),
            )
            choices = list(cooperatives[:2])
            if len(choices) == 1:
                self.fields["cooperative"].initial = choices[0].pk
        elif initiator_party is not None:
            self.fields["initiator_role"].initial = initiator_party.role
        for name in ("objectives", "fields", "direction"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        # Verified records, or the one the partnership already names.
        self.fields["new_entity_record"].querysets = {
            "cooperative": Cooperative.objects.filter(
                Q(verification=Verification.VERIFIED) | Q(pk=self.instance.new_entity_cooperative_id or 0)
            ),
            "partner": Partner.objects.filter(
                Q(verification=Verification.VERIFIED) | Q(pk=self.instance.new_entity_partner_id or 0)
            ),
        }
        if self.instance.new_entity_record is not None:
            self.initial["new_entity_record"] = self.instance.new_entity_record

    @property
    def initiator(self):
        if self.creating:
            return self.cleaned_data.get("cooperative") if hasattr(self, "cleaned_data") else None
        return self.instance.initiator

    def clean_currency(self):
        return (self.cleaned_data.get("currency") or "").strip().upper()

    def _post_clean(self):
        if self.creating and self.cleaned_data.get("cooperative"):
            self.instance.initiator = self.cleaned_data["cooperative"]
        if "new_entity_record" in self.cleaned_data:
            # One picker for the entity's record: a cooperative or a partner.
            record = self.cleaned_data["new_entity_record"]
            self.instance.new_entity_cooperative = record if isinstance(record, Cooperative) else None
            self.instance.new_entity_partner = record if isinstance(record, Partner) else None
        super()._post_clean()


class PartyForm(BootstrapFormMixin, forms.Form):
    """Another party: a verified cooperative or partner, and its role."""

    organisation = OrganisationField(
        required=False,
        label=_("Cooperative or partner"),
        help_text=_("Type a few letters of the name and choose from the list."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices, initial=PartyRole.MEMBER)

    def has_changed(self):
        # A row that names an organisation is always read, even when it is the one
        # the page offered: a formset skips unchanged extra rows.
        text, token = self["organisation"].data if self.is_bound else ("", "")
        return bool(str(text).strip() or str(token).strip()) or super().has_changed()


class BasePartyFormSet(forms.BaseFormSet):
    """The other parties. Rows left empty are skipped; each organisation once.

    `initiator` (the user's cooperative) and `proposed` (how many partners are
    proposed inline) are set before validation, so that the count of parties
    includes them.
    """

    initiator = None
    proposed = 0

    def __init__(self, *args, querysets=None, **kwargs):
        self.querysets = querysets or {}
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this party")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.fields["organisation"].querysets = self.querysets
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        form.fields["organisation"].querysets = self.querysets
        return form

    def chosen(self):
        """(organisation, role) of the rows that name one."""
        rows = []
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            organisation = form.cleaned_data.get("organisation")
            if organisation is not None:
                rows.append((organisation, form.cleaned_data["role"]))
        return rows

    def clean(self):
        if any(self.errors):
            return
        seen = {organisation_key(self.initiator)} if self.initiator else set()
        count = len(seen) + self.proposed
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            organisation = form.cleaned_data.get("organisation")
            if organisation is None:
                continue
            key = organisation_key(organisation)
            if key in seen:
                form.add_error(
                    "organisation",
                    ValidationError(
                        _("%(name)s is already a party: each organisation appears once."),
                        code="duplicate",
                        params={"name": organisation.name},
                    ),
                )
                continue
            seen.add(key)
            count += 1
        if self.initiator and count < services.MIN_PARTIES and not any(self.errors):
            raise ValidationError(
                _("A partnership has at least two parties: name at least one other cooperative or partner."),
                code="too_few",
            )


def party_formset_class(extra):
    return forms.formset_factory(
        PartyForm,
        formset=BasePartyFormSet,
        extra=extra,
        can_delete=True,
        max_num=MAX_PARTIES,
        validate_max=True,
        # Django builds up to max_num + 1,000 forms before it checks the count: 900
        # rows took 6.4 s and a 5.5 MB page. Beyond this, no form is built.
        absolute_max=MAX_PARTIES,
    )


class NewPartnerForm(PlacesFormMixin, BootstrapFormMixin, forms.ModelForm):
    """A partner not yet in the registry, proposed inline: it waits for verification.
    In Indonesia it names its regency/city, as every new record does; its district and
    village are the curators' to add."""

    every_regency_first = False  # the partnership's form: no 514 regencies before a province

    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices, initial=PartyRole.MEMBER)

    class Meta:
        model = Partner
        fields = ["name", "kind", "country", "province", "regency_place"]
        labels = {"name": _("Name of the new partner")}
        help_texts = {"regency_place": _("Required for an organisation in Indonesia.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, empty_permitted=True, use_required_attribute=False, **kwargs)
        self.user = user
        self.init_places()

    def clean(self):
        cleaned_data = super().clean()
        self.clean_places_required(cleaned_data)
        return cleaned_data

    def clean_name(self):
        name = self.cleaned_data.get("name", "")
        known = Partner.objects.visible_to(self.user).filter(name__iexact=name.strip())
        if name and known.exists():
            raise ValidationError(
                _("%(name)s is already registered: choose it among the parties above."),
                code="known",
                params={"name": name.strip()},
            )
        return name

    @property
    def proposed(self):
        return self.is_bound and self.has_changed() and self.is_valid()


class DocumentForm(BootstrapFormMixin, forms.ModelForm):
    """An agreement document: PDF, PNG or JPEG by content, at most 10 MB."""

    class Meta:
        model = PartnershipDocument
        fields = ["title", "date", "file"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "file": forms.FileInput(attrs={"accept": "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"}),
        }
        help_texts = {"file": _("PDF, PNG or JPEG, at most 10 MB.")}

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file:
            inspect_document(file)
        return file


DocumentFormSet = forms.modelformset_factory(
    PartnershipDocument,
    form=DocumentForm,
    extra=1,
    max_num=services.MAX_DOCUMENTS,
    validate_max=True,
    absolute_max=services.MAX_DOCUMENTS,
    can_delete=False,
)


class PartnershipRegistration:
    """The whole registration (or edit) page: validates its forms together and saves
    through the services, in one transaction.

    `partnership` is None to register a new one. Errors raised by the services
    (the rules that span the parties, such as a direction between cooperatives)
    are put next to their field, or above the parties when they concern them.
    """

    def __init__(self, *, user, partnership=None, proposed=None, data=None, files=None):
        """`proposed` is the partnership's pending change, if any: the form opens with
        its values, which the official goes on changing."""
        self.user = user
        self.partnership = partnership
        # Browsers do not send chosen files again: a refused form must say so.
        self.files_sent = bool(files)
        self.party_errors = []
        self.existing_parties = []
        initial = {}
        if partnership is not None:
            self.existing_parties = list(partnership.parties.select_related("cooperative", "partner"))
        if proposed is not None:
            initial = {name: ids for name, ids in proposed.apply_to(partnership).items()}
            if "parties" in proposed.changes:
                self.existing_parties = services.parties_of_change(proposed.changes["parties"])
        initiator_party = next(
            (p for p in self.existing_parties if p.cooperative_id == getattr(partnership, "initiator_id", None)),
            None,
        )
        self.initiator_party = initiator_party
        self.form = PartnershipForm(
            data, instance=partnership or Partnership(), initial=initial, user=user, initiator_party=initiator_party
        )
        others = [p for p in self.existing_parties if p is not initiator_party]
        # Only a submitted form reads organisations (and asks for the user's permissions).
        querysets = self.party_querysets() if data is not None else {}
        self.parties = party_formset_class(extra=1 if others else 3)(
            data,
            prefix="parties",
            querysets=querysets,
            initial=[{"organisation": p.organisation, "role": p.role} for p in others],
        )
        self.new_partner = NewPartnerForm(data, prefix="new_partner", user=user)
        self.documents = DocumentFormSet(
            data, files, prefix="documents", queryset=PartnershipDocument.objects.none()
        )

    def party_querysets(self):
        """The organisations one may name: verified ones, the unverified ones this
        user may see (a partner they proposed), and the parties already named."""
        cooperative_ids = [p.cooperative_id for p in self.existing_parties if p.cooperative_id]
        partner_ids = [p.partner_id for p in self.existing_parties if p.partner_id]
        return {
            "cooperative": Cooperative.objects.filter(
                Q(pk__in=Cooperative.objects.visible_to(self.user).values("pk")) | Q(pk__in=cooperative_ids)
            ),
            "partner": Partner.objects.filter(
                Q(pk__in=Partner.objects.visible_to(self.user).values("pk")) | Q(pk__in=partner_ids)
            ),
        }

    def is_valid(self):
        form_valid = self.form.is_valid()
        partner_valid = self.new_partner.is_valid()
        self.parties.initiator = self.form.initiator
        self.parties.proposed = 1 if self.new_partner.proposed else 0
        parties_valid = self.parties.is_valid()
        documents_valid = self.documents.is_valid()
        direction_valid = self.check_direction()
        return form_valid and partner_valid and parties_valid and documents_valid and direction_valid

    def check_direction(self):
        """The service's rule that a partnership between cooperatives names its
        direction (services.apply_derived, which keeps it), checked here with every
        other field: its error shows with the others at once, not only once they are
        all corrected. Between cooperatives means: no partner named or proposed, and
        every row's name found (a name not found is its own error first)."""
        if not self.form.is_bound or self.form.cleaned_data.get("direction", "x"):
            return True
        rows = [form for form in self.parties.forms if form.has_changed()]
        named = [form.fields["organisation"].widget.chosen for form in rows]
        if self.new_partner.proposed or any(organisation is None or isinstance(organisation, Partner) for organisation in named):
            return True
        self.form.add_error("direction", services.DIRECTION_REQUIRED)
        return False

    @property
    def has_errors(self):
        return bool(self.party_errors) or not (
            self.form.is_bound
            and not self.form.errors
            and not self.new_partner.errors
            and not any(self.parties.errors)
            and not self.parties.non_form_errors()
            and not any(self.documents.errors)
            and not self.documents.non_form_errors()
        )

    def suggested_direction(self):
        """Horizontal or vertical from the tiers of the cooperatives named so far."""
        parties = []
        initiator = self.form.initiator if self.form.is_bound else getattr(self.partnership, "initiator", None)
        if initiator is not None:
            parties.append(PartnershipParty(cooperative=initiator))
        if self.parties.is_bound:
            rows = [f.fields["organisation"].widget.chosen for f in self.parties.forms]
        else:
            rows = [p.organisation for p in self.existing_parties if p is not self.initiator_party]
        for organisation in rows:
            if isinstance(organisation, Cooperative):
                parties.append(PartnershipParty(cooperative=organisation))
        return derive_from_parties(parties)[2]

    def build_parties(self, proposed_partner):
        """PartnershipParty objects for the service, one per organisation named: the
        service matches them with the stored parties under its lock."""
        initiator = self.form.initiator
        rows = [(initiator, self.form.cleaned_data["initiator_role"]), *self.parties.chosen()]
        if proposed_partner is not None:
            rows.append((proposed_partner, self.new_partner.cleaned_data["role"]))
        return [
            PartnershipParty(**{organisation_type(organisation): organisation}, role=role)
            for organisation, role in rows
        ]

    def proposed_partner(self):
        """The unsaved partner the official proposes, or None: the service saves it."""
        if not self.new_partner.proposed:
            return None
        return self.new_partner.save(commit=False)

    def save(self):
        """Hand the validated values to the service; None (and errors on the forms)
        when it refuses. The service writes everything in one transaction."""
        documents = [form.instance for form in self.documents.forms if form.has_changed()]
        data = self.form.cleaned_data
        partner = self.proposed_partner()
        arguments = dict(
            user=self.user,
            partnership=self.form.instance,
            parties=self.build_parties(partner),
            objectives=data["objectives"],
            fields=data["fields"],
            documents=documents,
            new_partner=partner,
        )
        try:
            if self.partnership is None:
                return services.partnership_register(**arguments)
            return services.partnership_update(**arguments, version=self.form.opened_version)
        except ValidationError as error:
            for document in documents:
                # Files written before the refusal would stay behind the rollback.
                if document.file and document.file._committed:
                    document.file.delete(save=False)
            if isinstance(error, StaleVersion):
                current = Partnership.objects.get(pk=self.partnership.pk)
                self.form.refuse_stale(error, current, changed_since(current, self.form.opened_version))
            else:
                self.add_error(error)
            return None

    def add_error(self, error):
        if getattr(error, "code", None) == "too_many_documents":
            self.documents.non_form_errors().extend(error.messages)
        elif hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                if field in self.form.fields:
                    self.form.add_error(field, errors)
                else:
                    self.party_errors.extend(ValidationError(errors).messages)
        else:
            self.party_errors.extend(error.messages)


class ProvinceForm(BootstrapFormMixin, forms.Form):
    """The province whose cooperatives the statistics count by regency/city (`?province=32`)."""

    province = CodeChoiceField(
        queryset=Province.objects.all(),
        pattern=r"[0-9]{2}",
        label=_("Province"),
        error_messages={"required": _("Choose a province."), "invalid_choice": _("Choose a province from the list.")},
    )

    @classmethod
    def of(cls, tiles):
        """The form with the provinces the page has read already (its map's tiles): no query."""
        form = cls()
        provinces = sorted((tile["name"], tile["code"]) for tile in tiles)
        form.fields["province"].widget.choices = [("", "---------"), *((code, name) for name, code in provinces)]
        return form

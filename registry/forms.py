"""The officials' forms of the registry: a cooperative's profile, and the search and
choice of the cooperative they ask to represent. (The filter forms' machinery is
kopnet.filters'.)"""

from django import forms
from django.db import models
from django.urls import reverse_lazy
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kopnet.filters import CodeChoiceField, search_widget
from kopnet.forms import BootstrapFormMixin, DayField, VersionedFormMixin
from registry.models import INDONESIA, Cooperative, Regency, Sector, Tier
from registry.places import within


def https_urls(model_field, **kwargs):
    """Links typed without a scheme are https (Django 6's default, asked for now)."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


# Each level of place and the field above it.
PLACE_LEVELS = (("regency_place", "province"), ("district", "regency_place"), ("village", "district"))
CHOOSE_ABOVE = _("Choose the level above first")


def place_picker(name, above, first):
    """The attributes by which static/js/places.js makes a select a place picker:
    its places follow the field `above`, `first` is its only option while that is empty."""
    return {
        "data-place": name,
        "data-place-above": above,
        "data-places-url": reverse_lazy("registry:places"),
        "data-place-search": _("Search the list"),
        "data-place-first": first,
        "data-place-failed": _("The list could not be loaded: save, and choose again."),
    }


class PlacesFormMixin:
    """The regency/city, district and village of an organisation in Indonesia, each a
    choice among the places within the one above (static/js/places.js narrows them
    as the choice above changes, and searches them; without it, the districts and
    villages of the saved or sent choice are offered). The regency/city is required
    of a new Indonesian record wherever the places are loaded. Whether each lies
    within the one above is the model's rule (PlacedModel.clean_places)."""

    # Without a province yet, the regency/city offers all 514, grouped by province (a
    # choice without JavaScript, at the cost of a query and 30 KB); False: it waits for
    # the province, as the district waits for the regency (a small part of a larger form).
    every_regency_first = True

    def init_places(self):
        for name, above in PLACE_LEVELS:
            field = self.fields.get(name)
            if field is None:
                continue
            value = self[above].value()
            rows = within(str(getattr(value, "pk", value) or ""))
            if rows is not None:
                choices = [("", "---------"), *rows]
            elif name == "regency_place" and self.every_regency_first:
                choices = [("", "---------"), *self.regencies_by_province()]
            else:
                choices = [("", CHOOSE_ABOVE)]
            # Any place of the level: whether it lies within the one above is the model's rule.
            field.queryset = field.queryset.model.objects.all()
            if name == "regency_place" and not field.help_text:
                field.help_text = _("Required for a new organisation in Indonesia; the district and village are optional.")
            widget = getattr(field.widget, "widget", field.widget)  # the admin wraps it
            widget.choices = choices
            widget.attrs |= place_picker(name, self.add_prefix(above), CHOOSE_ABOVE)

    @staticmethod
    def regencies_by_province():
        """Every regency/city, grouped by province (no province chosen yet, no script)."""
        groups = {}
        for code, name, province in Regency.objects.order_by("province__name", "name").values_list(
            "code", "name", "province__name"
        ):
            groups.setdefault(province, []).append((code, name))
        return list(groups.items())

    def clean_places_required(self, cleaned_data):
        """A new Indonesian record names its regency/city, where its province's are loaded."""
        province = cleaned_data.get("province")
        if (
            self.instance._state.adding
            and cleaned_data.get("country") == INDONESIA
            and province is not None
            and not cleaned_data.get("regency_place")
            and "regency_place" not in self.errors
            and Regency.objects.filter(province=province).exists()
        ):
            message = _("Choose the regency or city of an organisation in Indonesia.")
            self.add_error("regency_place", forms.ValidationError(message, code="required"))


class CooperativeForm(PlacesFormMixin, VersionedFormMixin, BootstrapFormMixin, forms.ModelForm):
    """A cooperative's public profile, as its officials register and edit it.

    Every rule (tier and members, NIK Koperasi, province) is the model's: the
    ModelForm runs Cooperative.full_clean(), so a broken rule is a form error.
    """

    class Meta:
        model = Cooperative
        fields = [
            "name", "short_name", "tier", "type", "sectors", "status",
            "country", "province", "regency_place", "district", "village", "address",
            "nik", "legal_number", "legal_date", "founded", "individual_members", "scope",
            "website", "email", "phone",
        ]  # fmt: skip
        formfield_callback = https_urls
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "address": forms.Textarea(attrs={"rows": 3}),
            "legal_date": DateInput,
            "founded": DateInput,
        }

    # The form's sections, each a fieldset with its legend (every field once).
    SECTIONS = (
        (_("The cooperative"), ("name", "short_name", "tier", "type", "sectors", "status", "scope")),
        (_("Where it is"), ("country", "province", "regency_place", "district", "village", "address")),
        (_("Legal entity"), ("nik", "legal_number", "legal_date", "founded")),
        (_("Members"), ("individual_members",)),
        (_("Contact"), ("website", "email", "phone")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].queryset = Sector.objects.order_by("name")
        self.fields["province"].help_text = _("Required for a cooperative in Indonesia; leave it empty for one abroad.")
        self.init_places()
        if self.instance.regency and not self.instance.regency_place_id:
            # Typed before the codes, and not matched to one: say what was typed.
            self.fields["regency_place"].help_text = _("Recorded as “%(text)s”: choose it from the list.") % {
                "text": self.instance.regency
            }

    def clean(self):
        cleaned_data = super().clean()
        self.clean_places_required(cleaned_data)
        return cleaned_data

    def sections(self):
        """[(legend, [bound fields])] in the order of SECTIONS."""
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.SECTIONS]


class CooperativeSearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Name, short name, NIK Koperasi or legal entity number"),
        max_length=100,
        required=False,
        widget=search_widget(_("e.g. Koperasi Tani Makmur")),
    )


class RepresentationRequestForm(forms.Form):
    """The cooperative chosen among the search results, by slug."""

    cooperative = CodeChoiceField(
        label=_("Cooperative"),
        queryset=Cooperative.objects.verified(),
        to_field_name="slug",
        pattern=r"[-a-zA-Z0-9_]{1,220}",
        error_messages={
            "required": _("Choose a cooperative from the search results."),
            "invalid_choice": _("Choose a verified cooperative from the search results."),
        },
    )


class ProposalForm(BootstrapFormMixin, forms.Form):
    """An official's proposal that their cooperative join a federation: the federation
    chosen among the search results (by slug), the date the membership began or
    begins, and a note for the federation's officials."""

    federation = CodeChoiceField(
        label=_("Federation"),
        queryset=Cooperative.objects.verified().exclude(tier=Tier.PRIMER),
        to_field_name="slug",
        pattern=r"[-a-zA-Z0-9_]{1,220}",
        error_messages={
            "required": _("Choose a federation from the search results."),
            "invalid_choice": _("Choose a verified federation from the search results."),
        },
    )
    start_date = forms.DateField(
        label=_("Member since"),
        widget=DateInput(),
        help_text=_("The day your cooperative joined the federation (not in the future)."),
    )
    note = forms.CharField(
        label=_("Note to the federation (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the decision of your members' meeting that chose to join."),
    )


class RefusalForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why do you refuse?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The proposing cooperative's officials read this."),
        error_messages={"required": _("Say why the proposal is refused.")},
    )


class AsOfForm(BootstrapFormMixin, forms.Form):
    """The day a profile is read as of (`?as_of=YYYY-MM-DD`): a past day, not before
    the record's founding when the registry knows it. Bound to the query string;
    without a day it is valid and names none."""

    as_of = DayField(required=False, label=_("See it as on"))

    def __init__(self, data, record):
        super().__init__(data)
        founded = getattr(record, "founded", None)
        if founded is not None:
            message = _("%(name)s was founded on %(day)s: choose that day or a later one.") % {
                "name": record.name,
                "day": date_format(founded, "DATE_FORMAT"),
            }
            self.fields["as_of"].set_earliest(founded, message)

    def day(self):
        """The valid day asked for, or None (none asked, or a wrong one)."""
        return self.cleaned_data.get("as_of") if self.is_valid() else None

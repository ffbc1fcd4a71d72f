"""The official's dashboard (/akun/): my cooperatives, the partnerships waiting for
my answer, the partnerships my cooperatives registered; and the answers themselves
(confirm, or decline with a reason), which go through partnerships.services."""

import collections
import functools
import types

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kopnet import notifications, policy
from kopnet.forms import BootstrapFormMixin, FastTextarea, KeyedFormFields
from kopnet.filters import applied_filters
from kopnet.services import pending_revision_ids_of
from partnerships import services
from kopnet.models import RevisionState, Verification
from partnerships.models import ChangeAnswer, Confirmation, Partnership, PartnershipDocument, PartnershipParty
from partnerships.selectors import party_answers
from registry.models import Cooperative, Representation, RepresentationState
from registry.policy import acting_for_ids
from registry.proposals import dashboard_proposals


class DeclineForm(BootstrapFormMixin, forms.Form):
    # Kept beside the only view that uses it: the dashboard's decline button.
    reason = forms.CharField(
        label=gettext_lazy("Why do you decline?"),
        max_length=2000,
        widget=FastTextarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The initiating cooperative and Dekopin's curators read this."),
    )

    def __init__(self, *args, key, **kwargs):
        # Every waiting partnership or change has its own decline form on the page: distinct ids.
        super().__init__(*args, auto_id=f"decline-{key}-%s", **kwargs)


# Each thing waiting for an answer is a card with two forms: a short page reads (and
# renders) better than a list's 50 rows; the busiest cooperative's official has
# hundreds waiting.
PAGE_SIZE = 20


# The columns each section shows (and what the view and the forms read): the
# dashboard's query count test fails if a template reads one left out.
REPRESENTATION_COLUMNS = (
    "user", "cooperative", "state", "cooperative__slug", "cooperative__name", "cooperative__tier",
    "cooperative__country", "cooperative__verification", "cooperative__province__name",
)  # fmt: skip
AWAITING_COLUMNS = (
    "role", "cooperative__name", "partnership__title", "partnership__reference", "partnership__start_date",
    "partnership__end_date", "partnership__value", "partnership__currency", "partnership__version",
    "partnership__initiator__name",
)  # fmt: skip
REGISTERED_COLUMNS = ("title", "reference", "verification", "verification_note", "initiator__name")


def my_partnerships_page(request, mine, listed):
    """A page of every partnership one of my cooperatives (`mine`) is a party to, newest
    registered first, or of the one cooperative the filter chose. Without a filter on
    the partnerships themselves, the page's keys come from the parties' index on
    (cooperative, partnership) alone, then those partnerships are read: for the
    busiest cooperative (6,940 parties at 1,000,000 partnerships) the page took 135 ms
    when PostgreSQL joined every partnership to sort them. Filtered (by a text, the
    verification, or what waits for my answer), the partnerships are filtered first."""
    shown = Partnership.objects.select_related("initiator").only(*REGISTERED_COLUMNS)
    cooperatives = listed.cooperatives(mine)
    parties = PartnershipParty.objects.filter(cooperative_id__in=cooperatives)
    if listed.narrows_partnerships:
        if listed.waiting:
            changes = ChangeAnswer.objects.filter(
                confirmation=Confirmation.PENDING, revision__state=RevisionState.PENDING, cooperative_id__in=cooperatives
            )
            shown = shown.filter(
                Q(pk__in=parties.filter(confirmation=Confirmation.PENDING).values("partnership_id"))
                | Q(pk__in=changes.values("revision__object_id"))
            )
        else:
            shown = shown.filter(pk__in=parties.values("partnership_id"))
        return page_of(request, listed.apply(shown).order_by("-pk"), "registered_page")
    keys = parties.order_by("-partnership_id").values_list("partnership_id", flat=True).distinct()
    page = page_of(request, keys, "registered_page")
    page.object_list = list(shown.filter(pk__in=page.object_list).order_by("-pk"))
    return page


def published_documents(partnership_ids):
    """{partnership id: [(document id, title)]} of their published documents, one query."""
    found = collections.defaultdict(list)
    rows = PartnershipDocument.objects.filter(partnership_id__in=partnership_ids, published=True)
    for partnership_id, pk, title in rows.order_by("pk").values_list("partnership_id", "pk", "title"):
        found[partnership_id].append((pk, title))
    return found


class ListFilter(BootstrapFormMixin, forms.Form):
    """The filters of the dashboard's list of my cooperatives' partnerships: a text in
    the title or reference, Dekopin's verification, what waits for my answer, and one
    of my cooperatives (when I act for several). A value the form does not know
    filters nothing and says so at its field."""

    mine_q = forms.CharField(label=gettext_lazy("Title or reference"), max_length=200, required=False)
    mine_verification = forms.ChoiceField(
        label=gettext_lazy("Verification"),
        choices=[("", gettext_lazy("Any")), *Verification.choices],
        required=False,
    )
    mine_answer = forms.ChoiceField(
        label=gettext_lazy("Your answer"),
        choices=[("", gettext_lazy("Any")), ("waiting", gettext_lazy("Not given yet"))],
        required=False,
    )
    mine_cooperative = forms.ChoiceField(label=gettext_lazy("Cooperative"), required=False)

    def __init__(self, data, *, cooperatives):
        """`cooperatives`: (id, slug, name) of those I act for."""
        super().__init__(data)
        self.by_slug = {slug: pk for pk, slug, _name in cooperatives}
        self.fields["mine_cooperative"].choices = [("", gettext_lazy("All of yours"))] + [
            (slug, name) for _pk, slug, name in cooperatives
        ]
        self.several = len(cooperatives) > 1

    def value(self, name):
        return self.cleaned_data.get(name) if self.is_valid() else None

    def cooperatives(self, mine):
        """The ids of the cooperatives the list is of: the one chosen, or all of mine."""
        chosen = self.value("mine_cooperative")
        return [self.by_slug[chosen]] if chosen else mine

    @property
    def waiting(self):
        return self.value("mine_answer") == "waiting"

    @property
    def narrows_partnerships(self):
        """Whether a filter asks something of the partnerships themselves (not only
        which of my cooperatives they are of)."""
        return any(self.value(name) for name in ("mine_q", "mine_verification", "mine_answer"))

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        text = self.cleaned_data["mine_q"].strip()
        if text:
            queryset = queryset.filter(Q(title__icontains=text) | Q(reference__icontains=text))
        if self.cleaned_data["mine_verification"]:
            queryset = queryset.filter(verification=self.cleaned_data["mine_verification"])
        return queryset

    @property
    def applied(self):
        return self.is_valid() and any(self.cleaned_data.values())

    def chips(self, request):
        """The filters applied, each as a chip linking to the list without it."""
        query = request.GET.copy()
        query.pop("registered_page", None)
        form = types.SimpleNamespace(form=self, filters={}, is_bound=self.is_bound)
        return applied_filters(form, request.path, query)


def page_of(request, queryset, param):
    """A page of `queryset` chosen by the `param` query parameter; a bad page is a 404."""
    paginator = Paginator(queryset, PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get(param) or 1)
    except InvalidPage as error:
        raise Http404(_("There is no such page.")) from error
    page.object_list = list(page.object_list)
    return page


def render_dashboard(request, *, failed_key=None, failed_form=None, status=200):
    """The dashboard; after a refused decline, that form comes back with its errors."""
    user = request.user
    representations = list(
        Representation.objects.open()
        .filter(user=user)
        .select_related("cooperative__province")
        .only(*REPRESENTATION_COLUMNS)
        .order_by("cooperative__name", "pk")
    )
    awaiting = page_of(
        request,
        PartnershipParty.objects.awaiting(user)
        .select_related("partnership__initiator", "cooperative")
        # Only what a card shows: the partnerships' descriptions and the cooperatives'
        # profiles were most of the rows read, and each column is decoded in Python.
        .only(*AWAITING_COLUMNS)
        .order_by("-partnership__created_at", "-pk"),
        "awaiting_page",
    )
    # The decline forms' fields: one template rendering for all the blank ones, when
    # the page's template writes the first (a callable, which the template calls).
    decline_fields = KeyedFormFields(lambda key: DeclineForm(key=key))

    def sent_back_or_blank(card, key):
        card.decline_form = failed_form if key == failed_key else None
        if card.decline_form is None:
            card.decline_fields = functools.partial(decline_fields.html, key)
        else:
            card.decline_fields = functools.partial(decline_fields.render, failed_form)

    for party in awaiting.object_list:
        sent_back_or_blank(party, f"{party.pk}")
    changes = page_of(
        request,
        ChangeAnswer.objects.awaiting(user)
        .select_related("revision__proposed_by", "revision__content_type", "cooperative")
        .order_by("-revision__proposed_at", "-pk"),
        "changes_page",
    )
    partnerships = Partnership.objects.select_related("initiator").in_bulk(
        [answer.revision.object_id for answer in changes.object_list]
    )
    for answer in changes.object_list:
        key = f"change-{answer.pk}"
        answer.partnership = partnerships[answer.revision.object_id]
        sent_back_or_blank(answer, key)
    mine = sorted(acting_for_ids(user))
    listed = ListFilter(
        request.GET,
        cooperatives=[
            (representation.cooperative_id, representation.cooperative.slug, representation.cooperative.name)
            for representation in representations
            if representation.state == RepresentationState.APPROVED
        ],
    )
    if not listed.is_valid() and status == 200:
        status = 400  # the error shows at its field; the list is not filtered
    registered = my_partnerships_page(request, mine, listed)
    # The parties of the cards and of the list's rows in one query; the cards' documents in one.
    cards = [party.partnership_id for party in awaiting.object_list]
    answers = party_answers([*cards, *(partnership.pk for partnership in registered.object_list)])
    documents = published_documents(cards)
    for party in awaiting.object_list:
        party.others = [row["name"] for row in answers[party.partnership_id] if row["cooperative_id"] != party.cooperative_id]
        party.documents = documents[party.partnership_id]
    # Which of my cooperatives have a change waiting for the curators, and which of the
    # partnerships they registered (for the other parties or the curators): one query.
    waiting = pending_revision_ids_of({
        Cooperative: [representation.cooperative_id for representation in representations],
        Partnership: [partnership.pk for partnership in registered.object_list],
    })  # fmt: skip
    for representation in representations:
        representation.cooperative.pending_change = representation.cooperative_id in waiting[Cooperative]
    for partnership in registered.object_list:
        partnership.party_answers = answers[partnership.pk]
        partnership.pending_change = partnership.pk in waiting[Partnership]
        partnership.editable = partnership.initiator_id in mine
    proposals_to_answer, proposals_own = dashboard_proposals(user)
    context = {
        "representations": representations,
        "proposals_to_answer": proposals_to_answer,
        "proposals_own": proposals_own,
        "acts_for_any": any(r.state == RepresentationState.APPROVED for r in representations),
        "awaiting_page": awaiting,
        "changes_page": changes,
        "registered_page": registered,
        "list_filter": listed,
        "list_chips": listed.chips(request) if listed.applied else [],
        # What changed that concerns the user (kopnet.notifications): the latest, and how many unread.
        "notifications": notifications.latest_for(user),
    }
    return render(request, "partnerships/dashboard.html", context, status=status)


@login_required
def dashboard(request):
    return render_dashboard(request)


def answerable_party(user, pk):
    """A party of a cooperative the user acts for; any other answers 404."""
    party = get_object_or_404(PartnershipParty.objects.select_related("partnership", "cooperative"), pk=pk)
    if not policy.may(user, "answer", party):
        raise Http404(_("No party you may answer has this number."))
    return party


def answer_through(request, service, *, subject, confirmed, key=None, **arguments):
    """Confirm (or, with the decline form, decline) through `service`; a refusal comes
    back as the dashboard with the service's message, a bad reason with the form's."""
    values = {"cooperative": subject.cooperative.name, "reference": subject.partnership.reference,
              "title": subject.partnership.title}  # fmt: skip
    version = request.POST.get("version")
    if not confirmed:
        form = DeclineForm(request.POST, key=key)
        if not form.is_valid():
            messages.error(request, _("%(reference)s was not declined: say why, in the form below.") % values)
            return render_dashboard(request, failed_key=key, failed_form=form, status=400)
        arguments["reason"] = form.cleaned_data["reason"]
    try:
        service(user=request.user, version=version, **arguments)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render_dashboard(request, status=400)
    if isinstance(subject, ChangeAnswer):
        done = _("%(cooperative)s confirmed the change to %(reference)s: %(title)s.") if confirmed else _(
            "%(cooperative)s declined the change to %(reference)s: %(title)s."
        )
    else:
        done = _("%(cooperative)s confirmed %(reference)s: %(title)s.") if confirmed else _(
            "%(cooperative)s declined %(reference)s: %(title)s."
        )
    messages.success(request, done % values)
    return redirect("partnerships:dashboard")


@require_POST
@login_required
def party_confirm(request, pk):
    party = answerable_party(request.user, pk)
    return answer_through(request, services.party_confirm, subject=party, confirmed=True, party_id=party.pk)


@require_POST
@login_required
def party_decline(request, pk):
    party = answerable_party(request.user, pk)
    return answer_through(
        request, services.party_decline, subject=party, confirmed=False, key=f"{party.pk}", party_id=party.pk
    )


def answerable_change(user, pk):
    """A cooperative's answer to a pending change, for its officials; any other 404."""
    answer = get_object_or_404(ChangeAnswer.objects.select_related("revision", "cooperative"), pk=pk)
    if not policy.may(user, "answer", answer):
        raise Http404(_("No change you may answer has this number."))
    answer.partnership = get_object_or_404(Partnership, pk=answer.revision.object_id)
    return answer


@require_POST
@login_required
def change_confirm(request, pk):
    answer = answerable_change(request.user, pk)
    return answer_through(request, services.change_confirm, subject=answer, confirmed=True, answer_id=answer.pk)


@require_POST
@login_required
def change_decline(request, pk):
    answer = answerable_change(request.user, pk)
    return answer_through(
        request, services.change_decline, subject=answer, confirmed=False, key=f"change-{answer.pk}", answer_id=answer.pk
    )

"""The official's dashboard (/akun/): my cooperatives, the partnerships waiting for
my answer, the partnerships my cooperatives registered; and the answers themselves
(confirm, or decline with a reason), which go through partnerships.services."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kopnet import policy
from kopnet.forms import BootstrapFormMixin
from kopnet.services import pending_revision_ids
from partnerships import services
from partnerships.models import Partnership, PartnershipParty
from registry.models import Cooperative, Representation, RepresentationState
from registry.policy import acts_for


class DeclineForm(BootstrapFormMixin, forms.Form):
    # Kept beside the only view that uses it: the dashboard's decline button.
    reason = forms.CharField(
        label=gettext_lazy("Why do you decline?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The initiating cooperative and Dekopin's curators read this."),
    )

    def __init__(self, *args, party, **kwargs):
        # Every waiting partnership has its own decline form on the page: distinct ids.
        super().__init__(*args, auto_id=f"decline-{party.pk}-%s", **kwargs)


def page_of(request, queryset, param):
    """A page of `queryset` chosen by the `param` query parameter; a bad page is a 404."""
    paginator = Paginator(queryset, settings.KOPNET_PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get(param) or 1)
    except InvalidPage as error:
        raise Http404(_("There is no such page.")) from error
    page.object_list = list(page.object_list)
    return page


def render_dashboard(request, *, failed_party_id=None, failed_form=None, status=200):
    """The dashboard; after a refused decline, that party's form comes back with its errors."""
    user = request.user
    representations = list(
        Representation.objects.open()
        .filter(user=user)
        .select_related("cooperative__province")
        .order_by("cooperative__name", "pk")
    )
    # Which of them have a change waiting for the curators: one query.
    waiting = pending_revision_ids(Cooperative, [r.cooperative_id for r in representations])
    for representation in representations:
        representation.cooperative.pending_change = representation.cooperative_id in waiting
    awaiting = page_of(
        request,
        PartnershipParty.objects.awaiting(user)
        .select_related("partnership__initiator", "cooperative")
        .order_by("-partnership__created_at", "-pk"),
        "awaiting_page",
    )
    for party in awaiting.object_list:
        party.decline_form = failed_form if party.pk == failed_party_id else DeclineForm(party=party)
    registered = page_of(
        request,
        Partnership.objects.filter(initiator__in=acts_for(user))
        .select_related("initiator")
        .prefetch_related(
            Prefetch("parties", queryset=PartnershipParty.objects.select_related("cooperative", "partner"))
        )
        .order_by("-created_at", "-pk"),
        "registered_page",
    )
    context = {
        "representations": representations,
        "acts_for_any": any(r.state == RepresentationState.APPROVED for r in representations),
        "awaiting_page": awaiting,
        "registered_page": registered,
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


@require_POST
@login_required
def party_confirm(request, pk):
    party = answerable_party(request.user, pk)
    try:
        services.party_confirm(user=request.user, party_id=party.pk, version=request.POST.get("version"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render_dashboard(request, status=400)
    messages.success(
        request,
        _("%(cooperative)s confirmed %(reference)s: %(title)s.")
        % {"cooperative": party.cooperative.name, "reference": party.partnership.reference,
           "title": party.partnership.title},
    )
    return redirect("partnerships:dashboard")


@require_POST
@login_required
def party_decline(request, pk):
    party = answerable_party(request.user, pk)
    form = DeclineForm(request.POST, party=party)
    if form.is_valid():
        try:
            services.party_decline(
                user=request.user, party_id=party.pk, reason=form.cleaned_data["reason"],
                version=request.POST.get("version"),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return render_dashboard(request, status=400)
        messages.success(
            request,
            _("%(cooperative)s declined %(reference)s: %(title)s.")
            % {"cooperative": party.cooperative.name, "reference": party.partnership.reference,
               "title": party.partnership.title},
        )
        return redirect("partnerships:dashboard")
    messages.error(
        request,
        _("%(reference)s was not declined: say why, in the form below.") % {"reference": party.partnership.reference},
    )
    return render_dashboard(request, failed_party_id=party.pk, failed_form=form, status=400)

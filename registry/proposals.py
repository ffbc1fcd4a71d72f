"""Proposals to join a federation, as officials see them: the page where an official
proposes that their cooperative join one, each proposal's own page (confirm or
refuse it for the federation, withdraw it for the member), and what the dashboard
lists. Every change goes through registry.services; who may see or answer what is
registry.policy's answer (MembershipProposalRules)."""

from django.contrib import messages
from django.db.models import Q
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kopnet import policy
from kopnet.views import verified_email_required
from registry import services
from registry.forms import CooperativeSearchForm, ProposalForm, RefusalForm
from registry.models import TIER_RANK, Cooperative, Membership, MembershipProposal, ProposalState
from registry.policy import acting_for_ids

# The federation search shows this many matches; more means: type more.
PICKER_RESULTS = 20
# Decided proposals of the official's cooperatives the dashboard still lists.
DECIDED_SHOWN = 5


def add_errors(form, error):
    """A service's refusal at the form's field it names, the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def federations_matching(member, query):
    """The verified federations a member of `member`'s tier may join matching `query`
    (the first PICKER_RESULTS, and whether there are more), each marked when the
    cooperative is already an active member or has a proposal waiting."""
    ranks = [tier for tier, rank in TIER_RANK.items() if rank >= max(member.tier_rank, 2)]
    matches = list(
        Cooperative.objects.verified()
        .filter(tier__in=ranks)
        .exclude(pk=member.pk)
        .search(query)
        .select_related("province")
        .order_by("name", "id")[: PICKER_RESULTS + 1]
    )
    results = matches[:PICKER_RESULTS]
    shown = [federation.pk for federation in results]
    joined = set(
        Membership.objects.active().filter(member=member, federation_id__in=shown).values_list("federation_id", flat=True)
    )
    waiting = set(
        MembershipProposal.objects.filter(member=member, federation_id__in=shown, state=ProposalState.PROPOSED)
        .values_list("federation_id", flat=True)
    )
    for federation in results:
        federation.joined = federation.pk in joined
        federation.waiting = federation.pk in waiting
    return results, len(matches) > PICKER_RESULTS


@verified_email_required
def proposal_create(request, slug):
    """Propose that a cooperative the official acts for join a federation (works
    without JavaScript: search, then choose among the results)."""
    member = get_object_or_404(Cooperative.objects.select_related("province"), slug=slug)
    if not policy.may(request.user, "edit", member):
        raise Http404(_("No cooperative you may edit has this address."))
    form = ProposalForm(request.POST or None)
    # The search comes back with the POST, so an error keeps the results.
    search = CooperativeSearchForm(request.GET if request.method == "GET" else {"q": request.POST.get("q", "")})
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_make(
                user=request.user,
                member_id=member.pk,
                federation_id=form.cleaned_data["federation"].pk,
                start_date=form.cleaned_data["start_date"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("You proposed that %(member)s join %(federation)s. Its officials (or Dekopin's curators) will answer; you will be told.")
                % {"member": member.name, "federation": proposal.federation.name},
            )
            return redirect("registry:proposal_detail", pk=proposal.pk)
    query = search.cleaned_data.get("q", "") if search.is_valid() else ""
    results, more = federations_matching(member, query) if query else ([], False)
    chosen = request.POST.get("federation", "")
    context = {
        "member": member,
        "form": form,
        "search": search,
        "query": query,
        "results": results,
        "more": more,
        "chosen": chosen,
    }
    status = 400 if form.errors or search.errors else 200
    return render(request, "registry/proposal_form.html", context, status=status)


def visible_proposal(user, pk):
    """The proposal, when the user may see it; any other answers 404."""
    proposal = get_object_or_404(
        MembershipProposal.objects.select_related("member", "federation", "proposed_by", "decided_by"), pk=pk
    )
    if not policy.may(user, "view", proposal):
        raise Http404(_("No proposal you may see has this number."))
    return proposal


@login_required
def proposal_detail(request, pk, refusal=None, status=200):
    proposal = visible_proposal(request.user, pk)
    waiting = proposal.is_waiting
    context = {
        "proposal": proposal,
        "may_answer": waiting and policy.may(request.user, "answer", proposal),
        "may_withdraw": waiting and policy.may(request.user, "edit", proposal),
        "refusal": refusal or RefusalForm(),
    }
    return render(request, "registry/proposal_detail.html", context, status=status)


def decided_through(request, proposal, service, done, **arguments):
    """Run `service`; its refusal comes back as the proposal's page with its message."""
    try:
        service(user=request.user, pk=proposal.pk, **arguments)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return proposal_detail(request, proposal.pk, status=400)
    messages.success(request, done % {"member": proposal.member.name, "federation": proposal.federation.name})
    return redirect("registry:proposal_detail", pk=proposal.pk)


@require_POST
@login_required
def proposal_confirm(request, pk):
    proposal = visible_proposal(request.user, pk)
    return decided_through(
        request, proposal, services.proposal_confirm, _("%(member)s is now a member of %(federation)s.")
    )


@require_POST
@login_required
def proposal_refuse(request, pk):
    proposal = visible_proposal(request.user, pk)
    refusal = RefusalForm(request.POST)
    if not refusal.is_valid():
        messages.error(request, _("The proposal was not refused: say why, in the form below."))
        return proposal_detail(request, pk, refusal=refusal, status=400)
    return decided_through(
        request,
        proposal,
        services.proposal_refuse,
        _("You refused the proposal that %(member)s join %(federation)s."),
        reason=refusal.cleaned_data["reason"],
    )


@require_POST
@login_required
def proposal_withdraw(request, pk):
    proposal = visible_proposal(request.user, pk)
    return decided_through(
        request, proposal, services.proposal_withdraw, _("You withdrew the proposal that %(member)s join %(federation)s.")
    )


def dashboard_proposals(user):
    """What the dashboard lists: the proposals waiting for the user's answer (to a
    federation they act for), and their cooperatives' own proposals (those waiting,
    and the latest few decided). Two queries; none for a user who acts for none."""
    mine = acting_for_ids(user)
    if not mine:
        return [], []
    rows = MembershipProposal.objects.select_related("member", "federation").only(
        "state", "start_date", "created_at", "decided_at", "member__name", "member__slug",
        "federation__name", "federation__slug",
    )  # fmt: skip
    waiting = list(
        rows.filter(Q(federation_id__in=mine) | Q(member_id__in=mine), state=ProposalState.PROPOSED).order_by(
            "created_at", "pk"
        )
    )
    to_answer = [proposal for proposal in waiting if proposal.federation_id in mine]
    own = [proposal for proposal in reversed(waiting) if proposal.member_id in mine]
    decided = rows.filter(member_id__in=mine).exclude(state=ProposalState.PROPOSED).order_by("-decided_at", "-pk")
    return to_answer, own + list(decided[:DECIDED_SHOWN])

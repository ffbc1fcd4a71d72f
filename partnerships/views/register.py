"""Officials registering and editing partnerships, and the search that feeds the
organisation pickers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from kopnet import policy
from kopnet.models import Verification
from kopnet.ratelimits import rate_limited
from kopnet.services import pending_revision
from partnerships.forms import PartnershipRegistration
from partnerships.models import Partnership
from registry.models import Cooperative, Partner
from registry.policy import acts_for

TEMPLATE = "partnerships/partnership_form.html"
SEARCH_LIMIT = 20
MAX_QUERY_LENGTH = 100


@login_required
def partnership_create(request):
    if not acts_for(request.user).exists():
        return render(request, TEMPLATE, {"no_cooperative": True, "representation_url": representation_url()})
    registration = PartnershipRegistration(user=request.user, **bound_data(request))
    if request.method == "POST":
        if registration.is_valid() and (partnership := registration.save()):
            messages.success(
                request,
                _(
                    "Partnership %(reference)s is registered. The other cooperatives' officials are asked "
                    "to confirm it, then Dekopin's curators verify it."
                )
                % {"reference": partnership.reference},
            )
            return redirect("partnerships:partnership_detail", partnership.reference)
        return render(request, TEMPLATE, context(registration), status=400)
    return render(request, TEMPLATE, context(registration))


@login_required
def partnership_update(request, reference):
    """The initiator's officials edit a partnership. A verified one keeps its verified
    values, which visitors see, while the edit waits as its pending change (the form
    opens with it); a rejected one goes back to the curators."""
    partnership = get_object_or_404(
        Partnership.objects.select_related("initiator", "new_entity_cooperative", "new_entity_partner"), reference=reference
    )
    if not policy.may(request.user, "edit", partnership):
        raise Http404(_("No partnership you may edit has this reference."))
    verified = partnership.is_verified
    proposed = pending_revision(partnership) if verified else None
    registration = PartnershipRegistration(
        user=request.user, partnership=partnership, proposed=proposed, **bound_data(request)
    )
    if request.method == "POST":
        if registration.is_valid() and (saved := registration.save()):
            if not verified:
                messages.success(request, _("Your changes to %(reference)s are saved.") % {"reference": reference})
                if saved.verification == Verification.PENDING and partnership.verification == Verification.REJECTED:
                    messages.info(request, _("The partnership goes back to Dekopin's curators, who check it again."))
            elif getattr(registration.form.instance, "pending_change", None) is None:
                messages.info(request, _("Nothing waits for the curators: the partnership is as they verified it."))
            else:
                messages.info(
                    request,
                    _(
                        "Your changes to %(reference)s wait for Dekopin's curators (and, when they change its "
                        "substance, for the other cooperatives' confirmation). Visitors see the verified "
                        "partnership until a curator verifies them."
                    )
                    % {"reference": reference},
                )
            return redirect("partnerships:partnership_detail", reference)
        return render(request, TEMPLATE, context(registration, verified, proposed), status=400)
    return render(request, TEMPLATE, context(registration, verified, proposed))


@rate_limited("organisation_search", "KOPNET_RATE_ORGANISATION_SEARCH", methods=("GET", "HEAD"), json=True)
def organisation_search(request):
    """Verified cooperatives and partners whose name matches `q`, for the pickers (JSON).

    `type` (cooperative or partner) narrows the search; without it both kinds
    share the SEARCH_LIMIT results.
    """
    text = request.GET.get("q", "")
    kind = request.GET.get("type", "")
    errors = {}
    if kind not in ("", "cooperative", "partner"):
        errors["type"] = [_("Search for a cooperative or a partner (type=cooperative or type=partner).")]
    if "\x00" in text or len(text) > MAX_QUERY_LENGTH:
        errors["q"] = [_("Type at most %(limit)d characters, without NUL characters.") % {"limit": MAX_QUERY_LENGTH}]
    if errors:
        return JsonResponse({"errors": errors}, status=400)
    text = text.strip()
    if not text:
        return JsonResponse({"results": []})
    cooperatives, partners = [], []
    if kind in ("", "cooperative"):
        cooperatives = list(
            Cooperative.objects.verified().search(text).select_related("province").order_by("name", "pk")[:SEARCH_LIMIT]
        )
    if kind in ("", "partner"):
        partners = list(
            Partner.objects.verified().search(text).select_related("province").order_by("name", "pk")[:SEARCH_LIMIT]
        )
    # Both kinds keep a fair share of the results when both have many.
    cooperatives = cooperatives[: max(SEARCH_LIMIT // 2, SEARCH_LIMIT - len(partners))]
    partners = partners[: SEARCH_LIMIT - len(cooperatives)]
    results = [
        {
            "type": "cooperative",
            "value": f"cooperative:{coop.pk}",
            "id": coop.pk,
            "name": coop.name,
            "tier": coop.tier,
            "description": describe(coop.get_tier_display(), coop),
            "province": coop.province.name if coop.province else None,
        }
        for coop in cooperatives
    ] + [
        {
            "type": "partner",
            "value": f"partner:{partner.pk}",
            "id": partner.pk,
            "name": partner.name,
            "tier": None,
            "description": describe(partner.get_kind_display(), partner),
            "province": partner.province.name if partner.province else None,
        }
        for partner in partners
    ]
    return JsonResponse({"results": results})


def describe(label, organisation):
    place = organisation.province.name if organisation.province else organisation.country.name
    return f"{label} · {place}"


def bound_data(request):
    if request.method == "POST":
        return {"data": request.POST, "files": request.FILES}
    return {}


def context(registration, verified=False, proposed=None):
    partnership = registration.partnership
    return {
        "registration": registration,
        "form": registration.form,
        "parties": registration.parties,
        "new_partner": registration.new_partner,
        "documents": registration.documents,
        "partnership": partnership,
        "existing_documents": list(partnership.documents.all()) if partnership else [],
        "verified": verified,
        "proposed": proposed,
        "suggested_direction": registration.suggested_direction(),
        "picker_messages": picker_messages(),
    }


def picker_messages():
    """What the pickers and the direction script say, in the page's language."""
    return {
        "listbox": _("Matching organisations"),
        "searching": _("Searching…"),
        "none": _("No verified organisation matches this name."),
        "count": _("%s organisations match. Use the up and down arrow keys to choose, then Enter."),
        "chosen": _("Chosen: %s"),
        "failed": _("The search is not available; type the full name and the form will find it."),
        "vertical": _("Suggested from the tiers of the cooperatives named: vertical (different tiers)."),
        "horizontal": _("Suggested from the tiers of the cooperatives named: horizontal (the same tier)."),
    }


def representation_url():
    """Where a user asks to represent a cooperative, once that page exists."""
    try:
        return reverse("registry:representation_request")
    except NoReverseMatch:
        return None

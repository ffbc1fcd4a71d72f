"""A partnership registered through the API goes through the page's own form
(partnerships.forms.PartnershipRegistration): the same fields, rules, messages and
service. The JSON a client sends is written into the form's data as a browser sends
it, organisations named by slug; the form's errors come back by the JSON's names."""

from django.http import QueryDict
from django.utils.translation import gettext as _

from kopnet.services import pending_revision
from partnerships import services
from partnerships.forms import PartnershipRegistration, organisation_token, organisation_type
from partnerships.models import CooperationField, Objective, Partnership
from registry.models import Cooperative, Partner
from registry.policy import acts_for

SCALARS = (
    "title", "description", "start_date", "end_date", "status", "direction", "new_entity_name",
    "new_entity_kind", "value", "currency", "initiator_role",
)  # fmt: skip
MODELS = {"cooperative": Cooperative, "partner": Partner}


def text(value):
    return "" if value is None else str(value)


def form_data(payload, user, editing=False):
    """(the form's data, the errors found in naming records) for this JSON; an edit
    names no initiator (the partnership has one)."""
    data, errors = QueryDict(mutable=True), {}
    for name in SCALARS:
        if name in payload:
            data[name] = text(payload[name])
    data.setdefault("initiator_role", "initiator")
    data.setdefault("currency", "IDR")
    if payload.get("new_entity"):
        data["new_entity"] = "on"
    initiator = None if editing else acts_for(user).filter(slug=text(payload.get("initiator"))).first()
    if initiator is not None:
        data["cooperative"] = str(initiator.pk)
    elif not editing:
        errors["initiator"] = [_("Name, by its slug, a cooperative you act for.")]
    for name, model in (("objectives", Objective), ("fields", CooperationField)):
        slugs = [text(slug) for slug in payload.get(name) or []] if isinstance(payload.get(name) or [], list) else None
        found = dict(model.objects.filter(slug__in=slugs or []).values_list("slug", "pk"))
        if slugs is None or len(found) != len(set(slugs)):
            errors[name] = [_("A list of slugs from %(url)s.") % {"url": f"/api/v1/{name}/"}]
            continue
        data.setlist(name, [str(found[slug]) for slug in slugs])
    parties = payload.get("parties") or []
    if not isinstance(parties, list) or not all(isinstance(party, dict) for party in parties):
        errors["parties"] = [_("A list of parties, each with organisation_type, organisation (its slug) and role.")]
        parties = []
    data["parties-TOTAL_FORMS"] = str(max(len(parties), 1))
    data.update({"parties-INITIAL_FORMS": "0", "parties-MIN_NUM_FORMS": "0", "parties-MAX_NUM_FORMS": "30"})
    for index, party in enumerate(parties):
        model = MODELS.get(text(party.get("organisation_type")))
        organisation = model.objects.visible_to(user).filter(slug=text(party.get("organisation"))).first() if model else None
        if organisation is None:
            errors.setdefault("parties", []).append(
                _("Party %(number)d: no cooperative or partner you may name has this slug.") % {"number": index + 1}
            )
            continue
        data[f"parties-{index}-organisation"] = organisation.name
        data[f"parties-{index}-organisation_ref"] = organisation_token(organisation)
        data[f"parties-{index}-role"] = text(party.get("role") or "member")
    data.update({"new_partner-country": "ID", "new_partner-role": "member"})
    data.update({f"documents-{name}": "0" for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS")})
    data["documents-MAX_NUM_FORMS"] = "10"
    return data, errors


def form_errors(registration):
    """The refused form's errors, by the JSON's names."""
    errors = {}
    for field, messages in registration.form.errors.items():
        name = {"cooperative": "initiator", "__all__": "non_field_errors"}.get(field, field)
        errors[name] = list(messages)
    for index, form in enumerate(registration.parties.forms):
        for field, messages in form.errors.items():
            errors.setdefault("parties", []).extend(f"{index + 1}. {message}" for message in messages)
    errors.setdefault("parties", []).extend([*registration.parties.non_form_errors(), *registration.party_errors])
    if not errors["parties"]:
        del errors["parties"]
    return errors


def as_edited(partnership, proposed):
    """The partnership as its editor's form opens it (with its pending change, if one
    waits), as the JSON a client sends: what an edit's fields change."""
    record = Partnership.objects.get(pk=partnership.pk)
    related = proposed.apply_to(record) if proposed is not None else {}
    if proposed is not None and "parties" in proposed.changes:
        parties = services.parties_of_change(proposed.changes["parties"])
    else:
        parties = list(record.parties.select_related("cooperative", "partner"))
    initiator = next((party for party in parties if party.cooperative_id == record.initiator_id), None)
    terms = {}
    for name, model in (("objectives", Objective), ("fields", CooperationField)):
        ids = related[name] if name in related else getattr(record, name).values_list("pk", flat=True)
        terms[name] = list(model.objects.filter(pk__in=list(ids)).order_by("slug").values_list("slug", flat=True))
    return {
        **{name: getattr(record, name) for name in SCALARS if name != "initiator_role"},
        "initiator_role": initiator.role if initiator else "initiator",
        "new_entity": record.new_entity,
        **terms,
        "parties": [
            {"organisation_type": organisation_type(party.organisation), "organisation": party.organisation.slug, "role": party.role}
            for party in parties
            if party is not initiator
        ],
    }


def edit(partnership, changes, user, version):
    """The partnership edited with `changes` (only what they name changes), at
    `version`; or (None, errors). A verified one keeps its values while the edit
    waits for the curators, as on the page."""
    proposed = pending_revision(partnership) if partnership.is_verified else None
    current = as_edited(partnership, proposed)
    payload = {**current, **(changes if isinstance(changes, dict) else {})}
    payload.pop("initiator", None)
    data, errors = form_data(payload, user, editing=True)
    if errors:
        return None, errors
    data["version"] = str(version)
    data["parties-INITIAL_FORMS"] = str(len(current["parties"]))
    for index in range(len(payload["parties"]) if isinstance(payload.get("parties"), list) else 0, len(current["parties"])):
        # A party left out of the edit: its row comes back empty, as a browser's cleared row.
        data.update({f"parties-{index}-organisation": "", f"parties-{index}-organisation_ref": "", f"parties-{index}-role": "member"})
    data["parties-TOTAL_FORMS"] = str(max(len(current["parties"]), len(payload.get("parties") or []), 1))
    registration = PartnershipRegistration(user=user, partnership=partnership, proposed=proposed, data=data)
    if registration.is_valid():
        saved = registration.save()
        if saved is not None:
            return saved, {}
    stale = [str(error) for error in registration.form.non_field_errors()]
    return None, form_errors(registration) or {"non_field_errors": stale or [_("The partnership could not be saved.")]}


def register(payload, user):
    """The registered partnership; or (None, errors)."""
    data, errors = form_data(payload if isinstance(payload, dict) else {}, user)
    if errors:
        return None, errors
    registration = PartnershipRegistration(user=user, data=data)
    if registration.is_valid():
        partnership = registration.save()
        if partnership is not None:
            return partnership, {}
    return None, form_errors(registration) or {"non_field_errors": [_("The partnership could not be registered.")]}

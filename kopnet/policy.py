"""The one access policy: who may view, edit, answer, verify or see the name of a record.

Everything that decides access asks here: QuerySets' `visible_to()`, views,
selectors, forms, services, the admin and templates (`{% may "name" org %}`).
The rules for each model are written once, by the app that owns the model, in
its `policy.py` (registered in its AppConfig.ready(); this module imports no
app): `registry.policy` for cooperatives, partners and representations,
`partnerships.policy` for partnerships, their parties and documents.

Actions:
    view    open the record's page (and find it in lists)
    edit    change it through the public pages (officials)
    answer  confirm or decline a party (officials of that cooperative)
    verify  verify or reject it, decide a representation (curators)
    name    see its name and link to it where another record mentions it
    reason  read why a party declined

An object a user may not view answers 404, never 403: no leak that it exists.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ACTIONS = ("view", "edit", "answer", "verify", "name", "reason")

_rules = {}


class Rules:
    """The rules of one model. Each action is a method (user, obj) -> bool;
    `visible(user, queryset)` narrows a queryset to what `view` allows."""

    model = None

    def visible(self, user, queryset):
        return queryset.none()

    def view(self, user, obj):
        return False

    def edit(self, user, obj):
        return False

    def answer(self, user, obj):
        return False

    def verify(self, user, obj):
        return is_curator(user, obj)

    def name(self, user, obj):
        return self.view(user, obj)

    def reason(self, user, obj):
        return False


def register(rules_class):
    """Class decorator: the rules for `rules_class.model`."""
    _rules[rules_class.model] = rules_class()
    return rules_class


def rules_for(model):
    try:
        return _rules[model._meta.concrete_model]
    except KeyError:
        raise LookupError(f"no access rules for {model._meta.label}") from None


def may(user, action, obj):
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if obj is None:
        return False
    return getattr(rules_for(type(obj)), action)(user, obj)


def require(user, action, obj, message=None):
    """Refuse (a ValidationError the person reads) unless the user may."""
    if not may(user, action, obj):
        raise ValidationError(message or _("You may not do this."), code="forbidden")


def visible(user, queryset):
    return rules_for(queryset.model).visible(user, queryset)


def is_curator(user, obj_or_model):
    """Dekopin's curators (and superusers): the model's change permission."""
    if not (user and user.is_authenticated and user.is_staff):
        return False
    meta = obj_or_model._meta
    return user.has_perm(f"{meta.app_label}.change_{meta.model_name}")


def sees_everything(user, model):
    """Who reads every record of a model, verified or not: its view permission."""
    if not (user and user.is_authenticated):
        return False
    meta = model._meta
    return user.has_perm(f"{meta.app_label}.view_{meta.model_name}")


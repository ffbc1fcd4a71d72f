"""KopNet's admin site (admin.site, kopnet.apps.KopnetAdminConfig): Django's, signed
into on the site's own sign-in page (which asks for the code of a staff account's
second factor, kopnet.two_factor), a door that stays shut to a session that did not
give it, and on its index the curators' work queue (QueueSection: each app adds its
own)."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from kopnet import two_factor


class KopnetAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return super().has_permission(request) and two_factor.admin_allows(request.user)

    def login(self, request, extra_context=None):
        """One sign-in page for everyone: the admin's sends to the site's
        (kopnet.views.LoginView, which asks a staff account with a second factor
        for its code), and back here afterwards (?next=). A staff account the admin
        turns away for want of a second factor is led to set one up, and comes
        back where it was going."""
        destination = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(destination, {request.get_host()}, request.is_secure()):
            destination = ""
        destination = destination or reverse("admin:index", current_app=self.name)
        if two_factor.must_set_up(request.user):
            messages.warning(request, gettext("The admin asks for a second factor: set one up to continue."))
            return redirect(f"{reverse('second_factor')}?{urlencode({'next': destination})}")
        if self.has_permission(request):
            return redirect(destination)
        return redirect(f"{reverse('login')}?{urlencode({'next': destination})}")

    # The curators' work queue on the index ------------------------------------

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queue_sections = []

    def add_to_queue(self, section):
        """A kind of work waiting for curators, shown on the index (QueueSection).
        Each app's admin adds its own, as it registers its models: kopnet knows
        none of the apps above it."""
        self.queue_sections.append(section)
        self.queue_sections.sort(key=lambda known: known.order)

    def curator_queue(self, request):
        """What waits for this curator: for each kind they may see, the count and
        the oldest few, two queries a kind whatever the rows."""
        return [queued for section in self.queue_sections if (queued := section.read(request, self.name)) is not None]

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "curator_queue": self.curator_queue(request)}
        return super().index(request, extra_context)


# How many of the oldest waiting records each kind of work names on the index.
QUEUE_SHOWN = 5


@dataclass(frozen=True)
class QueueSection:
    """One kind of work waiting for curators.

    `waiting()` returns the waiting rows (cheap to count: a filter a partial index
    holds); `age_field` orders them oldest first; `related` are the foreign keys
    `describe(row)` reads, joined to the oldest only (the count joins nothing);
    `filters` are the changelist's query parameters that list the same rows.
    """

    order: int
    label: str
    model: type
    waiting: Callable
    age_field: str
    filters: dict
    describe: Callable = str
    related: tuple = ()
    help_text: str = ""

    def read(self, request, site_name):
        opts = self.model._meta
        if not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}") and not request.user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        ):
            return None
        rows = self.waiting()
        count = rows.order_by().count()  # one COUNT over the waiting rows only
        oldest = list(rows.select_related(*self.related).order_by(self.age_field, "pk")[:QUEUE_SHOWN])  # always asked: a constant number of queries
        prefix = f"{site_name}:{opts.app_label}_{opts.model_name}"
        return {
            "label": self.label,
            "help_text": self.help_text,
            "count": count,
            "url": f"{reverse(f'{prefix}_changelist')}?{urlencode(self.filters)}",
            "oldest": [
                {
                    "name": self.describe(row),
                    "since": getattr(row, self.age_field),
                    "url": reverse(f"{prefix}_change", args=[row.pk]),
                }
                for row in oldest
            ],
        }

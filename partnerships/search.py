"""One search across the registry (/cari/): cooperatives, partners and partnerships,
grouped by kind, each group with how many match and its first few, and a link to the
kind's full list with the same search.

The cooperatives and partners are found as their lists find them: the group asks
the list view itself for its first page (its filters, its access policy, its
counting and, for a visitor's cooperatives on PostgreSQL, its search rows), so the
count a group shows is the count its list shows. Partnerships are matched by title
and reference here: the list's search also reads descriptions and the parties' names
(1.4-8.8 s at 1,000,000 partnerships, no index can answer that OR), where a title
is answered by a trigram index (partnerships 0018) in milliseconds, and the start of
a reference ("KS-2024-9012", "2024-9012") by a prefix index (0019); the cooperative
and partner groups already find the parties by name. A partnership count stops at
COUNT_LIMIT ("1,000+"): counting 230,000 matches of a common word costs more than
the number tells.

An exact reference (KS-2024-000123) or NIK Koperasi (16 digits) that a reader may
see goes straight to its record. When a group finds nothing on PostgreSQL, its
names are matched again by trigram word similarity (pg_trgm's `<%`, answered by the
names' trigram indexes, registry 0007): "koprasi tani" finds "Koperasi Tani ...",
and the group says the matches are approximate. SQLite matches substrings only.
"""

import copy
import re
from dataclasses import dataclass, field

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import Q, Value
from django.db.models.functions import Upper
from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from partnerships.models import REFERENCE_FORM, Partnership
from registry.models import Cooperative
from registry.views import CooperativeListView, PartnerListView

# Results a group shows; the rest are on its list.
GROUP_SIZE = 5
# A partnership count stops here (shown as "1,000+").
COUNT_LIMIT = 1000
# The shortest search: one letter matches most of the registry.
SHORTEST = 2
LONGEST = 200
REFERENCE = re.compile(REFERENCE_FORM, re.IGNORECASE)
NIK = re.compile(r"[0-9]{16}")
# The start of a reference, with or without its "KS-": "KS-2024-9012", "2024-9012", "ks-2024".
REFERENCE_START = re.compile(r"(?:KS-?)?([0-9]{4})(?:-([0-9]{1,6}))?", re.IGNORECASE)


@dataclass
class Group:
    """One kind's matches: `count` of them (`more` when it stopped at COUNT_LIMIT),
    the first GROUP_SIZE as `results` [(name, address, detail)], and `approximate`
    when they were found by similarity rather than by the text itself."""

    kind: str
    title: str
    list_url: str
    count: int = 0
    more: bool = False
    approximate: bool = False
    results: list = field(default_factory=list)


def exact_record(user, text):
    """The address of the one record a reference or NIK Koperasi names, when the
    reader may see it (None otherwise)."""
    if REFERENCE.fullmatch(text):
        found = Partnership.objects.visible_to(user).filter(reference=text.upper()).first()
        return found and reverse("partnerships:partnership_detail", args=[found.reference])
    if NIK.fullmatch(text):
        found = list(Cooperative.objects.visible_to(user).filter(nik=text).values_list("slug", flat=True)[:2])
        if len(found) == 1:
            return reverse("registry:cooperative_detail", args=[found[0]])
    return None


def search(request, text):
    """The three groups for `text` as `request.user` may see them."""
    return [
        list_group(request, text, CooperativeListView, "cooperatives", _("Cooperatives"), "registry:cooperative_list",
                   cooperative_result),
        list_group(request, text, PartnerListView, "partners", _("Partners"), "registry:partner_list", partner_result),
        partnership_group(request.user, text),
    ]  # fmt: skip


def list_group(request, text, view_class, kind, title, list_name, result):
    """A group answered by the kind's own list view: its first GROUP_SIZE rows and count."""
    group = Group(kind, title, f"{reverse(list_name)}?{urlencode({'q': text})}")
    view = view_class()
    view.setup(with_query(request, text))
    view.filterset = view.get_filterset(view.get_filterset_class())
    if not view.filterset.is_valid():
        return group
    paginator = view.get_paginator(view.filterset.qs, GROUP_SIZE)
    group.count = paginator.count
    if group.count:
        group.results = [result(record) for record in paginator.page(1).object_list]
    elif connection.vendor == "postgresql":
        similar = similar_names(view.get_queryset(), text)
        group.results = [result(record) for record in similar]
        group.approximate = bool(group.results)
    return group


def with_query(request, text):
    """The request as the list would receive it for ?q=<text> (no other parameter)."""
    listed = copy.copy(request)
    listed.GET = QueryDict(mutable=True)
    listed.GET["q"] = text
    return listed


def similar_names(queryset, text):
    """The GROUP_SIZE names closest to `text` by trigram word similarity (PostgreSQL),
    most similar first: UPPER(name) %> text, i.e. word_similarity(text, name) at least
    pg_trgm's threshold (0.6), which the names' trigram GIN index answers (registry 0007)."""
    wanted = Value(text.upper())
    return list(
        queryset.annotate(closeness=TrigramWordSimilarity(wanted, Upper("name")))
        .filter(TrigramWordSimilar(Upper("name"), wanted))
        .order_by("-closeness", "name")[:GROUP_SIZE]
    )


def partnership_group(user, text):
    group = Group(
        "partnerships",
        _("Partnerships"),
        f"{reverse('partnerships:partnership_list')}?{urlencode({'q': text})}",
    )
    matches = Partnership.objects.visible_to(user).filter(matching_partnerships(text))
    counted = matches.values("pk")[: COUNT_LIMIT + 1].count()
    group.count, group.more = min(counted, COUNT_LIMIT), counted > COUNT_LIMIT
    if counted:
        # The newest registered first: walking the key backwards finds a common word's
        # five at once, the trigram index a rare one's.
        latest = matches.order_by("-pk").only("reference", "title", "start_date")[:GROUP_SIZE]
        group.results = [partnership_result(partnership) for partnership in latest]
    return group


def matching_partnerships(text):
    """A title holding the text, or a reference starting with it (partnerships 0018's
    trigram index and 0019's prefix index answer each)."""
    condition = Q(title__icontains=text)
    if start := REFERENCE_START.fullmatch(text.strip()):
        year, number = start.groups()
        condition |= Q(reference__startswith=f"KS-{year}-{number or ''}")
    return condition


def cooperative_result(cooperative):
    place = cooperative.province.name if cooperative.province_id else cooperative.country.name
    detail = " · ".join(part for part in (str(cooperative.get_tier_display()), place) if part)
    return cooperative.name, reverse("registry:cooperative_detail", args=[cooperative.slug]), detail


def partner_result(partner):
    return partner.name, reverse("registry:partner_detail", args=[partner.slug]), str(partner.get_kind_display())


def partnership_result(partnership):
    detail = partnership.reference
    if partnership.start_date:
        detail = f"{detail} · {partnership.start_date.year}"
    return partnership.title, reverse("partnerships:partnership_detail", args=[partnership.reference]), detail

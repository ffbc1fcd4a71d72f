"""Candidate duplicates for the curators (issue 13 §5): pairs of cooperatives (or of
partners) that may be one organisation registered twice, each with its evidence.

What is compared, and why so: the NIK Koperasi is unique in the database, so two
records cannot share one. Two records that share a legal entity number (a partner's
registration number) are offered, across the whole registry, from an index. Names
alike are looked for where duplicates are born: each record waiting for
verification (the curators' queue, a few dozen) against the others of its province
and tier (a partner: its province and kind), said to share the regency/city when
both name the same one. On PostgreSQL by trigram similarity
(pg_trgm, on the index of UPPER(name) that the search uses); on SQLite (development
and tests) a simpler rule: the same name once case, punctuation and spaces are set
aside, or one name within the other. A pair a curator dismissed is not offered again;
merged records never are.
"""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Count, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Upper
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from kopnet.models import Verification
from registry.models import Cooperative, DismissedDuplicate

# How many pairs of each sort the page offers at most; more wait for the next look.
LIMIT = 50
# Two names at least this alike (pg_trgm's similarity, 0 to 1) make a candidate pair.
SIMILAR = 0.5


@dataclass
class Candidate:
    first: object
    second: object
    evidence: list = field(default_factory=list)

    @property
    def records(self):
        return self.first, self.second


def identifier_of(model):
    return "legal_number" if model is Cooperative else "registration_number"


def group_of(model):
    """Beside the province, what two records of one organisation share: a tier or a kind."""
    return "tier" if model is Cooperative else "kind"


def candidates(model):
    """The candidate pairs of `model`, each once, those sharing an identifier first."""
    # With what the page shows of each (its province and regency): no query per record.
    live = model.objects.filter(merged_into__isnull=True).select_related("province", "regency_place")
    pairs = {}

    def offer(a, b, evidence):
        first, second = sorted((a, b), key=lambda record: record.pk)
        pairs.setdefault((first.pk, second.pk), Candidate(first, second)).evidence.append(evidence)

    identifier = identifier_of(model)
    shared = (
        live.exclude(**{identifier: ""}).order_by().values(identifier).annotate(n=Count("pk")).filter(n__gt=1)
        .values_list(identifier, flat=True)[:LIMIT]
    )  # fmt: skip
    groups = {}
    for record in live.filter(**{f"{identifier}__in": list(shared)}).order_by(identifier, "pk"):
        groups.setdefault(getattr(record, identifier), []).append(record)
    label = model._meta.get_field(identifier).verbose_name
    for value, records in groups.items():
        for n, record in enumerate(records):
            for other in records[n + 1 :]:
                offer(record, other, capfirst(_("The same %(label)s: %(value)s") % {"label": label, "value": value}))
    for record in live.filter(verification=Verification.PENDING).order_by("created_at", "pk")[:LIMIT]:
        for other, score in alike(model, live, record):
            same_regency = record.regency_place_id and record.regency_place_id == other.regency_place_id
            if same_regency:
                evidence = _("Names alike (%(score)s%%) in the same regency/city and %(group)s")
            else:
                evidence = _("Names alike (%(score)s%%) in the same province and %(group)s")
            offer(record, other, evidence % {
                "score": round(score * 100), "group": model._meta.get_field(group_of(model)).verbose_name,
            })  # fmt: skip
    dismissed = set(
        DismissedDuplicate.objects.filter(kind=model._meta.model_name).values_list("first_id", "second_id")
    )
    return [candidate for key, candidate in pairs.items() if key not in dismissed]


def alike(model, live, record):
    """(other, similarity) of the records named like `record` in its province and group."""
    group = group_of(model)
    near = live.exclude(pk=record.pk).filter(province_id=record.province_id, **{group: getattr(record, group)})
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        name = record.name.upper()
        # The % operator on UPPER(name): the trigram index (registry 0007) finds them.
        operator = RawSQL(f'UPPER("{model._meta.db_table}"."name") %% %s', [name], output_field=BooleanField())
        found = (
            near.alias(alike=operator)
            .filter(alike=True)
            .annotate(similarity=TrigramSimilarity(Upper("name"), name))
            .filter(similarity__gte=SIMILAR)
            .order_by("-similarity", "pk")[:5]
        )
        return [(other, other.similarity) for other in found]
    own = normalised(record.name)
    words = sorted(own.split(), key=len, reverse=True)
    if not words:
        return []
    # Those sharing one of its three longest words (a place name added to one is common).
    sharing = Q()
    for word in words[:3]:
        sharing |= Q(name__icontains=word)
    found = []
    for other in near.filter(sharing).order_by("pk")[:200]:
        theirs = normalised(other.name)
        if theirs == own or (own in theirs or theirs in own) and min(len(own), len(theirs)) >= 8:
            found.append((other, 1.0 if theirs == own else min(len(own), len(theirs)) / max(len(own), len(theirs))))
    return found[:5]


def normalised(name):
    return " ".join(re.sub(r"[^0-9a-z]+", " ", name.lower()).split())

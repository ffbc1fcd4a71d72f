"""Read-side queries of the partnership pages (HackSoft's selectors).

Each function returns what one page renders, in a fixed number of queries
whatever the number of rows: the query-count tests hold them to it.
"""

from collections import defaultdict

from django.db import connection
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kopnet import policy
from kopnet.models import RevisionState, Verification
from kopnet.services import latest_revision, revision_differences
from partnerships.models import (
    Category,
    CooperationField,
    Direction,
    Objective,
    Partnership,
    PartnershipDocument,
    PartnershipParty,
)
from partnerships.policy import UNNAMED, VERIFIED_AND_OWN, VERIFIED_ONLY, partnership_reach
from registry.models import (
    TIER_RANK,
    Cooperative,
    CooperativeStatus,
    CooperativeType,
    Membership,
    Province,
    Scope,
    Sector,
    Tier,
)

# What a profile page lists before linking to the filtered list.
PROFILE_PARTNERSHIPS = 10
# The network picture draws at most this many organisations besides the cooperative
# itself (the most recent partners first), from at most this many party rows.
NETWORK_NODES = 60
NETWORK_PARTY_ROWS = 500
SUGGESTIONS = 5
# Suggestions are the best SUGGESTIONS among this many of the largest candidates
# (registry/migrations/0014_suggestion_pool_versions.py keeps its value: change both).
SUGGESTION_POOL = 200

# Blue and orange stay apart for the common colour blindnesses; international
# partnerships are also drawn dashed, so colour is never the only sign.
CATEGORY_COLOURS = {Category.ANTAR_KOPERASI: "#1f5fbf", Category.KEMITRAAN_USAHA: "#a84b00"}


def parties_prefetch(*related):
    return Prefetch(
        "parties",
        queryset=PartnershipParty.objects.select_related("cooperative", "partner", *related).order_by("id"),
    )


# What a list shows of a party (partnerships/_partnership_table.html and
# _organisation_link.html, with kopnet.policy's "name"): whole cooperatives and partners
# made the 170 parties of a page of 50 partnerships a sixth of its cold time.
LISTED_PARTY = ("id", "partnership_id", "cooperative_id", "partner_id")
LISTED_ORGANISATION = ("name", "slug", "verification")


def partnerships_for_list(queryset):
    """Rows of a list: each partnership with its parties and their organisations."""
    only = [*LISTED_PARTY, *(f"{kind}__{name}" for kind in ("cooperative", "partner") for name in LISTED_ORGANISATION)]
    parties = PartnershipParty.objects.select_related("cooperative", "partner").only(*only).order_by("id")
    return queryset.prefetch_related(Prefetch("parties", queryset=parties))


def partnerships_for_export(queryset):
    """Rows of the CSV: parties, objectives and fields, each in a stable order."""
    return queryset.prefetch_related(
        parties_prefetch(),
        Prefetch("objectives", queryset=Objective.objects.order_by("slug")),
        Prefetch("fields", queryset=CooperationField.objects.order_by("slug")),
    )


def partnership_for_detail(queryset):
    """The partnership page: parties with who answered, objectives, fields, documents."""
    return queryset.select_related("initiator", "new_entity_cooperative").prefetch_related(
        parties_prefetch("confirmed_by", "cooperative__province", "partner__province"),
        Prefetch("objectives", queryset=Objective.objects.order_by("name")),
        Prefetch("fields", queryset=CooperationField.objects.order_by("name")),
        # The published ones: a document that came with a pending change shows with it.
        Prefetch("documents", queryset=PartnershipDocument.objects.filter(published=True).order_by("-date", "id")),
    )


def document_for_download(user, reference, pk):
    """A document of a partnership this user may see, or None.

    Documents follow their partnership: whoever may see it may download them,
    nobody else (the download view answers 404); one still waiting with a change,
    its parties' officials and curators (kopnet.policy).
    """
    return (
        policy.visible(user, PartnershipDocument.objects.filter(pk=pk, partnership__reference=reference))
        .only("id", "file", "content_type", "original_name", "title")
        .first()
    )


def may_see_unverified(user):
    """Curators, who see every record and may link to unverified organisations."""
    return policy.sees_everything(user, Cooperative)


def organisation_url(organisation, show_all):
    """The profile of a party, when the reader may open it (verified, or a curator)."""
    if not (organisation.is_verified or show_all):
        return ""
    name = "registry:cooperative_detail" if isinstance(organisation, Cooperative) else "registry:partner_detail"
    return reverse(name, args=[organisation.slug])


# --- the cooperative and partner pages ----------------------------------------


def cooperative_partnerships(cooperative, user, above_ids=()):
    """Everything the cooperative page shows about partnerships, as template context.

    `above_ids` are the federations it already belongs to, directly or through
    others (the page has them from its federation tree), so that they are not
    suggested again.
    """
    visible = Partnership.objects.visible_to(user).involving(cooperative=cooperative)
    show_all = may_see_unverified(user)
    network = partnership_network(cooperative, visible, show_all, user)
    count = network["totals"]["partnerships"]
    # Most cooperatives have no partnership yet: their page asks nothing more.
    recent = list(partnerships_for_list(visible.order_by("-start_date", "-id"))[:PROFILE_PARTNERSHIPS]) if count else []
    return {
        "partnerships": recent,
        "partnership_count": count,
        "partnerships_more": max(count - len(recent), 0),
        "network": network,
        "suggested_horizontal": horizontal_suggestions(cooperative, user),
        "suggested_vertical": vertical_suggestions(cooperative, above_ids),
    }


def partner_partnerships(partner, user):
    visible = Partnership.objects.visible_to(user).involving(partner=partner)
    count = visible.count()
    recent = list(partnerships_for_list(visible.order_by("-start_date", "-id"))[:PROFILE_PARTNERSHIPS]) if count else []
    return {"partnerships": recent, "partnership_count": count, "partnerships_more": max(count - len(recent), 0)}


def partnership_network(cooperative, partnerships, show_all, user):
    """The cooperative, the organisations it works with, and one edge per partnership.

    `partnerships` are the visible partnerships involving the cooperative. A
    partnership of several parties joins the cooperative to each of the others.
    Returns a dict: `graph` (nodes and edges for cytoscape, JSON-ready), `links`
    (the same, as a list for reading), `legend`, `totals` and `more` (the
    organisations left out of the picture). Two queries, one without partnerships.
    """
    others = PartnershipParty.objects.filter(partnership__in=partnerships)
    totals = others.aggregate(
        partnerships=Count("partnership", distinct=True),
        cooperatives=Count("cooperative", distinct=True, filter=~Q(cooperative=cooperative)),
        partners=Count("partner", distinct=True),
    )
    rows = (
        others.exclude(cooperative=cooperative)
        .select_related("partnership", "cooperative", "partner")
        .order_by("-partnership__start_date", "-partnership_id", "id")[:NETWORK_PARTY_ROWS]
        if totals["partnerships"]
        else []
    )
    centre = f"c{cooperative.pk}"
    nodes = {
        centre: {
            "id": centre,
            "label": cooperative.short_name or cooperative.name,
            "name": cooperative.name,
            "kind": "self",
            "url": reverse("registry:cooperative_detail", args=[cooperative.slug]),
        }
    }
    edges, links = [], {}
    for party in rows:
        organisation = party.organisation
        key = f"c{party.cooperative_id}" if party.cooperative_id else f"p{party.partner_id}"
        if key not in nodes:
            if len(nodes) > NETWORK_NODES:
                continue
            named = policy.may(user, "name", party)
            name = organisation.name if named else str(UNNAMED)
            nodes[key] = {
                "id": key,
                "label": (getattr(organisation, "short_name", "") or name) if named else name,
                "name": name,
                "kind": "cooperative" if party.cooperative_id else "partner",
                "url": organisation_url(organisation, show_all) if named else "",
            }
            links[key] = {"node": nodes[key], "partnerships": []}
        partnership = party.partnership
        edge = {
            "id": f"e{party.pk}",
            "source": centre,
            "target": key,
            "category": partnership.category,
            "international": partnership.international,
            "reference": partnership.reference,
            "title": partnership.title,
            "url": reverse("partnerships:partnership_detail", args=[partnership.reference]),
        }
        edges.append(edge)
        links[key]["partnerships"].append(
            {**edge, "category_label": Category(partnership.category).label}
        )
    legend = [{"value": value, "label": str(label), "colour": CATEGORY_COLOURS[value]} for value, label in Category.choices]
    drawn = len(nodes) - 1
    return {
        "graph": {"nodes": list(nodes.values()), "edges": edges, "legend": legend},
        "links": list(links.values()),
        "legend": legend,
        "totals": totals,
        "drawn": drawn,
        "more": max(totals["cooperatives"] + totals["partners"] - drawn, 0),
    }


def shared_sectors(sector_ids):
    return Prefetch(
        "sectors", queryset=Sector.objects.filter(pk__in=sector_ids).order_by("name"), to_attr="shared_sectors"
    )


def sharing_sectors(queryset, sector_ids):
    """Cooperatives with at least one of these sectors, annotated with how many they share."""
    through = Cooperative.sectors.through
    shared = (
        through.objects.filter(cooperative_id=OuterRef("pk"), sector_id__in=sector_ids)
        .order_by()
        .values("cooperative_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return queryset.filter(
        Exists(through.objects.filter(cooperative_id=OuterRef("pk"), sector_id__in=sector_ids))
    ).annotate(shared_count=Coalesce(Subquery(shared, output_field=IntegerField()), 0))


def suggestion_candidates(cooperative):
    """Verified, active cooperatives sharing a sector with it (itself included: the
    horizontal pool counts it, the vertical suggestions' higher tiers cannot hold it)."""
    sector_ids = [sector.pk for sector in cooperative.sectors.all()]
    if not sector_ids:
        return None, sector_ids
    candidates = Cooperative.objects.verified().filter(status=CooperativeStatus.AKTIF).select_related("province")
    return sharing_sectors(candidates, sector_ids), sector_ids


def horizontal_suggestions(cooperative, user):
    """Verified cooperatives of the same tier, in the same province, sharing a sector,
    that have no partnership with it that this reader can see: the most sectors in
    common first, from the pool of the SUGGESTION_POOL largest of that tier and
    province sharing a sector with it. Two queries.

    The pool is taken before the cooperative itself and its partners are left out, so
    that whether a cooperative can be in anyone's pool depends on its tier, province
    and sectors alone: a cooperative verified or changed outside every pool changes
    no profile's suggestions (registry/migrations/0014_suggestion_pool_versions.py).
    """
    candidates, sector_ids = suggestion_candidates(cooperative)
    if candidates is None or not cooperative.province_id:
        return []
    together = PartnershipParty.objects.filter(
        cooperative=OuterRef("pk"),
        partnership__in=Partnership.objects.visible_to(user).involving(cooperative=cooperative),
    )
    # The largest candidates first, from an index walk that stops early: a province
    # may hold twenty thousand cooperatives of the same tier sharing a sector.
    pool = (
        candidates.filter(tier=cooperative.tier, province_id=cooperative.province_id)
        .order_by("-member_count", "id")
        .values("pk")[:SUGGESTION_POOL]
    )
    return list(
        candidates.filter(pk__in=Subquery(pool))
        .exclude(pk=cooperative.pk)
        .exclude(Exists(together))
        .prefetch_related(shared_sectors(sector_ids))
        .order_by("-shared_count", "-member_count", "name", "id")[:SUGGESTIONS]
    )


def vertical_suggestions(cooperative, above_ids=()):
    """Verified federations of a higher tier covering its province (the same province,
    or a national or international scope) and sharing a sector, that it does not
    already belong to. Two queries; the nearest tier and the same province first."""
    candidates, sector_ids = suggestion_candidates(cooperative)
    higher = [tier for tier, rank in TIER_RANK.items() if rank > TIER_RANK[cooperative.tier]]
    if candidates is None or not higher:
        return []
    covering = Q(scope=Scope.INTERNASIONAL) | Q(scope=Scope.NASIONAL, country=cooperative.country)
    if cooperative.province_id:
        covering |= Q(province_id=cooperative.province_id)
    member = Membership.objects.active().filter(member=cooperative, federation=OuterRef("pk"))
    tier_rank = Case(*[When(tier=tier, then=Value(TIER_RANK[tier])) for tier in higher], output_field=IntegerField())
    same_province = Case(
        When(province_id=cooperative.province_id, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(
        candidates.filter(covering, tier__in=higher)
        .exclude(pk__in=list(above_ids))
        .exclude(Exists(member))
        .annotate(tier_order=tier_rank, province_order=same_province)
        .prefetch_related(shared_sectors(sector_ids))
        .order_by("tier_order", "province_order", "-shared_count", "name", "id")[:SUGGESTIONS]
    )


# --- statistics ----------------------------------------------------------------
# The page's numbers as {dimension: {value: count}}, zeros left out: "partnerships" and
# "international" (value ""), "category", "direction" ("" when not given), "year",
# "field" (the field's id) and "province" (a party's province code) count verified
# partnerships; "cooperatives" (""), "tier", "type" and "cooperative_province" count
# verified cooperatives. Values are strings, as PostgreSQL keeps them.

# The deferred trigger that applies a transaction's changes to the kept counts.
STATISTICS_TRIGGER = "partnerships_statistics"


def statistics_counts(partnerships=True):
    """Every number of the statistics page (without `partnerships`: at least the
    cooperatives').

    PostgreSQL keeps them up to date in the writing transactions themselves
    (partnerships/migrations/0008_statistics_counts.py): one query reads them all,
    at any size. Elsewhere (SQLite: development and tests, a few thousand rows)
    they are counted from the tables.
    """
    if connection.vendor == "postgresql":
        return kept_counts()
    counts = fresh_cooperative_counts()
    if partnerships:
        counts |= fresh_partnership_counts()
    return counts


def kept_counts():
    with connection.cursor() as cursor:
        apply_this_transactions_counts(cursor)
        cursor.execute("SELECT dimension, value, count FROM partnerships_statistics_count WHERE count <> 0")
        rows = cursor.fetchall()
    counts = defaultdict(dict)
    for dimension, value, count in rows:
        counts[dimension][value] = count
    return counts


def apply_this_transactions_counts(cursor):
    if connection.in_atomic_block:
        # A transaction that may have written (a test, a view in atomic()) applies
        # its changes to the counts at commit: apply them now, and let its later
        # writes wait for the commit again.
        cursor.execute(f"SET CONSTRAINTS {STATISTICS_TRIGGER} IMMEDIATE; SET CONSTRAINTS {STATISTICS_TRIGGER} DEFERRED")


# The filters of the list of cooperatives that a kept count answers alone, and the
# dimension it is kept under.
KEPT_LIST_FILTERS = {"tier": "tier", "type": "type", "province": "cooperative_province"}


def kept_cooperative_count(filters):
    """How many verified cooperatives match the list's cleaned `filters`, read from
    the kept counts: with no filter, or one of tier, type and province. None
    elsewhere (other filters, or SQLite, which keeps no counts)."""
    if connection.vendor != "postgresql":
        return None
    given = {name: value for name, value in filters.items() if value not in (None, "", []) and name != "ordering"}
    if not given:
        dimension, value = "cooperatives", ""
    elif len(given) == 1 and (name := next(iter(given))) in KEPT_LIST_FILTERS:
        dimension, value = KEPT_LIST_FILTERS[name], str(getattr(given[name], "pk", given[name]))
    else:
        return None
    with connection.cursor() as cursor:
        apply_this_transactions_counts(cursor)
        cursor.execute(
            "SELECT count FROM partnerships_statistics_count WHERE dimension = %s AND value = %s", [dimension, value]
        )
        row = cursor.fetchone()
    return row[0] if row else 0


# --- the list of partnerships filtered to a province ------------------------------
# PostgreSQL keeps each province's partnerships, and how many there are by the columns
# below (partnerships/migrations/0012_province_rows.py).

# The deferred trigger that applies a transaction's notes to the kept rows.
PROVINCE_ROWS_TRIGGER = "partnerships_provinces"
# The list's filters that the kept rows hold, besides the province.
KEPT_FILTERS = ("category", "direction", "international", "status", "year")
# The end year counted for a partnership without an end date (0012's OPEN_END).
OPEN_END = 9999


def apply_this_transactions_province_rows(cursor):
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        # As apply_this_transactions_counts(): a transaction that may have written
        # applies its notes at commit; apply them before reading the rows.
        cursor.execute(
            f"SET CONSTRAINTS {PROVINCE_ROWS_TRIGGER} IMMEDIATE; SET CONSTRAINTS {PROVINCE_ROWS_TRIGGER} DEFERRED"
        )


def kept_province_count(user, given):
    """How many partnerships the list filtered to a province shows this reader, read
    from the kept counts: `given` are the list's cleaned filters with a value
    (PartnershipFilter.given()). None where they do not answer it: SQLite, no
    province, a filter other than KEPT_FILTERS, or an official, who also sees their
    own cooperatives' unverified partnerships."""
    given = dict(given)
    province = given.pop("province", None)
    if connection.vendor != "postgresql" or province is None or not set(given) <= set(KEPT_FILTERS):
        return None
    reach = partnership_reach(user)
    if reach == VERIFIED_AND_OWN:
        return None
    conditions, params = ["province_id = %s"], [province.pk]
    if reach == VERIFIED_ONLY:
        conditions.append("verification = %s")
        params.append(Verification.VERIFIED)
    for name in KEPT_FILTERS:
        if name not in given:
            continue
        if name == "year":
            # Active in the year: started in it or before, ends in it or later.
            conditions += ["start_year <= %s", "end_year >= %s"]
            params += [int(given[name])] * 2
        else:
            conditions.append(f"{name} = %s")
            params.append(given[name] == "true" if name == "international" else given[name])
    with connection.cursor() as cursor:
        apply_this_transactions_province_rows(cursor)
        cursor.execute(
            f"SELECT COALESCE(SUM(count), 0)::bigint FROM partnerships_province_count WHERE {' AND '.join(conditions)}",
            params,
        )
        return cursor.fetchone()[0]


def fresh_partnership_counts():
    """The partnerships' numbers counted from the tables, in four queries."""
    counts = defaultdict(dict)
    verified = Partnership.objects.verified()
    aggregates = {"total": Count("pk"), "international": Count("pk", filter=Q(international=True))}
    aggregates |= {f"category_{value}": Count("pk", filter=Q(category=value)) for value in Category.values}
    aggregates |= {f"direction_{value}": Count("pk", filter=Q(direction=value)) for value in ["", *Direction.values]}
    row = verified.aggregate(**aggregates)
    counts["partnerships"][""] = row["total"]
    counts["international"][""] = row["international"]
    for value in Category.values:
        counts["category"][value] = row[f"category_{value}"]
    for value in ["", *Direction.values]:
        counts["direction"][value] = row[f"direction_{value}"]
    years = verified.order_by().values(year=ExtractYear("start_date")).annotate(count=Count("pk"))
    counts["year"] = {str(item["year"]): item["count"] for item in years}
    links = Partnership.fields.through.objects.filter(partnership__verification=Verification.VERIFIED)
    counts["field"] = {
        str(item["cooperationfield_id"]): item["count"]
        for item in links.order_by().values("cooperationfield_id").annotate(count=Count("pk"))
    }
    # A partnership counts once in each province where one of its parties sits.
    parties = (
        PartnershipParty.objects.filter(partnership__verification=Verification.VERIFIED)
        .annotate(code=Coalesce("cooperative__province_id", "partner__province_id"))
        .filter(code__isnull=False)
        .order_by()
        .values("code")
        .annotate(count=Count("partnership_id", distinct=True))
    )
    counts["province"] = {item["code"]: item["count"] for item in parties}
    return without_zeros(counts)


def fresh_cooperative_counts():
    """The cooperatives' numbers counted from the tables, in two queries."""
    counts = defaultdict(dict)
    cooperatives = Cooperative.objects.verified()
    summary = cooperatives.summary()
    counts["cooperatives"][""] = summary["total"]
    counts["tier"] = {choice.value: count for choice, count in summary["tiers"]}
    counts["type"] = {choice.value: count for choice, count in summary["types"]}
    counts["cooperative_province"] = {item["code"]: item["count"] for item in cooperatives.top_provinces(None)}
    return without_zeros(counts)


def without_zeros(counts):
    return {dimension: {value: n for value, n in values.items() if n} for dimension, values in counts.items()}


def province_names():
    return dict(Province.objects.values_list("code", "name"))


def by_province(counted, names):
    """(code, name, count) of the provinces counted, most first."""
    rows = [(code, names.get(code, code), count) for code, count in counted.items()]
    return sorted(rows, key=lambda row: (-row[2], row[1]))


def year_order(item):
    return int(item[0])


def statistics():
    """What /statistik/ shows: (partnership statistics, cooperative statistics).
    Three queries on PostgreSQL: the counts, the fields of cooperation, the provinces."""
    counts, names = statistics_counts(), province_names()
    return partnership_statistics(counts, names), cooperative_statistics(counts, names)


def partnership_statistics(counts=None, names=None):
    """Verified partnerships by category, direction, field, province (of any party)
    and start year."""
    counts = statistics_counts() if counts is None else counts
    names = province_names() if names is None else names

    def count(dimension, value=""):
        return counts.get(dimension, {}).get(value, 0)

    fields = [(field.slug, field.label, count("field", str(field.pk))) for field in CooperationField.objects.all()]
    return {
        "total": count("partnerships"),
        "international": count("international"),
        "categories": [(choice.value, choice.label, count("category", choice.value)) for choice in Category],
        "directions": [(choice.value, choice.label, count("direction", choice.value)) for choice in Direction]
        + [("", _("Not given"), count("direction", ""))],
        "fields": sorted(fields, key=lambda row: (-row[2], row[1])),
        "provinces": by_province(counts.get("province", {}), names),
        "years": [(int(year), year, n) for year, n in sorted(counts.get("year", {}).items(), key=year_order)],
    }


def cooperative_statistics(counts=None, names=None):
    """Verified cooperatives by tier, type and province."""
    counts = statistics_counts(partnerships=False) if counts is None else counts
    names = province_names() if names is None else names

    def count(dimension, value=""):
        return counts.get(dimension, {}).get(value, 0)

    return {
        "total": count("cooperatives"),
        "tiers": [(choice.value, choice.label, count("tier", choice.value)) for choice in Tier],
        "types": [(choice.value, choice.label, count("type", choice.value)) for choice in CooperativeType],
        "provinces": by_province(counts.get("cooperative_province", {}), names),
    }


def latest_change(partnership):
    """The latest change proposed for a verified partnership (for its parties and the
    curators), with its differences and documents while it waits; None without one."""
    change = latest_revision(partnership)
    if change is None:
        return None
    if change.state == RevisionState.PENDING:
        change.rows = revision_differences(change, partnership)
        change.new_documents = list(
            PartnershipDocument.objects.filter(
                pk__in=change.changes.get("documents", []), partnership=partnership, published=False
            )
        )
    return change

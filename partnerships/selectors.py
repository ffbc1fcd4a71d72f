"""Read-side queries of the partnership pages (HackSoft's selectors).

Each function returns what one page renders, in a fixed number of queries
whatever the number of rows: the query-count tests hold them to it.
"""

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
from partnerships.policy import UNNAMED
from registry.models import (
    TIER_RANK,
    Cooperative,
    CooperativeStatus,
    Membership,
    Partner,
    Province,
    Scope,
    Sector,
)

# What a profile page lists before linking to the filtered list.
PROFILE_PARTNERSHIPS = 10
# The network picture draws at most this many organisations besides the cooperative
# itself (the most recent partners first), from at most this many party rows.
NETWORK_NODES = 60
NETWORK_PARTY_ROWS = 500
SUGGESTIONS = 5
# Suggestions are the best SUGGESTIONS among this many of the largest candidates.
SUGGESTION_POOL = 200

# Blue and orange stay apart for the common colour blindnesses; international
# partnerships are also drawn dashed, so colour is never the only sign.
CATEGORY_COLOURS = {Category.ANTAR_KOPERASI: "#1f5fbf", Category.KEMITRAAN_USAHA: "#a84b00"}


def parties_prefetch(*related):
    return Prefetch(
        "parties",
        queryset=PartnershipParty.objects.select_related("cooperative", "partner", *related).order_by("id"),
    )


def partnerships_for_list(queryset):
    """Rows of a list: each partnership with its parties and their organisations."""
    return queryset.prefetch_related(parties_prefetch())


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
    sector_ids = [sector.pk for sector in cooperative.sectors.all()]
    if not sector_ids:
        return None, sector_ids
    candidates = (
        Cooperative.objects.verified()
        .filter(status=CooperativeStatus.AKTIF)
        .exclude(pk=cooperative.pk)
        .select_related("province")
    )
    return sharing_sectors(candidates, sector_ids), sector_ids


def horizontal_suggestions(cooperative, user):
    """Verified cooperatives of the same tier, in the same province, sharing a sector,
    that have no partnership with it that this reader can see: the most sectors in
    common first among the SUGGESTION_POOL largest. Two queries."""
    candidates, sector_ids = suggestion_candidates(cooperative)
    if candidates is None or not cooperative.province_id:
        return []
    together = PartnershipParty.objects.filter(
        cooperative=OuterRef("pk"),
        partnership__in=Partnership.objects.visible_to(user).involving(cooperative=cooperative),
    )
    # The largest candidates first, from an index walk that stops early: a province
    # may hold twenty thousand cooperatives of the same tier sharing a sector.
    largest = (
        candidates.filter(tier=cooperative.tier, province_id=cooperative.province_id)
        .exclude(Exists(together))
        .order_by("-member_count", "id")
        .values("pk")[:SUGGESTION_POOL]
    )
    return list(
        candidates.filter(pk__in=Subquery(largest))
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


def unverified_partnerships():
    """The ids of the partnerships not (yet) verified: pending or rejected.

    The statistics count verified partnerships through their parties and fields.
    Joining each of those rows to its partnership to read `verification` costs a
    hash of every partnership; the unverified ones are few, so "not among these"
    probes a small hash instead (or an index on SQLite), read from the
    (verification, …) indexes. The database allows no other value than the three
    (partnerships_partnership_verification_valid), so this is exact.
    """
    others = [value for value in Verification.values if value != Verification.VERIFIED]
    return Partnership.objects.filter(verification__in=others).order_by().values("pk")


def sql_name(model, field=None):
    """The quoted table of a model, or the quoted column of one of its fields."""
    name = model._meta.db_table if field is None else model._meta.get_field(field).column
    return connection.ops.quote_name(name)


def field_counts():
    """Every field of cooperation with `count`, its verified partnerships (0 for none).

    One GROUP BY over the through table, joined to the fields afterwards: a count
    per field in a correlated subquery made the database walk each field's rows
    and look up their partnerships one by one (2-3 s at 500,000 partnerships).
    Raw SQL because the ORM cannot join a grouped subquery; it is plain SQL that
    SQLite and PostgreSQL read alike.
    """
    links = Partnership.fields.through
    unverified, params = unverified_partnerships().query.sql_with_params()
    return CooperationField.objects.raw(
        f"SELECT term.*, COALESCE(counted.n, 0) AS count FROM {sql_name(CooperationField)} term "
        f"LEFT JOIN (SELECT {sql_name(links, 'cooperationfield')} AS term_id, COUNT(*) AS n "
        f"FROM {sql_name(links)} WHERE {sql_name(links, 'partnership')} NOT IN ({unverified}) "
        f"GROUP BY {sql_name(links, 'cooperationfield')}) counted "
        f"ON counted.term_id = term.{sql_name(CooperationField, 'id')}",
        params,
    )


def province_counts():
    """(code, name, count) of every province where a party of a verified partnership
    sits, most partnerships first. A partnership with parties in two provinces counts
    in both, once in each, however many of its parties sit there.

    The (partnership, province) pairs of cooperative parties and of partner parties
    are gathered apart (UNION ALL: each party row meets one small hash, not two
    outer joins), counted distinct per province, and only then named, so that the
    sort behind COUNT(DISTINCT) carries two narrow columns. Counting DISTINCT pairs
    first looked cheaper but is not: PostgreSQL cannot estimate how many pairs a
    UNION ALL holds (it guessed 40,000 for 1.2 million), hashes them in too little
    memory and spilled for more than 30 s.
    """
    unverified, params = unverified_partnerships().query.sql_with_params()
    pairs = " UNION ALL ".join(
        f"SELECT party.{sql_name(PartnershipParty, 'partnership')} AS partnership_id, "
        f"organisation.{sql_name(model, 'province')} AS code "
        f"FROM {sql_name(PartnershipParty)} party JOIN {sql_name(model)} organisation "
        f"ON organisation.{sql_name(model, 'id')} = party.{sql_name(PartnershipParty, role)}"
        for role, model in (("cooperative", Cooperative), ("partner", Partner))
    )
    sql = (
        f"SELECT counted.code, province.{sql_name(Province, 'name')}, counted.n FROM ("
        f"SELECT pairs.code, COUNT(DISTINCT pairs.partnership_id) AS n FROM ({pairs}) pairs "
        f"WHERE pairs.code IS NOT NULL AND pairs.partnership_id NOT IN ({unverified}) GROUP BY pairs.code"
        f") counted JOIN {sql_name(Province)} province ON province.{sql_name(Province, 'code')} = counted.code "
        f"ORDER BY counted.n DESC, province.{sql_name(Province, 'name')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def partnership_statistics():
    """Verified partnerships by category, direction, field, province (of any party)
    and start year. Four queries."""
    verified = Partnership.objects.verified()
    counts = {"total": Count("pk"), "international": Count("pk", filter=Q(international=True))}
    counts |= {f"category_{value}": Count("pk", filter=Q(category=value)) for value in Category.values}
    counts |= {f"direction_{value}": Count("pk", filter=Q(direction=value)) for value in Direction.values}
    counts["direction_none"] = Count("pk", filter=Q(direction=""))
    row = verified.aggregate(**counts)

    years = (
        verified.annotate(year=ExtractYear("start_date"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("year")
    )
    return {
        "total": row["total"],
        "international": row["international"],
        "categories": [(choice.value, choice.label, row[f"category_{choice.value}"]) for choice in Category],
        "directions": [(choice.value, choice.label, row[f"direction_{choice.value}"]) for choice in Direction]
        + [("", _("Not given"), row["direction_none"])],
        "fields": [
            (field.slug, field.label, field.count)
            for field in sorted(field_counts(), key=lambda field: (-field.count, field.label))
        ],
        "provinces": province_counts(),
        "years": [(item["year"], str(item["year"]), item["count"]) for item in years],
    }


def cooperative_statistics():
    """Verified cooperatives by tier, type and province. Two queries."""
    cooperatives = Cooperative.objects.verified()
    summary = cooperatives.summary()
    return {
        "total": summary["total"],
        "tiers": [(choice.value, choice.label, count) for choice, count in summary["tiers"]],
        "types": [(choice.value, choice.label, count) for choice, count in summary["types"]],
        "provinces": [
            (item["code"], item["province_name"], item["count"]) for item in cooperatives.top_provinces(None)
        ],
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

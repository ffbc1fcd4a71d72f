"""Read-side queries of the partnership pages (HackSoft's selectors).

Each function returns what one page renders, in a fixed number of queries
whatever the number of rows: the query-count tests hold them to it.
"""

import datetime
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from kopnet import policy
from kopnet.db import execute_prepared
from kopnet.links import url_of
from kopnet.models import RevisionState, Verification
from kopnet.services import latest_revision, revision_differences
from partnerships import tilemap
from partnerships.models import (
    Corroboration,
    Category,
    Confirmation,
    CooperationField,
    Direction,
    Objective,
    Partnership,
    PartnershipDocument,
    PartnershipParty,
)
from partnerships.policy import UNNAMED, VERIFIED_AND_OWN, VERIFIED_ONLY, party_name, partnership_reach
from registry.models import (
    TIER_RANK,
    Cooperative,
    CooperativeSearchRow,
    CooperativeStatus,
    CooperativeType,
    Partner,
    Province,
    Scope,
    Sector,
    Tier,
    federations_above,
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


def party_answers(partnership_ids):
    """{partnership id: its parties as the official's dashboard lists them}, in the
    model's order, in one query: each a dict of the organisation's `name`, its
    `partner_id` (partners do not answer: the curators check them), `confirmation`,
    its `confirmation_label` (in the language active now, the reader's: translated
    once a call, not once a party) and `decline_reason`.

    Rows, not models: for the busiest cooperative's page of 20 partnerships (65
    parties), the prefetch's party, cooperative and partner objects took three
    times as long as the rows."""
    labels = {value: str(label) for value, label in Confirmation.choices}
    answers = defaultdict(list)
    rows = (
        PartnershipParty.objects.filter(partnership_id__in=partnership_ids)
        .order_by("partnership_id", "pk")
        .values_list(
            "partnership_id", "cooperative_id", "partner_id", "confirmation", "decline_reason",
            "cooperative__name", "partner__name",
        )
    )  # fmt: skip
    for partnership_id, cooperative_id, partner_id, confirmation, reason, cooperative_name, partner_name in rows:
        answers[partnership_id].append({
            "name": cooperative_name if cooperative_id else partner_name,  # PartnershipParty.organisation
            "cooperative_id": cooperative_id,
            "partner_id": partner_id,
            "confirmation": confirmation,
            "confirmation_label": labels.get(confirmation, confirmation),
            "decline_reason": reason,
        })  # fmt: skip
    return answers


def partnerships_for_list(queryset):
    """Rows of a list: each partnership with its parties and their organisations."""
    only = [*LISTED_PARTY, *(f"{kind}__{name}" for kind in ("cooperative", "partner") for name in LISTED_ORGANISATION)]
    parties = PartnershipParty.objects.select_related("cooperative", "partner").only(*only).order_by("id")
    return queryset.prefetch_related(Prefetch("parties", queryset=parties))


def partnerships_for_export(queryset):
    """Rows of the CSV: parties, objectives and fields, each in a stable order; the
    new entity's record (its slug, and whether the reader may name it)."""
    entity = ("new_entity_cooperative", "new_entity_partner")
    return queryset.select_related(*entity).prefetch_related(
        parties_prefetch(),
        Prefetch("objectives", queryset=Objective.objects.order_by("slug")),
        Prefetch("fields", queryset=CooperationField.objects.order_by("slug")),
    )


def partnership_for_detail(queryset):
    """The partnership page: parties with who answered, objectives, fields, documents."""
    return queryset.select_related("initiator", "new_entity_cooperative", "new_entity_partner").prefetch_related(
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


def organisation_url(organisation, user):
    """The profile of a party, when kopnet.policy lets the reader open it ("view")."""
    if not policy.may(user, "view", organisation):
        return ""
    name = "registry:cooperative_detail" if isinstance(organisation, Cooperative) else "registry:partner_detail"
    return url_of(name, organisation.slug)


# --- the cooperative and partner pages ----------------------------------------


def cooperative_partnerships(cooperative, user, on=None):
    """The partnerships a cooperative's page lists: its newest and how many there are
    (of those active `on` a past day, when given).

    Its network and its suggested partners are pages of their own, which the
    profile fetches once it has loaded (cooperative_network(), cooperative_suggestions()).
    """
    visible = Partnership.objects.visible_to(user).involving(cooperative=cooperative)
    if on is not None:
        visible = visible.active_on(on)
    # What PostgreSQL keeps is today's network: a past day's is counted.
    kept = network_kept_for(user) and on is None
    count = kept_network_totals(cooperative)["partnerships"] if kept else visible.count()
    # Most cooperatives have no partnership yet: their page asks nothing more.
    if not count:
        recent = []
    elif kept:
        recent = kept_newest_partnerships(cooperative)
    else:
        recent = list(partnerships_for_list(newest_partnerships(visible)))
    return {"partnerships": recent, "partnership_count": count, "partnerships_more": max(count - len(recent), 0)}


def cooperative_network(cooperative, user, on=None):
    """The picture of a cooperative's partnerships that this reader may see
    (partnership_network()), of those active `on` a past day when given."""
    visible = Partnership.objects.visible_to(user).involving(cooperative=cooperative)
    if on is not None:
        return partnership_network(cooperative, visible.active_on(on), user)
    return partnership_network(cooperative, visible, user, kept=network_kept_for(user))


def cooperative_suggestions(cooperative, user):
    """Its suggested partners: (horizontal, vertical), each with its shared sectors."""
    horizontal = horizontal_suggestions(cooperative, user)
    vertical = vertical_suggestions(cooperative)
    with_shared_sectors(cooperative, horizontal, vertical)
    return horizontal, vertical


def founding(record, user):
    """How this reader may read that `record` (a cooperative or a partner) came to be:
    the partnership that founded it as its new legal entity, linked, with the
    organisations that founded it. {"founding": None} when no visible partnership
    names it (one query); else two."""
    link = {"new_entity_cooperative": record} if isinstance(record, Cooperative) else {"new_entity_partner": record}
    found = (
        Partnership.objects.visible_to(user)
        .filter(new_entity=True, **link)
        .only("reference", "title", "start_date", "verification")
        .order_by("start_date", "pk")
        .first()
    )
    if found is None:
        return {"founding": None}
    founders = []
    for party in found.parties.select_related("cooperative", "partner").order_by("pk"):
        organisation, name = party.organisation, party_name(user, party)
        if policy.may(user, "view", organisation):
            route = "registry:cooperative_detail" if party.cooperative_id else "registry:partner_detail"
            founders.append(format_html('<a href="{}">{}</a>', url_of(route, organisation.slug), name))
        else:
            founders.append(format_html("{}", name))
    return {
        "founding": found,
        "founding_link": format_html(
            '<a href="{}">{}</a>', url_of("partnerships:partnership_detail", found.reference), found.title
        ),
        "founders": mark_safe(", ".join(founders)),  # each escaped by format_html
    }


def partner_partnerships(partner, user, on=None):
    """The partnerships a partner's page lists (of those active `on` a past day, when
    given): its newest and how many there are."""
    visible = Partnership.objects.visible_to(user).involving(partner=partner)
    if on is not None:
        visible = visible.active_on(on)
    count = visible.count()
    recent = list(partnerships_for_list(visible.order_by("-start_date", "-id"))[:PROFILE_PARTNERSHIPS]) if count else []
    return {"partnerships": recent, "partnership_count": count, "partnerships_more": max(count - len(recent), 0)}


def partner_network(partner, user, on=None):
    """The picture of a partner's partnerships that this reader may see (of those
    active `on` a past day, when given): the same picture as a cooperative's, centred
    on the partner (nothing kept: counted afresh)."""
    visible = Partnership.objects.visible_to(user).involving(partner=partner)
    if on is not None:
        visible = visible.active_on(on)
    return partnership_network(partner, visible, user)


def partnership_network(cooperative, partnerships, user, kept=False):
    """The cooperative (or partner), the organisations it works with, and one edge per
    partnership.

    `partnerships` are the visible partnerships involving the cooperative. A
    partnership of several parties joins the cooperative to each of the others.
    Returns a dict: `graph` (nodes and edges for cytoscape, JSON-ready), `links`
    (the same, as a list for reading), `legend`, `totals` and `more` (the
    organisations left out of the picture). Two queries, one without partnerships.

    `kept` (network_kept_for(): a visitor, on PostgreSQL) reads the totals and the
    party rows from what PostgreSQL keeps of the verified partnerships' network
    instead of counting and sorting them (they are the visitor's `partnerships`).
    """
    is_cooperative = isinstance(cooperative, Cooperative)
    itself = Q(cooperative=cooperative) if is_cooperative else Q(partner=cooperative)
    if kept:
        totals = kept_network_totals(cooperative)
    else:
        others = PartnershipParty.objects.filter(partnership__in=partnerships)
        totals = others.aggregate(
            partnerships=Count("partnership", distinct=True),
            cooperatives=Count("cooperative", distinct=True, filter=~itself if is_cooperative else None),
            partners=Count("partner", distinct=True, filter=None if is_cooperative else ~itself),
        )
    rows = network_party_rows(cooperative, partnerships, kept) if totals["partnerships"] else []
    centre = f"c{cooperative.pk}" if is_cooperative else f"p{cooperative.pk}"
    nodes = {
        centre: {
            "id": centre,
            "label": getattr(cooperative, "short_name", "") or cooperative.name,
            "name": cooperative.name,
            "kind": "self",
            "url": url_of("registry:cooperative_detail" if is_cooperative else "registry:partner_detail", cooperative.slug),
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
                "url": organisation_url(organisation, user) if named else "",
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
            "url": url_of("partnerships:partnership_detail", partnership.reference),
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


# --- the network PostgreSQL keeps ----------------------------------------------------
# Of the verified partnerships, per cooperative: the party rows of each (its edges) and
# the totals (partnerships/migrations/0012_cooperative_network.py).

# The deferred trigger that applies a transaction's changes to the kept network.
NETWORK_TRIGGER = "partnerships_network"
NETWORK_ORDER = ("-partnership__start_date", "-partnership_id", "id")


def network_kept_for(user):
    """Whether the kept network serves this reader: a visitor, who sees the verified
    partnerships only, on PostgreSQL (the only one that keeps it). Signed-in readers
    may also see pending ones (their own, or all for curators): counted afresh."""
    return connection.vendor == "postgresql" and not (user and user.is_authenticated)


def kept_network_totals(cooperative):
    with connection.cursor() as cursor:
        apply_this_transactions_changes(cursor, NETWORK_TRIGGER)
        cursor.execute(
            "SELECT partnerships, cooperatives, partners FROM partnerships_network_total WHERE cooperative_id = %s",
            [cooperative.pk],
        )
        row = cursor.fetchone() or (0, 0, 0)
    return dict(zip(("partnerships", "cooperatives", "partners"), row))


# A cooperative's own rows in the kept edges (one per partnership), and the others'.
OWN_EDGES = "other_cooperative_id IS NULL AND other_partner_id IS NULL"
OTHER_EDGES = "(other_cooperative_id IS NOT NULL OR other_partner_id IS NOT NULL)"


def kept_edges_sql(columns, which):
    """The SQL of `columns` of a cooperative's `which` kept edges (parameters: the
    cooperative's id, how many), newest partnership first, from an index walk that
    stops there."""
    return (
        f"SELECT {columns} FROM partnerships_network_edge WHERE cooperative_id = %s AND {which} "
        "ORDER BY start_date DESC, partnership_id DESC, party_id LIMIT %s"
    )


def in_model_order(model, *names):
    """(model, these field names in the order of its columns, as Model.from_db() takes values)."""
    return model, tuple(field.attname for field in model._meta.concrete_fields if field.attname in names)


# What the network reads of a party row's partnership and organisation: the busiest
# cooperatives' 500 rows with every column took longer to load than to query.
NETWORK_FIELDS = {
    "partnership": in_model_order(Partnership, "id", "verification", "reference", "title", "category", "international"),
    "cooperative": in_model_order(Cooperative, "id", "verification", "slug", "name", "short_name"),
    "partner": in_model_order(Partner, "id", "verification", "slug", "name"),
}
PARTY_FIELDS = in_model_order(PartnershipParty, "id", "partnership_id", "cooperative_id", "partner_id")[1]


def network_party_rows(cooperative, partnerships, kept):
    """The network's party rows: the other parties of its partnerships, newest
    partnership first, at most NETWORK_PARTY_ROWS (when `kept`, only those of them
    that the picture draws)."""
    if kept:
        return kept_party_rows(cooperative)
    loaded = [f"{relation}__{field}" for relation, (_model, fields) in NETWORK_FIELDS.items() for field in fields]
    itself = {"cooperative": cooperative} if isinstance(cooperative, Cooperative) else {"partner": cooperative}
    others = (
        PartnershipParty.objects.filter(partnership__in=partnerships)
        .exclude(**itself)
        .select_related(*NETWORK_FIELDS)
        .only(*PARTY_FIELDS, *loaded)
    )
    return others.order_by(*NETWORK_ORDER)[:NETWORK_PARTY_ROWS]


def kept_party_rows(cooperative):
    """network_party_rows() from the kept edges, in one query, as far as the picture
    uses them: the rows of the first NETWORK_NODES organisations among them (the
    picture draws no other; partnership_network() still decides). For the busiest
    cooperatives that is about 60 of the 500 rows, whose partnerships and organisations
    took 20 ms to read and load. The newest edges come from an index alone (it holds
    the other party's organisation); the parties themselves are never read."""
    columns = ", ".join(
        f"{relation}.{field}" for relation, (_model, fields) in NETWORK_FIELDS.items() for field in fields
    )
    # The party's columns, as PARTY_FIELDS orders them.
    edge = {"id": "party_id", "partnership_id": "partnership_id", "cooperative_id": "other_cooperative_id",
            "partner_id": "other_partner_id"}  # fmt: skip
    sql = f"""
        WITH walked AS (
            SELECT e.*, row_number() OVER (ORDER BY start_date DESC, partnership_id DESC, party_id) AS n
            FROM ({kept_edges_sql("*", OTHER_EDGES)}) AS e
        ), drawn AS (
            SELECT other_cooperative_id, other_partner_id FROM walked
            GROUP BY other_cooperative_id, other_partner_id ORDER BY min(n) LIMIT %s
        )
        SELECT {", ".join(f"e.{edge[field]}" for field in PARTY_FIELDS)}, {columns}
        FROM walked AS e
        JOIN partnerships_partnership partnership ON partnership.id = e.partnership_id
        LEFT JOIN registry_cooperative cooperative ON cooperative.id = e.other_cooperative_id
        LEFT JOIN registry_partner partner ON partner.id = e.other_partner_id
        WHERE e.other_cooperative_id IN (SELECT other_cooperative_id FROM drawn)
            OR e.other_partner_id IN (SELECT other_partner_id FROM drawn)
        ORDER BY e.n
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [cooperative.pk, NETWORK_PARTY_ROWS, NETWORK_NODES])
        rows = cursor.fetchall()
    db = connection.alias
    parties = []
    for row in rows:
        party = PartnershipParty.from_db(db, PARTY_FIELDS, row[: len(PARTY_FIELDS)])
        start = len(PARTY_FIELDS)
        for relation, (model, fields) in NETWORK_FIELDS.items():
            values = row[start : start + len(fields)]
            start += len(fields)
            # A party is a cooperative or a partner: the other one's columns are NULL.
            loaded = values[fields.index("id")] is not None
            setattr(party, relation, model.from_db(db, fields, values) if loaded else None)
        parties.append(party)
    return parties


# What kept_newest_partnerships() reads: of each partnership what a list's row shows
# ({% partnership_rows %}: not its description, read again for each of its parties),
# and its parties' organisations as a list shows them (LISTED_ORGANISATION).
LISTED_PARTNERSHIP = (
    "id", "reference", "title", "verification", "category", "direction", "international", "new_entity", "status",
    "start_date", "end_date",
)  # fmt: skip
NEWEST_FIELDS = {
    "partnership": in_model_order(Partnership, *LISTED_PARTNERSHIP),
    "party": in_model_order(PartnershipParty, *LISTED_PARTY),
    "cooperative": in_model_order(Cooperative, "id", *LISTED_ORGANISATION),
    "partner": in_model_order(Partner, "id", *LISTED_ORGANISATION),
}


def kept_newest_partnerships(cooperative):
    """newest_partnerships() of a visitor (`kept`) through partnerships_for_list(), in
    one query: the kept edges' index walk names the newest verified partnerships, read
    with their parties and their organisations. For the busiest cooperatives the two
    ORM queries (the partnerships, then their parties with select_related and only())
    took longer to build and load than to run. Each partnership's parties are its
    prefetched `parties`, by id, each with its partnership and organisation set."""
    columns = ", ".join(
        f"{relation}.{field}" for relation, (_model, fields) in NEWEST_FIELDS.items() for field in fields
    )
    sql = f"""
        WITH newest AS ({kept_edges_sql("partnership_id", OWN_EDGES)})
        SELECT {columns}
        FROM newest
        JOIN partnerships_partnership partnership ON partnership.id = newest.partnership_id
        JOIN partnerships_partnershipparty party ON party.partnership_id = partnership.id
        LEFT JOIN registry_cooperative cooperative ON cooperative.id = party.cooperative_id
        LEFT JOIN registry_partner partner ON partner.id = party.partner_id
        ORDER BY partnership.start_date DESC, partnership.id DESC, party.id
    """
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, [cooperative.pk, PROFILE_PARTNERSHIPS])
        rows = cursor.fetchall()
    db = connection.alias
    partnerships, parties = {}, defaultdict(list)
    slices, start = {}, 0
    for relation, (_model, fields) in NEWEST_FIELDS.items():
        slices[relation] = slice(start, start + len(fields))
        start += len(fields)

    def load(relation, row):
        model, fields = NEWEST_FIELDS[relation]
        values = row[slices[relation]]
        # A party is a cooperative or a partner: the other one's columns are NULL.
        return model.from_db(db, fields, values) if values[0] is not None else None

    for row in rows:
        partnership_id = row[slices["partnership"]][0]
        if partnership_id not in partnerships:  # a row for each of its parties
            partnerships[partnership_id] = load("partnership", row)
        party = load("party", row)
        party.partnership = partnerships[partnership_id]
        party.cooperative, party.partner = load("cooperative", row), load("partner", row)
        parties[partnership_id].append(party)
    for partnership in partnerships.values():
        prefetched = partnership.parties.all()  # what prefetch_related() leaves: a filled queryset
        prefetched._result_cache, prefetched._prefetch_done = parties[partnership.pk], True
        partnership._prefetched_objects_cache = {"parties": prefetched}
    return list(partnerships.values())


def newest_partnerships(partnerships):
    """The PROFILE_PARTNERSHIPS newest of these `partnerships` (kept_newest_partnerships()
    reads a visitor's from the kept edges)."""
    return partnerships.order_by("-start_date", "-id")[:PROFILE_PARTNERSHIPS]


# --- suggested partners -----------------------------------------------------------
# Hand-written SQL, portable to SQLite: a profile's suggestions were two ORM queries
# each, and building them cost more than running them (Python 9 ms of 18 for the
# horizontal ones at 250,000 cooperatives).

COOPERATIVES = Cooperative._meta.db_table
COOPERATIVE_SECTORS = Cooperative.sectors.through._meta.db_table
PARTIES = PartnershipParty._meta.db_table


def placeholders(values):
    return ", ".join(["%s"] * len(values))


# A cooperative `c` that may be suggested: verified and active (with its params).
SUGGESTIBLE = "c.verification = %s AND c.status = %s", [Verification.VERIFIED, CooperativeStatus.AKTIF]


def candidate_where(sector_ids):
    """Suggestible cooperatives `c` sharing one of these sectors, and its params."""
    suggestible, params = SUGGESTIBLE
    sql = (
        "{suggestible} AND EXISTS (SELECT 1 FROM {sectors} AS s"
        " WHERE s.cooperative_id = c.id AND s.sector_id IN ({ids}))"
    ).format(suggestible=suggestible, sectors=COOPERATIVE_SECTORS, ids=placeholders(sector_ids))
    return sql, [*params, *sector_ids]


def shared_count(sector_ids):
    """How many of these sectors a cooperative `c` has, and its params."""
    sql = "(SELECT COUNT(*) FROM {sectors} AS s WHERE s.cooperative_id = c.id AND s.sector_id IN ({ids}))".format(
        sectors=COOPERATIVE_SECTORS, ids=placeholders(sector_ids)
    )
    return sql, list(sector_ids)


def pool_walk(sector_ids):
    """The SQL of the suggestible cooperatives `c` of a tier and province (its last
    two parameters) with how many of these sectors each shares (`shared_count`), and
    its other parameters, for a walk by size.

    PostgreSQL walks the verified cooperatives' search rows, which carry their
    sectors' ids in an index ordered for this walk
    (registry/migrations/0019_search_rows_sectors.py): the walk reads the index alone,
    where it looked up each cooperative's sectors (some 830 lookups for a primary
    cooperative in a populous province). SQLite reads the cooperatives and their sectors."""
    if connection.vendor == "postgresql":
        # The overlap (&&) keeps a walked row or not without a subquery; only the
        # rows kept count their shared sectors.
        sql = (
            "SELECT c.id, c.member_count, (SELECT COUNT(*) FROM unnest(c.sector_ids) AS s(id) "
            f"WHERE s.id IN ({placeholders(sector_ids)})) AS shared_count "
            f"FROM {CooperativeSearchRow._meta.db_table} AS c WHERE c.status = %s "
            f"AND c.sector_ids && ARRAY[{placeholders(sector_ids)}]::bigint[] AND c.tier = %s AND c.province_id = %s"
        )
        return sql, [*sector_ids, CooperativeStatus.AKTIF, *sector_ids]
    suggestible, suggestible_params = SUGGESTIBLE
    shared, shared_params = shared_count(sector_ids)
    sql = f"SELECT c.id, c.member_count, {shared} AS shared_count FROM {COOPERATIVES} AS c WHERE {suggestible} AND c.tier = %s AND c.province_id = %s"
    return sql, [*shared_params, *suggestible_params]


def horizontal_suggestions(cooperative, user):
    """Verified cooperatives of the same tier, in the same province, sharing a sector,
    that have no partnership with it that this reader can see: those of its own
    regency/city first, then the most sectors in common, from the pool of the SUGGESTION_POOL largest of that tier and
    province sharing a sector with it. One query (the shared sectors come with the
    vertical suggestions': with_shared_sectors).

    The pool is taken before the cooperative itself and its partners are left out, so
    that whether a cooperative can be in anyone's pool depends on its tier, province
    and sectors alone: a cooperative verified or changed outside every pool changes
    no profile's suggestions (registry/migrations/0014_suggestion_pool_versions.py).
    """
    sector_ids = sector_ids_of(cooperative)
    if not sector_ids or not cooperative.province_id:
        return []
    # The partnerships this reader sees, as the access policy says; the pool's
    # candidates are few, so each one's own partnerships are tested for the
    # cooperative (not the cooperative's, thousands for the busiest, against each).
    visible, visible_params = Partnership.objects.visible_to(user).order_by().values("pk").query.sql_with_params()
    # The largest candidates first, from an index walk that stops early: a province
    # may hold twenty thousand cooperatives of the same tier sharing a sector. Each
    # one walked has its shared sectors counted once, and the count says whether it
    # shares one: OFFSET 0 keeps PostgreSQL from moving the test into the walk, where
    # it counted them again (SQLite takes no OFFSET without a LIMIT, and needs none).
    # Only the few that can be among the best (RANK) are read whole.
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    walked, walked_params = pool_walk(sector_ids)
    # The same regency/city first, then the rest of the province.
    near, near_params = "0", []
    if cooperative.regency_place_id:
        near = f"CASE WHEN (SELECT r.regency_place_id FROM {COOPERATIVES} AS r WHERE r.id = pool.id) = %s THEN 1 ELSE 0 END"
        near_params = [cooperative.regency_place_id]
    sql = f"""
        WITH pool AS (
            SELECT * FROM (
                {walked}
                ORDER BY c.member_count DESC, c.id{fence}
            ) AS walked
            WHERE shared_count > 0
            ORDER BY member_count DESC, id
            LIMIT {SUGGESTION_POOL}
        ), nearby AS (
            SELECT pool.*, {near} AS near FROM pool
        ), ranked AS (
            SELECT pool.*, RANK() OVER (ORDER BY near DESC, shared_count DESC, member_count DESC) AS place
            FROM nearby AS pool
            WHERE pool.id <> %s AND NOT EXISTS (
                SELECT 1 FROM {PARTIES} AS party JOIN {PARTIES} AS mine
                    ON mine.partnership_id = party.partnership_id AND mine.cooperative_id = %s
                WHERE party.cooperative_id = pool.id AND party.partnership_id IN ({visible})
            )
        )
        SELECT c.*, ranked.shared_count FROM {COOPERATIVES} AS c JOIN ranked ON ranked.id = c.id
        WHERE ranked.place <= {SUGGESTIONS}
        ORDER BY ranked.near DESC, ranked.shared_count DESC, c.member_count DESC, c.name, c.id
        LIMIT {SUGGESTIONS}
    """
    params = [
        *walked_params,
        cooperative.tier,
        cooperative.province_id,
        *near_params,
        cooperative.pk,
        cooperative.pk,
        *visible_params,
    ]
    suggestions = list(Cooperative.objects.raw(sql, params))
    for suggestion in suggestions:
        suggestion.province = cooperative.province  # the same province
    return suggestions


def vertical_suggestions(cooperative):
    """Verified federations of a higher tier covering its province (the same province,
    or a national or international scope) and sharing a sector, that it does not
    already belong to, directly or through others: the nearest tier and the same
    province first. One query."""
    sector_ids = sector_ids_of(cooperative)
    higher = [tier for tier, rank in TIER_RANK.items() if rank > TIER_RANK[cooperative.tier]]
    if not sector_ids or not higher:
        return []
    candidate, candidate_params = candidate_where(sector_ids)
    shared, shared_params = shared_count(sector_ids)
    tier_order = "CASE c.tier {} END".format(" ".join("WHEN %s THEN %s" for _tier in higher))
    tier_params = [value for tier in higher for value in (tier, TIER_RANK[tier])]
    same_province = "c.province_id = %s" if cooperative.province_id else "c.province_id IS NULL"
    covering = "c.scope = %s OR (c.scope = %s AND c.country = %s)"
    covering_params = [Scope.INTERNASIONAL, Scope.NASIONAL, cooperative.country.code]
    if cooperative.province_id:
        covering += " OR c.province_id = %s"
        covering_params.append(cooperative.province_id)
    above, above_params = federations_above(cooperative.pk)
    sql = f"""
        SELECT c.*, {shared} AS shared_count, {tier_order} AS tier_order,
            CASE WHEN {same_province} THEN 0 ELSE 1 END AS province_order
        FROM {COOPERATIVES} AS c
        WHERE {candidate} AND c.tier IN ({placeholders(higher)}) AND ({covering})
            AND c.id NOT IN ({above})
        ORDER BY tier_order, province_order, shared_count DESC, c.name, c.id
        LIMIT {SUGGESTIONS}
    """
    params = [
        *shared_params,
        *tier_params,
        *([cooperative.province_id] if cooperative.province_id else []),
        *candidate_params,
        *higher,
        *covering_params,
        *above_params,
    ]
    suggestions = list(Cooperative.objects.raw(sql, params))
    for suggestion in suggestions:
        if suggestion.province_id == cooperative.province_id:
            suggestion.province = cooperative.province
    return suggestions


def sector_ids_of(cooperative):
    return [sector.pk for sector in cooperative.sectors.all()]


def with_shared_sectors(cooperative, *suggestion_lists):
    """Gives each suggested cooperative `shared_sectors`: the sectors it shares with
    `cooperative`, by name. One query for all of them."""
    suggestions = [suggestion for suggestions in suggestion_lists for suggestion in suggestions]
    if not suggestions:
        return
    mine = list(cooperative.sectors.all())  # by name (Sector's ordering)
    through = Cooperative.sectors.through
    links = through.objects.filter(
        cooperative_id__in=[suggestion.pk for suggestion in suggestions], sector_id__in=[sector.pk for sector in mine]
    )
    theirs = defaultdict(set)
    for cooperative_id, sector_id in links.values_list("cooperative_id", "sector_id"):
        theirs[cooperative_id].add(sector_id)
    for suggestion in suggestions:
        suggestion.shared_sectors = [sector for sector in mine if sector.pk in theirs[suggestion.pk]]


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
    apply_this_transactions_changes(cursor, STATISTICS_TRIGGER)


def apply_this_transactions_changes(cursor, trigger):
    if connection.in_atomic_block:
        # A transaction that may have written (a test, a view in atomic()) applies
        # its changes to what PostgreSQL keeps at commit: apply them now, and let its
        # later writes wait for the commit again.
        cursor.execute(f"SET CONSTRAINTS {trigger} IMMEDIATE; SET CONSTRAINTS {trigger} DEFERRED")


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
# below (partnerships/migrations/0013_province_rows.py).

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
    """The partnerships' numbers counted from the tables, in five queries."""
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
    ended = verified.filter(end_date__isnull=False).order_by().values(year=ExtractYear("end_date"))
    counts["end_year"] = {str(item["year"]): item["count"] for item in ended.annotate(count=Count("pk"))}
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


def regency_statistics(province):
    """A province's verified cooperatives by regency/city: (code, name, count) of
    each of its regencies, most first, and how many name none by its code. Two
    queries (the counts from the (verification, province, regency_place) index)."""
    counted = dict(
        Cooperative.objects.verified()
        .filter(province=province)
        .order_by()
        .values_list("regency_place_id")
        .annotate(count=Count("pk"))
    )
    uncoded = counted.pop(None, 0)
    rows = [(code, name, counted.get(code, 0)) for code, name in province.regencies.values_list("code", "name")]
    return sorted(rows, key=lambda row: (-row[2], row[1])), uncoded


def province_names():
    return dict(Province.objects.values_list("code", "name"))


def by_province(counted, names):
    """(code, name, count) of the provinces counted, most first."""
    rows = [(code, names.get(code, code), count) for code, count in counted.items()]
    return sorted(rows, key=lambda row: (-row[2], row[1]))


HOME_LATEST = 5
HOME_YEARS = 10


def home_partnerships(counts):
    """What the home page says of partnerships: how many are verified, of which
    international and forming a new legal entity, the latest verified, and how many
    started in each of the last HOME_YEARS years (every year, none skipped).
    Two queries besides the counts, each on a partial index at any size."""
    started = {int(year): count for year, count in counts.get("year", {}).items() if year}
    # Up to this year (or a later start already registered): a chart ending at the last
    # year with a start would hide that none started since.
    last = max([*started, timezone.localdate().year])
    latest = partnerships_for_list(Partnership.objects.verified()).order_by("-verification_at", "-id")[:HOME_LATEST]
    return {
        "total": counts.get("partnerships", {}).get("", 0),
        "international": counts.get("international", {}).get("", 0),
        "new_entity": Partnership.objects.verified().filter(new_entity=True).count(),
        "latest": list(latest),
        "years": [(year, started.get(year, 0)) for year in range(last - HOME_YEARS + 1, last + 1)],
    }


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
        "tiles": tilemap.tiles(counts.get("province", {}), names),
        "years": [(year, str(year), n) for year, n in continuous_years(counts.get("year", {}))],
        "active_years": [
            (year, str(year), n) for year, n in active_years(counts.get("year", {}), counts.get("end_year", {}))
        ],
        "corroboration": corroboration_counts(count("partnerships")),
    }


def corroboration_counts(total):
    """(level, label, count) of the verified partnerships at each level, one query:
    the rarer levels are counted on the (verification, corroboration) index; the
    usual one ("confirmed") is what remains of the total."""
    rarer = (Corroboration.DECLARED, Corroboration.DOCUMENTED)
    counted = dict(
        Partnership.objects.verified()
        .filter(corroboration__in=rarer)
        .order_by()
        .values_list("corroboration")
        .annotate(Count("pk"))
    )
    counted = {level: counted.get(level.value, 0) for level in rarer}
    counted[Corroboration.CONFIRMED] = max(total - sum(counted.values()), 0)
    return [(level.value, level.label, counted[level]) for level in Corroboration]


def continuous_years(counted):
    """(year, count) from the first year counted to the last, every year between
    included with 0: a chart's axis without gaps (2024 never sits next to 2026)."""
    started = {int(year): n for year, n in counted.items() if year}
    if not started:
        return []
    return [(year, started.get(year, 0)) for year in range(min(started), max(started) + 1)]


def active_years(started, ended):
    """(year, count) of the partnerships active in each year (the list's "active in
    year": started in it or before, not ended before it), from the first start to this
    year (or a later start), every year included: those started by its end, less those
    that ended before it began. `started` and `ended` count them by start and end year."""
    started = {int(year): n for year, n in started.items() if year}
    ended = {int(year): n for year, n in ended.items() if year}
    if not started:
        return []
    rows, begun, over = [], 0, 0
    for year in range(min(started), max([*started, timezone.localdate().year]) + 1):
        begun += started.get(year, 0)
        rows.append((year, begun - over))
        over += ended.get(year, 0)
    return rows


def data_as_of(*models):
    """When the verified records of `models` (what a visitor's summary counts) last
    changed: the greatest updated_at among them, None without any. One query; on
    PostgreSQL each MAX is one lookup in the model's partial index on updated_at of
    its verified rows (registry 0021, partnerships 0017), at any size.

    A write that changes a verified record stamps its updated_at (kopnet.services),
    verifying one included, so the time moves with the numbers the page shows. What
    it cannot see is a record leaving the verified set, which the counts do see."""
    latest = [
        f"(SELECT MAX(updated_at) FROM {model._meta.db_table} WHERE verification = %s)" for model in models
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(latest), [Verification.VERIFIED] * len(models))
        times = [value for value in cursor.fetchone() if value is not None]
    if not times:
        return None
    return max(aware(value) for value in times)


def aware(value):
    """A raw query's datetime as the ORM would give it: SQLite answers naive UTC text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, datetime.timezone.utc) if timezone.is_naive(value) else value


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
        "tiles": tilemap.tiles(counts.get("cooperative_province", {}), names),
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

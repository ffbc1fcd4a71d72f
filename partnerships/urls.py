from django.urls import path, re_path

from kopnet import links
from kopnet.cache import cached_for_visitors
from kopnet.ratelimits import export_limited
from partnerships import feeds
from partnerships.models import REFERENCE_FORM
from partnerships.views import dashboard, public, register

app_name = "partnerships"
# References only (KS-2026-000123), so that /kerjasama/baru/ and other words stay free.
REFERENCE = f"(?P<reference>{REFERENCE_FORM})"
# At most 18 digits: a longer number would overflow the database's integer.
PK_FORM = "[0-9]{1,18}"
PK = f"(?P<pk>{PK_FORM})"
# Pages linked once per row, whose addresses kopnet.links writes without reverse() for
# each: every list and profile links partnerships; the official's dashboard has an
# edit link for each partnership registered and two forms (confirm, decline) for each
# thing waiting for an answer.
for name, form, stand_in in [
    ("partnership_detail", REFERENCE_FORM, "KS-0000-000000"),
    ("partnership_update", REFERENCE_FORM, "KS-0000-000000"),
    *((name, PK_FORM, "999999999999999999") for name in ("party_confirm", "party_decline", "change_confirm", "change_decline")),
]:
    links.keyed(f"{app_name}:{name}", form, stand_in)
urlpatterns = [
    # public.py: list, detail, documents, a cooperative's network and suggestions, statistics
    path("kerjasama/", export_limited(cached_for_visitors(public.PartnershipListView.as_view())), name="partnership_list"),
    re_path(
        rf"^kerjasama/{REFERENCE}/$",
        cached_for_visitors(public.PartnershipDetailView.as_view()),
        name="partnership_detail",
    ),
    re_path(
        rf"^kerjasama/{REFERENCE}/dokumen/{PK}/$",
        public.document_download,
        name="document_download",
    ),
    # Parts of a cooperative's profile that are pages of their own (the profile fetches them).
    path(
        "koperasi/<slug:slug>/jaringan/",
        cached_for_visitors(public.CooperativeNetworkView.as_view()),
        name="cooperative_network",
    ),
    path(
        "mitra/<slug:slug>/jaringan/",
        cached_for_visitors(public.PartnerNetworkView.as_view()),
        name="partner_network",
    ),
    path(
        "koperasi/<slug:slug>/saran/",
        cached_for_visitors(public.CooperativeSuggestionsView.as_view()),
        name="cooperative_suggestions",
    ),
    # Atom feeds of newly verified partnerships (partnerships/feeds.py): all, a cooperative's, a
    # province's. The same for every reader, so shared caches may keep each five minutes.
    path("kerjasama/terbaru.atom", feeds.public(feeds.VerifiedPartnershipsFeed()), name="partnership_feed"),
    path("koperasi/<slug:slug>/kerjasama.atom", feeds.public(feeds.CooperativePartnershipsFeed()), name="cooperative_feed"),
    path("kerjasama/provinsi/<str:code>.atom", feeds.public(feeds.ProvincePartnershipsFeed()), name="province_feed"),
    # One search across the registry, cached for visitors by the versions of every list.
    path("cari/", cached_for_visitors(public.search, params=("q",), keys=("lc", "lp", "l", "r")), name="search"),
    # The same numbers for every reader: signed-in people share the cached page too;
    # a write the statistics do not show (a phone number) keeps it (its own data version).
    path("statistik/", cached_for_visitors(public.statistics, shared=True, scope="statistics"), name="statistics"),
    path(
        "statistik/wilayah/",
        cached_for_visitors(public.province_statistics, shared=True, scope="statistics", params=("province",)),
        name="province_statistics",
    ),
    # register.py: registration, edit, organisation search for the pickers
    path("kerjasama/baru/", register.partnership_create, name="partnership_create"),
    path("kerjasama/cari-organisasi/", register.organisation_search, name="organisation_search"),
    re_path(
        rf"^kerjasama/{REFERENCE}/ubah/$",
        register.partnership_update,
        name="partnership_update",
    ),
    # dashboard.py: /akun/, confirm and decline
    path("akun/", dashboard.dashboard, name="dashboard"),
    re_path(rf"^kerjasama/pihak/{PK}/konfirmasi/$", dashboard.party_confirm, name="party_confirm"),
    re_path(rf"^kerjasama/pihak/{PK}/tolak/$", dashboard.party_decline, name="party_decline"),
    # A cooperative's answer to a change proposed for a verified partnership.
    re_path(rf"^kerjasama/perubahan/{PK}/konfirmasi/$", dashboard.change_confirm, name="change_confirm"),
    re_path(rf"^kerjasama/perubahan/{PK}/tolak/$", dashboard.change_decline, name="change_decline"),
]

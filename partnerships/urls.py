from django.urls import path, re_path

from kopnet.cache import cached_for_visitors
from partnerships.views import dashboard, public, register

app_name = "partnerships"
urlpatterns = [
    # public.py: list, detail, documents, statistics
    path("kerjasama/", cached_for_visitors(public.PartnershipListView.as_view()), name="partnership_list"),
    # References only (KS-2026-000123), so that /kerjasama/baru/ and other words stay free.
    re_path(
        r"^kerjasama/(?P<reference>KS-[0-9]{4}-[0-9]{6})/$",
        cached_for_visitors(public.PartnershipDetailView.as_view()),
        name="partnership_detail",
    ),
    re_path(
        r"^kerjasama/(?P<reference>KS-[0-9]{4}-[0-9]{6})/dokumen/(?P<pk>[0-9]{1,18})/$",
        public.document_download,
        name="document_download",
    ),
    # The same numbers for every reader: signed-in people share the cached page too;
    # a write the statistics do not show (a phone number) keeps it (its own data version).
    path("statistik/", cached_for_visitors(public.statistics, shared=True, scope="statistics"), name="statistics"),
    # register.py: registration, edit, organisation search for the pickers
    path("kerjasama/baru/", register.partnership_create, name="partnership_create"),
    path("kerjasama/cari-organisasi/", register.organisation_search, name="organisation_search"),
    re_path(
        r"^kerjasama/(?P<reference>KS-[0-9]{4}-[0-9]{6})/ubah/$",
        register.partnership_update,
        name="partnership_update",
    ),
    # dashboard.py: /akun/, confirm and decline
    path("akun/", dashboard.dashboard, name="dashboard"),
    # At most 18 digits: a longer number would overflow the database's integer.
    re_path(r"^kerjasama/pihak/(?P<pk>[0-9]{1,18})/konfirmasi/$", dashboard.party_confirm, name="party_confirm"),
    re_path(r"^kerjasama/pihak/(?P<pk>[0-9]{1,18})/tolak/$", dashboard.party_decline, name="party_decline"),
    # A cooperative's answer to a change proposed for a verified partnership.
    re_path(r"^kerjasama/perubahan/(?P<pk>[0-9]{1,18})/konfirmasi/$", dashboard.change_confirm, name="change_confirm"),
    re_path(r"^kerjasama/perubahan/(?P<pk>[0-9]{1,18})/tolak/$", dashboard.change_decline, name="change_decline"),
]

from django.contrib import admin
from django.urls import include, path

from api import pages as open_data
from kopnet import sitemaps, views
from kopnet.cache import cached_for_visitors
from partnerships.sitemaps import PartnershipSitemap
from partnerships.views import public
from registry.sitemaps import CooperativeSitemap, PartnerSitemap

# A database that does not answer is a 503 (come back in a moment), not a 500.
handler500 = views.server_error
# The sections of /sitemap.xml: the root URLconf sees every app, as the home page does.
SITEMAPS = {
    "halaman": sitemaps.StaticPagesSitemap,
    "koperasi": CooperativeSitemap,
    "mitra": PartnerSitemap,
    "kerjasama": PartnershipSitemap,
}

# An upload over the limits is a 413 that says which (kopnet/uploads.py).
handler400 = views.bad_request

urlpatterns = [
    # The home page belongs to the top floor, partnerships: it may show what every app holds.
    # Its figures are the registry's summary and the latest partnerships: cached by their page versions.
    path("", cached_for_visitors(public.home, keys=("h", "l", "r")), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("tentang/", views.about, name="about"),
    path("robots.txt", sitemaps.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemaps.sitemap_index, {"sitemaps": SITEMAPS}, name="sitemap_index"),
    path("sitemap-<slug:section>.xml", sitemaps.sitemap_section, {"sitemaps": SITEMAPS}, name="sitemap_section"),
    # The language switch, which also keeps a signed-in user's language for what KopNet writes to them.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    # The open data snapshots (api.opendata): their list, and each file of one.
    path("data/", open_data.open_data, name="open_data"),
    path("data/<str:name>", open_data.open_data_file, name="open_data_file"),
    path("akun/daftar/", views.signup, name="signup"),
    path("akun/daftar/terkirim/", views.signup_done, name="signup_done"),
    path("akun/email/", views.email_status, name="email_status"),
    path("akun/email/<str:token>/", views.email_verify, name="email_verify"),
    path("akun/dua-faktor/", views.second_factor, name="second_factor"),
    path("akun/pemberitahuan/", views.notification_settings, name="notification_settings"),
    path("akun/pemberitahuan/<int:pk>/", views.notification_open, name="notification_open"),
    path("akun/token-api/", views.api_tokens, name="api_tokens"),
    path("akun/token-api/<int:pk>/cabut/", views.api_token_revoke, name="api_token_revoke"),
    path("ikuti/<slug:kind>/<str:key>/", views.follow, name="follow"),
    path("akun/masuk/", views.LoginView.as_view(), name="login"),
    path("akun/keluar/", views.LogoutView.as_view(), name="logout"),
    path("akun/sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path("akun/sandi/selesai/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("akun/sandi/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("akun/sandi/reset/terkirim/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "akun/sandi/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("akun/sandi/reset/selesai/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("", include("registry.urls")),
    path("", include("partnerships.urls")),
]

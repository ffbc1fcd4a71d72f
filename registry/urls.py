from django.urls import path

from kopnet import links
from kopnet.cache import cached_for_visitors
from kopnet.ratelimits import export_limited
from registry import proposals, views

app_name = "registry"
# The profiles every list and profile links to: kopnet.links writes their addresses
# without reverse() for each link.
links.keyed(f"{app_name}:cooperative_detail", links.SLUG, "kn-stand-in")
links.keyed(f"{app_name}:partner_detail", links.SLUG, "kn-stand-in")
links.keyed(f"{app_name}:cooperative_members", links.SLUG, "kn-stand-in")
urlpatterns = [
    path("koperasi/", export_limited(cached_for_visitors(views.CooperativeListView.as_view())), name="cooperative_list"),
    # Before the profile's route, which would take "baru" for a slug.
    path("koperasi/baru/", views.cooperative_create, name="cooperative_create"),
    path("koperasi/<slug:slug>/", cached_for_visitors(views.CooperativeDetailView.as_view()), name="cooperative_detail"),
    path("koperasi/<slug:slug>/ubah/", views.cooperative_update, name="cooperative_update"),
    # A part of a federation's profile that is a page of its own (the profile fetches it).
    path(
        "koperasi/<slug:slug>/anggota/",
        cached_for_visitors(views.CooperativeMembersView.as_view()),
        name="cooperative_members",
    ),
    path("koperasi/<slug:slug>/gabung/", proposals.proposal_create, name="proposal_create"),
    path("keanggotaan/usulan/<int:pk>/", proposals.proposal_detail, name="proposal_detail"),
    path("keanggotaan/usulan/<int:pk>/konfirmasi/", proposals.proposal_confirm, name="proposal_confirm"),
    path("keanggotaan/usulan/<int:pk>/tolak/", proposals.proposal_refuse, name="proposal_refuse"),
    path("keanggotaan/usulan/<int:pk>/tarik/", proposals.proposal_withdraw, name="proposal_withdraw"),
    path("wilayah/", views.places, name="places"),
    path("akun/wakili/", views.representation_request, name="representation_request"),
    path("mitra/", export_limited(cached_for_visitors(views.PartnerListView.as_view())), name="partner_list"),
    path("mitra/<slug:slug>/", cached_for_visitors(views.PartnerDetailView.as_view()), name="partner_detail"),
]

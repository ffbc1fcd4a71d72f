"""{% member_rows %} writes, in Python, exactly the rows of a federation's members
table that its template loop wrote (kept below as the oracle), in both languages, and
registry.models.with_member_previews() gives each federation among them the first of
its own members that the reader may see."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.utils import translation

from kopnet.models import Verification
from registry.models import Cooperative, MemberPreview, Scope, Tier, with_member_previews
from registry.templatetags.registry_tags import member_preview, member_rows
from tests.factories import CooperativeFactory, MembershipFactory, province

pytestmark = pytest.mark.django_db

# registry/cooperative_detail.html's rows as they were before they were written in
# Python (its "and N more" now leads to the member's page of members); the preview was
# a tag already ({% member_preview member %}), given here.
ORACLE = """{% load i18n humanize kopnet_tags %}{% for member in members %}
<tr>
  <th scope="row" class="fw-normal kn-name">
    <a href="{% link_to 'registry:cooperative_detail' member.slug %}">{{ member.name }}</a>
    {% if member.province %}<br><small class="text-body-secondary">{{ member.province.name }}</small>{% endif %}
    {% if show_verification and not member.is_verified %} {% verification_badge member %}{% endif %}
  </th>
  <td data-label="{% translate 'Tier' %}">{{ member.get_tier_display }}</td>
  <td class="text-end" data-label="{% translate 'Members' %}">{{ member.member_count|intcomma }}</td>
  <td data-label="{% translate 'Its own member cooperatives' %}">
    {% if member.member_preview %}
    {{ member.preview_html }}
    {% if member.more_members %}
    <a class="small ps-3" href="{% url 'registry:cooperative_members' member.slug %}">{% blocktranslate count counter=member.more_members with more=member.more_members|intcomma %}and {{ more }} more{% plural %}and {{ more }} more{% endblocktranslate %}</a>
    {% endif %}
    {% else %}–{% endif %}
  </td>
</tr>
{% endfor %}"""


def normalised(html):
    """Whitespace as a browser shows it: runs of it as one space, none between tags nor
    at the edges of a cell."""
    html = re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()
    return re.sub(r"(<t[dh][^>]*>) | (</t[dh]>)", r"\1\2", html)


@pytest.fixture
def apex():
    """An apex whose members are a federation of seven (one pending, one gone), one of
    one, a primary cooperative abroad and a pending one."""
    apex = CooperativeFactory(name="Induk Apex", tier=Tier.APEX, scope=Scope.NASIONAL)
    big = CooperativeFactory(name="Puskop <Besar> & Co", tier=Tier.SEKUNDER, scope=Scope.PROVINSI)
    small = CooperativeFactory(name="Puskop Kecil", tier=Tier.SEKUNDER, scope=Scope.PROVINSI, province=province("51"))
    abroad = CooperativeFactory(name="Koperasi Luar", country="MY", province=None, individual_members=1500)
    waiting = CooperativeFactory(name="Koperasi Menunggu", verification=Verification.PENDING)
    for member in (big, small, abroad, waiting):
        MembershipFactory(member=member, federation=apex)
    for number in range(7):
        MembershipFactory(member=CooperativeFactory(name=f"KPRI {number}", individual_members=1000 + number), federation=big)
    MembershipFactory(member=CooperativeFactory(name="KPRI Menunggu", verification=Verification.PENDING), federation=big)
    MembershipFactory(member=CooperativeFactory(name="KPRI Keluar"), federation=big, start_date="2020-01-01", end_date="2024-01-01")
    MembershipFactory(member=CooperativeFactory(name="KPRI Tunggal"), federation=small)
    return apex


def members_page(apex, user, visible=None):
    """The apex's members as its page lists them for `user` (or for a reader who sees `visible`)."""
    visible = visible if visible is not None else Cooperative.objects.visible_to(user or AnonymousUser())
    members = list(visible.members_of(apex).select_related("province").order_by("name", "id"))
    return with_member_previews(members, visible, 5)


def test_the_previews_are_the_first_visible_active_members_by_name(apex):
    visitor_rows = {member.name: member for member in members_page(apex, None)}
    big = visitor_rows["Puskop <Besar> & Co"]
    assert [preview.name for preview in big.member_preview] == ["KPRI 0", "KPRI 1", "KPRI 2", "KPRI 3", "KPRI 4"]
    assert big.member_preview[0] == MemberPreview(
        Cooperative.objects.get(name="KPRI 0").slug, "KPRI 0", Tier.PRIMER, 1000
    )
    assert big.more_members == 2  # KPRI 5 and 6: the pending one and the one gone are not counted
    assert [preview.name for preview in visitor_rows["Puskop Kecil"].member_preview] == ["KPRI Tunggal"]
    assert visitor_rows["Puskop Kecil"].more_members == 0
    assert visitor_rows["Koperasi Luar"].member_preview == [] and "Koperasi Menunggu" not in visitor_rows
    # A reader who sees every record (a curator) has the pending member counted too.
    everything = {member.name: member for member in members_page(apex, None, Cooperative.objects.all())}
    assert everything["Puskop <Besar> & Co"].more_members == 3
    assert "Koperasi Menunggu" in everything


def test_a_page_of_primary_cooperatives_asks_nothing_more(django_assert_num_queries):
    federation = CooperativeFactory(tier=Tier.SEKUNDER, scope=Scope.PROVINSI)
    for _ in range(3):
        MembershipFactory(member=CooperativeFactory(), federation=federation)
    members = list(Cooperative.objects.members_of(federation))
    with django_assert_num_queries(0):
        with_member_previews(members, Cooperative.objects.all(), 5)
    assert all(member.member_preview == [] and member.more_members == 0 for member in members)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("show_verification", [False, True])
def test_the_rows_are_the_templates_rows(apex, language, show_verification):
    # A curator's page shows the verification of the members that are not verified.
    members = members_page(apex, None, Cooperative.objects.all() if show_verification else None)
    with translation.override(language):
        for member in members:
            member.preview_html = member_preview(member.member_preview)
        expected = engines["django"].from_string(ORACLE).render({"members": members, "show_verification": show_verification})
        rows = member_rows(members, show_verification)

    assert normalised(rows) == normalised(expected)
    assert "Puskop &lt;Besar&gt; &amp; Co" in rows and ("Koperasi Menunggu" in rows) is show_verification

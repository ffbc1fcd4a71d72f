"""robots.txt and the sitemaps of what a visitor may read, for search engines.

Every address starts with settings.SITE_URL, never with the host a request named
(as the links in emails, kopnet/accounts.py): a crawler that reached the site by
another name, or a forged Host header, must not put that name in the index.

At national scale (250,000 cooperatives, 1,000,000 partnerships) one section is
many pages of the sitemap framework's own pagination; a page costs two queries
whatever its size (the section's count, then its rows: two columns of each, in
primary-key order), and never reads all the rows (the framework's default
latest-lastmod of a section would: the index names none).
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem, x_robots_tag
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from kopnet import links

# Google's limit is 50,000 addresses a file; 10,000 keeps each page a short answer
# (about 1.5 MB, one indexed read of 10,000 rows) at the cost of more index entries.
SITEMAP_PAGE_SIZE = 10_000


def site_address():
    """(scheme, host and any path before the script prefix) of settings.SITE_URL."""
    scheme, _sep, rest = settings.SITE_URL.partition("://")
    return scheme, rest


class PublicSitemap(Sitemap):
    """A section of public pages with absolute addresses on settings.SITE_URL."""

    limit = SITEMAP_PAGE_SIZE

    def get_urls(self, page=1, site=None, protocol=None):
        scheme, domain = site_address()
        return self._urls(page, scheme, domain)

    def get_latest_lastmod(self):
        # The default reads every row of the section; the index does without.
        return None


class RecordSitemap(PublicSitemap):
    """The profiles of one kind of record that a visitor may see (the access policy
    asked for an anonymous reader: verified records only), read as (key, updated_at)
    tuples; `page` names the profile's route (keyed in kopnet.links, so that 10,000
    links do not cost 10,000 reverse()). updated_at is the public record's: a pending
    change waits in its own row and leaves it alone."""

    model = None
    page = None
    key_field = "slug"

    def items(self):
        visible = self.model.objects.visible_to(AnonymousUser())
        return visible.order_by("pk").values_list(self.key_field, "updated_at")

    def location(self, item):
        return links.url_of(self.page, item[0])

    def lastmod(self, item):
        return item[1]


class StaticPagesSitemap(PublicSitemap):
    """The pages that are not one record's: home, lists, statistics, about."""

    pages = [
        "home",
        "about",
        "registry:cooperative_list",
        "registry:partner_list",
        "partnerships:partnership_list",
        "partnerships:statistics",
    ]

    def items(self):
        return self.pages

    def location(self, item):
        return reverse(item)


@x_robots_tag
def sitemap_index(request, sitemaps):
    """The framework's index view, with the sections' addresses on SITE_URL."""
    entries = []
    for section, sitemap in sitemaps.items():
        sitemap = sitemap() if callable(sitemap) else sitemap
        address = settings.SITE_URL + reverse("sitemap_section", kwargs={"section": section})
        entries.append(SitemapIndexItem(address))
        entries.extend(SitemapIndexItem(f"{address}?p={page}") for page in range(2, sitemap.paginator.num_pages + 1))
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")


@x_robots_tag
def sitemap_section(request, sitemaps, section):
    """One page of one section (?p=2 …); an unknown section or page is a 404."""
    if section not in sitemaps:
        raise Http404("No such sitemap section.")
    sitemap = sitemaps[section]
    sitemap = sitemap() if callable(sitemap) else sitemap
    try:
        urls = sitemap.get_urls(page=request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger):
        raise Http404("No such sitemap page.")
    return TemplateResponse(request, "sitemap.xml", {"urlset": urls}, content_type="application/xml")


# Pages no crawler has business with: the admin, accounts and the dashboard, and the
# forms of signed-in people (registration, edits, answers, the organisation search).
# "*" is a wildcard for Google, Bing and RFC 9309's other readers.
ROBOTS_DISALLOW = [
    "admin/",
    "akun/",
    "i18n/",
    "koperasi/baru/",
    "koperasi/*/ubah/",
    "kerjasama/baru/",
    "kerjasama/cari-organisasi/",
    "kerjasama/*/ubah/",
    "kerjasama/pihak/",
    "kerjasama/perubahan/",
]


def robots_txt(request):
    prefix = reverse("home")
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {prefix}{path}" for path in ROBOTS_DISALLOW]
    lines += ["", f"Sitemap: {settings.SITE_URL}{reverse('sitemap_index')}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

"""Dependencies run one way, like floors of a house: kopnet ← registry ← partnerships.

A lower floor never imports a higher one, in Python or in templates; it offers a
hook instead (registry.sections), which the higher one fills. Generated data stays
outside the product: no app, and not kopnet, imports the demo or the benchmark (the
demo app is installed last; bench/ is not installed).
"""

import ast
import re

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
TEMPLATE_USE = re.compile(r"""\{%[^%]*["'](?P<app>[a-z_]+)[/:]""")


def imported_apps(path):
    """The top-level packages a module imports, wherever in it."""
    apps = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            apps.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            apps.add(node.module.split(".")[0])
    return apps


def modules_importing(app, package, allowed=()):
    """The modules of `package` (paths from the checkout) that import `app`."""
    paths = (str(path.relative_to(ROOT)) for path in (ROOT / package).rglob("*.py"))
    return [path for path in paths if path not in allowed and app in imported_apps(ROOT / path)]


def test_registry_imports_nothing_from_partnerships():
    assert modules_importing("partnerships", "registry") == []


@pytest.mark.parametrize("package", ["registry", "partnerships"])
def test_no_lower_floor_imports_the_api(package):
    assert modules_importing("api", package) == []


@pytest.mark.parametrize("app", ["registry", "partnerships", "api"])
def test_kopnet_imports_no_app_but_in_its_urls_and_settings(app):
    assert modules_importing(app, "kopnet", allowed={"kopnet/urls.py", "kopnet/settings.py"}) == []


def test_registry_templates_include_and_link_nothing_of_partnerships():
    using = []
    for path in (ROOT / "registry" / "templates").rglob("*.html"):
        for match in TEMPLATE_USE.finditer(path.read_text()):
            if match["app"] == "partnerships":
                using.append(f"{path.relative_to(ROOT)}: {match[0]}")
    assert using == []


def test_the_template_check_finds_what_it_looks_for():
    text = """{% include "partnerships/_network.html" %} <a href="{% url 'partnerships:dashboard' %}">"""
    assert [match["app"] for match in TEMPLATE_USE.finditer(text)] == ["partnerships", "partnerships"]


@pytest.mark.parametrize("package", ["kopnet", "registry", "partnerships", "api"])
@pytest.mark.parametrize("generator", ["demo", "bench"])
def test_product_packages_import_neither_the_demo_nor_the_benchmark(package, generator):
    assert modules_importing(generator, package) == []


def test_the_settings_install_the_demo_last():
    assert settings.INSTALLED_APPS[-1] == "demo"

"""Generated data stays outside the product: no app, and not kopnet, imports the
demo or the benchmark (the demo app is installed last; bench/ is not installed)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATORS = {"demo", "bench"}


def imported_packages(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("package", ["kopnet", "registry", "partnerships"])
def test_product_packages_import_neither_the_demo_nor_the_benchmark(package):
    found = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        for name in imported_packages(path)
        if name in GENERATORS
    }
    assert found == set()


def test_the_settings_install_the_demo_last():
    from django.conf import settings

    assert settings.INSTALLED_APPS[-1] == "demo"

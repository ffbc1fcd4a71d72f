"""bench/faults.py's own logic: the forms it fills in as a browser would, and its verdicts."""

from bench.faults import forms_of, judge

PAGE = """
<form action="/akun/keluar/" method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t"></form>
<form method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <input name="name" value="Koperasi &amp; Co">
  <input type="checkbox" name="sectors" value="1" checked><input type="checkbox" name="sectors" value="2">
  <input type="radio" name="tier" value="primer"><input type="radio" name="tier" value="sekunder" checked>
  <select name="province"><option value="">-</option><option value="31" selected>DKI</option></select>
  <select name="status"><option value="active">Active</option><option value="dormant">Dormant</option></select>
  <textarea name="address">Jl. Merdeka 1</textarea>
  <input type="file" name="document">
  <button type="submit" name="apply" value="yes">Go</button><button type="submit" name="other">No</button>
</form>
"""


def test_a_form_as_a_browser_sends_it():
    logout, form = forms_of(PAGE)
    assert logout["action"] == "/akun/keluar/"
    assert form["fields"] == [
        ("csrfmiddlewaretoken", "t"),
        ("name", "Koperasi & Co"),
        ("sectors", "1"),
        ("tier", "sekunder"),
        ("province", "31"),
        ("status", "active"),
        ("address", "Jl. Merdeka 1"),
        ("apply", "yes"),
    ]
    assert form["boxes"] == [("sectors", "1"), ("sectors", "2")]


def run(name, errors=0, lost=0, after_back=None, p99=50.0):
    return {
        "run": name, "errors": errors, "requests": 1000, "lost": {"register": lost, "confirm": 0, "verify": 0},
        "acknowledged": {"register": 10, "confirm": 10, "verify": 10}, "errors_after_back": after_back,
        "database_down_s": 2.0, "read_p99_ms": p99, "slow_clients_held": 100,
    }  # fmt: skip


def verdicts(**changes):
    runs = {"plain": run("plain"), "restart": run("restart", errors=40, after_back=0), "slow": run("slow")}
    for name, values in changes.items():
        runs[name].update(values)
    return [line["pass"] for line in judge(list(runs.values()))]


def test_every_target_met():
    assert all(verdicts())


def test_each_fault_fails_its_target():
    assert not all(verdicts(plain={"errors": 1}))
    assert not all(verdicts(slow={"lost": {"register": 0, "confirm": 1, "verify": 0}}))
    assert not all(verdicts(restart={"errors_after_back": 1}))
    assert not all(verdicts(restart={"lost": {"register": 1, "confirm": 0, "verify": 0}}))
    assert not all(verdicts(slow={"read_p99_ms": 80.0}))  # more than 1.5x the plain run's 50
    assert not all(verdicts(plain={"read_p99_ms": 120.0}, slow={"read_p99_ms": 110.0}))  # over 100 ms

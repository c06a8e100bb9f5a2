"""`bigbooks mapping` in real processes: export and import round trip, validate naming a bad rule, preview on the
sandbox's last orders, and a window-like service and the command line seeing the same version in use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAME = "Standard invoices"


def _bigbooks(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BIGBOOKS_HOME": str(home), "BIGBOOKS_ALLOW_FILE_SECRETS": "1",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return subprocess.run([sys.executable, "-m", "bigbooks_desktop", *argv], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def test_export_import_round_trip_history_and_restore(bigbooks_home: Path, tmp_path: Path) -> None:
    exported = tmp_path / "profile.json"
    done = _bigbooks(bigbooks_home, "mapping", "export", NAME, str(exported))
    assert done.returncode == 0, done.stderr
    data = json.loads(exported.read_text())
    assert data["name"] == NAME
    done = _bigbooks(bigbooks_home, "mapping", "import", str(exported), "--note", "from the file")
    assert done.returncode == 0 and "as version 1" in done.stdout, done.stderr
    again = _bigbooks(bigbooks_home, "mapping", "export", NAME, "-")
    assert again.returncode == 0 and json.loads(again.stdout) == data            # what went in comes out

    data["discount_policy"] = "allocate"
    exported.write_text(json.dumps(data))
    done = _bigbooks(bigbooks_home, "mapping", "import", str(exported), "--activate", "--json")
    view = json.loads(done.stdout)
    assert (view["version"], view["active"], view["created_by"], view["note"]) == (2, True, "import", "imported")
    listed = json.loads(_bigbooks(bigbooks_home, "mapping", "list", "--json").stdout)
    assert listed["active"] == {"name": NAME, "version": 2}
    assert [(p["name"], p["versions"], p["active_version"]) for p in listed["profiles"]] == [(NAME, 2, 2)]

    done = _bigbooks(bigbooks_home, "mapping", "restore", NAME, "1")
    assert done.returncode == 0 and "as version 3" in done.stdout, done.stderr
    history = json.loads(_bigbooks(bigbooks_home, "mapping", "history", NAME, "--json").stdout)
    assert [(v["version"], v["active"], v["note"]) for v in history["versions"]] == [
        (3, True, "restored from v1"), (2, False, "imported"), (1, False, "from the file")]
    assert history["activations"][0]["created_by"] == "cli"
    text = _bigbooks(bigbooks_home, "mapping", "history").stdout
    assert f"* {NAME} v3" in text and "restored from v1" in text

    missing = _bigbooks(bigbooks_home, "mapping", "activate", NAME, "--version", "9")
    assert missing.returncode == 1 and "has no version 9" in missing.stderr
    unknown = _bigbooks(bigbooks_home, "mapping", "export", "Nope", "-")
    assert unknown.returncode == 1 and "no mapping profile called “Nope”" in unknown.stderr
    absent = _bigbooks(bigbooks_home, "mapping", "import", str(tmp_path / "absent.json"))
    assert absent.returncode == 1 and "no such file" in absent.stderr


def test_validate_names_each_bad_rule_and_passes_a_good_file(bigbooks_home: Path, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    assert _bigbooks(bigbooks_home, "mapping", "export", NAME, str(good)).returncode == 0
    done = _bigbooks(bigbooks_home, "mapping", "validate", str(good))
    assert done.returncode == 0 and done.stdout.strip().endswith("valid"), done.stdout + done.stderr

    data = json.loads(good.read_text())
    data["rules"] = [{"name": "Nope rule", "when": "order.nope == 1", "action": {"kind": "skip"}}]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    done = _bigbooks(bigbooks_home, "mapping", "validate", str(bad))
    assert done.returncode == 1
    assert "error: rules[0] “Nope rule” when:" in done.stdout and "order.nope" in done.stdout
    assert "not valid" in done.stdout and "Traceback" not in done.stderr

    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "x",')
    done = _bigbooks(bigbooks_home, "mapping", "validate", str(broken))
    assert done.returncode == 1 and "This is not JSON" in done.stdout
    refused = _bigbooks(bigbooks_home, "mapping", "import", str(bad))
    assert refused.returncode == 1 and "rules[0] “Nope rule” when" in refused.stderr
    assert json.loads(_bigbooks(bigbooks_home, "mapping", "list", "--json").stdout)["profiles"] == []


def test_a_window_like_service_and_the_command_line_see_the_same_version_in_use(
        bigbooks_home: Path, tmp_path: Path) -> None:
    import asyncio

    from bigbooks_desktop.mapping.profile import default_profile
    from bigbooks_desktop.service import BigBooksService

    async def window() -> None:
        service = BigBooksService()
        try:
            await service.save_profile(default_profile(), note="from the window")
            allocate = default_profile().model_copy(update={"discount_policy": "allocate"})
            await service.save_profile(allocate, note="spread", activate=False)
            listed = json.loads(_bigbooks(bigbooks_home, "mapping", "list", "--json").stdout)
            assert listed["active"] == {"name": NAME, "version": 1}               # the CLI sees the window's
            done = _bigbooks(bigbooks_home, "mapping", "activate", NAME, "--version", "2")
            assert done.returncode == 0, done.stderr
            assert (await service.active_profile()).version == 2                  # the window sees the CLI's
            assert service.profile.discount_policy == "allocate"                  # and its next sync uses it
            assert service._profile_in_use()[1] == 2
        finally:
            await service.aclose()

    asyncio.run(window())


@pytest.mark.sockets
def test_preview_prints_each_order_as_the_file_would_invoice_it(bigbooks_home: Path, tmp_path: Path) -> None:
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread

    candidate = tmp_path / "candidate.json"
    assert _bigbooks(bigbooks_home, "mapping", "export", NAME, str(candidate)).returncode == 0
    data = json.loads(candidate.read_text())
    for mapping in data["field_mappings"]:
        if mapping["target"] == "invoice.invoice_number":
            mapping["source"] = {"kind": "template", "text": "SHOP-{order.id}"}
    candidate.write_text(json.dumps(data))
    with SandboxThread(SandboxConfig(orders=20, seed=3, time_scale=1000)) as sandbox:
        connected = _bigbooks(bigbooks_home, "connect", "sandbox", sandbox.info["admin_url"])
        assert connected.returncode == 0, connected.stderr
        done = _bigbooks(bigbooks_home, "mapping", "preview", str(candidate), "--orders", "4")
        as_json = _bigbooks(bigbooks_home, "mapping", "preview", str(candidate), "--orders", "4", "--json")
    assert done.returncode == 0, done.stderr
    orders = [line for line in done.stdout.splitlines() if line.startswith("Order ")]
    assert len(orders) == 4, done.stdout
    assert "invoice SHOP-" in done.stdout and " x " in done.stdout and "Total " in done.stdout
    preview = json.loads(as_json.stdout)
    assert len(preview["orders"]) == 4 and preview["totals"]
    assert all(o["invoice_number"] == f"SHOP-{o['order_id']}" for o in preview["orders"]
               if o["outcome"] == "invoice")
    assert json.loads(_bigbooks(bigbooks_home, "runs", "--json").stdout) == []     # a preview is not a run


def test_templates_fields_and_a_new_profile_from_a_template(bigbooks_home: Path, tmp_path: Path) -> None:
    listed = _bigbooks(bigbooks_home, "mapping", "templates")
    assert listed.returncode == 0, listed.stderr
    keys = [line.split(":", 1)[0] for line in listed.stdout.splitlines()]
    assert keys == ["standard", "paid_only", "drafts_for_review", "sku_in_descriptions",
                    "checkout_fields_to_notes", "b2b", "catalog_and_customers"]

    fields = _bigbooks(bigbooks_home, "mapping", "fields", "--json")
    assert fields.returncode == 0, fields.stderr
    rows = json.loads(fields.stdout)
    sources = {r["path"]: r for r in rows if r["side"] == "source"}
    targets = {r["path"]: r for r in rows if r["side"] == "target"}
    assert sources["order.total_inc_tax"]["type"] == "number" and "custom_fields.*" in sources
    assert targets["client.email"]["required"] and "invoice.po_number" in targets

    made = tmp_path / "b2b.json"
    new = _bigbooks(bigbooks_home, "mapping", "new", "b2b", str(made))
    assert new.returncode == 0, new.stderr
    assert "validate" in new.stderr                       # says what to do next
    checked = _bigbooks(bigbooks_home, "mapping", "validate", str(made))
    assert checked.returncode == 0 and "valid" in checked.stdout, checked.stdout + checked.stderr
    imported = _bigbooks(bigbooks_home, "mapping", "import", str(made), "--activate")
    assert imported.returncode == 0, imported.stderr
    assert "Business customers (B2B)" in _bigbooks(bigbooks_home, "mapping", "list").stdout

    unknown = _bigbooks(bigbooks_home, "mapping", "new", "nope", str(tmp_path / "x.json"))
    assert unknown.returncode != 0 and "standard, paid_only" in unknown.stderr
    assert not (tmp_path / "x.json").exists()

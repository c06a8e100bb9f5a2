"""`bigbooks reconcile` and `bigbooks undo` through the real CLI, the service and a sandbox on loopback."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path

import pytest

from bigbooks_desktop import accounts, cli
from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.server import SandboxThread

pytestmark = pytest.mark.sockets


def _cli(*argv: str) -> int:
    accounts.forget_shared_auth()        # each verb runs as if in a fresh process
    return cli.main(list(argv))


def test_reconcile_then_undo_from_the_command_line(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    with SandboxThread(SandboxConfig(orders=15, seed=2, time_scale=200)) as served:
        asyncio.run(accounts.connect_sandbox(served.info["admin_url"]))
        assert _cli("sync", "--once", "--since", "2000-01-01") == 0
        capsys.readouterr()

        assert _cli("reconcile", "--json") == 0
        report = json_loads(capsys.readouterr().out)
        assert report["summary"]["unexplained_differences"] == 0 and len(report["orders"]) == 15
        assert report["summary"]["checked"]["tax_names"] > 0      # tax per name is compared, not only totals
        invoiced = [o for o in report["orders"] if o["invoice_id"] is not None]
        assert invoiced and all(o["fb_tax"] == o["bc_tax"] and o["fb_cash"] == o["bc_cash"] for o in invoiced)

        out = tmp_path / "reconciliation.csv"
        assert _cli("reconcile", "--csv", str(out)) == 0
        text = capsys.readouterr().out
        assert "Unexplained differences: 0" in text and "tax amount(s) per name" in text
        with out.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert len(rows) == 15 and {r["state"] for r in rows} <= {"ok", "explained", "skipped"}
        assert any("=" in r["fb_tax"] and r["fb_tax"] == r["bc_tax"] for r in rows)   # "name=amount;..."

        assert _cli("runs", "--json") == 0
        sync_run = next(r for r in json.loads(capsys.readouterr().out) if r["mode"] == "backfill")
        assert _cli("undo", str(sync_run["id"]), "--json") == 0
        undone = json_loads(capsys.readouterr().out)
        kept = [o for o in undone["outcomes"] if o["action"] in ("kept", "failed")]
        assert {o["kind"] for o in kept} <= {"tax"} and undone["orders_undone"]   # taxes stay by design
        assert undone["target_run_id"] == sync_run["id"]

        assert _cli("reconcile") == 0
        text = capsys.readouterr().out
        assert "removed by undoing" in text and "Unexplained differences: 0" in text

        assert _cli("undo", "999") != 0
        assert "no sync run 999" in capsys.readouterr().err

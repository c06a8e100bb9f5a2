"""`bigbooks sync` and `bigbooks inbox` with catalog and customer sync on: the run's second line counts the
catalog and the customers, a field changed on both sides is listed as its item, `inbox show` prints both values
and the exact `inbox edit` command, that command saves the choice (a wrong one is refused), `inbox retry` says
the next sync applies it, and the next `bigbooks sync` writes it and settles the problem."""

from __future__ import annotations

import asyncio
import re
import shlex
import time
from pathlib import Path

import httpx
import pytest

from bigbooks_desktop.cli import main


@pytest.mark.sockets
def test_a_conflict_settled_from_the_command_line(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bigbooks_desktop import accounts
    from bigbooks_desktop.core import freshbooks as fb
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread

    def run(*argv: str, code: int = 0) -> tuple[str, str]:
        accounts.forget_shared_auth()
        assert main(list(argv)) == code
        out = capsys.readouterr()
        return out.out, out.err

    async def rename_item(sku: str, name: str) -> int:
        async with await accounts.open_freshbooks_client(allow_file_store=True) as freshbooks:
            item = await freshbooks.find_item_by_sku(sku)
            assert item is not None
            await freshbooks.update_item(item.id, fb.ItemUpdate(name=name))
            return int(item.id)

    async def item_name(item_id: int) -> str:
        async with await accounts.open_freshbooks_client(allow_file_store=True) as freshbooks:
            return str((await freshbooks.get_item(item_id)).name)

    monkeypatch.setenv("BIGBOOKS_ALLOW_FILE_SECRETS", "1")
    skew = [0.0]
    config = SandboxConfig(orders=20, seed=3, time_scale=1000, clock=lambda: time.time() + skew[0])
    with SandboxThread(config) as sandbox:
        assert main(["connect", "sandbox", sandbox.info["admin_url"]]) == 0
        profile = tmp_path / "catalog.json"
        run("mapping", "new", "catalog_and_customers", str(profile))
        run("mapping", "import", str(profile), "--activate")
        out, _ = run("sync", "--once", "--since", "2000-01-01")
        first, second = out.splitlines()[:2]
        assert first.startswith("Run 1 finished:")
        assert re.fullmatch(r"Catalog: \d+ products read, \d+ items created.* · "
                            r"Customers: \d+ customers read.*\.", second), second

        product = next(p for p in sandbox.sandbox.bigcommerce.store.products
                       if len(p["variants"]) == 1 and p["is_visible"])
        sku = product["variants"][0]["sku"]
        item_id = asyncio.run(rename_item(sku, "Mug, large (by hand)"))
        skew[0] += 2
        httpx.patch(f"{sandbox.info['admin_url']}/products/{product['id']}", json={"name": "Grand Café Mug"},
                    timeout=30).raise_for_status()
        out, _ = run("sync", "--once")
        assert "1 conflict in the inbox" in out.splitlines()[1], out

        out, _ = run("inbox", "list")
        row = next(line for line in out.splitlines() if f"item {sku}" in line)
        problem = int(row.split()[0])
        out, _ = run("inbox", "show", str(problem))
        assert out.startswith(f"Item {sku}: changed in both BigCommerce and FreshBooks (problem {problem}")
        assert re.search(r"Name\s+Grand Café Mug\s+Mug, large \(by hand\)", out), out
        command = f"bigbooks inbox edit {problem} '{{\"choose\": {{\"name\": \"bigcommerce\"}}}}'"
        assert command in out, out

        _, err = run("inbox", "edit", str(problem), '{"choose": {"price": "bigcommerce"}}', code=1)
        assert "not one of the fields in conflict" in err, err
        _, err = run(*shlex.split(command)[1:])
        assert "Saved: Chose to keep BigCommerce's name; the next sync" in err, err
        _, err = run("inbox", "retry", str(problem))
        assert f"Item {sku} (problem {problem}): due now; the next sync (bigbooks sync" in err, err

        run("sync", "--once")
        out, _ = run("inbox", "list")
        assert f"item {sku}" not in out
        assert asyncio.run(item_name(item_id)) == "Grand Café Mug"

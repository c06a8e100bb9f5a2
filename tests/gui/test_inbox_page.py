"""The error inbox page on a real service and a sandbox served over loopback, synced for real: problems grouped
by cause, an email and unknown SKUs fixed from the forms and retried until FreshBooks has the invoice, Retry all
like this, a malformed email refused inline, ignore with a reason, the raw payload, keyboard and menu."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from bigbooks_desktop.core.inbox_views import FixKind
from bigbooks_desktop.core.views import InboxStatus

pytestmark = pytest.mark.sockets


@pytest.fixture
def inbox_service(qloop: asyncio.AbstractEventLoop) -> Iterator[Any]:
    """A service signed in to a 40-order sandbox (seed 7: order 106 has no email, orders 101 and 127 sell
    POS-135...) whose profile sends unknown SKUs to the inbox, synced once through the coordinator."""
    from bigbooks_desktop import accounts
    from bigbooks_desktop.core.preferences import load_preferences, save_preferences
    from bigbooks_desktop.mapping.profile import default_profile
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread
    from bigbooks_desktop.service import BigBooksService

    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))
    with SandboxThread(SandboxConfig(orders=40, seed=7, time_scale=200)) as sandbox:
        service = BigBooksService(allow_file_store=True,
                                  profile=default_profile().model_copy(update={"unknown_sku_policy": "inbox"}))
        qloop.run_until_complete(service.connect_sandbox(sandbox.info["admin_url"]))
        qloop.run_until_complete(service.sync_now())
        yield service
        qloop.run_until_complete(service.close_sync())
        qloop.run_until_complete(service.aclose())
        accounts.forget_shared_auth()


@pytest.fixture
def page(inbox_service: Any, qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[Any]:
    from bigbooks_desktop.gui.ops import ErrorPresenter
    from bigbooks_desktop.gui.pages.inbox import InboxPage

    presenter = ErrorPresenter()
    widget = InboxPage(inbox_service, presenter=presenter)
    qtbot.addWidget(widget)
    widget.resize(1280, 720)
    widget.show()
    counts: list[int] = []
    widget.count_changed.connect(counts.append)
    widget.counts = counts
    qloop.run_until_complete(widget.refresh())
    yield widget
    assert not presenter.shown, presenter.shown


def _wait(loop: asyncio.AbstractEventLoop, future: Any) -> None:
    """Until the page's operation ends (its errors went to the page's presenters, which the test reads)."""
    done, _ = loop.run_until_complete(asyncio.wait([future], timeout=120))
    assert done, "the page's operation did not end within 120 s"


async def _freshbooks_invoice(number: str) -> Any:
    from bigbooks_desktop import accounts

    async with await accounts.open_freshbooks_client(allow_file_store=True) as freshbooks:
        return await freshbooks.find_invoice_by_number(number)


async def _freshbooks_item(sku: str) -> Any:
    from bigbooks_desktop import accounts

    async with await accounts.open_freshbooks_client(allow_file_store=True) as freshbooks:
        return await freshbooks.find_item_by_sku(sku)


def _group(page: Any, key: str) -> Any:
    return next((g for g in page.groups.groups if g.key == key), None)


def test_a_missing_email_is_refused_when_malformed_then_fixed_and_invoiced(
        page: Any, inbox_service: Any, qloop: asyncio.AbstractEventLoop, save_screenshot: Any) -> None:
    group = _group(page, "missing_email")
    assert group is not None and group.summary == "1 order: no email"
    assert page.counts[-1] == page.groups.total > 1
    _wait(qloop, page.select_group("missing_email"))
    order_id = group.items[0].order_id
    assert page.fix.fix is FixKind.EMAIL and page.form_stack.currentWidget() is page.email_form
    assert "no email address" in page.happened.text() and "Type the customer's email" in page.to_do.text()
    save_screenshot(page, "inbox")

    page.tree.setFocus()
    page.open_fix()
    assert page.email_form.email.hasFocus() or QApplication.focusWidget() is page.email_form.email
    page.email_form.email.setText("buyer at example")
    page.email_form.save.click()
    _wait(qloop, page.pending)
    assert page.email_form.message.isVisible() and "not an email address" in page.email_form.message.text()
    saved = qloop.run_until_complete(inbox_service.inbox_fix(group.items[0].id))
    assert saved.item.edits == {} and saved.history == ()          # nothing saved
    assert page.email_form.email.text() == "buyer at example"       # nothing lost either
    save_screenshot(page, "inbox-fix-email-refused")

    page.email_form.email.setText("ann.buyer@example.com")
    page.email_form.save.click()
    _wait(qloop, page.pending)
    assert _group(page, "missing_email") is None
    invoice = qloop.run_until_complete(_freshbooks_invoice(f"BC-{order_id}"))
    assert invoice is not None and invoice.amount > 0
    assert page.counts[-1] == page.groups.total < page.counts[0]
    history = qloop.run_until_complete(inbox_service.inbox_fix(group.items[0].id)).history
    assert [h.text for h in history][:2] == ["Email set to ann.buyer@example.com", "Retry asked for"]
    assert all(h.actor for h in history)


def test_retry_all_like_this_invoices_every_order_of_the_group(
        page: Any, qloop: asyncio.AbstractEventLoop) -> None:
    from bigbooks_desktop import accounts
    from bigbooks_desktop.core import freshbooks as fb

    group = _group(page, "unknown_sku:POS-135")
    assert group is not None and group.summary == "2 orders: unknown SKU POS-135"

    async def create_by_hand() -> None:        # the merchant adds the item in FreshBooks, then retries
        async with await accounts.open_freshbooks_client(allow_file_store=True) as freshbooks:
            await freshbooks.create_item(fb.ItemDraft(name="Poster", sku="POS-135", unit_cost=10,
                                                      currency_code="USD"))

    qloop.run_until_complete(create_by_hand())
    _wait(qloop, page.select_group("unknown_sku:POS-135"))
    assert page.retry_all_button.text().endswith("(2)")
    before = page.groups.total
    page.retry_all_button.click()
    _wait(qloop, page.pending)
    assert _group(page, "unknown_sku:POS-135") is None and page.groups.total == before - 2
    assert page.counts[-1] == before - 2
    for item in group.items:
        assert qloop.run_until_complete(_freshbooks_invoice(f"BC-{item.order_id}")) is not None
    assert "2 of 2 synced" in page.result.text()


def test_an_unknown_sku_mapped_to_an_item_or_created_from_the_form(
        page: Any, inbox_service: Any, qloop: asyncio.AbstractEventLoop, save_screenshot: Any) -> None:
    _wait(qloop, page.select_group("unknown_sku:MUG-141"))
    assert page.fix.fix is FixKind.SKU_ITEM and page.form_stack.currentWidget() is page.sku_form
    form = page.sku_form
    assert form.items_model.rowCount() > 10
    form.search.setText("mug")
    assert 0 < form.items_proxy.rowCount() < form.items_model.rowCount()
    mug = form.items_proxy.index(0, 0).data(Qt.ItemDataRole.UserRole + 1)
    assert form.choose_item(mug.id)
    save_screenshot(page, "inbox-fix-sku")
    order_id = page.fix.item.order_id
    form.save.click()
    _wait(qloop, page.pending)
    assert _group(page, "unknown_sku:MUG-141") is None
    assert qloop.run_until_complete(_freshbooks_invoice(f"BC-{order_id}")) is not None

    _wait(qloop, page.select_group("unknown_sku:APR-152"))
    order_id = page.fix.item.order_id
    form.create_new.setChecked(True)
    form.name.setText("Apron, linen")
    form.save.click()
    _wait(qloop, page.pending)
    assert _group(page, "unknown_sku:APR-152") is None
    assert qloop.run_until_complete(_freshbooks_invoice(f"BC-{order_id}")) is not None
    item = qloop.run_until_complete(_freshbooks_item("APR-152"))
    assert item is not None and item.name == "Apron, linen"


def test_ignore_with_a_reason_raw_payload_keyboard_and_menu(
        page: Any, inbox_service: Any, qloop: asyncio.AbstractEventLoop, qtbot: Any, qtmodeltester: Any) -> None:
    qtmodeltester.check(page.model)
    _wait(qloop, page.select_group("unknown_sku:BLA-134-S0"))
    qtmodeltester.check(page.sku_form.items_model)
    item_id = page.fix.item.id

    menu = page.context_menu()
    assert [a.text() for a in menu.actions() if a.text()][:5] == [
        "Fix...", "Retry", "Retry all like this", "Ignore...", "View raw payload..."]
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_F2)
    assert QApplication.focusWidget() is page.sku_form.search

    raw = page.show_raw()
    assert raw is not None and '"BLA-134-S0"' in raw.text.toPlainText()
    assert raw.text.font().fixedPitch() or "mono" in raw.text.font().family().lower()
    raw.reject()

    dialog = page.ask_ignore()
    assert dialog is not None and not dialog.ok.isEnabled()
    dialog.reason.setText("sample sent to a blogger, invoiced by hand")
    assert dialog.ok.isEnabled()
    dialog.ok.click()
    _wait(qloop, page.pending)
    assert _group(page, "unknown_sku:BLA-134-S0") is None
    fix = qloop.run_until_complete(inbox_service.inbox_fix(item_id))
    assert fix.item.status is InboxStatus.IGNORED
    assert fix.ignored_reason == "sample sent to a blogger, invoiced by hand"
    assert fix.history[-1].text == "Ignored: sample sent to a blogger, invoiced by hand"
    qtmodeltester.check(page.model)


def test_pictures_show_the_groups_and_both_forms(page: Any, qloop: asyncio.AbstractEventLoop,
                                                 save_screenshot: Any) -> None:
    shots: list[str] = []

    def shoot(name: str) -> None:
        shots.append(name)
        if name == "inbox-fix-email":
            assert page.form_stack.currentWidget() is page.email_form
        if name == "inbox-fix-sku":
            assert page.form_stack.currentWidget() is page.sku_form and page.sku_form.items_model.rowCount()
        save_screenshot(page, f"pictures-{name}")

    qloop.run_until_complete(page.pictures(shoot))
    assert shots == ["inbox", "inbox-fix-email", "inbox-fix-sku"]


def test_fixing_the_last_problem_says_so_where_the_detail_was(
        page: Any, inbox_service: Any, qloop: asyncio.AbstractEventLoop) -> None:
    group = _group(page, "missing_email")
    assert group is not None
    keep = group.items[0].id
    for other in [i for g in page.groups.groups for i in g.items if i.id != keep]:      # only one left
        qloop.run_until_complete(inbox_service.ignore_inbox_with_reason(other.id, "handled by hand"))
    _wait(qloop, page.refresh())
    _wait(qloop, page.select_item(keep))
    page.open_fix()
    page.email_form.email.setText("last.buyer@example.com")
    page.email_form.save.click()
    _wait(qloop, page.pending)
    assert page.groups.total == 0
    assert page.right.currentIndex() == 0 and "1 of 1 synced to FreshBooks" in page.placeholder.text()
    assert "Nothing else needs your attention" in page.placeholder.text()

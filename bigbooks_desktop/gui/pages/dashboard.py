"""The dashboard: today, this week and this month at a glance, syncs and failures per day (QtCharts), the
BigCommerce API budget per rate-limit window, the next sync, the activity log, the last run in words, and (with
catalog or customer sync on) the FreshBooks items and clients kept in step.

Everything comes from `service.dashboard()` (read off the loop) and the coordinator's status events; colours
come from the palette (failures: the palette's highlight turned red), so light and dark both read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QEvent, QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.dashboard_views import ApiBudgetView, DashboardView, Period, PeriodFiguresView
from bigbooks_desktop.gui.models.dashboard_activity import ActivityColumn, ActivityModel
from bigbooks_desktop.gui.ops import ErrorPresenter, Reload
from bigbooks_desktop.gui.sync_text import duration, next_sync_line, short_time, status_line
from bigbooks_desktop.gui.table_page import TablePage
from bigbooks_desktop.service.coordination import SyncStatusView

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["DashboardPage", "PeriodCard", "alert_colour"]

_TITLES = {Period.TODAY: "Today", Period.WEEK: "This week", Period.MONTH: "This month"}


def alert_colour(palette: QPalette) -> QColor:
    """A red as strong and as light as the palette's highlight, for failures (no colour written down)."""
    base = palette.color(QPalette.ColorRole.Highlight)
    return QColor.fromHsv(2, max(base.hsvSaturation(), 150), max(base.value(), 190))


def _percent(rate: Decimal | None) -> str:
    return "–" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'))} %"


def _value_label(name: str) -> QLabel:
    label = QLabel()
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _seconds(value: float) -> str:
    """A window's length: `30 s`, `0.15 s` (a sandbox's shortened window)."""
    return duration(value) if value >= 10 else f"{value:.3g} s"


class PeriodCard(QFrame):
    """One period's figures: orders synced, invoiced per currency, failures, success rate."""

    def __init__(self, period: Period, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.period = period
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAccessibleName(f"{_TITLES[period]} figures")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        self.title = QLabel(_TITLES[period])
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.synced = _value_label(f"Orders synced {_TITLES[period].lower()}")
        self.invoiced = _value_label(f"Amount invoiced {_TITLES[period].lower()}")
        self.failures = _value_label(f"Failures {_TITLES[period].lower()}")
        self.rate = _value_label(f"Success rate {_TITLES[period].lower()}")
        form.addRow("Orders synced", self.synced)
        form.addRow("Invoiced", self.invoiced)
        form.addRow("Failures", self.failures)
        form.addRow("Success rate", self.rate)
        layout.addLayout(form)
        layout.addStretch(1)

    def show_figures(self, figures: PeriodFiguresView) -> None:
        since = short_time(figures.starts_at)
        self.setToolTip(f"{_TITLES[self.period]}: {figures.runs} sync run(s) since {since}. Dry runs and undos "
                        "are not counted; invoices removed by undo drop out of the amount invoiced.")
        self.setAccessibleDescription(self.toolTip())
        self.synced.setText(str(figures.orders_synced))
        lines = [f"{amount:,.2f} {currency}" for currency, amount in figures.invoiced.items()]
        self.invoiced.setText("\n".join(lines) if lines else "nothing yet")
        self.invoiced.setToolTip(f"{figures.invoices_created} invoice(s) created, amounts as in FreshBooks")
        self.failures.setText(str(figures.orders_failed))
        self.failures.setForegroundRole(QPalette.ColorRole.WindowText)
        self.rate.setText(_percent(figures.success_rate))
        self.rate.setToolTip("Orders synced out of the orders synced or failed")


class DayChart(QChartView):
    """Orders synced and orders failed per day (the last 30 days), as two line series with their points."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.chart_ = QChart()
        super().__init__(self.chart_, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName("Syncs and failures per day")
        self.setAccessibleDescription("Orders synced and orders that failed, per day, over the last 30 days")
        self.setMinimumHeight(220)
        self.chart_.setMargins(QMargins(4, 4, 4, 4))
        self.chart_.setTitle("Orders synced and failed per day")
        self.synced = QLineSeries()
        self.synced.setName("Orders synced")
        self.failed = QLineSeries()
        self.failed.setName("Orders failed")
        for series in (self.synced, self.failed):
            series.setPointsVisible(True)
            self.chart_.addSeries(series)
        self.x_axis = QDateTimeAxis()
        self.x_axis.setFormat("d MMM")
        self.x_axis.setTickCount(7)
        self.y_axis = QValueAxis()
        self.y_axis.setLabelFormat("%d")
        self.y_axis.setTitleText("Orders")
        self.chart_.addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart_.addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (self.synced, self.failed):
            series.attachAxis(self.x_axis)
            series.attachAxis(self.y_axis)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignTop)
        self.apply_palette()

    @staticmethod
    def x_of(day: date) -> float:
        """The x value (ms since the epoch, local midnight) of a day's point."""
        return datetime.combine(day, time.min).astimezone().timestamp() * 1000

    def show_days(self, board: DashboardView) -> None:
        self.synced.clear()
        self.failed.clear()
        for point in board.days:
            x = self.x_of(point.day)
            self.synced.append(x, point.orders_synced)
            self.failed.append(x, point.orders_failed)
        if board.days:
            first, last = board.days[0].day, board.days[-1].day
            self.x_axis.setRange(QDateTime.fromMSecsSinceEpoch(int(self.x_of(first))),
                                 QDateTime.fromMSecsSinceEpoch(int(self.x_of(last))))
        top = max([p.orders_synced for p in board.days] + [p.orders_failed for p in board.days] + [4])
        self.y_axis.setRange(0, top + max(1, top // 10))
        self.y_axis.applyNiceNumbers()
        self.y_axis.setLabelFormat("%d")
        total = sum(p.orders_synced for p in board.days)
        failed = sum(p.orders_failed for p in board.days)
        self.setToolTip(f"Last {len(board.days)} days: {total} orders synced, {failed} failed")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:      # the system switched between light and dark
            self.apply_palette()
        super().changeEvent(event)

    def apply_palette(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        grid = palette.color(QPalette.ColorRole.Mid)
        self.chart_.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        self.chart_.setBackgroundRoundness(0)
        self.chart_.setTitleBrush(text)
        self.chart_.legend().setLabelColor(text)
        for axis in (self.x_axis, self.y_axis):
            axis.setLabelsColor(text)
            axis.setTitleBrush(text)
            axis.setGridLineColor(grid)
            axis.setLinePenColor(grid)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        self.synced.setPen(QPen(highlight, 2.5))
        self.synced.setColor(highlight)
        alert = alert_colour(palette)
        self.failed.setPen(QPen(alert, 2.5, Qt.PenStyle.DashLine))
        self.failed.setColor(alert)


class BudgetBox(QFrame):
    """The newest run's BigCommerce API budget: its busiest and its latest window, used of the quota."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("BigCommerce API budget")
        layout = QVBoxLayout(self)
        title = QLabel("BigCommerce API budget")
        bold = QFont(title.font())
        bold.setBold(True)
        title.setFont(bold)
        layout.addWidget(title)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        grid = QGridLayout()
        self.busiest = QProgressBar()
        self.latest = QProgressBar()
        for row, (name, bar) in enumerate((("Busiest window", self.busiest), ("Latest window", self.latest))):
            bar.setAccessibleName(name)
            bar.setTextVisible(True)
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(bar, row, 1)
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        self.setToolTip("BigCommerce lets a store make a set number of API requests per window (e.g. 150 every "
                        "30 seconds, shared by every app on the store). BigBooks paces itself to stay inside it.")

    def show_budget(self, budget: ApiBudgetView) -> None:
        busiest, latest = budget.busiest, budget.latest
        if busiest is None or latest is None:
            self.summary.setText("No sync has talked to BigCommerce yet: the budget shows after the first one.")
            for bar in (self.busiest, self.latest):
                bar.setRange(0, 1)
                bar.setValue(0)
                bar.setFormat("–")
            return
        windows = len(budget.windows)
        self.summary.setText(
            f"Run {budget.run_id}: {budget.requests} requests over {windows} window{'s' if windows != 1 else ''} "
            f"of {_seconds(latest.window_seconds)}; the store allows {latest.quota} per window.")
        for bar, window in ((self.busiest, busiest), (self.latest, latest)):
            bar.setRange(0, window.quota)
            bar.setValue(min(window.used, window.quota))
            bar.setFormat(f"{window.used} of {window.quota}")
            bar.setToolTip(f"Window ending {short_time(window.ends_at)}: {window.used} of {window.quota} requests "
                           f"used ({window.ours} by BigBooks, the rest by other apps or not yet reported)")


class DashboardPage(QWidget):
    """See the module docstring. `refresh()` reloads from the service; status events keep the next sync true."""

    def __init__(self, service: BigBooksService, *, presenter: ErrorPresenter | None = None,
                 follow_runs: bool = True, parent: QWidget | None = None) -> None:
        """`follow_runs`: reload by itself when a run ends (off inside the main window, which reloads every
        screen then)."""
        super().__init__(parent)
        self._follow_runs = follow_runs
        self.service = service
        self.presenter = presenter or ErrorPresenter(self)
        self._reload = Reload(self, self._load, self.presenter)
        self.board: DashboardView | None = None
        self.setAccessibleName("Dashboard")

        self.cards = {period: PeriodCard(period) for period in Period}
        cards = QHBoxLayout()
        for card in self.cards.values():
            cards.addWidget(card, 1)

        self.chart = DayChart()
        self.budget = BudgetBox()
        self.next_sync = QLabel()
        self.next_sync.setWordWrap(True)
        self.next_sync.setAccessibleName("Next sync")
        self.last_run = QLabel("Loading...")
        self.last_run.setWordWrap(True)
        self.last_run.setAccessibleName("Last run")
        self.last_run.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kept_title = QLabel("Kept in step")
        self.kept = QLabel()
        self.kept.setWordWrap(True)
        self.kept.setAccessibleName("Items and clients kept in step")
        self.kept.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kept.setToolTip("FreshBooks items that follow BigCommerce products and clients that follow customer "
                             "accounts (turned on in the mapping profile). Archived items are never deleted.")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setToolTip("Read the figures again (they also refresh after every sync)")
        self.refresh_button.setAccessibleDescription(self.refresh_button.toolTip())
        self.refresh_button.clicked.connect(self.refresh)

        side = QVBoxLayout()
        side.addWidget(self.budget)
        sync_box = QFrame()
        sync_box.setFrameShape(QFrame.Shape.StyledPanel)
        sync_layout = QVBoxLayout(sync_box)
        sync_title = QLabel("Sync")
        bold = QFont(sync_title.font())
        bold.setBold(True)
        sync_title.setFont(bold)
        sync_layout.addWidget(sync_title)
        sync_layout.addWidget(self.next_sync)
        sync_layout.addWidget(self.last_run)
        self.kept_title.setFont(bold)
        sync_layout.addSpacing(4)
        sync_layout.addWidget(self.kept_title)
        sync_layout.addWidget(self.kept)
        self.kept_title.setVisible(False)
        self.kept.setVisible(False)
        sync_layout.addStretch(1)
        side.addWidget(sync_box, 1)
        middle = QHBoxLayout()
        middle.addWidget(self.chart, 3)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side.setContentsMargins(0, 0, 0, 0)
        side_widget.setMinimumWidth(360)
        side_widget.setMaximumWidth(460)
        middle.addWidget(side_widget, 2)

        self.activity = ActivityModel(self)
        self.activity_page = TablePage(self.activity, stretch_column=ActivityColumn.MESSAGE,
                                       sort_column=ActivityColumn.TIME,
                                       placeholder="Nothing has happened yet. Each sync, fix and undo writes a line "
                                                   "here.")
        self.activity_page.view.setAccessibleName("Recent activity")
        self.activity_page.view.setAccessibleDescription("What BigBooks did recently, newest first")
        self.activity_page.view.setWordWrap(False)
        self.activity_page.setMinimumHeight(150)
        activity_title = QHBoxLayout()
        label = QLabel("Recent activity")
        label.setFont(bold)
        activity_title.addWidget(label)
        activity_title.addStretch(1)
        activity_title.addWidget(self.refresh_button)

        layout = QVBoxLayout(self)
        layout.addLayout(cards)
        layout.addLayout(middle, 3)
        layout.addLayout(activity_title)
        layout.addWidget(self.activity_page, 2)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self._status = service.sync_status()
        self._show_status(self._status)
        unsubscribe = service.subscribe(self._status_changed)
        self.destroyed.connect(lambda *_: unsubscribe())     # no reference to self: it is being destroyed

    # -- loading ---------------------------------------------------------------------------------------------

    def refresh(self) -> asyncio.Future[None]:
        """Reload the figures; a reload asked for while one runs makes it run once more."""
        return self._reload.request()

    async def _load(self) -> None:
        self.show_board(await self.service.dashboard())

    def show_board(self, board: DashboardView) -> None:
        self.board = board
        for period, card in self.cards.items():
            card.show_figures(board.period(period))
        self.chart.show_days(board)
        self.budget.show_budget(board.api_budget)
        self.last_run.setText(board.last_run_text)
        self.last_run.setToolTip(board.last_run_text)
        kept = board.kept_in_step
        self.kept.setText(kept.sentence.replace(" · ", "\n"))
        self.kept.setAccessibleDescription(kept.sentence)
        self.kept_title.setVisible(kept.shown)
        self.kept.setVisible(kept.shown)
        self.activity.set_rows(board.activity)

    # -- the coordinator's events ----------------------------------------------------------------------------

    def _status_changed(self, status: SyncStatusView) -> None:
        finished = status.runs > self._status.runs
        self._status = status
        self._show_status(status)
        if finished and self._follow_runs:
            self.refresh()

    def _show_status(self, status: SyncStatusView) -> None:
        line = next_sync_line(status)
        self.next_sync.setText(f"{line}.\n{status_line(status)}" if status.busy else f"{line}.")
        self.next_sync.setToolTip(status_line(status))

    # -- pictures --------------------------------------------------------------------------------------------

    async def pictures(self, shoot: Callable[[str], object]) -> None:
        await self.refresh()
        shoot("dashboard")

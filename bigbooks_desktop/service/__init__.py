"""The one facade the GUI and the command line call (`BigBooksService`), answering with frozen, typed views.

    facade        BigBooksService: sync, the inbox, run history, accounts, undo, reconciliation
    convert       engine, store and accounts records -> core views (core.views, core.reconciliation_views)
    run_history   runs with the orders they created; an interrupted run's counts rebuilt from its objects
"""

from __future__ import annotations

from bigbooks_desktop.service.facade import BigBooksService, ProgressListener

__all__ = ["BigBooksService", "ProgressListener"]

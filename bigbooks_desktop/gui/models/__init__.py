"""The window's Qt table models: one per row type, over the service's frozen views, and the shared sort proxy.

    table        ViewTableModel and Column: the generic read-only model (display, sort and row roles)
    sort_proxy   SortProxyModel: sorts on native values (numbers as numbers, times as times)
    runs         RunsModel: sync runs
    inbox        InboxModel: the error inbox
"""

"""Local persistence on SQLite through peewee: links, cursors, intents, error queue, runs. No Qt.

Import from the topic modules: `store.db` (open/close), `store.links`, `store.cursors`, `store.intents`,
`store.error_queue`, `store.runs`; `store.rows` and `store.migrations` are the store's own business.
Every function returns frozen dataclasses, never live peewee rows; datetimes are timezone-aware UTC.
"""

__all__: list[str] = []

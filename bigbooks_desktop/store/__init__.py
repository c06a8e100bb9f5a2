"""Local persistence on SQLite through peewee: links, cursors, intents, error queue, runs. No Qt."""

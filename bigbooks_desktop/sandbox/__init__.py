"""Local emulators of the BigCommerce and FreshBooks APIs, served on 127.0.0.1 for the demo and the tests.

An island: it imports `core` at most, and nothing in the app imports it except the CLI and demo wiring.
"""

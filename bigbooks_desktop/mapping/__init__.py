"""Mapping profiles: how a BigCommerce order becomes a FreshBooks invoice. Pure functions, no I/O."""

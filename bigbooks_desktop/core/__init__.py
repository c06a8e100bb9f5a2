"""Vocabulary shared by every layer: money, errors, entities. No Qt, no I/O."""

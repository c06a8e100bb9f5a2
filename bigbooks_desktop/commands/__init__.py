"""One module per `bigbooks` verb; each exposes `register(subparsers)`."""

from __future__ import annotations

import argparse
from typing import TypeAlias

__all__ = ["Subparsers"]

# What `register` receives: argparse's subparsers action (argparse names no public type for it).
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

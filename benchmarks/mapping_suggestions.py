"""Benchmark: how often the mapping suggestions find the default profile's field mappings on their own.

Every field mapping of `default_field_mappings()` is removed, and each target is asked for suggestions with
samples from the sandbox store (`generate_store(orders=60, seed=3)`: one `source_data` per order, with its
first product line). The right answer is the path the default mapping reads (for a template, its first
placeholder: `BC-{order.id}` is answered by `order.id`); targets the default profile leaves empty have no
right answer and are listed apart. Prints every target with its top three, whether the top one and the top
three hit, top-1 and top-3 accuracy (over all targets, then over path targets and template targets apart),
a calibration table (confidence of the top suggestion against how often it is right), the machine and date.

    .venv/bin/python benchmarks/mapping_suggestions.py
"""

from __future__ import annotations

import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bigbooks_desktop.mapping.catalogue import TARGET_FIELDS
from bigbooks_desktop.mapping.field_mappings import ConstantSource, default_field_mappings
from bigbooks_desktop.mapping.source_data import source_data
from bigbooks_desktop.mapping.suggestions import Suggestion, main_path, suggest_all
from bigbooks_desktop.mapping.transforms import DefaultIfEmpty
from bigbooks_desktop.sandbox.parsed_orders import parsed_orders


def sandbox_samples(orders: int = 60, seed: int = 3) -> list[dict[str, Any]]:
    """`source_data` of each sandbox order (with its first line), parsed the way the connector parses it."""
    return [source_data(detail, line=detail.products[0] if detail.products else None, customer=customer)
            for detail, customer in parsed_orders(orders, seed)]


def ground_truth() -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """Target -> (the path its default mapping mainly reads, "path" or "template", the paths its "If empty,
    use" steps fall back on)."""
    truth: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    for mapping in default_field_mappings():
        if isinstance(mapping.source, ConstantSource):
            continue
        path = main_path(mapping.source)
        fallbacks = tuple(p for t in mapping.transforms if isinstance(t, DefaultIfEmpty) for p in t.paths)
        if path is not None:
            truth[mapping.target] = (path, mapping.source.kind, fallbacks)
    return truth


def _show(s: Suggestion) -> str:
    return f"{s.source.replace(chr(10), ' / ')} ({s.confidence:.2f})"


def main() -> None:
    samples = sandbox_samples()
    truth = ground_truth()
    start = time.perf_counter()
    found = suggest_all(list(TARGET_FIELDS), samples)
    elapsed = time.perf_counter() - start
    rows, hits1, hits3, by_kind = [], 0, 0, {"path": [0, 0, 0], "template": [0, 0, 0]}
    chain1 = 0
    calibration: list[tuple[float, bool]] = []
    for target, suggestions in found.items():
        top3 = " | ".join(_show(s) for s in suggestions)
        if target not in truth:
            rows.append(f"| {target} | (none by default) | {top3} | | |")
            continue
        answer, kind, fallbacks = truth[target]
        paths = [main_path(s) for s in suggestions]
        one, three = paths[:1] == [answer], answer in paths
        chain1 += bool(paths) and paths[0] in (answer, *fallbacks)
        hits1 += one
        hits3 += three
        counts = by_kind[kind]
        counts[0] += 1
        counts[1] += one
        counts[2] += three
        if suggestions:
            calibration.append((suggestions[0].confidence, one))
        also = f" (else {', '.join(fallbacks)})" if fallbacks else ""
        rows.append(f"| {target} | {answer}{' (template)' if kind == 'template' else ''}{also} | {top3} | "
                    f"{'yes' if one else 'NO'} | {'yes' if three else 'NO'} |")
    total = len(truth)
    print(f"Mapping suggestions: accuracy against default_field_mappings(), measured "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.system()} {platform.release()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"Samples: {len(samples)} sandbox orders (seed 3); {len(TARGET_FIELDS)} targets suggested in "
          f"{elapsed:.2f} s\n")
    print("| target | right answer | top 3 (confidence) | top-1 | top-3 |\n|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\n| measure | value |\n|---|---|\n| targets with a right answer | {total} |")
    print(f"| top-1 accuracy | {hits1}/{total} = {hits1 / total:.1%} |")
    print(f"| top-3 accuracy | {hits3}/{total} = {hits3 / total:.1%} |")
    print(f"| top-1 counting the default's fallbacks (\"If empty, use\") as right too | {chain1}/{total} = "
          f"{chain1 / total:.1%} |")
    for kind, (n, one, three) in by_kind.items():
        print(f"| {kind} targets only: top-1 / top-3 | {one}/{n}, {three}/{n} |")
    print("\n| top-1 confidence | targets | right |\n|---|---|---|")
    for low, high in ((0.0, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)):
        bucket = [ok for c, ok in calibration if low <= c < high]
        if bucket:
            print(f"| {low:.1f}-{min(high, 1):.1f} | {len(bucket)} | {sum(bucket)}/{len(bucket)} |")


if __name__ == "__main__":
    main()

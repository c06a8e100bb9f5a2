"""`bigbooks sandbox`: serve both API emulators on 127.0.0.1 and print one JSON line: URLs, credentials."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bigbooks_desktop.commands import Subparsers

__all__ = ["register"]

FAULTS_HELP = """\
fault spec: rules separated by ';', each [METHOD ]GLOB:EFFECT[,EFFECT...] (no target = every route).
Effects: 500=P 502=P 503=P (answer that status), 429burst=PxN (start a burst of N 429s with chance P),
latency=A-Bms (or A-Bs; divided by --time-scale), reset=P (drop the connection before handling),
lost=P (handle the request, then drop the connection). Example:
'POST /freshbooks/api/accounting/*/invoices/invoices:lost=0.2;GET /stores/*:503=0.05;*:latency=5-30ms'
Admin (/_sandbox) and the OAuth consent pages are never faulted. Same seed, same fault sequence.
"""


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "sandbox", help="serve local BigCommerce and FreshBooks emulators (prints one JSON line)",
        description="Serve local BigCommerce and FreshBooks emulators on 127.0.0.1. Prints one JSON line "
                    "with the URLs and credentials, then serves until interrupted (SIGINT/SIGTERM).",
        epilog=FAULTS_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = a free port; default 0)")
    parser.add_argument("--orders", type=int, default=50, help="generated BigCommerce orders (default 50)")
    parser.add_argument("--seed", type=int, default=1, help="generator and fault seed (default 1)")
    parser.add_argument("--products", type=int, default=None, metavar="N",
                        help="catalog products, each with the generator's variants (default 60)")
    parser.add_argument("--customers", type=int, default=None, metavar="N",
                        help="registered customers (default: a quarter of --orders, at least 10)")
    parser.add_argument("--faults", default="", metavar="SPEC", help="fault spec (grammar below)")
    parser.add_argument("--bc-quota", type=int, default=150,
                        help="BigCommerce requests per rate-limit window (default 150)")
    parser.add_argument("--fb-quota", type=int, default=0, metavar="N",
                        help="FreshBooks requests per account per 60 s window, with X-RateLimit-* headers and "
                             "429s past it (600 is the captured X-RateLimit-Limit; default 0 = off)")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="divide the rate-limit window and latencies by this (default 1)")
    parser.add_argument("--token-ttl", type=float, default=None, metavar="SECONDS",
                        help="FreshBooks access-token lifetime (default 12 hours)")
    from bigbooks_desktop.sandbox.config import DEFAULT_TAX_ROUNDING, TAX_ROUNDING_RULES  # stdlib-only module

    parser.add_argument("--fb-tax-rounding", default=DEFAULT_TAX_ROUNDING, metavar="RULE",
                        choices=TAX_ROUNDING_RULES,
                        help="how the FreshBooks emulator rounds line taxes, which is unknown outside FreshBooks: "
                             "per line or once per tax name per invoice, half-up or half-even; one of "
                             f"{', '.join(TAX_ROUNDING_RULES)} (default {DEFAULT_TAX_ROUNDING}; replace at run "
                             "time with PUT /_sandbox/freshbooks/tax-rounding)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from bigbooks_desktop.commands.jsonout import dumps
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.faults import FaultPlan, FaultSpecError
    from bigbooks_desktop.sandbox.server import run_sandbox

    if args.time_scale <= 0:
        print("--time-scale must be greater than 0", file=sys.stderr)
        return 2
    if (args.products is not None and args.products < 1) or (args.customers is not None and args.customers < 0):
        print("--products must be 1 or more, --customers 0 or more", file=sys.stderr)
        return 2
    if args.fb_quota < 0:
        print("--fb-quota must be 0 (off) or more", file=sys.stderr)
        return 2
    try:
        FaultPlan.parse(args.faults)
    except FaultSpecError as exc:
        print(f"bad --faults: {exc}", file=sys.stderr)
        return 2
    config = SandboxConfig(orders=args.orders, seed=args.seed, products=args.products, customers=args.customers,
                           faults=args.faults, bc_quota=args.bc_quota,
                           time_scale=args.time_scale, freshbooks_tax_rounding=args.fb_tax_rounding,
                           freshbooks_quota=args.fb_quota)
    if args.token_ttl is not None:
        config.freshbooks_token_ttl = args.token_ttl

    def ready(info: dict[str, Any]) -> None:   # the sandbox's announcement, typed so by sandbox.server
        sys.stdout.write(dumps(info, indent=None) + "\n")
        sys.stdout.flush()

    try:
        run_sandbox(config, port=args.port, ready=ready)
    except OSError as exc:
        print(f"cannot serve the sandbox: {exc}", file=sys.stderr)
        return 1
    return 0

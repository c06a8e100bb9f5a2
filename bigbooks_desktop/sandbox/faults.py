"""Fault plans for the sandbox: the spec grammar, its parser, and the seeded per-request fault decision.

Grammar (the same text for `bigbooks sandbox --faults` and `PUT /_sandbox/faults`)::

    spec    := rule (";" rule)*                 empty spec = no faults
    rule    := [target ":"] effect ("," effect)*   no target = every route
    target  := [METHOD " "] glob                 METHOD: GET POST PUT PATCH DELETE ... or * (any)
    glob    := shell-style pattern on the path (no query); `*` matches any run of characters, `/` included
    effect  := "500=" P | "502=" P | "503=" P    answer with that status (the request is not handled)
             | "429burst=" P "x" N                with probability P start a burst of N 429 answers
             | "latency=" A ["-" B] ("ms"|"s")    sleep a uniform time in [A, B] before handling
             | "reset=" P                         drop the connection before handling (nothing committed)
             | "lost=" P                          handle the request (writes commit), then drop the connection
    P       := probability in [0, 1]; N := positive integer burst length

Example::

    POST /freshbooks/api/accounting/*/invoices/invoices:lost=0.2;GET /stores/*:503=0.05,500=0.02;
    *:latency=5-30ms;*:reset=0.01;/stores/*:429burst=0.02x5

Every matching rule contributes. Latencies add up. An active 429 burst answers first; otherwise each
probabilistic effect is drawn in spec order and the first hit wins. Draws come from a `random.Random`
seeded with (seed, request number), so a given seed and request sequence always meets the same faults.
Latencies are divided by the sandbox's `time_scale`.
"""

from __future__ import annotations

import fnmatch
import random
import re
from dataclasses import dataclass, field

__all__ = [
    "FaultDecision",
    "FaultEffect",
    "FaultPlan",
    "FaultRule",
    "FaultSpecError",
]

_STATUS_KINDS = {"500": 500, "502": 502, "503": 503}
_METHOD = re.compile(r"^[A-Z]+$|^\*$")
_LATENCY = re.compile(r"^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?(ms|s)$")
_BURST = re.compile(r"^(\d*\.?\d+)x(\d+)$")


class FaultSpecError(ValueError):
    """A fault spec that does not follow the grammar; the message names the offending part."""


@dataclass(frozen=True, kw_only=True)
class FaultEffect:
    kind: str                       # "status", "429burst", "latency", "reset", "lost"
    probability: float = 0.0        # chance per request (not money: plain float is right here)
    status: int = 0                 # for kind "status"
    burst: int = 0                  # for kind "429burst": answers per burst
    latency_ms: tuple[float, float] = (0.0, 0.0)   # for kind "latency": uniform range


@dataclass(kw_only=True)
class FaultRule:
    method: str                     # "*" or an upper-case method
    pattern: str                    # glob on the path
    effects: list[FaultEffect]
    text: str                       # the rule as written, for display
    burst_left: int = 0             # remaining 429 answers of the running burst

    def matches(self, method: str, path: str) -> bool:
        if self.method != "*" and self.method != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.pattern)


@dataclass(frozen=True, kw_only=True)
class FaultDecision:
    """What to do with one request: wait `delay_s`, then `action` (None = handle normally)."""

    delay_s: float = 0.0
    action: str | None = None       # None, "status", "429", "reset", "lost"
    status: int = 0
    rule: str = ""                  # the rule text that caused the action


@dataclass(kw_only=True)
class FaultPlan:
    spec: str = ""
    rules: list[FaultRule] = field(default_factory=list)
    seed: int = 1
    time_scale: float = 1.0
    counter: int = 0                # requests decided so far (part of each draw's seed)

    @classmethod
    def parse(cls, spec: str, *, seed: int = 1, time_scale: float = 1.0) -> FaultPlan:
        """Parse a spec string; raises FaultSpecError with a message naming the bad rule or effect."""
        rules = [_parse_rule(text.strip()) for text in spec.split(";") if text.strip()]
        return cls(spec=spec.strip(), rules=rules, seed=seed, time_scale=time_scale)

    def restart(self) -> None:
        """Back to the first request: the same fault sequence again."""
        self.counter = 0
        for rule in self.rules:
            rule.burst_left = 0

    def decide(self, method: str, path: str) -> FaultDecision:
        """The fault (if any) for the next request. Deterministic in (seed, request number, rules)."""
        matching = [rule for rule in self.rules if rule.matches(method, path)]
        if not matching:
            return FaultDecision()
        self.counter += 1
        rng = random.Random(f"{self.seed}:{self.counter}")
        delay_ms = 0.0
        for rule in matching:
            for effect in rule.effects:
                if effect.kind == "latency":
                    low, high = effect.latency_ms
                    delay_ms += rng.uniform(low, high)
        delay_s = delay_ms / 1000.0 / self.time_scale
        for rule in matching:
            if rule.burst_left > 0:
                rule.burst_left -= 1
                return FaultDecision(delay_s=delay_s, action="429", status=429, rule=rule.text)
        for rule in matching:
            for effect in rule.effects:
                if effect.kind == "latency":
                    continue
                if rng.random() >= effect.probability:
                    continue
                if effect.kind == "429burst":
                    rule.burst_left = effect.burst - 1
                    return FaultDecision(delay_s=delay_s, action="429", status=429, rule=rule.text)
                if effect.kind == "status":
                    return FaultDecision(delay_s=delay_s, action="status", status=effect.status,
                                         rule=rule.text)
                return FaultDecision(delay_s=delay_s, action=effect.kind, rule=rule.text)
        return FaultDecision(delay_s=delay_s)

    def describe(self) -> dict[str, object]:
        return {"spec": self.spec, "seed": self.seed, "requests_decided": self.counter,
                "rules": [rule.text for rule in self.rules]}


def _parse_rule(text: str) -> FaultRule:
    target, sep, effects_text = text.rpartition(":")
    if not sep:
        target, effects_text = "*", text
    target = target.strip() or "*"
    method, _, pattern = target.rpartition(" ")
    method = method.strip().upper() or "*"
    pattern = pattern.strip()
    if not _METHOD.match(method):
        raise FaultSpecError(f"fault rule {text!r}: bad method {method!r}")
    if not (pattern == "*" or pattern.startswith("/")):
        raise FaultSpecError(f"fault rule {text!r}: path pattern {pattern!r} must start with '/' or be '*'")
    effects = [_parse_effect(part.strip(), text) for part in effects_text.split(",") if part.strip()]
    if not effects:
        raise FaultSpecError(f"fault rule {text!r}: no effects after ':'")
    return FaultRule(method=method, pattern=pattern, effects=effects, text=text)


def _parse_effect(text: str, rule: str) -> FaultEffect:
    kind, sep, value = text.partition("=")
    kind, value = kind.strip().lower(), value.strip()
    if not sep or not value:
        raise FaultSpecError(f"fault rule {rule!r}: effect {text!r} needs the form kind=value")
    if kind in _STATUS_KINDS:
        return FaultEffect(kind="status", status=_STATUS_KINDS[kind], probability=_probability(value, rule))
    if kind in ("reset", "lost"):
        return FaultEffect(kind=kind, probability=_probability(value, rule))
    if kind == "429burst":
        match = _BURST.match(value)
        if not match or int(match.group(2)) < 1:
            raise FaultSpecError(
                f"fault rule {rule!r}: 429burst wants PxN, e.g. 429burst=0.02x5, got {value!r}")
        return FaultEffect(kind="429burst", probability=_probability(match.group(1), rule),
                           burst=int(match.group(2)))
    if kind == "latency":
        match = _LATENCY.match(value.replace(" ", ""))
        if not match:
            raise FaultSpecError(
                f"fault rule {rule!r}: latency wants A-Bms or A-Bs, e.g. 5-30ms, got {value!r}")
        unit = 1.0 if match.group(3) == "ms" else 1000.0
        low = float(match.group(1)) * unit
        high = float(match.group(2)) * unit if match.group(2) else low
        if high < low:
            raise FaultSpecError(f"fault rule {rule!r}: latency range {value!r} runs backwards")
        return FaultEffect(kind="latency", latency_ms=(low, high))
    raise FaultSpecError(
        f"fault rule {rule!r}: unknown effect {kind!r} "
        "(known: 500, 502, 503, 429burst, latency, reset, lost)")


def _probability(text: str, rule: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultSpecError(f"fault rule {rule!r}: {text!r} is not a probability") from None
    if not 0.0 <= value <= 1.0:
        raise FaultSpecError(f"fault rule {rule!r}: probability {text!r} is outside 0..1")
    return value

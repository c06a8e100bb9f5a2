"""Virtual time for connector tests: a clock and a sleep that jump straight to the next wake-up."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


class VirtualTime:
    """`clock()` and `sleep()` for injection; `run(coro)` drives the coroutine, advancing time only when
    every task is blocked on a virtual sleep (so a 30 s rate-limit window costs no real time)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._seq), future))
        await future

    async def run(self, awaitable: Awaitable[T]) -> T:
        task = asyncio.ensure_future(awaitable)
        while not task.done():
            for _ in range(30):            # let every ready task run before time moves
                await asyncio.sleep(0)
                if task.done():
                    break
            if task.done():
                break
            if not self._sleepers:
                continue
            when, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, when)
            if not future.cancelled():
                future.set_result(None)
        return task.result()

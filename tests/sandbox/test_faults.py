"""Fault plans: the spec parser, seeded decisions, and every fault kind as a client sees it (in process)."""

from __future__ import annotations

import time

import httpx
import pytest

from bigbooks_desktop.core.money import json_loads
from bigbooks_desktop.sandbox.faults import FaultPlan, FaultSpecError

from .standins import INVOICES_PATH, ORDERS_PATH, standin_sandbox

EXAMPLE = ("POST /freshbooks/api/accounting/*/invoices/invoices:lost=0.2;GET /stores/*:503=0.05,500=0.02;"
           "*:latency=5-30ms;*:reset=0.01;/stores/*:429burst=0.02x5")


# -- parser ---------------------------------------------------------------------------------------

def test_parses_the_documented_example() -> None:
    plan = FaultPlan.parse(EXAMPLE)
    assert [(r.method, r.pattern) for r in plan.rules] == [
        ("POST", "/freshbooks/api/accounting/*/invoices/invoices"), ("GET", "/stores/*"), ("*", "*"),
        ("*", "*"), ("*", "/stores/*")]
    lost, statuses, latency, reset, burst = (r.effects for r in plan.rules)
    assert (lost[0].kind, lost[0].probability) == ("lost", 0.2)
    assert [(e.status, e.probability) for e in statuses] == [(503, 0.05), (500, 0.02)]
    assert latency[0].latency_ms == (5.0, 30.0)
    assert (reset[0].kind, reset[0].probability) == ("reset", 0.01)
    assert (burst[0].kind, burst[0].probability, burst[0].burst) == ("429burst", 0.02, 5)


def test_parses_short_forms() -> None:
    plan = FaultPlan.parse(" 502=1 ; latency=1s ;; get /x:500=0.5 ")
    assert [(r.method, r.pattern) for r in plan.rules] == [("*", "*"), ("*", "*"), ("GET", "/x")]
    assert plan.rules[1].effects[0].latency_ms == (1000.0, 1000.0)
    assert FaultPlan.parse("").rules == []


@pytest.mark.parametrize(("spec", "message"), [
    ("*:404=0.5", "unknown effect '404'"),
    ("*:503=1.5", "outside 0..1"),
    ("*:503=often", "'often' is not a probability"),
    ("*:503", "kind=value"),
    ("*:429burst=0.1", "429burst wants PxN"),
    ("*:429burst=0.1x0", "429burst wants PxN"),
    ("*:latency=fast", "latency wants"),
    ("*:latency=30-5ms", "runs backwards"),
    ("stores/*:503=1", "must start with '/'"),
    ("G3T /x:503=1", "bad method"),
    ("/x:", "no effects"),
])
def test_bad_specs_name_the_problem(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message) as info:
        FaultPlan.parse(spec)
    assert spec.split(";")[0].strip() in str(info.value)


def test_method_and_glob_matching() -> None:
    plan = FaultPlan.parse("POST /freshbooks/api/*/invoices:503=1")
    assert plan.decide("POST", "/freshbooks/api/accounting/account/a/invoices").status == 503
    assert plan.decide("GET", "/freshbooks/api/accounting/account/a/invoices").action is None
    assert plan.decide("POST", "/freshbooks/api/accounting/account/a/clients").action is None


def test_same_seed_same_fault_sequence() -> None:
    def sequence(seed: int) -> list[tuple[str | None, int, float]]:
        plan = FaultPlan.parse("*:503=0.3,reset=0.2,latency=1-9ms;*:429burst=0.1x3", seed=seed)
        decisions = [plan.decide("GET", "/stores/a") for _ in range(200)]
        return [(d.action, d.status, d.delay_s) for d in decisions]

    first = sequence(7)
    assert first == sequence(7)
    assert first != sequence(8)
    kinds = {action for action, _, _ in first}
    assert {None, "status", "reset", "429"} <= kinds


def test_restart_replays_the_sequence() -> None:
    plan = FaultPlan.parse("*:503=0.5", seed=3)
    before = [plan.decide("GET", "/a").action for _ in range(30)]
    plan.restart()
    assert [plan.decide("GET", "/a").action for _ in range(30)] == before


# -- through the in-process transport -------------------------------------------------------------

def client(sandbox: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=sandbox.transport(), base_url="http://sandbox")  # type: ignore[attr-defined]


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [500, 502, 503])
async def test_status_faults_at_probability_one(status: int) -> None:
    sandbox = standin_sandbox(faults=f"GET /stores/*:{status}=1")
    async with client(sandbox) as http:
        v2 = await http.get(ORDERS_PATH)
        v3 = await http.get("/stores/sbx7k2q9/v3/catalog/products")
        fb = await http.get(INVOICES_PATH)
        created = await http.post(ORDERS_PATH, json={"status_id": 1})
    assert v2.status_code == v3.status_code == status
    assert v2.json()[0]["status"] == status                    # BigCommerce v2 error: an array
    assert v3.json()["status"] == status                       # v3 error: an object with a title
    assert fb.status_code == 200                               # other half, other method: untouched
    assert created.status_code == 201
    assert sandbox.state()["faults"] == {str(status): 2}


@pytest.mark.asyncio
async def test_status_fault_does_not_handle_the_request() -> None:
    sandbox = standin_sandbox(faults="POST /freshbooks/*:503=1")
    async with client(sandbox) as http:
        response = await http.post(INVOICES_PATH, json={"invoice": {"amount": "1.00"}})
    assert response.status_code == 503
    assert response.json()["response"]["errors"][0]["errno"] == 503
    assert sandbox.freshbooks.invoices == []


@pytest.mark.asyncio
async def test_429_burst_has_the_given_length_and_rate_headers() -> None:
    sandbox = standin_sandbox(faults="/stores/*:429burst=1x3;/freshbooks/*:429burst=1x2", time_scale=4)
    async with client(sandbox) as http:
        bc = [await http.get(ORDERS_PATH) for _ in range(3)]
        fb = [await http.get(INVOICES_PATH) for _ in range(2)]
        # Probability 1 starts a new burst straight after, so turn the plan off to see the end.
        sandbox.set_faults("/stores/*:429burst=1x3")
        statuses = [(await http.get(ORDERS_PATH)).status_code for _ in range(4)]
    assert [r.status_code for r in bc] == [429, 429, 429]
    headers = bc[0].headers
    assert headers["X-Rate-Limit-Requests-Left"] == "0"
    assert headers["X-Rate-Limit-Requests-Quota"] == "150"
    assert headers["X-Rate-Limit-Time-Reset-Ms"] == "250"      # 1 s, divided by time_scale 4
    assert headers["X-Rate-Limit-Time-Window-Ms"] == "7500"
    assert "Retry-After" not in headers
    assert [r.status_code for r in fb] == [429, 429]
    assert fb[0].headers["Retry-After"] == "0"
    assert "X-Rate-Limit-Time-Reset-Ms" not in fb[0].headers
    assert statuses == [429, 429, 429, 429]


@pytest.mark.asyncio
async def test_429_burst_ends_after_its_length() -> None:
    # Find a seed whose first draw starts a burst and check the burst runs exactly 4 answers.
    plan = FaultPlan.parse("/stores/*:429burst=0.3x4", seed=5)
    actions = [plan.decide("GET", "/stores/a").action for _ in range(60)]
    start = actions.index("429")
    assert actions[start:start + 4] == ["429"] * 4
    sandbox = standin_sandbox(faults="/stores/*:429burst=0.3x4", seed=5)
    async with client(sandbox) as http:
        seen = [(await http.get(ORDERS_PATH)).status_code for _ in range(60)]
    assert seen == [429 if a == "429" else 200 for a in actions]


@pytest.mark.asyncio
async def test_latency_is_applied_and_scaled() -> None:
    sandbox = standin_sandbox(faults="GET /stores/*:latency=150-200ms")
    async with client(sandbox) as http:
        started = time.perf_counter()
        await http.get(ORDERS_PATH)
        slow = time.perf_counter() - started
        sandbox.config.time_scale = 10
        sandbox.set_faults("GET /stores/*:latency=150-200ms")
        started = time.perf_counter()
        await http.get(ORDERS_PATH)
        scaled = time.perf_counter() - started
    assert 0.14 <= slow < 1.0
    assert 0.014 <= scaled < 0.12


@pytest.mark.asyncio
async def test_reset_before_handling_commits_nothing() -> None:
    sandbox = standin_sandbox(faults="POST /freshbooks/*:reset=1")
    async with client(sandbox) as http:
        with pytest.raises(httpx.ReadError, match="reset by peer"):
            await http.post(INVOICES_PATH, json={"invoice": {"amount": "1.00"}})
        listed = await http.get(INVOICES_PATH)
    assert sandbox.freshbooks.invoices == []
    assert listed.json()["response"]["result"]["invoices"] == []
    assert sandbox.state()["faults"] == {"reset": 1}


@pytest.mark.asyncio
async def test_lost_response_commits_the_write_but_the_client_sees_a_dropped_connection() -> None:
    sandbox = standin_sandbox(faults="POST /freshbooks/*:lost=1")
    async with client(sandbox) as http:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending complete message body"):
            await http.post(INVOICES_PATH, json={"invoice": {"amount": "12.50"}})
        listed = await http.get(INVOICES_PATH)
    invoices = json_loads(listed.content)["response"]["result"]["invoices"]
    assert [i["amount"] for i in invoices] == ["12.50"]


@pytest.mark.asyncio
async def test_lost_204_looks_like_a_disconnect_without_response() -> None:
    sandbox = standin_sandbox(faults="DELETE /freshbooks/*:lost=1")
    async with client(sandbox) as http:
        await http.post(INVOICES_PATH, json={"invoice": {"amount": "1.00"}})
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await http.delete(INVOICES_PATH + "/1")
    assert sandbox.freshbooks.invoices == []


@pytest.mark.asyncio
async def test_admin_and_consent_pages_are_never_faulted_but_token_endpoints_are() -> None:
    sandbox = standin_sandbox(faults="*:503=1")
    async with client(sandbox) as http:
        assert (await http.get("/_sandbox/state")).status_code == 200
        assert (await http.get("/freshbooks/auth/oauth/authorize")).status_code == 200
        assert (await http.post("/freshbooks/auth/oauth/token")).status_code == 503
        assert (await http.get(ORDERS_PATH)).status_code == 503

"""The field-mapping engine writes, for the sandbox store, exactly the invoices and clients the engine wrote
before profiles held field mappings (snapshots in tests/mapping/golden/, written from that engine), for the
default profile and for version 1 profiles with their own templates, read through the migration."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bigbooks_desktop.mapping.profile import SCHEMA_VERSION, MappingProfile

from .golden_drafts import CUSTOM_V1_DRAFTS, DEFAULT_DRAFTS, build, custom_profiles


def _differences(want: dict[str, Any], have: dict[str, Any]) -> list[str]:
    found = [f"{key}: {part}" for key in want for part in ("invoice", "client")
             if want[key][part] != have.get(key, {}).get(part)]
    return found + [f"{key}: not in the snapshot" for key in have if key not in want]


def test_the_default_profile_writes_the_golden_drafts() -> None:
    want = json.loads(DEFAULT_DRAFTS.read_text(encoding="utf-8"))
    have = json.loads(json.dumps(build(MappingProfile()), sort_keys=True))
    assert len(want) == 70
    assert _differences(want, have) == []
    assert sum("error" in entry["client"] for entry in want.values()) >= 10     # orders without email
    assert sum(bool(entry["invoice"].get("draft", {}).get("notes")) for entry in want.values()) >= 10


@pytest.mark.parametrize("name", ["staff_appended", "staff_hidden", "templated"])
def test_v1_profiles_with_their_own_templates_migrate_and_write_what_they_wrote(name: str) -> None:
    want = json.loads(CUSTOM_V1_DRAFTS.read_text(encoding="utf-8"))[name]
    profile = custom_profiles()[name]
    assert profile.schema_version == SCHEMA_VERSION
    again = MappingProfile.from_json(profile.to_json())           # v2 JSON round trip keeps the migration
    assert again == profile
    have = json.loads(json.dumps(build(again), sort_keys=True))
    assert _differences(want, have) == []

"""Mapping profiles stored with their version history, and which version is in use (the newest activation).

A version is never changed once written: saving adds version n+1 of that name, unless its JSON is the very
text of the name's newest version (then nothing is written). Putting a version in use adds an activation row,
so the history says what was in use when. With no activation, the built-in default profile is in use (the
service's business; here, `active_profile_version()` is None). The JSON is opaque to this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bigbooks_desktop.core.profile_views import ProfileAuthor
from bigbooks_desktop.store.fields import utc_now
from bigbooks_desktop.store.rows import MappingProfileActivationRow, MappingProfileVersionRow, database_proxy

__all__ = [
    "ProfileActivation",
    "StoredProfileSummary",
    "StoredProfileVersion",
    "activate_profile_version",
    "active_activation",
    "active_profile_version",
    "get_profile_version",
    "list_activations",
    "list_profile_versions",
    "list_profiles",
    "restore_profile_version",
    "save_profile_version",
]


@dataclass(frozen=True, slots=True)
class StoredProfileVersion:
    name: str
    version: int
    json: str
    created_at: datetime
    note: str
    created_by: ProfileAuthor


@dataclass(frozen=True, slots=True)
class ProfileActivation:
    name: str
    version: int
    at: datetime
    created_by: ProfileAuthor
    note: str


@dataclass(frozen=True, slots=True)
class StoredProfileSummary:
    name: str
    latest_version: int
    versions: int
    updated_at: datetime


def _version(row: MappingProfileVersionRow) -> StoredProfileVersion:
    return StoredProfileVersion(name=row.name, version=row.version, json=row.json, created_at=row.created_at,
                                note=row.note, created_by=ProfileAuthor(row.created_by))


def _activation(row: MappingProfileActivationRow) -> ProfileActivation:
    return ProfileActivation(name=row.name, version=row.version, at=row.at,
                             created_by=ProfileAuthor(row.created_by), note=row.note)


def get_profile_version(name: str, version: int | None = None) -> StoredProfileVersion | None:
    """Version `version` of profile `name` (None: its newest), or None when there is no such version."""
    query = MappingProfileVersionRow.select().where(MappingProfileVersionRow.name == name)
    if version is not None:
        query = query.where(MappingProfileVersionRow.version == version)
    row = query.order_by(MappingProfileVersionRow.version.desc()).first()
    return None if row is None else _version(row)


def list_profile_versions(name: str | None = None) -> list[StoredProfileVersion]:
    """Every stored version (of `name` only, when given), newest saved first."""
    query = MappingProfileVersionRow.select()
    if name is not None:
        query = query.where(MappingProfileVersionRow.name == name)
    return [_version(row) for row in query.order_by(MappingProfileVersionRow.id.desc())]


def list_profiles() -> list[StoredProfileSummary]:
    """Each stored profile name with its newest version, its number of versions and when it was last saved."""
    row_type = MappingProfileVersionRow
    found: dict[str, StoredProfileSummary] = {}
    for row in row_type.select(row_type.name, row_type.version, row_type.created_at).order_by(row_type.id):
        prior = found.get(row.name)
        found[row.name] = StoredProfileSummary(
            name=row.name, latest_version=max(row.version, prior.latest_version if prior else 0),
            versions=(prior.versions if prior else 0) + 1, updated_at=row.created_at)
    return [found[name] for name in sorted(found)]


def save_profile_version(*, name: str, json: str, note: str, created_by: ProfileAuthor,
                         now: datetime | None = None) -> tuple[StoredProfileVersion, bool]:
    """Store `json` as the next version of `name`. When it is the same text as the name's newest version,
    nothing is written and that version is returned. Returns (version, whether it was written)."""
    with database_proxy.atomic():       # BEGIN IMMEDIATE (store.db): two processes never take one number
        latest = get_profile_version(name)
        if latest is not None and latest.json == json:
            return latest, False
        row = MappingProfileVersionRow.create(name=name, version=(latest.version + 1) if latest else 1, json=json,
                                              created_at=now or utc_now(), note=note,
                                              created_by=created_by.value)
    return _version(row), True


def active_activation() -> ProfileActivation | None:
    """The newest activation: the version in use (None: nothing was ever put in use, the default is)."""
    row = MappingProfileActivationRow.select().order_by(MappingProfileActivationRow.id.desc()).first()
    return None if row is None else _activation(row)


def active_profile_version() -> StoredProfileVersion | None:
    """The stored version in use, or None when the built-in default is."""
    activation = active_activation()
    return None if activation is None else get_profile_version(activation.name, activation.version)


def list_activations(*, limit: int = 100) -> list[ProfileActivation]:
    """What was put in use, newest first."""
    query = MappingProfileActivationRow.select().order_by(MappingProfileActivationRow.id.desc()).limit(limit)
    return [_activation(row) for row in query]


def activate_profile_version(name: str, version: int, *, created_by: ProfileAuthor, note: str = "",
                             now: datetime | None = None) -> ProfileActivation:
    """Put version `version` of `name` in use (recorded as an activation; none when it already is in use).
    LookupError when there is no such version."""
    with database_proxy.atomic():
        if get_profile_version(name, version) is None:
            raise LookupError(f"no version {version} of profile {name!r}")
        current = active_activation()
        if current is not None and (current.name, current.version) == (name, version):
            return current
        row = MappingProfileActivationRow.create(name=name, version=version, at=now or utc_now(),
                                                 created_by=created_by.value, note=note)
    return _activation(row)


def restore_profile_version(name: str, version: int, *, created_by: ProfileAuthor,
                            now: datetime | None = None) -> StoredProfileVersion:
    """Bring an older version back: a new version with its JSON, noted "restored from vN", put in use. When
    the older JSON is the newest version's already, that newest version is put in use. LookupError when there
    is no such version."""
    with database_proxy.atomic():
        old = get_profile_version(name, version)
        if old is None:
            raise LookupError(f"no version {version} of profile {name!r}")
        note = f"restored from v{version}"
        restored, _written = save_profile_version(name=name, json=old.json, note=note, created_by=created_by,
                                                  now=now)
        activate_profile_version(name, restored.version, created_by=created_by, note=note, now=now)
    return restored

"""Mapping profiles kept in the profile database with their versions, through the facade: list, history, check,
save, put in use, restore, export, import, and a preview of what a candidate profile would invoice.
`BigBooksService` takes these from the `MappingProfiles` mixin. Qt-free.

One version is in use at a time for the profile database (store.profiles); with none stored, the built-in
default is. The service's `profile` (service.settings) is the version in use, read at each use, so a version
put in use by another process (the window, `bigbooks mapping activate`) is the one the next sync runs with.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from pydantic import ValidationError as PydanticValidationError

from bigbooks_desktop.core import profile_views as pv
from bigbooks_desktop.core.errors import ConfigurationError, NotFoundError, ValidationError
from bigbooks_desktop.mapping.catalogue import SOURCE_FIELDS, TARGET_FIELDS
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.mapping.profile_templates import TEMPLATES
from bigbooks_desktop.service.profile_preview import MAX_PREVIEW_ORDERS, preview_orders
from bigbooks_desktop.store import profiles as stored
from bigbooks_desktop.sync.tax_rounding import account_rule

if TYPE_CHECKING:
    from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
    from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient

__all__ = ["ActiveProfileView", "MappingProfiles", "active_stored_profile", "profile_name"]


@dataclass(frozen=True, slots=True)
class ActiveProfileView:
    """The profile in use: `version` None means the built-in default (nothing stored is in use)."""

    name: str
    version: int | None
    profile: MappingProfile
    activated_at: datetime | None
    issues: tuple[pv.ProfileIssueView, ...]


def profile_name(profile: MappingProfile) -> str:
    """The profile's own name (the built-in default's name for a profile without one)."""
    name = getattr(profile, "name", None)
    return name if isinstance(name, str) and name.strip() else pv.DEFAULT_PROFILE_NAME


@lru_cache(maxsize=16)
def _parsed(text: str) -> MappingProfile:
    return MappingProfile.from_json(text)      # frozen: one parsed copy per stored text is shared


def active_stored_profile() -> tuple[MappingProfile, int | None]:
    """The stored profile in use and its version, or the built-in default and None. ConfigurationError when
    the version in use cannot be read by this version of the app."""
    found = stored.active_profile_version()
    if found is None:
        return default_profile(), None
    try:
        return _parsed(found.json), found.version
    except PydanticValidationError as exc:
        raise ConfigurationError(
            f"The mapping profile in use, {found.name} v{found.version}, cannot be read by this version of "
            f"BigBooks ({exc.error_count()} problem(s)). Put another version in use (bigbooks mapping "
            "activate) or update the app.", title="Mapping profile unreadable") from None


# -- checks ------------------------------------------------------------------------------------------------


def _place(issue: object) -> str:
    """Where an issue of `MappingProfile.check()` points: "rules[2] “Wholesale” when"."""
    explicit = getattr(issue, "place", None)
    if isinstance(explicit, str):
        return explicit
    where, index = getattr(issue, "where", None), getattr(issue, "index", None)
    name, part = getattr(issue, "name", ""), getattr(issue, "part", "")
    group = {"rule": "rules", "field_mapping": "field_mappings"}.get(str(where), str(where or "profile"))
    text = f"{group}[{index}]" if index is not None else group
    text += f" “{name}”" if name else ""
    return text + (f" {part}" if part else "")     # the message says the column, when it has one


def _issue_view(issue: object) -> pv.ProfileIssueView:
    severity = str(getattr(issue, "severity", "error"))
    message = getattr(issue, "message", None)
    suggestion = getattr(issue, "suggestion", None)
    text = str(message) if message is not None else str(issue)
    if isinstance(suggestion, str) and suggestion and suggestion not in text:
        text += f" (did you mean {suggestion}?)"
    return pv.ProfileIssueView(
        severity=pv.IssueSeverity.WARNING if severity == "warning" else pv.IssueSeverity.ERROR,
        place=_place(issue), message=text)


def profile_issues(profile: MappingProfile) -> tuple[pv.ProfileIssueView, ...]:
    """The profile's own check (`MappingProfile.check()`, when the model has one)."""
    check = getattr(profile, "check", None)
    if not callable(check):
        return ()
    found: Iterable[object] = check()
    return tuple(_issue_view(issue) for issue in found)


def _pydantic_place(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "profile"


def _read_issues(text: str) -> tuple[MappingProfile | None, tuple[pv.ProfileIssueView, ...]]:
    """`text` read as a profile, or None with what stops it being read (not JSON, unknown or bad settings)."""
    error = pv.IssueSeverity.ERROR
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return None, (pv.ProfileIssueView(error, f"line {exc.lineno} column {exc.colno}",
                                          f"This is not JSON: {exc.msg}."),)
    try:
        return MappingProfile.from_json(text), ()
    except PydanticValidationError as exc:
        issues = []
        for found in exc.errors():
            message = "Unknown setting; remove it or check its spelling" if found["type"] == "extra_forbidden" \
                else str(found["msg"])
            issues.append(pv.ProfileIssueView(error, _pydantic_place(tuple(found["loc"])), message))
        return None, tuple(issues)


def _refusal(issues: Iterable[pv.ProfileIssueView], *, title: str) -> ValidationError:
    errors = [i for i in issues if i.severity is pv.IssueSeverity.ERROR]
    lines = "\n".join(f"- {i.place}: {i.message}" for i in errors)
    return ValidationError(f"The mapping profile has {len(errors)} problem(s) to fix first:\n{lines}",
                           field="profile", title=title,
                           details={"issues": [{"place": i.place, "message": i.message} for i in errors]})


class MappingProfiles:
    """Mixin of `BigBooksService`: stored mapping profiles. See the module docstring."""

    if TYPE_CHECKING:  # provided by BigBooksService
        def _clients(self) -> AbstractAsyncContextManager[tuple[BigCommerceClient, FreshBooksClient]]:
            raise NotImplementedError

    # -- reading -----------------------------------------------------------------------------------------

    async def profiles(self) -> tuple[pv.ProfileSummaryView, ...]:
        """Every stored profile by name (empty while only the built-in default has been used)."""
        active = stored.active_activation()
        return tuple(pv.ProfileSummaryView(
            name=s.name, latest_version=s.latest_version, versions=s.versions, updated_at=s.updated_at,
            active_version=active.version if active is not None and active.name == s.name else None)
            for s in stored.list_profiles())

    async def profile_history(self, name: str | None = None) -> tuple[pv.ProfileVersionView, ...]:
        """The stored versions (of `name` only, when given), newest first. NotFoundError for an unknown name."""
        versions = stored.list_profile_versions(name)
        if name is not None and not versions:
            raise self._unknown(name)
        active = stored.active_activation()
        return tuple(self._version_view(v, active) for v in versions)

    async def profile_activations(self, *, limit: int = 50) -> tuple[pv.ProfileActivationView, ...]:
        """Which version was put in use when, newest first."""
        return tuple(pv.ProfileActivationView(name=a.name, version=a.version, at=a.at, created_by=a.created_by,
                                              note=a.note) for a in stored.list_activations(limit=limit))

    async def active_profile(self) -> ActiveProfileView:
        """The stored profile in use (the built-in default, version None, when none is)."""
        profile, version = active_stored_profile()
        activation = stored.active_activation() if version is not None else None
        return ActiveProfileView(name=profile_name(profile), version=version, profile=profile,
                                 activated_at=activation.at if activation is not None else None,
                                 issues=profile_issues(profile))

    async def export_profile(self, name: str, version: int | None = None) -> str:
        """Version `version` (None: the newest) of `name` as JSON, as `import_profile` reads it back. The
        built-in default can be exported by its name before anything is stored."""
        found = stored.get_profile_version(name, version)
        if found is not None:
            return found.json
        default = default_profile()
        if version is None and name == profile_name(default) and not stored.list_profile_versions(name):
            return default.to_json()
        raise self._unknown(name, version)

    def profile_templates(self) -> tuple[pv.ProfileTemplateView, ...]:
        """The starting points a new profile can be made from."""
        return tuple(pv.ProfileTemplateView(key=t.name, label=t.label, description=t.description)
                     for t in TEMPLATES.values())

    def mapping_fields(self) -> tuple[pv.MappingFieldView, ...]:
        """Every field a mapping or a rule can read, then every field it can write."""
        sources = tuple(pv.MappingFieldView(side="source", path=f.path, type=f.type, label=f.label,
                                            description=f.description,
                                            sample="" if f.sample is None else str(f.sample),
                                            required=False, max_length=f.max_length)
                        for f in SOURCE_FIELDS.values())
        targets = tuple(pv.MappingFieldView(side="target", path=f.path, type=f.type, label=f.label,
                                            description=f.description, sample="", required=f.required,
                                            max_length=f.max_length) for f in TARGET_FIELDS.values())
        return sources + targets

    def template_profile(self, key: str) -> str:
        """A new profile from template `key`, as JSON (edit it, then `import_profile`); NotFoundError naming
        the templates for an unknown key."""
        template = TEMPLATES.get(key)
        if template is None:
            raise NotFoundError(f"There is no profile template {key!r}. The templates are: "
                                f"{', '.join(TEMPLATES)}.", title="Unknown template")
        return template.build().to_json()

    # -- checking ------------------------------------------------------------------------------------------

    def profile_from_text(self, text: str) -> MappingProfile:
        """A profile file's text read as a profile; ValidationError naming each problem (not JSON, unknown
        settings, bad values). The profile's own checks are not run: see `check_profile`."""
        profile, issues = _read_issues(text)
        if profile is None:
            raise _refusal(issues, title="Not a mapping profile")
        return profile

    async def check_profile(self, text: str) -> pv.ProfileCheckView:
        """A profile file checked without saving it: whether it reads, and its rules' and mappings' problems."""
        profile, issues = _read_issues(text)
        if profile is not None:
            issues = profile_issues(profile)
        name = profile_name(profile) if profile is not None else _name_in(text)
        errors = tuple(i for i in issues if i.severity is pv.IssueSeverity.ERROR)
        warnings = tuple(i for i in issues if i.severity is pv.IssueSeverity.WARNING)
        return pv.ProfileCheckView(name=name, valid=not errors, errors=errors, warnings=warnings)

    # -- writing -------------------------------------------------------------------------------------------

    async def save_profile(self, profile: MappingProfile, *, note: str = "",
                           created_by: pv.ProfileAuthor = pv.ProfileAuthor.WINDOW,
                           activate: bool = True) -> pv.ProfileVersionView:
        """Store `profile` as the next version of its name (none when it equals the newest one: `created`
        False) and, with `activate`, put it in use. ValidationError naming each error of its check; its
        warnings come back in the view."""
        issues = profile_issues(profile)
        if any(i.severity is pv.IssueSeverity.ERROR for i in issues):
            raise _refusal(issues, title="Mapping profile not saved")
        name = profile_name(profile)
        version, written = stored.save_profile_version(name=name, json=profile.to_json(), note=note,
                                                       created_by=created_by)
        if activate:
            self._put_in_use(name, version.version, created_by=created_by, note=note)
        warnings = tuple(i for i in issues if i.severity is pv.IssueSeverity.WARNING)
        return self._version_view(version, stored.active_activation(), created=written, warnings=warnings)

    async def import_profile(self, text: str, *, note: str = "",
                             created_by: pv.ProfileAuthor = pv.ProfileAuthor.IMPORT,
                             activate: bool = False) -> pv.ProfileVersionView:
        """A profile file stored as the next version of the name inside it (checked as `save_profile`)."""
        return await self.save_profile(self.profile_from_text(text), note=note or "imported",
                                       created_by=created_by, activate=activate)

    async def activate_profile(self, name: str, version: int | None = None, *,
                               created_by: pv.ProfileAuthor = pv.ProfileAuthor.WINDOW,
                               note: str = "") -> pv.ProfileVersionView:
        """Put version `version` (None: the newest) of `name` in use. NotFoundError for an unknown one;
        ValidationError when that version has errors this app's checks find."""
        found = stored.get_profile_version(name, version)
        if found is None:
            raise self._unknown(name, version)
        profile, issues = _read_issues(found.json)
        issues = profile_issues(profile) if profile is not None else issues
        if any(i.severity is pv.IssueSeverity.ERROR for i in issues):
            raise _refusal(issues, title="Mapping profile not put in use")
        self._put_in_use(name, found.version, created_by=created_by, note=note)
        return self._version_view(found, stored.active_activation())

    async def restore_profile(self, name: str, version: int, *,
                              created_by: pv.ProfileAuthor = pv.ProfileAuthor.WINDOW) -> pv.ProfileVersionView:
        """Bring version `version` back as a new version ("restored from vN") and put it in use."""
        if stored.get_profile_version(name, version) is None:
            raise self._unknown(name, version)
        restored = stored.restore_profile_version(name, version, created_by=created_by)
        self.__dict__.pop("_base_profile", None)
        return self._version_view(restored, stored.active_activation())

    async def preview_profile(self, profile: MappingProfile, *, orders: int = 10) -> pv.ProfilePreviewView:
        """The last `orders` BigCommerce orders (at most 250) as `profile` would invoice them: number, client,
        lines, totals and each order's field errors, with totals per currency. Reads both services, writes
        nothing."""
        if orders < 1 or orders > MAX_PREVIEW_ORDERS:
            raise ValidationError(f"Preview 1 to {MAX_PREVIEW_ORDERS} orders (asked for {orders}).",
                                  field="orders", title="Preview not made")
        async with self._clients() as (bigcommerce, freshbooks):
            taxes = await freshbooks.list_taxes()
            return await preview_orders(bigcommerce=bigcommerce, freshbooks_taxes=taxes,
                                        rule=account_rule(freshbooks.account_id), profile=profile,
                                        name=profile_name(profile), orders=orders,
                                        issues=profile_issues(profile))

    # -- helpers -------------------------------------------------------------------------------------------

    def _put_in_use(self, name: str, version: int, *, created_by: pv.ProfileAuthor, note: str) -> None:
        stored.activate_profile_version(name, version, created_by=created_by, note=note)
        self.__dict__.pop("_base_profile", None)       # a profile set on this service gives way (Settings)

    @staticmethod
    def _version_view(version: stored.StoredProfileVersion, active: stored.ProfileActivation | None, *,
                      created: bool = True, warnings: tuple[pv.ProfileIssueView, ...] = ()
                      ) -> pv.ProfileVersionView:
        in_use = active is not None and (active.name, active.version) == (version.name, version.version)
        return pv.ProfileVersionView(name=version.name, version=version.version, created_at=version.created_at,
                                     note=version.note, created_by=version.created_by, active=in_use,
                                     created=created, warnings=warnings)

    @staticmethod
    def _unknown(name: str, version: int | None = None) -> NotFoundError:
        versions = [v.version for v in stored.list_profile_versions(name)]
        if not versions:
            names = ", ".join(s.name for s in stored.list_profiles()) or "none yet"
            return NotFoundError(f"There is no mapping profile called “{name}” (stored profiles: {names}).",
                                 title="Mapping profile not found")
        return NotFoundError(f"The mapping profile “{name}” has no version {version}; it has versions "
                             f"{min(versions)} to {max(versions)}.", title="Version not found")


def _name_in(text: str) -> str:
    """The "name" in a profile file that does not read as a profile, for the messages about it."""
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError:
        return ""
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else ""

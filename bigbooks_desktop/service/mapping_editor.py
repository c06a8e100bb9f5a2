"""The mapping editor through the facade: open a profile as a draft (`EditorProfileView`), change it (map, unmap,
transforms, rules, suggestions accepted), each change answering a new draft with its issues found again, then
preview, save or put it in use. `BigBooksService` takes these from the `MappingEditor` mixin. Qt-free.

The `editor_*` functions that change a draft are pure and quick (no I/O), so the window calls them directly
and keeps each answer on its undo stack; opening, saving, previewing and suggestions (which read a recent
order for samples) are coroutines.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING

from bigbooks_desktop.core import mapping_editor_views as ev
from bigbooks_desktop.core import profile_views as pv
from bigbooks_desktop.core.errors import BigBooksError, NotFoundError, ValidationError
from bigbooks_desktop.mapping.catalogue import TARGET_FIELDS
from bigbooks_desktop.mapping.field_mappings import PathSource, TemplateSource
from bigbooks_desktop.mapping.profile import MappingProfile, default_profile
from bigbooks_desktop.mapping.source_data import source_data
from bigbooks_desktop.mapping.suggestions import Suggestion, main_path, suggest_all
from bigbooks_desktop.mapping.transforms import TRANSFORMS
from bigbooks_desktop.service.editor_convert import (
    action_summary,
    build_profile,
    draft_of,
    mapping_view,
    new_transform,
    recheck,
)
from bigbooks_desktop.service.mapping_profiles import active_stored_profile
from bigbooks_desktop.store import profiles as stored

if TYPE_CHECKING:
    from bigbooks_desktop.connectors.bigcommerce.client import BigCommerceClient
    from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient

__all__ = ["MappingEditor"]

_SAMPLE_ORDERS = 3        # recent orders read for the suggestions' samples
MAX_PROFILE_NAME = 100    # MappingProfile.name's own limit


def _replace(draft: ev.EditorProfileView, mapping: ev.FieldMappingView) -> tuple[ev.FieldMappingView, ...]:
    """The draft's mappings with `mapping` in its target's place (appended for a target not mapped yet)."""
    mappings = list(draft.field_mappings)
    at = next((i for i, m in enumerate(mappings) if m.target == mapping.target), None)
    if at is None:
        mappings.append(mapping)
    else:
        mappings[at] = mapping
    return tuple(mappings)


def _target_label(target: str) -> str:
    found = TARGET_FIELDS.get(target)
    if found is None:
        raise ValidationError(f"{target} is not a FreshBooks field this app writes.", field="target",
                              title="Unknown field")
    return found.label


def _rule_index(draft: ev.EditorProfileView, index: int) -> int:
    if not 0 <= index < len(draft.rules):
        raise ValidationError(f"There is no rule {index + 1}.", field="rule", title="Unknown rule")
    return index


class MappingEditor:
    """Mixin of `BigBooksService`: the mapping editor's drafts. See the module docstring."""

    if TYPE_CHECKING:  # provided by BigBooksService (MappingProfiles and the facade)
        def _clients(self) -> AbstractAsyncContextManager[tuple[BigCommerceClient, FreshBooksClient]]:
            raise NotImplementedError

        async def save_profile(self, profile: MappingProfile, *, note: str = "",
                               created_by: pv.ProfileAuthor = pv.ProfileAuthor.WINDOW,
                               activate: bool = True) -> pv.ProfileVersionView:
            raise NotImplementedError

        async def preview_profile(self, profile: MappingProfile, *, orders: int = 10) -> pv.ProfilePreviewView:
            raise NotImplementedError

        def profile_from_text(self, text: str) -> MappingProfile:
            raise NotImplementedError

    # -- opening ---------------------------------------------------------------------------------------------

    async def editor_open(self, name: str | None = None, version: int | None = None) -> ev.EditorProfileView:
        """The profile in use (None), or version `version` (None: the newest) of the stored profile `name`, as
        a draft."""
        if name is None:
            profile, in_use = active_stored_profile()
            return draft_of(profile, in_use)
        found = stored.get_profile_version(name, version)
        if found is not None:
            return draft_of(MappingProfile.from_json(found.json), found.version)
        default = default_profile()
        if name == default.name and version is None:
            return draft_of(default, None)
        which = f"version {version} of " if version is not None else ""
        raise NotFoundError(f"There is no {which}mapping profile called “{name}”.",
                            title="Mapping profile not found")

    def editor_from_text(self, text: str, *, name: str | None = None) -> ev.EditorProfileView:
        """A profile file's text (an exported profile, or `template_profile`) as a draft not stored yet, renamed
        `name` when given. ValidationError naming each problem when the text is not a profile."""
        profile = self.profile_from_text(text)
        draft = draft_of(profile, None)
        return self.editor_rename(draft, name) if name is not None else draft

    def editor_rename(self, draft: ev.EditorProfileView, name: str) -> ev.EditorProfileView:
        """The draft under another name, as a profile not stored yet ("Save as"): saving it starts that name's
        history (or adds a version to it, when the name is taken)."""
        name = name.strip()
        if not name or len(name) > MAX_PROFILE_NAME:
            raise ValidationError(f"A profile's name is 1 to {MAX_PROFILE_NAME} characters.", field="name",
                                  title="Name not usable")
        renamed = ev.EditorProfileView(name=name, version=None, field_mappings=draft.field_mappings,
                                       rules=draft.rules, issues=draft.issues, profile_json=draft.profile_json)
        return recheck(renamed)

    def editor_export(self, draft: ev.EditorProfileView) -> str:
        """The draft as a profile file (JSON), as `import_profile` and `editor_from_text` read it back; the
        parts that do not read yet are left out (they are the draft's issues)."""
        profile, _ = build_profile(draft)
        return profile.to_json()

    def editor_transforms(self) -> tuple[ev.TransformChoiceView, ...]:
        """The steps a mapping's chain can take, as the registry lists them."""
        return tuple(ev.TransformChoiceView(name=t.name, label=t.label, description=t.description)
                     for t in TRANSFORMS.values())

    # -- field mappings --------------------------------------------------------------------------------------

    def editor_map(self, draft: ev.EditorProfileView, target: str, source_path: str) -> ev.EditorProfileView:
        """`target` filled from the order field `source_path` (its transforms kept)."""
        old = draft.mapping(target)
        mapping = ev.FieldMappingView(target=target, target_label=_target_label(target),
                                      source_kind=ev.SourceKind.PATH, source_text=source_path,
                                      transforms=old.transforms if old is not None else ())
        return recheck(draft, field_mappings=_replace(draft, mapping))

    def editor_set_source(self, draft: ev.EditorProfileView, target: str, kind: ev.SourceKind,
                          text: str) -> ev.EditorProfileView:
        """`target` filled from an order field, fixed text or a template (its transforms kept)."""
        old = draft.mapping(target)
        mapping = ev.FieldMappingView(target=target, target_label=_target_label(target), source_kind=kind,
                                      source_text=text, transforms=old.transforms if old is not None else (),
                                      tidy_lines=old.tidy_lines if old is not None else True)
        return recheck(draft, field_mappings=_replace(draft, mapping))

    def editor_unmap(self, draft: ev.EditorProfileView, target: str) -> ev.EditorProfileView:
        """`target` no longer mapped (the engine's own default applies, if it has one)."""
        return recheck(draft, field_mappings=tuple(m for m in draft.field_mappings if m.target != target))

    def editor_new_transform(self, name: str) -> ev.TransformView:
        """A step from the registry with its default settings, for `editor_set_transforms`."""
        if name not in TRANSFORMS:
            raise ValidationError(f"There is no transform {name!r}.", field="transform", title="Unknown transform")
        return new_transform(name)

    def editor_set_transforms(self, draft: ev.EditorProfileView, target: str,
                              transforms: Sequence[ev.TransformView]) -> ev.EditorProfileView:
        """`target`'s chain replaced by `transforms` (ValidationError when the target is not mapped)."""
        old = draft.mapping(target)
        if old is None:
            raise ValidationError(f"{_target_label(target)} is not mapped yet; map it first.", field="target",
                                  title="Not mapped")
        mapping = ev.FieldMappingView(target=old.target, target_label=old.target_label,
                                      source_kind=old.source_kind, source_text=old.source_text,
                                      transforms=tuple(transforms), tidy_lines=old.tidy_lines)
        return recheck(draft, field_mappings=_replace(draft, mapping))

    # -- rules -----------------------------------------------------------------------------------------------

    def editor_set_rule(self, draft: ev.EditorProfileView, index: int | None,
                        rule: ev.RuleView) -> ev.EditorProfileView:
        """Rule `index` replaced by `rule` (appended when `index` is None); its summary written anew."""
        rule = ev.RuleView(name=rule.name, when=rule.when, action_kind=rule.action_kind,
                           action_summary=action_summary(rule.action_kind, rule.action_params), enabled=rule.enabled,
                           action_params=rule.action_params, raw_json=rule.raw_json)
        rules = list(draft.rules)
        if index is None:
            rules.append(rule)
        else:
            rules[_rule_index(draft, index)] = rule
        return recheck(draft, rules=rules)

    def editor_remove_rule(self, draft: ev.EditorProfileView, index: int) -> ev.EditorProfileView:
        rules = list(draft.rules)
        del rules[_rule_index(draft, index)]
        return recheck(draft, rules=rules)

    def editor_move_rule(self, draft: ev.EditorProfileView, index: int, to: int) -> ev.EditorProfileView:
        """Rule `index` moved to place `to` (rules run top to bottom)."""
        rules = list(draft.rules)
        rule = rules.pop(_rule_index(draft, index))
        rules.insert(max(0, min(to, len(rules))), rule)
        return recheck(draft, rules=rules)

    def editor_check(self, draft: ev.EditorProfileView) -> ev.EditorProfileView:
        """The draft with its issues found again."""
        return recheck(draft)

    # -- saving, preview, suggestions ------------------------------------------------------------------------

    async def editor_save(self, draft: ev.EditorProfileView, note: str = "", *,
                          activate: bool = False) -> pv.ProfileVersionView:
        """The draft stored as the next version of its name (nothing new when it equals the newest:
        `created` False); with `activate`, put in use. ValidationError naming each error."""
        profile, issues = build_profile(draft)
        errors = [i for i in issues if i.severity is pv.IssueSeverity.ERROR]
        if errors:
            lines = "\n".join(f"- {i.key} {i.part}: {i.message}" for i in errors)
            raise ValidationError(f"The mapping profile has {len(errors)} problem(s) to fix first:\n{lines}",
                                  field="profile", title="Mapping profile not saved")
        return await self.save_profile(profile, note=note, activate=activate)

    async def editor_preview(self, draft: ev.EditorProfileView, orders: int = 5) -> pv.ProfilePreviewView:
        """The last `orders` orders as the draft would invoice them (what does not read is left out)."""
        profile, _ = build_profile(draft)
        return await self.preview_profile(profile, orders=orders)

    async def editor_suggestions(self, draft: ev.EditorProfileView) -> tuple[ev.SuggestionView, ...]:
        """Likely sources for every unmapped target, best first per target, judged with a few recent orders
        as samples when BigCommerce answers (else by names and types alone)."""
        unmapped = [t for t in TARGET_FIELDS if draft.mapping(t) is None]
        if not unmapped:
            return ()
        profile, _ = build_profile(draft)
        mapped = {p for m in profile.field_mappings
                  if isinstance(m.source, PathSource | TemplateSource) and (p := main_path(m.source)) is not None}
        found = suggest_all(unmapped, await self._samples(), mapped=mapped)
        return tuple(ev.SuggestionView(target=s.target, target_label=TARGET_FIELDS[s.target].label,
                                       source=s.source, kind=ev.SourceKind(s.kind), confidence=s.confidence,
                                       reasons=s.reasons)
                     for target in unmapped for s in found.get(target, ()))

    def editor_accept(self, draft: ev.EditorProfileView,
                      suggestions: Sequence[ev.SuggestionView]) -> ev.EditorProfileView:
        """Each suggestion made its target's mapping (ending with "Cut to length" where the source may be longer
        than the target takes)."""
        mappings = draft.field_mappings
        for suggestion in suggestions:
            mapping = Suggestion(target=suggestion.target, source=suggestion.source,
                                 kind="path" if suggestion.kind is ev.SourceKind.PATH else "template",
                                 confidence=suggestion.confidence, reasons=suggestion.reasons).as_field_mapping()
            view = mapping_view(mapping)
            mappings = _replace(ev.EditorProfileView(draft.name, draft.version, mappings, (), (), ""), view)
        return recheck(draft, field_mappings=mappings)

    async def _samples(self) -> list[dict[str, object]]:
        """Source data of the newest few orders (with their first line), or none when they cannot be read."""
        samples: list[dict[str, object]] = []
        try:
            async with self._clients() as (bigcommerce, _):
                listing = bigcommerce.iter_orders(sort="date_created:desc", limit=_SAMPLE_ORDERS)
                try:
                    async for order in listing:
                        detail = await bigcommerce.get_order_detail(order)
                        customer = await bigcommerce.get_customer(order.customer_id) if order.customer_id else None
                        line = detail.products[0] if detail.products else None
                        samples.append(source_data(detail, line=line, customer=customer))
                        if len(samples) >= _SAMPLE_ORDERS:
                            break
                finally:
                    close = getattr(listing, "aclose", None)     # an async generator: stop it now
                    if close is not None:
                        await close()
        except BigBooksError:
            return samples
        return samples

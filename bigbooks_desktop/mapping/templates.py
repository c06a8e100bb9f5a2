"""Profile text templates ("{options}\\nSKU: {sku}"): a line whose placeholders are all empty is dropped."""

from __future__ import annotations

from string import Formatter

from bigbooks_desktop.core.errors import DataError

__all__ = ["fill_lines"]


def fill_lines(template: str, **values: str) -> str:
    """Fill each line of `template`; drop lines whose placeholders are all empty, and blank lines."""
    out: list[str] = []
    for raw in template.splitlines():
        try:
            fields = [name for _text, name, _spec, _conv in Formatter().parse(raw) if name is not None]
            if fields and not any(values.get(name, "") for name in fields):
                continue
            text = raw.format(**values).strip()
        except (KeyError, IndexError, ValueError) as exc:
            raise DataError(f"The mapping profile template line {raw!r} is not valid ({exc}); known "
                            f"placeholders: {', '.join(sorted(values))}.", field="profile") from exc
        if text:
            out.append(text)
    return "\n".join(out)

"""Transforms that write dates and numbers as text, and read text as a number.

Dates are written in the store's timezone with English month and day names, whatever the computer's language;
numbers are exact decimals rounded half up (as BigCommerce rounds money), never floating point.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, Literal

from pydantic import Field

from bigbooks_desktop.core.errors import DataError
from bigbooks_desktop.core.money import MoneyParseError, to_decimal
from bigbooks_desktop.mapping.catalogue import TargetScope, ValueType
from bigbooks_desktop.mapping.source_data import is_empty, store_zone
from bigbooks_desktop.mapping.transform_base import Flow, Step, TransformContext

__all__ = ["DateFormat", "NumberFormat", "ToNumber"]

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# directive -> (longest output, needs a time of day)
_DIRECTIVES: dict[str, tuple[int, bool]] = {
    "Y": (4, False), "y": (2, False), "m": (2, False), "-m": (2, False), "d": (2, False), "-d": (2, False),
    "B": (9, False), "b": (3, False), "A": (9, False), "a": (3, False), "j": (3, False), "H": (2, True),
    "-H": (2, True), "I": (2, True), "-I": (2, True), "M": (2, True), "S": (2, True), "p": (2, True),
    "z": (5, True), "Z": (6, True), "%": (1, False),
}
_DIRECTIVE = re.compile(r"%(-?.)")


def _directive(code: str, moment: date) -> str:
    stamp = moment if isinstance(moment, datetime) else None
    hour = stamp.hour if stamp else 0
    values = {
        "Y": f"{moment.year:04d}", "y": f"{moment.year % 100:02d}", "m": f"{moment.month:02d}",
        "-m": str(moment.month), "d": f"{moment.day:02d}", "-d": str(moment.day),
        "B": _MONTHS[moment.month - 1], "b": _MONTHS[moment.month - 1][:3], "A": _DAYS[moment.weekday()],
        "a": _DAYS[moment.weekday()][:3], "j": f"{moment.timetuple().tm_yday:03d}", "H": f"{hour:02d}",
        "-H": str(hour), "I": f"{(hour % 12) or 12:02d}", "-I": str((hour % 12) or 12),
        "M": f"{stamp.minute if stamp else 0:02d}", "S": f"{stamp.second if stamp else 0:02d}",
        "p": "AM" if hour < 12 else "PM", "z": stamp.strftime("%z") if stamp else "",
        "Z": (stamp.tzname() or "") if stamp else "", "%": "%",
    }
    return values[code]


class DateFormat(Step):
    label: ClassVar[str] = "Format date"
    description: ClassVar[str] = ("Writes a date the way you want, in the store's timezone, with English names: "
                                  "%d/%m/%Y -> 01/03/2025, %B %-d, %Y -> March 1, 2025. Codes: %Y %y %m %-m %d "
                                  "%-d %B %b %A %a %j %H %-H %I %-I %M %S %p %z %Z %%.")
    accepts: ClassVar[frozenset[ValueType] | None] = frozenset({"date", "datetime"})
    name: Literal["date_format"] = "date_format"
    pattern: str = Field(default="%Y-%m-%d", min_length=1)

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        if value is None or value == "":
            return ""
        if isinstance(value, datetime):
            moment: date = value.astimezone(store_zone(ctx.timezone)) if value.tzinfo else value
        elif isinstance(value, date):
            moment = value
        else:
            raise DataError(f"Format date got {value!r}, which is not a date.", field="mapping")
        unknown = self._unknown()
        if unknown:
            raise DataError(f"The date pattern {self.pattern!r} uses unknown codes {', '.join(unknown)}.",
                            field="mapping")
        return _DIRECTIVE.sub(lambda m: _directive(m[1], moment), self.pattern)

    def _unknown(self) -> list[str]:
        codes = [f"%{c}" for c in _DIRECTIVE.findall(self.pattern) if c not in _DIRECTIVES]
        return codes + (["% (alone; write %% for a percent sign)"] if "%" in _DIRECTIVE.sub("", self.pattern) else [])

    def flow(self, before: Flow, max_length: int | None) -> Flow:
        literal = len(_DIRECTIVE.sub("", self.pattern))
        return Flow("text", literal + sum(_DIRECTIVES.get(c, (0, False))[0] for c in _DIRECTIVE.findall(
            self.pattern)))

    def problems(self, before: Flow, scope: TargetScope) -> list[str]:
        found = super().problems(before, scope)
        unknown = self._unknown()
        if unknown:
            found.append(f"unknown date codes {', '.join(unknown)}; see the list in the description")
        timed = [f"%{c}" for c in _DIRECTIVE.findall(self.pattern) if _DIRECTIVES.get(c, (0, False))[1]]
        if before.type == "date" and timed:
            found.append(f"{', '.join(timed)} need a time of day, but the value is a date")
        return found


class NumberFormat(Step):
    label: ClassVar[str] = "Format number"
    description: ClassVar[str] = ("Rounds to a number of decimal places (half up) and writes it with your "
                                  "separators: 1234.5 -> 1,234.50 or 1.234,50.")
    accepts: ClassVar[frozenset[ValueType] | None] = frozenset({"number", "integer"})
    name: Literal["number_format"] = "number_format"
    places: int = Field(default=2, ge=0, le=10)
    thousands: str = Field(default="", max_length=3)
    decimal_point: str = Field(default=".", max_length=3)

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            raise DataError(f"Format number got {value!r}, which is not a number.", field="mapping")
        try:
            number = to_decimal(value)
        except MoneyParseError as exc:
            raise DataError(f"Format number got {value!r}, which is not a number.", field="mapping") from exc
        rounded = number.quantize(Decimal(1).scaleb(-self.places), rounding=ROUND_HALF_UP)
        if rounded == 0:
            rounded = abs(rounded)          # no "-0.00"
        text = format(rounded, ",f" if self.thousands else "f")
        return text.replace(",", "\0").replace(".", self.decimal_point).replace("\0", self.thousands)

    def flow(self, before: Flow, max_length: int | None) -> Flow:
        if before.length is None:
            return Flow("text", None)
        digits = before.length + 1        # rounding up can add a digit (9.995 -> 10.00)
        grouped = digits + (digits // 3) * len(self.thousands)
        return Flow("text", grouped + (self.places + len(self.decimal_point) if self.places else 0))


class ToNumber(Step):
    label: ClassVar[str] = "Read as number"
    description: ClassVar[str] = ("Reads text such as \"30\" or \"12.50\" as a number (whole, for fields such "
                                  "as due days); empty stays empty; other text stops the order for review.")
    accepts: ClassVar[frozenset[ValueType] | None] = frozenset({"text", "number", "integer"})
    name: Literal["to_number"] = "to_number"
    whole: bool = False

    def apply(self, value: Any, ctx: TransformContext) -> Any:
        if is_empty(value) or (isinstance(value, str) and not value.strip()):
            return None
        try:
            number = to_decimal(value.strip() if isinstance(value, str) else value)
        except MoneyParseError as exc:
            raise DataError(f"{value!r} is not a number; fix the value or the mapping.", field="mapping") from exc
        if not self.whole:
            return number
        if number != number.to_integral_value():
            raise DataError(f"{value!r} is not a whole number; fix the value or the mapping.", field="mapping")
        return int(number)

    def flow(self, before: Flow, max_length: int | None) -> Flow:
        return Flow("integer", 20) if self.whole else Flow("number", None)

"""The figures a directive asks for (`indicators` in the directive file) and how the figures of many units make
one: `rollup` is `sum` (a count: activities, participants, books), `mean` (a rate, a share or an average: the
average of the units that reported it) or `none` (each unit's figure listed, no total). A rate or an average
added up means nothing, so an indicator in "%" (or named "Tỷ lệ …", "Bình quân …") without a `rollup` is
averaged, never summed."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cascade.rendering.render import vn_number

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
INDICATOR_TYPES = ("int", "number")
ROLLUPS = ("sum", "mean", "none")
RATE_UNITS = ("%", "‰")
RATE_NAMES = ("tỷ lệ", "tỉ lệ", "bình quân", "trung bình", "điểm trung bình", "điểm bình quân")
MEAN_DECIMALS = 2  # an average is shown to 2 decimals (51,13%), whatever the digits of the division

Fail = Callable[[str, str], None]  # (message, entry)


def rounded(value: float) -> float:
    """An average to MEAN_DECIMALS, half up as a clerk rounds (51,125 is 51,13), not to the nearest even float."""
    exact = Decimal(repr(value)).quantize(Decimal(1).scaleb(-MEAN_DECIMALS), rounding=ROUND_HALF_UP)
    return float(exact)


def _folded(text: object) -> str:
    return unicodedata.normalize("NFC", str(text or "")).strip().casefold()


def default_rollup(unit: object, name: object) -> str:
    """`mean` for a rate ("%", "‰", "Tỷ lệ …", "Bình quân …"), else `sum`."""
    unit_text, name_text = _folded(unit), _folded(name)
    rate = any(u in unit_text for u in RATE_UNITS) or any(unit_text.startswith(w) for w in RATE_NAMES)
    return "mean" if rate or any(name_text.startswith(w) for w in RATE_NAMES) else "sum"


def rollup_rule(indicator: Mapping[str, Any]) -> str:
    """How an indicator's figures combine: its `rollup`, else the default for its unit and name. Read this way,
    not from a stored default, so that a plan stored before `rollup` existed reads the same."""
    given = indicator.get("rollup")
    return given if given in ROLLUPS else default_rollup(indicator.get("unit"), indicator.get("name"))


def rollup_rules(indicators: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return {str(ind["code"]): rollup_rule(ind) for ind in indicators}


def parse_indicator(item: object, entry: str, seen: set[str], fail: Fail) -> dict[str, str] | None:
    """One entry of `indicators`: {code, name, unit, type, rollup?}; None (and a problem) when it is wrong."""
    if not isinstance(item, dict) or not item.get("code") or not item.get("name"):
        fail("each indicator needs `code`, `name`, `unit` and `type`", entry)
        return None
    code, kind = str(item["code"]).strip(), str(item.get("type", "int")).strip()
    rollup = item.get("rollup")
    if not CODE_RE.match(code) or code in seen:
        fail(f"indicator code {code!r} must be unique, lowercase letters, digits and _", entry)
    elif kind not in INDICATOR_TYPES:
        fail(f"indicator type {kind!r} must be int or number", entry)
    elif rollup is not None and rollup not in ROLLUPS:
        fail(f"indicator {code!r}: rollup {rollup!r} must be sum, mean or none", entry)
    else:
        seen.add(code)
        found = {"code": code, "name": str(item["name"]).strip(), "unit": str(item.get("unit") or ""), "type": kind}
        # stored only when the file says it: a plan without it keeps comparing equal (cascade amend)
        return found | ({"rollup": str(rollup)} if rollup is not None else {})
    return None


@dataclass
class Tally:
    """Figures gathered from units up a tree: per indicator, the sum and how many units gave a figure. Tallies
    merge (a unit's own figures, then each subtree's), so an average is over the units, not over averages."""

    sums: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, figures: Mapping[str, float]) -> Tally:
        return cls(sums=dict(figures), counts=dict.fromkeys(figures, 1))

    def merge(self, other: Tally) -> None:
        for code, value in other.sums.items():
            self.sums[code] = self.sums.get(code, 0) + value
            self.counts[code] = self.counts.get(code, 0) + other.counts[code]

    def values(self, rules: Mapping[str, str]) -> dict[str, float]:
        """The total of each `sum` indicator and the average of each `mean` one; `none` ones have no total."""
        out: dict[str, float] = {}
        for code, total in self.sums.items():
            rule = rules.get(code, "sum")
            if rule == "sum":
                out[code] = total
            elif rule == "mean":
                out[code] = rounded(total / self.counts[code])
        return out


def rolled_figures(tally: Tally, own: Mapping[str, float], rules: Mapping[str, str]) -> dict[str, float]:
    """What a unit sends up: the tally of its subtree, and for a `none` indicator its own figure (no total)."""
    return tally.values(rules) | {code: v for code, v in own.items() if rules.get(code) == "none"}


def total_text(rule: str, totals: Mapping[str, float], counts: Mapping[str, int], code: str) -> str:
    """A total as the report writes it: "2.200", "51,13 (bình quân của 4 đơn vị)", or that there is none."""
    if rule == "none":
        return "Không cộng (xem số liệu từng đơn vị)"
    if code not in totals:
        return "–"
    shown = vn_number(totals[code])
    return f"{shown} (bình quân của {counts.get(code, 0)} đơn vị)" if rule == "mean" else shown

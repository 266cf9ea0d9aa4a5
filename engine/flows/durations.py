"""ISO 8601 durations (`P3D`, `PT2H`, `-P30D`, `P1W`) as flows write due times, waits and offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from engine.model_words import Refusal

_ISO = re.compile(r"^(?P<sign>[-+])?P(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?"
                  r"(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$")


@dataclass(frozen=True)
class Duration:
    """Whole days and a time part, kept apart so working-day arithmetic can count them differently."""

    days: int = 0
    seconds: int = 0
    negative: bool = False

    @property
    def delta(self) -> timedelta:
        delta = timedelta(days=self.days, seconds=self.seconds)
        return -delta if self.negative else delta


def parse_duration(text: str) -> Duration:
    """`P1DT4H` -> Duration(1, 14400); ValueError naming the expected form otherwise."""
    match = _ISO.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None or text.strip().lstrip("+-") in ("P", "PT") or text.strip().endswith("T"):
        raise Refusal(f"{text!r} 不是有效的时长（ISO 8601，如 P3D、PT2H 或 -P30D）",
                      f"{text!r} is not an ISO 8601 duration such as P3D, PT2H or -P30D")
    part = {k: int(v) if v else 0 for k, v in match.groupdict().items() if k != "sign"}
    return Duration(part["w"] * 7 + part["d"], part["h"] * 3600 + part["m"] * 60 + part["s"],
                    match.group("sign") == "-")


__all__ = ["Duration", "parse_duration"]

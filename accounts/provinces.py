"""The 31 provincial-level divisions (GB/T 2260 two-digit codes) and their seven regions.

Loaded once from the copy of shared/data/provinces.csv kept beside this module.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.utils.functional import lazy
from django.utils.translation import get_language


@dataclass(frozen=True)
class Province:
    code: str
    name_zh: str
    name_en: str
    region: str
    region_zh: str
    universities_weight: int


def _load() -> dict[str, Province]:
    with open(Path(__file__).parent / "data" / "provinces.csv", encoding="utf-8") as fh:
        rows = csv.DictReader(fh)
        return {
            row["code"]: Province(
                code=row["code"],
                name_zh=row["name_zh"],
                name_en=row["name_en"],
                region=row["region"],
                region_zh=row["region_zh"],
                universities_weight=int(row["universities_weight"]),
            )
            for row in rows
        }


PROVINCES: dict[str, Province] = _load()


def _localised(zh: str, en: str) -> str:
    return zh if (get_language() or "zh-hans").startswith("zh") else en


localised = lazy(_localised, str)

PROVINCE_CHOICES = [(p.code, localised(p.name_zh, p.name_en)) for p in PROVINCES.values()]


def region_of(code: str) -> str:
    return PROVINCES[code].region

"""Category maps shipped with the package: canonical categories, SPVM labels, UCR2 codes."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files


@dataclass(frozen=True)
class Category:
    """A canonical category and its group (person / property / other)."""

    code: str
    group: str
    label_fr: str
    label_en: str


@dataclass(frozen=True)
class Violation:
    """A UCR2 violation code, its labels and the canonical category it maps to."""

    code: str
    label_en: str
    label_fr: str
    category: str
    group: str
    violent: bool


def _rows(name: str) -> list[dict[str, str]]:
    with (files("urbansafety.taxonomy") / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def categories() -> dict[str, Category]:
    """Return the canonical categories by code."""
    return {
        r["category"]: Category(r["category"], r["group"], r["label_fr"], r["label_en"])
        for r in _rows("categories.csv")
    }


@lru_cache(maxsize=1)
def groups() -> dict[str, tuple[str, str]]:
    """Return the groups' (French, English) labels by code."""
    return {r["group"]: (r["label_fr"], r["label_en"]) for r in _rows("groups.csv")}


@lru_cache(maxsize=1)
def spvm_categories() -> dict[str, str]:
    """Return the SPVM open-data labels (official and variant spellings) → canonical category."""
    return {r["source_label"]: r["category"] for r in _rows("spvm_categories.csv")}


@lru_cache(maxsize=1)
def ucr2_violations() -> dict[str, Violation]:
    """Return the UCR2 violation codes → Violation (see SOURCES.md for provenance)."""
    return {
        r["violation_code"]: Violation(
            r["violation_code"],
            r["label_en"],
            r["label_fr"],
            r["category"],
            r["group"],
            r["violent"].strip().lower() == "true",
        )
        for r in _rows("ucr2_violations.csv")
    }

"""Bring your own data: import CSV, Parquet and Excel exports into the contract tables.

The flow: ``load_mapping`` (or ``parse_mapping``) -> ``plan_import`` (read, transform, check;
writes nothing) -> ``apply_import`` (one transaction). ``docs/import.md`` is the reference of
the mapping format.
"""

from __future__ import annotations

from loaders.imports.log import defaulted_columns
from loaders.imports.mapping import ImportMapping, MappingError, load_mapping, parse_mapping
from loaders.imports.plan import ImportPlan, plan_import
from loaders.imports.problems import ImportRejected, Problem
from loaders.imports.transform import DefaultedColumn
from loaders.imports.write import ImportResult, apply_import

__all__ = [
    "DefaultedColumn",
    "ImportMapping",
    "ImportPlan",
    "ImportRejected",
    "ImportResult",
    "MappingError",
    "Problem",
    "apply_import",
    "defaulted_columns",
    "load_mapping",
    "parse_mapping",
    "plan_import",
]

"""Any table in, validated polars columns out.

Every public function that takes a table calls :func:`to_frame` once (``_read``), then
the column checks (``_checks``). They raise :class:`hrh.InputError` naming the column,
the row and the value, and never modify the caller's data. Group keys become dense
integer codes, and grouped sums are exact (``_codes``).
"""

from __future__ import annotations

from hrh._frames._checks import (
    FloatArray,
    Nulls,
    arrays_as_arguments,
    as_list,
    broadcast,
    check_key_type,
    check_level,
    check_nan,
    check_no_nulls,
    check_numeric,
    check_positive,
    check_unique_keys,
    column_array,
    drop_nulls,
    float_array,
    require_columns,
    warn_dropped,
)
from hrh._frames._checks import _first as _first
from hrh._frames._codes import (
    StringKeyedSums,
    coded_sums,
    first_seen_codes,
    group_codes,
    grouped_sums,
    keyed_table,
    rows_of,
    sums_table,
    value_codes,
)
from hrh._frames._read import to_frame

__all__ = [
    "FloatArray",
    "Nulls",
    "StringKeyedSums",
    "arrays_as_arguments",
    "as_list",
    "broadcast",
    "check_key_type",
    "check_level",
    "check_nan",
    "check_no_nulls",
    "check_numeric",
    "check_positive",
    "check_unique_keys",
    "coded_sums",
    "column_array",
    "drop_nulls",
    "first_seen_codes",
    "float_array",
    "group_codes",
    "grouped_sums",
    "keyed_table",
    "require_columns",
    "rows_of",
    "sums_table",
    "to_frame",
    "value_codes",
    "warn_dropped",
]

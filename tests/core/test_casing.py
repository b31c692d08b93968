"""Unit tests for ``wxcloud.casing``: the documented rules of wx-server-sdk's ``convertCase``.

Expected values were cross-checked against the SDK itself (``devtools/wxsdk_oracle.js``); the
generated comparison lives in ``tests/core/test_casing_differential.py``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from wxcloud.casing import camel_to_snake, convert_keys, snake_to_camel


def keys(value: dict[str, Any]) -> list[str]:
    return list(value)


# --------------------------------------------------------------------------- key rules


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("beginDate", "begin_date"),
        ("ABC", "a_b_c"),  # index 0 gets no underscore, the rest do
        ("Abc", "abc"),
        ("visitUVNew", "visit_u_v_new"),
        ("begin_date", "begin_date"),  # snake_case passes unchanged
        ("x1Y2", "x1_y2"),
        ("", ""),
        ("Ärger", "Ärger"),  # only ASCII capitals
        ("éA", "é_a"),
        ("_A", "__a"),
    ],
)
def test_camel_to_snake(name: str, expected: str) -> None:
    assert camel_to_snake(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("stay_time_uv", "stayTimeUv"),
        ("begin_date", "beginDate"),
        ("x_1", "x_1"),  # "_" not followed by [a-z] stays
        ("a__b", "a_B"),
        ("_a", "A"),
        ("a_", "a_"),
        ("a_B", "a_B"),
        ("beginDate", "beginDate"),
        ("__", "__"),
        ("", ""),
        ("é_a", "éA"),
        ("a_é", "a_é"),  # only ASCII lower case after the underscore
    ],
)
def test_snake_to_camel(name: str, expected: str) -> None:
    assert snake_to_camel(name) == expected


# --------------------------------------------------------------------------- trees


def test_nested_objects_recursive() -> None:
    data = {"beginDate": "20170313", "list": {"visitUvNew": 5, "inner": {"stayTimeUv": 1.5}}}
    assert convert_keys(data, "camel_to_snake") == {
        "begin_date": "20170313",
        "list": {"visit_uv_new": 5, "inner": {"stay_time_uv": 1.5}},
    }


def test_nested_objects_not_recursive() -> None:
    data = {"beginDate": 1, "refDate": {"visitUv": 2}}
    assert convert_keys(data, "camel_to_snake", recursive=False) == {
        "begin_date": 1,
        "ref_date": {"visitUv": 2},
    }


def test_arrays_of_objects() -> None:
    data = {"list": [{"refDate": "20170313", "visitUvNew": 5}, {"refDate": "20170314"}]}
    assert convert_keys(data, "camel_to_snake") == {
        "list": [{"ref_date": "20170313", "visit_uv_new": 5}, {"ref_date": "20170314"}]
    }


def test_arrays_of_arrays() -> None:
    data = [[{"aB": 1}, [{"cD": 2}]], {"eF": [[{"gH": 3}]]}]
    assert convert_keys(data, "camel_to_snake") == [
        [{"a_b": 1}, [{"c_d": 2}]],
        {"e_f": [[{"g_h": 3}]]},
    ]


def test_top_level_array_not_recursive() -> None:
    # Objects directly in the array are converted (shallowly); nested arrays are left alone.
    data = [{"aB": {"cD": 1}}, [{"eF": 1}], "gH", 1]
    assert convert_keys(data, "camel_to_snake", recursive=False) == [
        {"a_b": {"cD": 1}},
        [{"eF": 1}],
        "gH",
        1,
    ]


def test_snake_to_camel_tree() -> None:
    data = {"stay_time_uv": 1, "list": [{"ref_date": "x", "x_1": None}], "a__b": {"_a": True}}
    assert convert_keys(data, "snake_to_camel") == {
        "stayTimeUv": 1,
        "list": [{"refDate": "x", "x_1": None}],
        "a_B": {"A": True},
    }


@pytest.mark.parametrize(
    "value",
    [
        56.4112,
        0.1,
        -2.5e-7,
        1e300,
        2**53,
        -(2**53),
        2**64 + 1,  # Python-only big int: still untouched
        0,
        True,
        False,
        None,
        "beginDate",  # strings in value position are never converted
        "a_b",
    ],
)
def test_values_untouched(value: Any) -> None:
    out = convert_keys({"someKey": value, "list": [value, [value]]}, "camel_to_snake")
    assert out == {"some_key": value, "list": [value, [value]]}
    assert type(out["some_key"]) is type(value)
    assert json.dumps(out["some_key"]) == json.dumps(value)


@pytest.mark.parametrize("value", [56.4112, 10**30, None, True, 0])
def test_top_level_scalars_untouched(value: Any) -> None:
    for direction in ("camel_to_snake", "snake_to_camel"):
        assert convert_keys(value, direction) == value


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [
        ("beginDate", "camel_to_snake", "begin_date"),
        ("ABC", "camel_to_snake", "a_b_c"),
        ("stay_time_uv", "snake_to_camel", "stayTimeUv"),
        ("a__b", "snake_to_camel", "a_B"),
    ],
)
def test_top_level_string_is_converted_like_a_key(value: str, direction: Any, expected: str) -> None:
    # The SDK's convertCase converts a bare string argument; inside a tree strings are values.
    assert convert_keys(value, direction) == expected
    assert convert_keys([value], direction) == [value]


def test_input_not_mutated() -> None:
    data: dict[str, Any] = {"aB": {"cD": [{"eF": 1}]}, "a_b": 2, "10": 3, "x": [[{"yZ": 4}]]}
    snapshot = copy.deepcopy(data)
    convert_keys(data, "camel_to_snake")
    convert_keys(data, "snake_to_camel", recursive=False)
    assert data == snapshot
    assert json.dumps(data) == json.dumps(snapshot)  # order too


# --------------------------------------------------------------------------- collisions (SDK loop)


def test_collision_camel_to_snake_camel_key_wins_either_order() -> None:
    # "aB" is visited first, writes a_b := aB's value; then "a_b" re-writes itself with that value.
    assert convert_keys({"aB": 1, "a_b": 2}, "camel_to_snake") == {"a_b": 1}
    # "a_b" stays; then "aB" overwrites a_b.
    assert convert_keys({"a_b": 2, "aB": 1}, "camel_to_snake") == {"a_b": 1}


def test_collision_snake_to_camel_snake_key_wins_either_order() -> None:
    assert convert_keys({"aB": 2, "a_b": 1}, "snake_to_camel") == {"aB": 1}
    out = convert_keys({"a_b": 1, "x": 0, "aB": 2}, "snake_to_camel")
    assert out == {"x": 0, "aB": 1}
    assert keys(out) == ["x", "aB"]  # the surviving "aB" keeps its original slot


def test_collision_nested_value_comes_from_winner() -> None:
    data = {"aB": {"cD": 1}, "a_b": {"e_f": 2}}
    assert convert_keys(data, "camel_to_snake") == {"a_b": {"c_d": 1}}


def test_collision_three_way() -> None:
    # "Ab" and "ab" both become "ab" (capital at index 0 has no underscore).
    assert convert_keys({"Ab": 1, "ab": 2}, "camel_to_snake") == {"ab": 1}
    # "_a" -> "A", "A" stays: the later visit re-writes A with the current A.
    assert convert_keys({"_a": 1, "A": 2}, "snake_to_camel") == {"A": 1}


# --------------------------------------------------------------------------- JavaScript key order


def test_renamed_key_moves_to_the_end() -> None:
    out = convert_keys({"fooBar": 1, "baz": 2}, "camel_to_snake")
    assert keys(out) == ["baz", "foo_bar"]


def test_array_index_keys_first_ascending() -> None:
    out = convert_keys({"b": 1, "10": 2, "2": 3}, "camel_to_snake")
    assert out == {"2": 3, "10": 2, "b": 1}
    assert keys(out) == ["2", "10", "b"]


def test_array_index_boundaries() -> None:
    data = {"x": 1, "4294967295": 2, "4294967294": 3, "01": 4, "1": 5, "-1": 6, "0": 7}
    out = convert_keys(data, "snake_to_camel")
    # 2**32 - 2 is the largest array index; "01" and "-1" are ordinary string keys.
    assert keys(out) == ["0", "1", "4294967294", "x", "4294967295", "01", "-1"]


def test_array_index_order_also_when_nothing_converts() -> None:
    out = convert_keys({"z": {"9": 0, "a": 1, "3": 2}}, "camel_to_snake")
    assert keys(out) == ["z"]
    assert keys(out["z"]) == ["3", "9", "a"]

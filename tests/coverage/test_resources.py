"""The stack's type index (``resources.of_type``): stack order, and never a stale answer for another sequence."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalk_policy.coverage.resources import Resource, has_type, of_type

TYPES = ("a:b:C", "a:b:D", "a:b:E")


def _stack(types: list[str]) -> list[Resource]:
    return [Resource(kind, f"urn:{index}", f"r{index}", {}) for index, kind in enumerate(types)]


@given(st.lists(st.sampled_from(TYPES), max_size=30), st.sets(st.sampled_from(TYPES), min_size=1))
def test_of_type_is_the_filtered_stack_in_stack_order(types: list[str], wanted: set[str]) -> None:
    stack = _stack(types)
    assert of_type(stack, *wanted) == [resource for resource in stack if resource.type in wanted]
    assert has_type(stack, wanted) == any(resource.type in wanted for resource in stack)


def test_a_new_sequence_is_indexed_anew_even_with_the_same_length() -> None:
    first, second = _stack(["a:b:C", "a:b:D"]), _stack(["a:b:D", "a:b:D"])
    assert [r.urn for r in of_type(first, "a:b:C")] == ["urn:0"]
    assert of_type(second, "a:b:C") == []
    assert [r.urn for r in of_type(second, "a:b:D")] == ["urn:0", "urn:1"]
    assert [r.urn for r in of_type(first, "a:b:D")] == ["urn:1"]

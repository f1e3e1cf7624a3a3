"""Fragment fan-out: every check before execution takes time linear in the document.

A fragment spreading the next one twice, twenty times over, is 864 bytes that stand for
2^20 selections; the depth and alias rules used to expand the spreads at every use and
held a process for 10 s (each fragment more doubled it). The shapes below are that one
and others like it; each is sent through the whole schema (parse, validation, the cost
count, execution when it is allowed) and must be refused or answered in well under 50 ms,
with time and counted work growing in proportion to the document.
"""

from __future__ import annotations

import itertools
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from graphql import (
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Visitor,
    parse,
    visit,
)

from infra.settings import Settings
from resolvers.context import Context
from schema import build_schema
from schema.cost import OperationCost
from schema.limits import DocumentFigures

Shape = Callable[[int], str]


def chain(n: int) -> str:
    """The probe's document: each fragment spreads the next one twice."""
    fragments = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n)]
    return f"query {{ ...F0 }} {' '.join(fragments)} fragment F{n} on Query {{ __typename }}"


def wide(n: int) -> str:
    """Fields, and the next fragment spread four times."""
    fragments = [
        f"fragment F{i} on Query {{ __typename unreadNotificationCount "
        f"{' '.join([f'...F{i + 1}'] * 4)} }}"
        for i in range(n)
    ]
    return f"query {{ ...F0 }} {' '.join(fragments)} fragment F{n} on Query {{ __typename }}"


def aliases(n: int) -> str:
    """An alias in each fragment: 2^(n+1) - 1 aliases once expanded."""
    fragments = [
        f"fragment F{i} on Query {{ a{i}: __typename ...F{i + 1} ...F{i + 1} }}" for i in range(n)
    ]
    return f"query {{ ...F0 }} {' '.join(fragments)} fragment F{n} on Query {{ z: __typename }}"


def in_a_list(n: int) -> str:
    """The fan-out inside a list field's items."""
    fragments = [f"fragment C{i} on MyCard {{ ...C{i + 1} ...C{i + 1} }}" for i in range(n)]
    last = f"fragment C{n} on MyCard {{ code }}"
    return f"query {{ myCards {{ ...C0 }} }} {' '.join(fragments)} {last}"


def of_lists(n: int) -> str:
    """Each fragment selects a paged list and spreads the next twice."""
    fragments = [
        f"fragment F{i} on Query {{ feed(first: 50) {{ items {{ __typename }} }} "
        f"...F{i + 1} ...F{i + 1} }}"
        for i in range(n)
    ]
    last = f"fragment F{n} on Query {{ schoolYears {{ id }} }}"
    return f"query {{ ...F0 }} {' '.join(fragments)} {last}"


def nested(n: int) -> str:
    """Fragments reached through object fields, spread twice at every level."""
    fragments = [
        f"fragment D{i} on Delegation {{ partner {{ ...P{i} ...P{i} }} }} "
        f"fragment P{i} on Partner {{ delegates {{ ...D{i + 1} ...D{i + 1} }} }}"
        for i in range(n)
    ]
    return (
        f"query {{ me {{ delegations {{ ...D0 }} }} }} {' '.join(fragments)} "
        f"fragment D{n} on Delegation {{ partner {{ id }} }}"
    )


SHAPES: dict[str, Shape] = {
    "chain": chain,
    "wide": wide,
    "aliases": aliases,
    "in-a-list": in_a_list,
    "of-lists": of_lists,
    "nested": nested,
}
REFUSALS = {"QUERY_TOO_COMPLEX", "TOO_MANY_ALIASES", "QUERY_TOO_DEEP"}


@pytest.fixture(scope="module")
def schema():
    return build_schema(Settings(environment="test"))


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt a runaway check (the old code took hours) instead of hanging the suite."""

    def interrupt(*_args: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_runs = itertools.count()


async def answer(schema, document: str, runs: int = 3) -> tuple[float, list[dict]]:
    """CPU seconds this process spent to refuse or answer `document` (best of `runs`, each
    a text never seen before, so the document cache does not help), and the errors of the
    last answer. CPU time, not wall time: the other processes of a busy machine do not
    count, and the work is all CPU (the deadline, in wall time, stops a runaway)."""
    best = float("inf")
    for _ in range(runs):
        text = f"{document} # {next(_runs)}"
        started = time.process_time()
        with deadline(5):
            result = await schema.execute(text, context_value=Context(request=None))
        best = min(best, time.process_time() - started)
    return best, [error.formatted for error in result.errors or []]


def selection_sets(document: str) -> int:
    count = 0

    class Count(Visitor):
        def enter_selection_set(self, *_args: object) -> None:
            nonlocal count
            count += 1

    visit(parse(document, max_tokens=None), Count())
    return count


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
async def test_time_and_work_grow_linearly_with_10_20_and_40_fragments(schema, shape):
    figures: list[tuple[int, int, float, int, int]] = []
    for n in (10, 20, 40):
        document = shape(n)
        seconds, errors = await answer(schema, document)
        codes = {e.get("extensions", {}).get("code") for e in errors}
        parsed = parse(document)
        [operation] = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
        limits, cost = DocumentFigures(parsed), OperationCost(schema._schema, parsed, {}, 10)
        limits.of(operation.selection_set)
        cost.of(operation)
        figures.append((n, len(document), seconds, limits.walked, cost.walked))
        print(
            f"{shape.__name__:9} n={n:2} {len(document):5} B {seconds * 1000:6.2f} ms CPU, "
            f"walked {limits.walked}+{cost.walked} of {selection_sets(document)} "
            f"selection sets, {sorted(c for c in codes if c) or 'answered'}"
        )
        # Each selection set is walked at most once by each count.
        assert max(limits.walked, cost.walked) <= selection_sets(document)
        assert seconds < 0.05
        if n == 40:  # 2^40 selections once expanded: refused, never run
            assert codes & REFUSALS, errors
    (_, size10, time10, *_), _, (_, size40, time40, *_) = figures
    # Linear: 4x the document, about 4x the time; doubling per fragment would be 2^30x.
    # A generous margin (and a 2 ms floor) keeps a busy machine from failing it.
    assert time40 <= 4 * (size40 / size10) * max(time10, 0.002)


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
async def test_a_2_kb_fan_out_document_is_refused_in_under_50_ms(schema, shape):
    n = next(n for n in itertools.count(10) if len(shape(n)) >= 2000)
    document = shape(n)

    seconds, errors = await answer(schema, document)

    print(f"{shape.__name__:9} n={n:2} {len(document):5} B {seconds * 1000:6.2f} ms CPU")
    assert seconds < 0.05
    assert {e["extensions"]["code"] for e in errors} & REFUSALS, errors


def expanded(document: str) -> str:
    """The document with every spread replaced by its fragment, as the old rules saw it."""
    parsed = parse(document)
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }

    class Expand(Visitor):
        def enter_fragment_spread(self, node: FragmentSpreadNode, *_args: object):
            fragment = fragments[node.name.value]
            inner = visit(fragment.selection_set, Expand())
            return InlineFragmentNode(
                type_condition=NamedTypeNode(name=fragment.type_condition.name),
                directives=(),
                selection_set=SelectionSetNode(selections=inner.selections),
            )

    [operation] = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    from graphql import DocumentNode, print_ast

    return print_ast(DocumentNode(definitions=(visit(operation, Expand()),)))


@pytest.mark.parametrize("shape", SHAPES.values(), ids=SHAPES.keys())
def test_each_fragment_counted_once_gives_the_figures_of_the_expanded_document(schema, shape):
    document = shape(4)
    full = expanded(document)

    def figures(text: str):
        parsed = parse(text)
        [operation] = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
        found = DocumentFigures(parsed).of(operation.selection_set)
        cost = OperationCost(schema._schema, parsed, {}, 10).of(operation)
        return found.depth, found.aliases, cost

    assert "..." not in full.replace("... on", "")
    assert figures(document) == figures(full)


def same_field_with_arguments(k: int, same: bool) -> str:
    """`k` copies of one field at one level: graphql-core compares every pair."""
    fields = [f'partner(id: "{1 if same else i}") {{ id }}' for i in range(k)]
    return f"{{ {' '.join(fields)} }}"


def fragments_side_by_side(k: int) -> str:
    """`k` fragments spread at one level: graphql-core compares every pair of them."""
    fragments = " ".join(f"fragment F{i} on Query {{ me {{ id }} }}" for i in range(k))
    return f"query {{ {' '.join(f'...F{i}' for i in range(k))} }} {fragments}"


# As many tokens (about 1,980), validated by every rule, nothing to compare: refused for its
# unknown field after a linear validation, as the shapes below should be at worst.
LINEAR = f"{{ search(query: {{kinds: [{' '.join(['DEAL'] * 1960)}]}}) {{ __typename }} nope }}"


@pytest.mark.parametrize(
    "document",
    [
        same_field_with_arguments(220, same=True),
        same_field_with_arguments(220, same=False),
        fragments_side_by_side(150),
    ],
    ids=["same-arguments", "other-arguments", "fragments"],
)
async def test_graphql_core_field_merging_check_stops_within_its_budget(schema, document):
    # Near the token limit, graphql-core's OverlappingFieldsCanBeMergedRule made 25,000 to
    # 60,000 comparisons: ten times the time of a linear document of that size (0.5 to
    # 1.5 s). It now gives up after MAX_VALIDATION_WORK and costs about what one does.
    linear, _ = await answer(schema, LINEAR, runs=5)
    seconds, errors = await answer(schema, document, runs=5)

    print(
        f"{len(document):5} B {seconds * 1000:6.2f} ms CPU, linear document "
        f"{len(LINEAR)} B {linear * 1000:6.2f} ms: {errors[-1]['message'][:50]}"
    )
    assert errors
    assert seconds < 3 * linear

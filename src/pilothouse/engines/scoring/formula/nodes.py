"""The syntax tree of a formula. Every node keeps the position of the token it came from.

Sums and products are n-ary (`Chain`): "a + b - c + ..." is one node with its terms in
order, evaluated left to right like Python does, so a long flat formula does not make a
deep tree (and a deep recursion when it is compiled or evaluated).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    position: int


@dataclass(frozen=True, slots=True)
class Name:
    """A reference to a field (an input of the model or a computed field)."""

    name: str
    position: int


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node
    position: int  # of the "-"


@dataclass(frozen=True, slots=True)
class Link:
    """One step of a chain: the operator, where it stands, and its right-hand term."""

    operator: str  # "+" or "-" in a sum, "*" or "/" in a product
    position: int
    term: Node


@dataclass(frozen=True, slots=True)
class Chain:
    """first (op term)+, folded left to right: ((first op1 t1) op2 t2) ..."""

    first: Node
    links: tuple[Link, ...]

    @property
    def position(self) -> int:
        return self.first.position


@dataclass(frozen=True, slots=True)
class Power:
    """base ^ exponent (right-associative: 2^3^2 is 2^(3^2))."""

    base: Node
    exponent: Node
    position: int  # of the "^"


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    arguments: tuple[Node, ...]
    position: int  # of the function's name


Node = Number | Name | Negate | Chain | Power | Call


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Negate):
        return (node.operand,)
    if isinstance(node, Chain):
        return (node.first, *(link.term for link in node.links))
    if isinstance(node, Power):
        return (node.base, node.exponent)
    if isinstance(node, Call):
        return node.arguments
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, depth first, left to right (without recursion)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def names(node: Node) -> list[Name]:
    """The field references of a tree, in the order they appear in the formula."""
    return sorted((n for n in walk(node) if isinstance(n, Name)), key=lambda n: n.position)

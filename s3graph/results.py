"""The result model every engine gives and every renderer takes: bindings, a boolean or triples."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .terms import Term


@dataclass(frozen=True)
class Bindings:
    """A SELECT result: variables and rows (None where a variable is unbound)."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Term | None, ...], ...]
    truncated: bool = False


@dataclass(frozen=True)
class Boolean:
    """An ASK result."""

    value: bool


@dataclass(frozen=True)
class Triples:
    """A CONSTRUCT or DESCRIBE result."""

    triples: tuple[ox.Triple, ...]
    truncated: bool = False


Result = Bindings | Boolean | Triples

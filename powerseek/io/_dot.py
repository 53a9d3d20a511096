"""A parser for the subset of the graphviz DOT language that graph files use.

Reads ``[strict] digraph [ID] { ... }`` with node, edge and attribute
statements, graph attributes (``ID = ID``), quoted strings (``\\"`` escapes,
line continuations and ``+`` concatenation), unquoted identifiers and
numerals, HTML strings, ports (ignored) and the three comment styles. It does
not need graphviz. Subgraphs and undirected graphs are refused with a message
naming the line: environment files have neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..exceptions import ParseError

__all__ = ["DotEdge", "DotGraph", "parse_dot"]

_KEYWORDS = {"strict", "graph", "digraph", "node", "edge", "subgraph"}
_TOKEN = re.compile(
    r"""
    (?P<newline>\n)
  | (?P<space>[ \t\r\f\v]+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<unclosed>/\*)
  | (?P<string>"(?:[^"\\]|\\.|\\\n)*")
  | (?P<open_string>")
  | (?P<html><)
  | (?P<arrow>->|--)
  | (?P<numeral>-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?))
  | (?P<name>[A-Za-z_\u0080-\U0010ffff][A-Za-z_0-9\u0080-\U0010ffff]*)
  | (?P<punct>[{}\[\];,=:+])
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class DotEdge:
    """One edge statement's edge: ends, attributes and line."""

    source: str
    target: str
    attributes: dict[str, str]
    line: int


@dataclass
class DotGraph:
    """A parsed DOT graph.

    Attributes
    ----------
    name : str or None
    strict : bool
    attributes : dict
        Graph attributes (``graph [k=v]`` and ``k = v`` statements).
    nodes : dict
        Node name -> line of first appearance, in order of appearance.
    edges : list of DotEdge
        In file order; a strict graph keeps one edge per ordered pair (the
        attributes of later statements update it).
    """

    name: str | None
    strict: bool
    attributes: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, int] = field(default_factory=dict)
    edges: list[DotEdge] = field(default_factory=list)


@dataclass(frozen=True)
class _Token:
    kind: str  # "id", "arrow", or the punctuation character itself
    text: str
    line: int
    quoted: bool = False


def _html(text: str, start: int, line: int, source: str) -> tuple[str, int]:
    """The HTML string opening at `start` (its text without the outer <>) and its end."""
    depth, i = 0, start
    while i < len(text):
        if text[i] == "<":
            depth += 1
        elif text[i] == ">":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i], i + 1
        i += 1
    raise ParseError("an HTML string '<...' is never closed.", source=source, line=line)


def _tokens(text: str, source: str) -> list[_Token]:
    tokens: list[_Token] = []
    line, position, at_line_start = 1, 0, True
    while position < len(text):
        if at_line_start and text.startswith("#", position):  # preprocessor output line
            end = text.find("\n", position)
            position = len(text) if end < 0 else end
            continue
        match = _TOKEN.match(text, position)
        if match is None:
            raise ParseError(
                f"unexpected character {text[position]!r} in the DOT text.",
                source=source,
                line=line,
            )
        kind, value = match.lastgroup, match.group()
        at_line_start = kind == "newline" or (at_line_start and kind == "space")
        if kind == "unclosed":
            raise ParseError("a comment '/*' is never closed.", source=source, line=line)
        if kind == "open_string":
            raise ParseError(
                'a quoted string is never closed (a missing ").', source=source, line=line
            )
        if kind == "html":
            body, position = _html(text, position, line, source)
            tokens.append(_Token("id", body, line, quoted=True))
            line += body.count("\n")
            continue
        if kind == "string":
            body = value[1:-1].replace("\\\n", "").replace('\\"', '"')
            tokens.append(_Token("id", body, line, quoted=True))
        elif kind in ("numeral", "name"):
            tokens.append(_Token("id", value, line))
        elif kind == "arrow":
            tokens.append(_Token("arrow", value, line))
        elif kind == "punct":
            tokens.append(_Token(value, value, line))
        line += value.count("\n")
        position = match.end()
    return _concatenate(tokens, source)


def _concatenate(tokens: list[_Token], source: str) -> list[_Token]:
    """Join ``"a" + "b"`` into one quoted string."""
    out: list[_Token] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "+":
            if not out or not out[-1].quoted or i + 1 >= len(tokens) or not tokens[i + 1].quoted:
                raise ParseError(
                    "'+' must join two quoted strings.", source=source, line=token.line
                )
            out[-1] = _Token("id", out[-1].text + tokens[i + 1].text, out[-1].line, quoted=True)
            i += 2
            continue
        out.append(token)
        i += 1
    return out


class _Parser:
    def __init__(self, tokens: list[_Token], source: str) -> None:
        self.tokens = tokens
        self.source = source
        self.i = 0

    def error(self, message: str, token: _Token | None = None) -> ParseError:
        token = token or self.peek()
        line = token.line if token else (self.tokens[-1].line if self.tokens else None)
        return ParseError(message, source=self.source, line=line)

    def peek(self, offset: int = 0) -> _Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def next(self, what: str) -> _Token:
        token = self.peek()
        if token is None:
            raise self.error(f"the DOT text ends where {what} was expected.")
        self.i += 1
        return token

    def keyword(self, token: _Token | None, word: str) -> bool:
        return (
            token is not None
            and token.kind == "id"
            and not token.quoted
            and token.text.lower() == word
        )

    def expect(self, kind: str, what: str) -> _Token:
        token = self.next(what)
        if token.kind != kind:
            raise self.error(f"expected {what}; found {token.text!r}.", token)
        return token

    def identifier(self, what: str) -> _Token:
        token = self.next(what)
        if token.kind != "id":
            raise self.error(f"expected {what}; found {token.text!r}.", token)
        if not token.quoted and token.text.lower() in _KEYWORDS:
            raise self.error(
                f"expected {what}; found the keyword {token.text!r} (quote it to use it as a "
                "name).",
                token,
            )
        return token

    def graph(self) -> DotGraph:
        strict = False
        if self.keyword(self.peek(), "strict"):
            strict = True
            self.i += 1
        head = self.next("'digraph'")
        if self.keyword(head, "graph"):
            raise self.error(
                "an undirected graph ('graph'); environment files are directed ('digraph').", head
            )
        if not self.keyword(head, "digraph"):
            raise self.error(f"expected 'digraph'; found {head.text!r}.", head)
        name = None
        token = self.peek()
        if token is not None and token.kind == "id":
            name = self.identifier("the graph's name").text
        self.expect("{", "'{'")
        graph = DotGraph(name, strict)
        self.statements(graph, {})
        self.expect("}", "'}' closing the graph")
        extra = self.peek()
        if extra is not None:
            raise self.error(f"text after the graph's closing '}}': {extra.text!r}.", extra)
        return graph

    def attributes(self) -> dict[str, str]:
        """Zero or more ``[k=v, ...]`` lists."""
        found: dict[str, str] = {}
        while self.peek() is not None and self.peek().kind == "[":
            self.i += 1
            while True:
                token = self.peek()
                if token is None:
                    raise self.error("an attribute list '[' is never closed.")
                if token.kind == "]":
                    self.i += 1
                    break
                if token.kind in (",", ";"):
                    self.i += 1
                    continue
                key = self.identifier("an attribute name").text
                self.expect("=", f"'=' after the attribute {key!r}")
                found[key] = self.identifier(f"a value for the attribute {key!r}").text
        return found

    def node_id(self, what: str) -> _Token:
        token = self.peek()
        if token is not None and (token.kind == "{" or self.keyword(token, "subgraph")):
            raise self.error("subgraphs are not supported in environment files.", token)
        node = self.identifier(what)
        while self.peek() is not None and self.peek().kind == ":":  # a port: drawing only
            self.i += 1
            self.identifier("a port name")
        return node

    def statements(self, graph: DotGraph, edge_defaults: dict[str, str]) -> None:
        pairs: dict[tuple[str, str], int] = {}
        while True:
            token = self.peek()
            if token is None or token.kind == "}":
                return
            if token.kind == ";":
                self.i += 1
                continue
            if self.keyword(token, "graph"):
                self.i += 1
                graph.attributes.update(self.attributes())
                continue
            if self.keyword(token, "node"):
                self.i += 1
                self.attributes()  # node defaults draw only
                continue
            if self.keyword(token, "edge"):
                self.i += 1
                edge_defaults = {**edge_defaults, **self.attributes()}
                continue
            following = self.peek(1)
            if token.kind == "id" and following is not None and following.kind == "=":
                key = self.identifier("an attribute name").text
                self.i += 1
                graph.attributes[key] = self.identifier(f"a value for {key!r}").text
                continue
            first = self.node_id("a node name")
            chain = [first]
            while self.peek() is not None and self.peek().kind == "arrow":
                arrow = self.next("'->'")
                if arrow.text == "--":
                    raise self.error("an undirected edge '--' in a digraph; use '->'.", arrow)
                chain.append(self.node_id("a node name after '->'"))
            attributes = self.attributes()
            for node in chain:
                graph.nodes.setdefault(node.text, node.line)
            for source, target in zip(chain, chain[1:]):
                edge = DotEdge(
                    source.text, target.text, {**edge_defaults, **attributes}, source.line
                )
                key = (source.text, target.text)
                if graph.strict and key in pairs:
                    old = graph.edges[pairs[key]]
                    graph.edges[pairs[key]] = DotEdge(
                        old.source, old.target, {**old.attributes, **attributes}, old.line
                    )
                    continue
                pairs[key] = len(graph.edges)
                graph.edges.append(edge)


def parse_dot(text: str, source: str = "<string>") -> DotGraph:
    """Parse the DOT text of one directed graph.

    Parameters
    ----------
    text : str
    source : str, default "<string>"
        Where the text came from, for error messages.

    Returns
    -------
    DotGraph

    Raises
    ------
    ParseError
        Naming `source` and the line.

    Examples
    --------
    >>> g = parse_dot('strict digraph "g" { a -> "b" [weight="0.5"]; // c\\n "b" -> a }')
    >>> g.name, list(g.nodes), [(e.source, e.target, e.attributes) for e in g.edges]
    ('g', ['a', 'b'], [('a', 'b', {'weight': '0.5'}), ('b', 'a', {})])
    """
    parser = _Parser(_tokens(text, source), source)
    if not parser.tokens:
        raise ParseError("the file is empty; expected 'digraph { ... }'.", source=source)
    return parser.graph()

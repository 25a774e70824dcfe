"""A small tokenizer for the two DOT-like languages: Graphviz DOT and DAGitty model code.

Both languages are statement lists made of identifiers, quoted strings,
edge operators and punctuation; they differ only in what counts as a bare
identifier, which operators exist and whether ``;`` is punctuation or
whitespace.  A :class:`LexerSpec` captures those differences, and
:func:`tokenize` turns text into a list of :class:`Token` objects that carry
their line and column, so the parsers can report every problem precisely.

Quoted strings follow Graphviz and DAGitty: ``\\"`` is a quote and a
backslash before a line break continues the line.  In addition ``\\\\`` is
one backslash; that is what lets :func:`quote` write *any* text, including
text that ends in a backslash, which plain DOT cannot express.  Any other
backslash is kept as it is, so ``"C:\\temp"`` means what it says.  Adjacent
strings joined with ``+`` are concatenated, as in DOT.

Comments (``// ...``, ``/* ... */`` and lines starting with ``#``) are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.errors import Location, ParseError


@dataclass(frozen=True)
class Token:
    kind: str  # "id" (bare word), "string" (quoted), "html" (<...>), "op", "eof"
    value: str
    line: int
    column: int

    @property
    def is_id(self) -> bool:
        return self.kind in ("id", "string", "html")

    def is_word(self, *words: str) -> bool:
        """A bare (unquoted) word, compared case-insensitively: keywords are never quoted."""
        return self.kind == "id" and self.value.lower() in words

    def describe(self) -> str:
        if self.kind == "eof":
            return "the end of the input"
        if self.kind == "op":
            return f"{self.value!r}"
        if self.kind == "string":
            return f"the string {self.value!r}"
        return f"{self.value!r}"


@dataclass(frozen=True)
class LexerSpec:
    fmt: str
    bareword: re.Pattern[str]
    operators: tuple[str, ...]  # tried longest first
    html_strings: bool = False
    semicolon_is_space: bool = False


def tokenize(text: str, spec: LexerSpec, source: str | None = None) -> list[Token]:
    return _Lexer(text, spec, source).run()


class _Lexer:
    def __init__(self, text: str, spec: LexerSpec, source: str | None):
        self.text = text
        self.spec = spec
        self.source = source
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.operators = sorted(spec.operators, key=len, reverse=True)

    # --- positions and errors -------------------------------------------

    @property
    def column(self) -> int:
        return self.pos - self.line_start + 1

    def error(self, message: str, line: int | None = None, column: int | None = None) -> ParseError:
        return ParseError(message, fmt=self.spec.fmt, location=Location(
            file=self.source, line=line or self.line, column=column or self.column))

    def advance(self, n: int = 1) -> None:
        end = self.pos + n
        while True:
            nl = self.text.find("\n", self.pos, end)
            if nl < 0:
                break
            self.line += 1
            self.line_start = nl + 1
            self.pos = nl + 1
        self.pos = end

    # --- scanning --------------------------------------------------------

    def run(self) -> list[Token]:
        tokens: list[Token] = []
        text = self.text
        while True:
            self.skip_space_and_comments()
            if self.pos >= len(text):
                tokens.append(Token("eof", "", self.line, self.column))
                return tokens
            line, column, ch = self.line, self.column, text[self.pos]
            if ch == '"':
                tokens.append(Token("string", self.quoted_strings(), line, column))
                continue
            if ch == "<" and self.spec.html_strings:
                tokens.append(Token("html", self.html_string(), line, column))
                continue
            op = next((o for o in self.operators if text.startswith(o, self.pos)), None)
            if op is not None:
                self.advance(len(op))
                tokens.append(Token("op", op, line, column))
                continue
            match = self.spec.bareword.match(text, self.pos)
            if match and match.end() > self.pos:
                self.advance(match.end() - self.pos)
                tokens.append(Token("id", match.group(), line, column))
                continue
            raise self.error(f"unexpected character {ch!r}")

    def skip_space_and_comments(self) -> None:
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r\n\f\v" or (ch == ";" and self.spec.semicolon_is_space):
                self.advance()
            elif text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.advance((len(text) if end < 0 else end) - self.pos)
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.error("unterminated comment: '/*' has no closing '*/'")
                self.advance(end + 2 - self.pos)
            elif ch == "#" and not text[self.line_start:self.pos].strip():
                end = text.find("\n", self.pos)
                self.advance((len(text) if end < 0 else end) - self.pos)
            else:
                return

    def quoted_strings(self) -> str:
        """One quoted string, or several joined by ``+``."""
        value = self.quoted_string()
        while True:
            save = (self.pos, self.line, self.line_start)
            self.skip_space_and_comments()
            if self.pos < len(self.text) and self.text[self.pos] == "+":
                self.advance()
                self.skip_space_and_comments()
                if self.pos >= len(self.text) or self.text[self.pos] != '"':
                    raise self.error("expected a quoted string after '+'")
                value += self.quoted_string()
            else:
                self.pos, self.line, self.line_start = save
                return value

    def quoted_string(self) -> str:
        text = self.text
        line, column = self.line, self.column
        self.advance()  # the opening quote
        parts: list[str] = []
        while True:
            if self.pos >= len(text):
                raise self.error("unterminated string: the quote opened here is never closed", line, column)
            ch = text[self.pos]
            if ch == '"':
                self.advance()
                return "".join(parts)
            if ch == "\\":
                nxt = text[self.pos + 1:self.pos + 2]
                if nxt in ('"', "\\"):
                    parts.append(nxt)
                    self.advance(2)
                elif text.startswith("\r\n", self.pos + 1):
                    self.advance(3)
                elif nxt in ("\n", "\r"):
                    self.advance(2)
                else:
                    parts.append(ch)
                    self.advance()
                continue
            run = _PLAIN_RUN.match(text, self.pos)
            assert run is not None  # the character here is neither a quote nor a backslash
            parts.append(run.group())
            self.advance(run.end() - self.pos)

    def html_string(self) -> str:
        """``<...>`` with balanced angle brackets; the value is the text between the outer pair."""
        text = self.text
        line, column = self.line, self.column
        depth = 0
        start = self.pos + 1
        i = self.pos
        while i < len(text):
            if text[i] == "<":
                depth += 1
            elif text[i] == ">":
                depth -= 1
                if depth == 0:
                    self.advance(i + 1 - self.pos)
                    return text[start:i]
            i += 1
        raise self.error("unterminated HTML string: the '<' opened here is never closed", line, column)


_PLAIN_RUN = re.compile(r'[^"\\]+')


def quote(text: str) -> str:
    """``text`` as a quoted string that :func:`tokenize` reads back exactly.

    Only quotes are always escaped.  A backslash is doubled only where it
    would otherwise be read as part of an escape (before a quote, another
    backslash or a line break, or at the very end), so ordinary text such as
    ``C:\\temp`` is written exactly as DAGitty and Graphviz expect.
    """
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch == '"':
            out.append('\\"')
        elif ch == "\\" and (i + 1 == n or text[i + 1] in '"\\\r\n'):
            out.append("\\\\")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


class TokenStream:
    """A cursor over tokens with the usual ``peek``/``next``/``expect`` helpers."""

    def __init__(self, tokens: list[Token], fmt: str, source: str | None):
        self.tokens = tokens
        self.fmt = fmt
        self.source = source
        self.i = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def next(self) -> Token:
        tok = self.peek()
        if tok.kind != "eof":
            self.i += 1
        return tok

    def at_op(self, *ops: str) -> bool:
        tok = self.peek()
        return tok.kind == "op" and tok.value in ops

    def accept_op(self, *ops: str) -> Token | None:
        return self.next() if self.at_op(*ops) else None

    def expect_op(self, op: str, context: str = "") -> Token:
        if not self.at_op(op):
            raise self.unexpected(f"{op!r}" + (f" {context}" if context else ""))
        return self.next()

    def expect_id(self, what: str = "a name") -> Token:
        if not self.peek().is_id:
            raise self.unexpected(what)
        return self.next()

    def error(self, message: str, tok: Token | None = None, *, hint: str | None = None) -> ParseError:
        tok = tok or self.peek()
        return ParseError(message, fmt=self.fmt, hint=hint,
                          location=Location(file=self.source, line=tok.line, column=tok.column))

    def unexpected(self, expected: str) -> ParseError:
        return self.error(f"expected {expected}, found {self.peek().describe()}")

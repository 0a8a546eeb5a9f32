"""Surgical edits of a record's front matter text: only the changed lines ever differ.

The document is never re-dumped. Each edit finds the YAML nodes' exact spans (start and
end marks) and rewrites, inserts or removes text there, then composes the text again, so
comments, key order, quoting, blank lines, the Markdown body, a BOM and CRLF line endings
stay byte for byte.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Union

import yaml
from yaml.reader import Reader

from taizhang.ledger import frontmatter
from taizhang.labels import EDIT_MESSAGES as MSG

BOM = "\ufeff"
STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"

# The order keys are written in (docs/guide/format.md): a new key goes after its nearest predecessor.
MEASURE_KEYS: tuple[str, ...] = (
    "id", "text", "addresses", "leader", "department", "owner", "due", "status", "progress",
    "outcome", "done_on", "evidence", "closed_on", "closed_by", "extensions", "rechecks", "extra",
)
PROBLEM_KEYS: tuple[str, ...] = ("id", "area", "title", "public", "manifestations", "measures", "extra")

Scalar = Union[str, date]
Value = Union[Scalar, Sequence[str], Mapping[str, Scalar]]
KeyPath = tuple[Union[str, int], ...]  # keys and list indexes from the root mapping

_OPEN = re.compile(r"---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


class EditError(Exception):
    """The record cannot be changed without touching more than the change itself."""


def needs_quotes(value: str, in_flow: bool = False) -> bool:
    """Whether `value` written plain would read back as anything but the same string.

    Decided by the loader itself (in a block, or inside `[...]` and `{...}` when `in_flow`):
    this catches `: `, ` #`, leading indicators, and words that resolve as bool, int,
    float, date or null.
    """
    if not value or value != value.strip() or _unprintable(value):
        return True
    probe = f"k: [{value}, {{k: {value}}}]\n" if in_flow else f"k: {value}\n"
    node, errors = frontmatter.compose(probe, "")
    if errors or not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
        return True
    found = node.value[0][1]
    if not in_flow:
        return not _plain_str(found, value)
    if not isinstance(found, yaml.SequenceNode) or len(found.value) != 2:
        return True
    mapping = found.value[1]
    if not isinstance(mapping, yaml.MappingNode) or len(mapping.value) != 1:
        return True
    return not (_plain_str(found.value[0], value) and _plain_str(mapping.value[0][1], value))


def _plain_str(node: yaml.Node, value: str) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == STR and not node.style and node.value == value


def _unprintable(value: str) -> bool:
    return bool(Reader.NON_PRINTABLE.search(value)) or any(c in value for c in "\n\r\x85\u2028\u2029\ufeff")


def _literal_ok(value: str) -> bool:
    """Whether a `|-` block reads back exactly this text (no tricky indentation or line ends)."""
    first = next((line for line in value.split("\n") if line), "")
    return not (_unprintable(value.replace("\n", "")) or "\r" in value or value.endswith("\n") or first[:1] in (" ", "\t"))


def double_quoted(value: str) -> str:
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif Reader.NON_PRINTABLE.match(char) or char in "\x85\u2028\u2029\ufeff":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def scalar(value: Scalar, style: str = "", in_flow: bool = False) -> str:
    """A one-line scalar: plain when YAML allows, else in `style` quotes (double by default)."""
    if isinstance(value, date):
        return value.isoformat()
    if style == "'" and not _unprintable(value):
        return "'" + value.replace("'", "''") + "'"
    if style == '"' or needs_quotes(value, in_flow):
        return double_quoted(value)
    return value


def flow(value: Value) -> str:
    """A value in flow style: `[a, b]`, `{k: v}` or a scalar."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {scalar(v, in_flow=True)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(scalar(v, in_flow=True) for v in value) + "]"
    return scalar(value)  # type: ignore[arg-type]


class Document:
    """A record file held as text, with its front matter composed into located nodes."""

    def __init__(self, data: bytes, path: str = "", indent: int = 2) -> None:
        self.path = path
        self.indent = indent  # list indentation when the file itself has no block list to copy
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise EditError(MSG["encoding"]) from None
        self.bom = text.startswith(BOM)
        self.text = text[1:] if self.bom else text
        first = self.text.find("\n")
        self.newline = "\r\n" if first > 0 and self.text[first - 1] == "\r" else "\n"
        self._compose()

    def to_bytes(self) -> bytes:
        return ((BOM if self.bom else "") + self.text).encode("utf-8")

    # -- reading --------------------------------------------------------------

    def _compose(self) -> None:
        start = _OPEN.match(self.text)
        end = _CLOSE.search(self.text, start.end()) if start else None
        if start is None or end is None:
            raise EditError(MSG["front_matter"])
        self.start = start.end()
        node, errors = frontmatter.compose(self.text[self.start : end.start()], self.path)
        if errors or not isinstance(node, yaml.MappingNode):
            raise EditError(MSG["yaml"] + ("：" + errors[0].message if errors else ""))
        self.root = node

    def get(self, where: KeyPath) -> yaml.Node | None:
        node: yaml.Node | None = self.root
        for step in where:
            if isinstance(step, int):
                node = node.value[step] if isinstance(node, yaml.SequenceNode) and step < len(node.value) else None
            else:
                node = _value(node, step) if isinstance(node, yaml.MappingNode) else None
            if node is None:
                return None
        return node

    def index(self, key: str, id: str) -> int | None:
        """The position of the item with this `id` in the root's list `key`."""
        items = self.get((key,))
        if not isinstance(items, yaml.SequenceNode):
            return None
        for index, item in enumerate(items.value):
            if isinstance(item, yaml.MappingNode) and _scalar_value(_value(item, "id")) == id:
                return index
        return None

    def mapping(self, where: KeyPath) -> yaml.MappingNode:
        node = self.get(where)
        if not isinstance(node, yaml.MappingNode):
            raise EditError(MSG["not_mapping"])
        if node.flow_style:
            raise EditError(MSG["flow_mapping"])
        return node

    # -- positions (absolute indexes into self.text) ---------------------------

    def _at(self, mark: yaml.Mark) -> int:
        return self.start + mark.index

    def _line_start(self, pos: int) -> int:
        return self.text.rfind("\n", 0, pos) + 1

    def _next_line(self, pos: int) -> int:
        found = self.text.find("\n", pos)
        return len(self.text) if found < 0 else found + 1

    def _column(self, node: yaml.Node) -> int:
        return node.start_mark.column

    def _after(self, node: yaml.Node) -> int:
        """The start of the line after the last content of `node` (its comments stay before)."""
        leaf = _last_leaf(node)
        if isinstance(leaf, yaml.ScalarNode) and leaf.style in ("|", ">") and "+" not in self._header(leaf):
            return self._content_end(leaf)  # clipped or stripped: trailing blank lines are not content
        end = self._at(leaf.end_mark)
        if end > 0 and self.text[end - 1] == "\n":
            return end
        return self._next_line(end)

    def _header(self, node: yaml.ScalarNode) -> str:
        """A block scalar's header (`|`, `>-`, `|2`…) without its comment."""
        begin = self._at(node.start_mark)
        return self.text[begin : self._next_line(begin)].split("#")[0].strip()

    def _content_end(self, node: yaml.ScalarNode) -> int:
        """The start of the line after a block scalar's last non-blank line."""
        end = self._at(node.end_mark)
        while end > self._at(node.start_mark) and self.text[end - 1] in " \t\r\n":
            end -= 1
        return self._next_line(end)

    def _dash(self, item: yaml.Node) -> int:
        """The column of the `- ` that opens a block sequence item."""
        begin = self._line_start(self._at(item.start_mark))
        prefix = self.text[begin : self._at(item.start_mark)]
        if not prefix.rstrip().endswith("-"):
            raise EditError(MSG["layout"])
        return prefix.rstrip().rfind("-")

    def seq_indent(self, near: yaml.Node | None = None) -> int:
        """How far this file indents a block list under its key (0 or 2, say), looking `near` first."""
        stack: list[yaml.Node] = [self.root] + ([near] if near is not None else [])
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.MappingNode) and not node.flow_style:
                for key, value in node.value:
                    if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
                        return self._dash(value.value[0]) - self._column(key)
                stack.extend(reversed([v for _, v in node.value]))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(reversed(node.value))
        return self.indent

    # -- editing --------------------------------------------------------------

    def _splice(self, begin: int, end: int, new: str) -> None:
        old = self.text
        self.text = old[:begin] + new + old[end:]
        try:
            self._compose()
        except EditError:
            self.text = old
            self._compose()
            raise EditError(MSG["layout"]) from None

    def set(self, where: KeyPath, key: str, value: Scalar | Sequence[str], order: Sequence[str] = MEASURE_KEYS) -> None:
        """Give `key` a scalar or a list of ids, in place when present, else as a new line."""
        mapping = self.mapping(where)
        found = _pair(mapping, key)
        if found is None:
            self._insert(mapping, key, self._lines(key, value, mapping), order)
        elif isinstance(found[1], yaml.ScalarNode):
            self._set_scalar(found[0], found[1], value)
        elif isinstance(found[1], yaml.SequenceNode) and not isinstance(value, (str, date)):
            self._set_list(found[1], value)
        else:
            raise EditError(MSG["layout"])
        self._verify(where, key, value)

    def _set_scalar(self, key: yaml.Node, node: yaml.ScalarNode, value: Value) -> None:
        begin, end = self._at(node.start_mark), self._at(node.end_mark)
        if isinstance(value, (list, tuple)):
            new = flow(value) if len(value) != 1 else scalar(value[0])
        elif node.style in ("|", ">") and isinstance(value, str):
            end = self._content_end(node)
            new = self._block(node, value, end) + self.newline
        elif self.text[end : self._next_line(end)].strip():  # a comment follows: stay on this line
            new = double_quoted(value) if isinstance(value, str) and "\n" in value else scalar(value, node.style or "")  # type: ignore[arg-type]
        else:
            new = self._text(value, self._column(key), node.style or "")  # type: ignore[arg-type]
        if begin == end and node.tag == NULL:  # `key:` with nothing after the colon
            new = " " + new
        self._splice(begin, end, new)

    def _block(self, node: yaml.ScalarNode, value: str, end: int) -> str:
        """A new text for a `|` or `>` scalar, keeping its header and its indentation."""
        if not _literal_ok(value):
            return double_quoted(value)
        header_end = self._next_line(self._at(node.start_mark))
        header = self.text[self._at(node.start_mark) : header_end].rstrip("\r\n")
        lines = [l for l in self.text[header_end:end].split("\n") if l.strip()]
        indent = min((len(l) - len(l.lstrip(" ")) for l in lines), default=node.start_mark.column + 2)
        if header.startswith(">") and "\n" in value:
            header = "|" + header[1:]  # folding would join the lines
        return self._literal(value, indent, header)

    def _text(self, value: Scalar, column: int, style: str = "") -> str:
        """A scalar's text for a key at `column`: a literal block for several lines, else one line."""
        if isinstance(value, str) and "\n" in value:
            return self._literal(value, column + 2, "|-") if _literal_ok(value) else double_quoted(value)
        return scalar(value, style)

    def _literal(self, value: str, indent: int, header: str) -> str:
        return header + "".join(self.newline + (" " * indent + line if line else "") for line in value.split("\n"))

    def _set_list(self, node: yaml.SequenceNode, values: Sequence[str]) -> None:
        if node.flow_style or not node.value:
            self._splice(self._at(node.start_mark), self._at(node.end_mark), flow(list(values)))
            return
        dash = " " * self._dash(node.value[0])
        begin = self._line_start(self._at(node.value[0].start_mark))
        lines = "".join(f"{dash}- {scalar(v)}{self.newline}" for v in values)
        self._splice(begin, self._after(node), lines)

    def remove(self, where: KeyPath, key: str) -> None:
        """Take `key` and its value out, lines and all."""
        mapping = self.mapping(where)
        found = _pair(mapping, key)
        if found is None:
            return
        begin = self._line_start(self._at(found[0].start_mark))
        if self.text[begin : self._at(found[0].start_mark)].strip():
            raise EditError(MSG["layout"])  # the key shares its line with `- `: never a key we remove
        self._splice(begin, self._after(found[1]), "")

    def append(self, where: KeyPath, key: str, item: Mapping[str, Scalar], order: Sequence[str] = MEASURE_KEYS) -> None:
        """Add `item` at the end of the list `key`, in that list's own style."""
        mapping = self.mapping(where)
        found = _pair(mapping, key)
        if found is None or (isinstance(found[1], yaml.ScalarNode) and found[1].tag == NULL):
            if found is not None:
                self.remove(where, key)
                mapping = self.mapping(where)
            self._insert(mapping, key, self._lines(key, [item], mapping), order)
        elif not isinstance(found[1], yaml.SequenceNode):
            raise EditError(MSG["layout"])
        elif found[1].flow_style:
            self._append_flow(found[1], item)
        else:
            self._append_block(found[1], item)
        node = self.get((*where, key))
        if not isinstance(node, yaml.SequenceNode) or _plain(node.value[-1]) != _expected(item):
            raise EditError(MSG["layout"])

    def _append_flow(self, node: yaml.SequenceNode, item: Mapping[str, Scalar]) -> None:
        if node.value:
            self._splice(self._at(node.value[-1].end_mark), self._at(node.value[-1].end_mark), ", " + flow(item))
        else:
            end = self._at(node.end_mark) - 1  # just inside the closing bracket
            self._splice(end, end, flow(item))

    def _append_block(self, node: yaml.SequenceNode, item: Mapping[str, Scalar]) -> None:
        last = node.value[-1]
        dash = self._dash(last)
        column = self._column(last.value[0][0]) if isinstance(last, yaml.MappingNode) and last.value else dash + 2
        lines = self._item(item, dash, column - dash)
        pos = self._after(node)
        self._splice(pos, pos, lines)

    def _insert(self, mapping: yaml.MappingNode, key: str, lines: str, order: Sequence[str]) -> None:
        """Insert a new key's lines after its nearest predecessor in `order` (else at the end)."""
        rank = {k: i for i, k in enumerate(order)}
        before = [(rank[k.value], v) for k, v in mapping.value if k.value in rank and rank[k.value] < rank.get(key, len(order))]
        anchor = max(before, key=lambda pair: pair[0])[1] if before else mapping.value[-1][1]
        pos = self._after(anchor)
        self._splice(pos, pos, lines)

    def _lines(self, key: str, value: Value | Sequence[Mapping[str, Scalar]], mapping: yaml.MappingNode) -> str:
        """New lines for `key: value` in `mapping`: scalars, flow lists of ids, block lists of mappings."""
        column = self._column(mapping.value[0][0])
        indent, nl = " " * column, self.newline
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], Mapping):
            dash = column + self.seq_indent(mapping)
            return f"{indent}{key}:{nl}" + "".join(self._item(item, dash, 2) for item in value)
        if isinstance(value, (list, tuple)):
            text = flow(list(value)) if len(value) != 1 else scalar(value[0])
        else:
            text = self._text(value, column)  # type: ignore[arg-type]
        return f"{indent}{key}: {text}{nl}"

    def _item(self, item: Mapping[str, Scalar], dash: int, gap: int) -> str:
        """A block list item holding a mapping: `- k: v` then the other keys under `k`."""
        lines = []
        for i, (key, value) in enumerate(item.items()):
            lead = " " * dash + "-" + " " * (gap - 1) if i == 0 else " " * (dash + gap)
            if isinstance(value, (list, tuple)):
                text = flow(list(value))
            else:
                text = self._text(value, dash + gap)
            lines.append(f"{lead}{key}: {text}{self.newline}")
        return "".join(lines)

    def _verify(self, where: KeyPath, key: str, value: Value) -> None:
        """Read the edited value back: an edit that says anything else is refused."""
        node = self.get((*where, key))
        found = _plain(node) if node is not None else None
        if isinstance(found, str) and isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            found = found.rstrip("\n")
        if found != _expected(value) and not (isinstance(found, str) and [found] == _expected(value)):
            raise EditError(MSG["layout"])


def _value(node: yaml.MappingNode, key: str) -> yaml.Node | None:
    found = _pair(node, key)
    return found[1] if found else None


def _pair(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None


def _scalar_value(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _last_leaf(node: yaml.Node) -> yaml.Node:
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


def _plain(node: yaml.Node) -> object:
    if isinstance(node, yaml.MappingNode):
        return {k.value: _plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    return node.value


def _expected(value: object) -> object:
    if isinstance(value, Mapping):
        return {k: _expected(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_expected(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


# -- writing ----------------------------------------------------------------------

replace = os.replace  # the one step that makes a write visible; tests inject faults here


def write_atomic(path: Path, data: bytes, *, new: bool = False) -> None:
    """Write `data` to `path` all at once: a temporary file in the same folder, fsync, rename.

    The old file keeps its mode; an interrupted write leaves it intact and no temporary
    file behind. With `new`, refuse to replace a file that exists.
    """
    path = path.resolve() if path.is_symlink() else path
    if new and path.exists():
        raise FileExistsError(17, MSG["exists"], str(path))
    mode = _new_file_mode() if new else stat.S_IMODE(path.stat().st_mode)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _sync_folder(path.parent)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows opening a folder."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

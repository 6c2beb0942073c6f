"""The one YAML loader: safe (no Python objects), bounded, with one error wording.

Every YAML the product reads (scheduling rules, roster rule sets, history mappings, the app's
rules editor) goes through :func:`load_yaml`.  Two limits protect the machine:

* the text may be at most ``max_bytes`` long (default :data:`MAX_YAML_BYTES`);
* anchors and aliases are allowed (``<<: *defaults`` is common), but the document *as expanded*
  may hold at most ``max_nodes`` nodes (default :data:`MAX_YAML_NODES`).  A "billion laughs"
  file of 1.5 KB whose nested aliases expand to 10^9 nodes is refused at once, before any
  code walks or prints the expanded structure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from wfm.ground.errors import WfmInputError

#: Largest YAML text read [bytes].
MAX_YAML_BYTES = 2_000_000
#: Largest document, counted with every alias expanded [nodes].
MAX_YAML_NODES = 200_000


def _expanded_size(node: yaml.Node, memo: dict[int, int], limit: int) -> int:
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = limit + 1  # a node reached again while being sized is a recursive alias: refuse
    if isinstance(node, yaml.ScalarNode):
        size = 1
    elif isinstance(node, yaml.SequenceNode):
        size = 1
        for child in node.value:
            size += _expanded_size(child, memo, limit)
            if size > limit:
                break
    else:  # MappingNode
        size = 1
        for k, v in node.value:
            size += _expanded_size(k, memo, limit) + _expanded_size(v, memo, limit)
            if size > limit:
                break
    memo[key] = size
    return size


def load_yaml(source: str | os.PathLike | bytes, *, name: str | None = None, what: str = "YAML file",
              max_bytes: int = MAX_YAML_BYTES, max_nodes: int = MAX_YAML_NODES) -> Any:
    """Read one YAML document safely.

    Parameters
    ----------
    source : str, path-like or bytes
        A path (``Path`` or ``os.PathLike``), or the YAML text itself (``str`` or ``bytes``).
        A plain ``str`` is taken as text; pass a ``Path`` for a file.
    name : str, optional
        How messages name the document (default: the path, or "YAML text").
    what : str
        What the document is, for the not-found message ("rules file", "mapping file").
    max_bytes : int
        Largest text accepted [bytes].
    max_nodes : int
        Largest document accepted, counting every alias expanded [nodes].

    Returns
    -------
    object
        The loaded document (``None`` for an empty one).

    Raises
    ------
    WfmInputError
        ``"<name>: <what> not found"``, ``"<name>: is <n> bytes, more than the <max> allowed"``,
        ``"<name>: not valid YAML (<reason>)"`` or ``"<name>: expands to more than <max> nodes
        through its aliases"``.
    """
    if isinstance(source, (bytes, bytearray)):
        label, raw = name or "YAML text", bytes(source)
    elif isinstance(source, str):
        label, raw = name or "YAML text", source.encode("utf-8")
    else:
        path = Path(source)
        label = name or str(path)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise WfmInputError(f"{label}: {what} not found") from None
        except OSError as exc:
            raise WfmInputError(f"{label}: cannot read the {what} ({exc.strerror or exc})") from None
        if path.is_dir():
            raise WfmInputError(f"{label}: is a directory, not a {what}")
        if size > max_bytes:
            raise WfmInputError(f"{label}: is {size:,} bytes, more than the {max_bytes:,} allowed for a {what}")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise WfmInputError(f"{label}: cannot read the {what} ({exc.strerror or exc})") from None
    if len(raw) > max_bytes:
        raise WfmInputError(f"{label}: is {len(raw):,} bytes, more than the {max_bytes:,} allowed for a {what}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise WfmInputError(f"{label}: not valid YAML (not UTF-8 text: byte {exc.start})") from None
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            if _expanded_size(node, {}, max_nodes) > max_nodes:
                raise WfmInputError(
                    f"{label}: expands to more than {max_nodes:,} nodes through its aliases (anchors "
                    "and aliases are allowed, but not a document that multiplies itself)")
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise WfmInputError(f"{label}: not valid YAML ({reason[:300]})") from None
    except RecursionError:
        raise WfmInputError(f"{label}: not valid YAML (nested too deeply)") from None

"""What the user states about a document: sidecars and folder manifests, merged by precedence.

Later wins: ``hrsearch.toml`` ``[defaults]`` (of every folder above, the nearest last) <
``hrsearch.toml`` ``[files."name"]`` < the sidecar ``<file>.meta.toml`` (or ``<stem>.meta.toml``).
Every statement is validated; a malformed sidecar or manifest is a ``CorpusError`` naming it.
What was applied is fingerprinted, so that editing a sidecar re-indexes its document.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.countries import normalise_country
from corpus.models import KINDS, MECHANISMS
from corpus.readers.table import FIELDS as TABLE_FIELDS
from hrsearch.errors import CorpusError

SIDECAR_SUFFIX = ".meta.toml"
MANIFEST_NAME = "hrsearch.toml"

_META_TYPES: dict[str, type] = {
    "symbol": str,
    "kind": str,
    "country": str,
    "mechanism": str,
    "cycle": int,
    "session": int,
    "year": int,
    "language": str,
    "title": str,
    "author": str,
}


@dataclass
class Overrides:
    """Metadata stated in sidecars and manifests for one document, merged by precedence."""

    meta: dict[str, Any] = field(default_factory=dict)  # DocumentMeta fields and "extra"
    columns: dict[str, str] = field(default_factory=dict)  # table field -> column name
    fingerprint: bytes = b""  # what was applied, hashed with the document so that edits re-index it
    warnings: list[str] = field(default_factory=list)


def sidecar_candidates(path: Path) -> list[Path]:
    """Where a document's sidecar may be: ``report.pdf.meta.toml``, then ``report.meta.toml``."""
    return [path.with_name(path.name + SIDECAR_SUFFIX), path.with_name(path.stem + SIDECAR_SUFFIX)]


def load_overrides(path: Path) -> Overrides:
    """Merge the ``hrsearch.toml`` manifests of every folder above ``path`` and its sidecar.

    Raises ``CorpusError`` naming the sidecar or manifest when one is malformed.
    """
    overrides = Overrides()
    applied: list[Any] = []
    absolute = path.resolve()
    manifests: list[tuple[Path, Path, dict[str, Any]]] = []
    for folder in reversed(absolute.parents):  # the farthest folder first, so the nearest wins
        manifest = folder / MANIFEST_NAME
        if manifest.is_file():
            manifests.append((folder, manifest, _read_toml(manifest, "folder manifest")))
    for _, manifest, data in manifests:
        unknown = sorted(set(data) - {"defaults", "files"})
        if unknown:
            overrides.warnings.append(f"{manifest}: ignored unknown sections {', '.join(unknown)}")
        defaults = data.get("defaults", {})
        _expect_table(defaults, manifest, "[defaults]")
        _apply(overrides, defaults, manifest)
        applied.append(["defaults", defaults] if defaults else None)
    for folder, manifest, data in manifests:
        files = data.get("files", {})
        _expect_table(files, manifest, "[files]")
        entry = files.get(absolute.relative_to(folder).as_posix())
        if entry is not None:
            _expect_table(entry, manifest, f'[files."{absolute.relative_to(folder).as_posix()}"]')
            _apply(overrides, entry, manifest)
            applied.append(["file", entry])
    fingerprint = (
        json.dumps([a for a in applied if a], sort_keys=True, default=str).encode() if any(applied) else b""
    )
    sidecars = [p for p in dict.fromkeys(sidecar_candidates(path)) if p.is_file()]
    if sidecars:
        raw = _read_bytes(sidecars[0])
        _apply(overrides, _parse_toml(sidecars[0], raw, "sidecar"), sidecars[0])
        fingerprint += b"\x00sidecar\x00" + raw
        if len(sidecars) > 1:
            overrides.warnings.append(
                f"sidecar {sidecars[1].name} ignored: {sidecars[0].name} takes precedence"
            )
    overrides.fingerprint = fingerprint
    return overrides


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise CorpusError(path, f"cannot read the file: {e.strerror or e}") from e


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    return _parse_toml(path, _read_bytes(path), what)


def _parse_toml(path: Path, raw: bytes, what: str) -> dict[str, Any]:
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise CorpusError(path, f"malformed {what} (not valid UTF-8 TOML): {e}") from e


def _expect_table(value: Any, source: Path, where: str) -> None:
    if not isinstance(value, dict):
        raise CorpusError(source, f"malformed metadata: {where} must be a table of key = value lines")


def _apply(overrides: Overrides, table: dict[str, Any], source: Path) -> None:
    """Validate the statements of one sidecar or manifest section and merge them in."""
    for key, value in table.items():
        if key == "columns":
            _expect_table(value, source, "[columns]")
            for field_name, column in value.items():
                if field_name not in TABLE_FIELDS:
                    raise CorpusError(
                        source,
                        f"malformed metadata: [columns] maps hrsearch fields to column names; "
                        f"{field_name!r} is not one of {', '.join(TABLE_FIELDS)}",
                    )
                if not isinstance(column, str):
                    raise CorpusError(
                        source, f"malformed metadata: [columns] {field_name} must be a column name in quotes"
                    )
                overrides.columns[field_name] = column
        elif key == "extra":
            _expect_table(value, source, "[extra]")
            overrides.meta.setdefault("extra", {}).update(value)
        elif key in _META_TYPES:
            overrides.meta[key] = _check_value(key, value, source)
        elif isinstance(value, dict) and key == "files":
            raise CorpusError(
                source, "malformed metadata: [files] belongs in a folder manifest hrsearch.toml"
            )
        else:
            overrides.meta.setdefault("extra", {})[key] = value


def _check_value(key: str, value: Any, source: Path) -> Any:
    expected = _META_TYPES[key]
    if isinstance(value, bool) or not isinstance(value, expected):
        shown = "a whole number" if expected is int else "a string in quotes"
        raise CorpusError(source, f"malformed metadata: {key} must be {shown}, not {value!r}")
    if key == "kind" and value not in KINDS:
        raise CorpusError(source, f"malformed metadata: kind {value!r} is not one of {', '.join(KINDS)}")
    if key == "mechanism":
        mechanism = str(value).upper()
        if mechanism not in MECHANISMS:
            raise CorpusError(
                source, f"malformed metadata: mechanism {value!r} is not one of {', '.join(MECHANISMS)}"
            )
        return mechanism
    if key == "country":
        return normalise_country(str(value)) or value  # a name hrsearch does not know is kept as written
    return value

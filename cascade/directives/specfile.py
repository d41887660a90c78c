"""A directive file parsed once per version: a launch reads it in the CLI, for the run's name and to store it."""

from __future__ import annotations

import dataclasses
import hashlib
from functools import lru_cache
from pathlib import Path

from cascade.directives import directivefile
from cascade.directives.directivefile import DirectiveSpec

# A national directive's spec holds 100,000 recipients; a launch needs one file, a rerun right after it another.
CACHED_FILES = 2


@lru_cache(maxsize=CACHED_FILES)
def _parsed(resolved: str, digest: str) -> DirectiveSpec:
    # The digest of the bytes is the key's only use: an edited file is another version, parsed anew (a hash, not
    # the mtime, which a same-size rewrite within a clock tick or a `cp -p` would leave as it was).
    return directivefile.parse_directive(Path(resolved))


def parse_directive_file(path: Path | str) -> DirectiveSpec:
    """parse_directive(path), parsed once while the file is unchanged; the spec is shared, so read-only.

    Keyed by the resolved path, so the CLI's relative path and the flow's absolute one share a parse; the spec's
    `source` is still the path as this caller gave it (it names the file in errors and in the audit log)."""
    path = Path(path)
    try:
        resolved = path.resolve()
        digest = hashlib.sha256(resolved.read_bytes()).hexdigest()
    except OSError:
        return directivefile.parse_directive(path)  # unreadable: parse_directive names the fault
    spec = _parsed(str(resolved), digest)
    return spec if spec.source == str(path) else dataclasses.replace(spec, source=str(path))


def forget_parsed_files() -> None:
    """Drop the cached parses (tests that count them)."""
    _parsed.cache_clear()

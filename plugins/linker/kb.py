"""The knowledge base: a documented JSONL format, compiled into an indexed SQLite alias table.

One JSON object per line::

    {"id": "Q7747", "name": "Vladimir Putin", "types": ["person"],
     "aliases": [{"text": "Putin", "count": 5}, "Vladimir Putin"],
     "description": "President of Russia", "gender": "male", "popularity": 0.9,
     "wikidata": "Q7747", "stands_for": null}

``aliases`` are strings or ``{"text", "count"}`` (counts become priors); ``types`` are free
labels or Wikidata class ids; ``gender``, ``popularity``, ``wikidata`` and ``stands_for`` (the
entity a place name stands for in metonymy, e.g. Beijing for China's government) are optional.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import json
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import orjson
from textmill.errors import TextmillError

STARTER_KB = Path(__file__).with_name("starter_kb.jsonl")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entities (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, types TEXT NOT NULL, description TEXT NOT NULL,
  gender TEXT, popularity REAL, wikidata TEXT, stands_for TEXT
);
CREATE TABLE IF NOT EXISTS aliases (
  norm TEXT NOT NULL, alias TEXT NOT NULL, entity TEXT NOT NULL, count REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS aliases_norm ON aliases(norm);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class KBError(TextmillError):
    """A knowledge base that cannot be read."""


@lru_cache(maxsize=65536)
def normalize(alias: str) -> str:
    """Case-, accent- and punctuation-folded alias key ("the" dropped at the start)."""
    s = unicodedata.normalize("NFKD", alias)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = re.sub(r"[’'`]s\b", "", s)
    s = re.sub(r"[^\w\s]", " ", s)
    s = re.sub(r"^the\s+", "", s.strip())
    return " ".join(s.split())


@dataclass(frozen=True)
class KBEntity:
    id: str
    name: str
    types: tuple[str, ...]
    description: str = ""
    gender: str | None = None
    popularity: float | None = None
    wikidata: str | None = None
    stands_for: str | None = None
    aliases: tuple[tuple[str, float], ...] = field(default=(), compare=False)


def parse_record(rec: dict[str, Any], where: str) -> KBEntity:
    if not isinstance(rec, dict) or not rec.get("id") or not rec.get("name"):
        raise KBError(f'{where}: each KB line needs at least "id" and "name"')
    aliases: list[tuple[str, float]] = []
    for a in rec.get("aliases") or []:
        if isinstance(a, str):
            aliases.append((a, 1.0))
        elif isinstance(a, dict) and a.get("text"):
            aliases.append((str(a["text"]), float(a.get("count", 1) or 0)))
    if not any(normalize(t) == normalize(rec["name"]) for t, _ in aliases):
        aliases.append((rec["name"], 1.0))
    return KBEntity(
        id=str(rec["id"]),
        name=str(rec["name"]),
        types=tuple(str(t) for t in rec.get("types") or ()),
        description=str(rec.get("description") or ""),
        gender=rec.get("gender"),
        popularity=rec.get("popularity"),
        wikidata=rec.get("wikidata")
        or (rec["id"] if re.fullmatch(r"Q\d+", str(rec["id"])) else None),
        stands_for=rec.get("stands_for"),
        aliases=tuple(aliases),
    )


def read_jsonl(path: Path) -> Iterator[KBEntity]:
    with _open(path) as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise KBError(
                    f"{path}:{n}: not valid JSON ({exc.msg}); fix or remove that line"
                ) from exc
            yield parse_record(rec, f"{path}:{n}")


_GENDER = {"Q6581097": "male", "Q6581072": "female", "Q2449503": "male", "Q1052281": "female"}


def read_wikidata(
    path: Path,
    *,
    types: set[str] | None = None,
    ids: set[str] | None = None,
    lang: str = "en",
    min_sitelinks: int = 0,
    progress: Callable[[int, int, int], None] | None = None,
) -> Iterator[KBEntity]:
    """Stream a Wikidata JSON dump (``latest-all.json[.bz2|.gz]``: a JSON array, one entity per
    line), keeping items whose id is in ``ids`` or whose P31 (instance of) is in ``types``, with
    a label in ``lang`` and at least ``min_sitelinks`` Wikipedia and other sitelinks.

    ``progress(bytes_read, lines, kept)`` is called every few thousand lines, ``bytes_read``
    counted in the file as stored (compressed), so it can be set against the file's size."""
    if not path.exists():
        raise KBError(f"Wikidata dump {path} not found; check the path")
    with path.open("rb") as raw, _decompressed(path, raw) as fh:
        n = kept = 0
        for n, line in enumerate(fh, 1):
            if progress is not None and n % 5000 == 0:
                progress(raw.tell(), n, kept)
            line = line.strip().rstrip(b",")
            if line in (b"[", b"]", b""):
                continue
            try:
                item = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise KBError(
                    f"{path}:{n}: not a Wikidata dump line ({exc}); is it a JSON dump "
                    "(latest-all.json, one entity per line)?"
                ) from None
            ent = _wikidata_entity(item, types, ids, lang, min_sitelinks)
            if ent is not None:
                kept += 1
                yield ent
        if progress is not None:
            progress(raw.tell(), n, kept)


def _decompressed(path: Path, raw: BinaryIO) -> Any:
    if path.suffix == ".bz2":
        return bz2.open(raw, "rb")
    if path.suffix == ".gz":
        return gzip.open(raw, "rb")
    return contextlib.nullcontext(raw)


def _wikidata_entity(
    item: dict[str, Any],
    types: set[str] | None,
    ids: set[str] | None,
    lang: str,
    min_sitelinks: int,
) -> KBEntity | None:
    qid = item.get("id", "")
    claims = item.get("claims", {})
    p31 = {_claim_id(c) for c in claims.get("P31", [])} - {None}
    filtered = ids is not None or types is not None
    if filtered and not ((ids and qid in ids) or (types and p31 & types)):
        return None
    sitelinks = len(item.get("sitelinks", {}))
    if sitelinks < min_sitelinks:
        return None
    label = item.get("labels", {}).get(lang, {}).get("value")
    if not label:
        return None
    aliases = [(label, 1.0)] + [
        (a["value"], 1.0) for a in item.get("aliases", {}).get(lang, []) if a.get("value")
    ]
    gender = next((_GENDER.get(_claim_id(c) or "") for c in claims.get("P21", [])), None)
    return KBEntity(
        id=qid,
        name=label,
        types=tuple(sorted(t for t in p31 if t)),
        description=item.get("descriptions", {}).get(lang, {}).get("value", ""),
        gender=gender,
        popularity=float(sitelinks) if sitelinks else None,
        wikidata=qid,
        aliases=tuple(aliases),
    )


def _claim_id(claim: dict[str, Any]) -> str | None:
    try:
        return claim["mainsnak"]["datavalue"]["value"]["id"]
    except (KeyError, TypeError):
        return None


def _open(path: Path) -> TextIO:
    if not path.exists():
        raise KBError(f"knowledge base {path} not found; check the path")
    if path.suffix == ".bz2":
        return bz2.open(path, "rt", encoding="utf-8")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def compile_kb(entities: Iterable[KBEntity], out: Path) -> int:
    """Write entities into an indexed SQLite alias table at ``out``; returns the count.

    The table is written beside ``out`` and moved into place when complete, so a build that
    fails leaves no half-written KB (and an earlier one at ``out`` stays)."""
    tmp = out.with_name(out.name + ".part")
    if tmp.exists():
        tmp.unlink()
    con = sqlite3.connect(tmp)
    try:
        con.executescript(_SCHEMA)
        n = 0
        for e in entities:
            con.execute(
                "INSERT OR REPLACE INTO entities VALUES (?,?,?,?,?,?,?,?)",
                (
                    e.id,
                    e.name,
                    json.dumps(e.types),
                    e.description,
                    e.gender,
                    e.popularity,
                    e.wikidata,
                    e.stands_for,
                ),
            )
            con.executemany(
                "INSERT INTO aliases VALUES (?,?,?,?)",
                [(normalize(a), a, e.id, c) for a, c in e.aliases if normalize(a)],
            )
            n += 1
        con.execute("INSERT OR REPLACE INTO meta VALUES ('entities', ?)", (str(n),))
        con.commit()
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    tmp.replace(out)
    return n


class KB:
    """Read access for linking: alias candidates with priors, entity records."""

    def __init__(
        self,
        entities: dict[str, KBEntity],
        alias_index: dict[str, list[tuple[str, float]]],
        counts: dict[str, dict[str, float]] | None = None,
    ):
        self.entities = entities
        self.index = alias_index
        self.keys = list(alias_index)
        # Raw alias counts (how much evidence a prior rests on): norm -> entity -> count.
        self.counts = counts or {}

    @classmethod
    def load(cls, path: Path | str) -> KB:
        return _load(str(Path(path).resolve()))

    @classmethod
    def from_entities(cls, records: Iterable[KBEntity]) -> KB:
        """A KB held in memory, from entity records with their aliases and counts."""
        entities: dict[str, KBEntity] = {}
        raw: dict[str, dict[str, float]] = {}
        for e in records:
            entities[e.id] = e
            for a, c in e.aliases:
                k = normalize(a)
                if k:
                    raw.setdefault(k, {})
                    raw[k][e.id] = raw[k].get(e.id, 0.0) + c
        return cls.from_counts(entities, raw)

    @classmethod
    def from_counts(cls, entities: dict[str, KBEntity], raw: dict[str, dict[str, float]]) -> KB:
        """Priors from alias counts, smoothed so an alias seen 0 times still has a candidate."""
        index: dict[str, list[tuple[str, float]]] = {}
        for norm, ents in raw.items():
            total = sum(ents.values()) + 0.5 * len(ents)
            index[norm] = sorted(
                ((e, (c + 0.5) / total) for e, c in ents.items()), key=lambda x: -x[1]
            )
        return cls(entities, index, raw)

    def candidates(self, norm: str) -> list[tuple[str, float]]:
        """``(entity id, prior)`` for an exact normalized alias, priors summing to 1."""
        return self.index.get(norm, [])


@lru_cache(maxsize=4)
def _load(path: str) -> KB:
    p = Path(path)
    if p.suffix in (".sqlite", ".db"):
        if not p.exists():
            raise KBError(f"knowledge base {p} not found; build it with `textmill kb build`")
        con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT id, name, types, description, gender, popularity, wikidata, stands_for FROM entities"
            ).fetchall()
            arows = con.execute("SELECT norm, alias, entity, count FROM aliases").fetchall()
        except sqlite3.DatabaseError as exc:
            raise KBError(
                f"{p} is not a textmill knowledge base ({exc}); rebuild it with `textmill kb build`"
            ) from exc
        finally:
            con.close()
        by_entity: dict[str, list[tuple[str, float]]] = {}
        raw: dict[str, dict[str, float]] = {}
        for norm, alias, ent, count in arows:
            raw.setdefault(norm, {})
            raw[norm][ent] = raw[norm].get(ent, 0.0) + count
            by_entity.setdefault(ent, []).append((alias, count))
        entities = {
            r[0]: KBEntity(
                r[0],
                r[1],
                tuple(json.loads(r[2])),
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                aliases=tuple(by_entity.get(r[0], ())),
            )
            for r in rows
        }
        return KB.from_counts(entities, raw)
    try:
        return KB.from_entities(read_jsonl(p))
    except UnicodeDecodeError:
        raise KBError(f"{p} is not UTF-8 text; save the KB as UTF-8 JSONL") from None
    except OSError as exc:
        raise KBError(
            f"knowledge base {p} cannot be read ({exc.strerror}); check the path"
        ) from None

"""The search index over each form's searched fields (its title field and `search_fields`).

One document per record holds the words of engine/search.py: an FTS5 table on SQLite, a table with
a GIN-indexed tsvector on PostgreSQL. It is kept in the write's transaction by a record-event
subscriber and rebuilt for a form when a definition change alters what the form searches.

A search asks the index first. When at most CANDIDATES records carry the words, the list reads just
those (a search that finds nothing costs one index probe instead of a scan of the form; a list by id
tests them a slice at a time, newest first, until its page is full: runtime/records/listing.py); when
more do, the term is common, and the list's own scan finds a page of matches within its first rows, so
the index is set aside. Either way the LIKE conditions decide, so both roads give the same records.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, MetaData, Select, column, delete, event, select, table, text

from engine import search
from engine.forms.fields.auto_number import AutoNumberField
from engine.forms.model import FormDefinition
from runtime.db.tables import metadata, record_pinyin, records
from runtime.records import pinyin
from runtime.records.bulk import write_rows
from runtime.records.events import RecordEvent

CANDIDATES = 5000
"""Most candidates a search takes from the index before it lets the list scan instead."""

CONTENTLESS_DELETE = (3, 43, 0)
_BATCH = 5000


def create_table(conn: Connection) -> None:
    """Create the index table (alembic migration and metadata.create_all both call this)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("CREATE TABLE IF NOT EXISTS record_search (id BIGINT PRIMARY KEY "
                          "REFERENCES records(id) ON DELETE CASCADE, words TSVECTOR NOT NULL)"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_record_search_words ON record_search USING gin (words)"))
        return
    version = tuple(int(p) for p in conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
        "SELECT sqlite_version()").fetchone()[0].split("."))
    # A contentless table keeps only the index; deleting from one needs SQLite 3.43. Older ones keep
    # the words as content too (larger, same answers).
    options = "content='', contentless_delete=1, " if version >= CONTENTLESS_DELETE else ""
    conn.execute(text(f"CREATE VIRTUAL TABLE IF NOT EXISTS record_search USING fts5(words, {options}detail=none)"))
    stop_automerge(conn)


def stop_automerge(conn: Connection) -> None:
    """SQLite: writers no longer merge the index's segments; the server's maintenance thread does
    (merge, runtime/db/checkpoints.py). With FTS5's default, the commits of one-record creates
    did the merging: at a million customers, for stretches of a few thousand creates, one commit in a
    hundred took 20–30 ms and the average create 1.3 ms against 0.75 ms. FTS5 still merges in a
    commit once a level holds 16 segments (crisismerge), so a process without the thread stays bounded."""
    conn.execute(text("INSERT INTO record_search(record_search, rank) VALUES('automerge', 0)"))


MERGE_PAGES = 200
"""Pages of merging one maintenance run writes at most: 20–100 ms of the write lock at a million
customers, once a second, against new segments of a few hundred one-record creates a second."""


def merge(conn: Connection, pages: int = MERGE_PAGES) -> None:
    """SQLite: merge the index's segments where a level holds four or more (FTS5's usermerge), for
    about `pages` pages of work, as automerge would have inside the writers' commits."""
    conn.execute(text("INSERT INTO record_search(record_search, rank) VALUES('merge', :pages)"), {"pages": pages})


def drop_table(conn: Connection) -> None:
    conn.execute(text("DROP TABLE IF EXISTS record_search"))


@event.listens_for(metadata, "after_create")
def _create_with_metadata(_target: MetaData, connection: Connection, **_kw: Any) -> None:
    create_table(connection)


def _words(form: FormDefinition, data: dict[str, Any], keys: list[str] | None = None,
           spelled: dict[str, str] | None = None) -> list[str]:
    """The words a record is indexed under: its searched values', and those of the pinyin spellings of
    the values with 汉字 (a pinyin search is narrowed by the same index; runtime/records/pinyin.py).
    `spelled` (the spellings of these values by field, pinyin.spelled_values) when already known."""
    keys = form.searched_fields if keys is None else keys
    if spelled is None:
        spelled = pinyin.spelled_values(form, data, keys)
    spellings = [s for key in keys if key in spelled for s in spelled[key].split("|") if s]
    return search.document([data.get(k) for k in keys]) + search.spelling_document(spellings)


def _write(conn: Connection, docs: Sequence[tuple[int, list[str]]]) -> None:
    # A record with nothing to search has no document. The words are hex digits: as text they are
    # a valid tsvector (no parser, no stemming) and one FTS5 token each.
    rows = [(i, " ".join(words)) for i, words in docs if words]
    if not rows:
        return
    key = "id" if conn.dialect.name == "postgresql" else "rowid"  # FTS5 keeps the record id as its rowid
    write_rows(conn, "record_search", (key, "words"), rows)


def index_records(conn: Connection, form: FormDefinition, ids: Sequence[int], datas: Sequence[dict[str, Any]],
                  *, replace: bool = False) -> None:
    """Add (or with replace=True, renew) the documents of these records."""
    if not form.searched_fields:
        return
    if replace:
        _delete(conn, list(ids))
    known = _KNOWN.get()
    if replace or known is None or known[0] != form.key:
        spelled = [pinyin.spelled_values(form, d) for d in datas]
        _write(conn, [(i, _words(form, d, spelled=s)) for i, d, s in zip(ids, datas, spelled, strict=True)])
        pinyin.write(conn, form, ids, spelled, replace=replace)
        return
    _, words, spellings = known
    numbered = _numbered(form)
    docs, spelled = [], []
    for i, d in zip(ids, datas, strict=True):
        found = words.get(id(d))
        if found is None or spellings is None:
            spelled.append(pinyin.spelled_values(form, d))
        else:  # the auto numbers, given since, are spelled now
            spelled.append({**spellings.get(id(d), {}), **pinyin.spelled_values(form, d, numbered)})
        if found is None:
            docs.append((i, _words(form, d, spelled=spelled[-1])))
        elif numbered:  # the auto numbers were given after the words were worked out
            docs.append((i, list(set(found.split()).union(search.document([d.get(k) for k in numbered])))))
        else:
            docs.append((i, found.split()))
    _write(conn, docs)
    pinyin.write(conn, form, ids, spelled, replace=replace)


def words_ahead(form: FormDefinition, datas: Sequence[dict[str, Any]],
                spellings: dict[int, dict[str, str]] | None = None) -> dict[int, str]:
    """The words of each record to be (by the identity of its data), auto numbers left out: what
    index_records would work out under the write lock, worked out before it is taken (an import's
    check step). Give them to index_records with `words_known`. Each record's words are kept as one
    text, space-separated: a list of short str objects costs several times the memory, and an import
    keeps them for every row until it is written. `spellings`, when given, receives each record's
    pinyin spellings by field (only those with any), which index_records would spell again."""
    if not form.searched_fields:
        return {}
    numbered = set(_numbered(form))
    keys = [k for k in form.searched_fields if k not in numbered]
    words = {}
    for d in datas:
        spelled = pinyin.spelled_values(form, d, keys)
        words[id(d)] = " ".join(_words(form, d, keys, spelled))
        if spellings is not None and spelled:
            spellings[id(d)] = spelled
    return words


@contextmanager
def words_known(form: FormDefinition, words: dict[int, str],
                spellings: dict[int, dict[str, str]] | None = None) -> Iterator[None]:
    """Within the block, new records of `form` whose data is a key of `words` (the very dicts
    words_ahead was given, which the caller keeps alive) are indexed with those words, and with the
    pinyin spellings words_ahead gave in `spellings` (None: spelled again)."""
    token = _KNOWN.set((form.key, words, spellings))
    try:
        yield
    finally:
        _KNOWN.reset(token)


_KNOWN: ContextVar[tuple[str, dict[int, str], dict[int, dict[str, str]] | None] | None] = ContextVar(
    "tangram_words_known", default=None)


def _numbered(form: FormDefinition) -> list[str]:
    return [k for k in form.searched_fields if isinstance(form.by_key.get(k), AutoNumberField)]


def keep_current(conn: Connection, event: RecordEvent) -> None:
    """Created records are indexed; updated ones again when a searched field changed."""
    form = event.ref.form
    if event.action == "create" and not event.imported:
        index_records(conn, form, event.ids, event.after)
    elif event.action == "update" and set(form.searched_fields) & event.changed_fields:
        index_records(conn, form, event.ids, event.after, replace=True)


def rebuild(conn: Connection, app: str, form: FormDefinition) -> int:
    """Index every record of a form anew (after its searched fields changed); returns the count."""
    of_form = (records.c.app == app) & (records.c.form == form.key)
    _delete(conn, select(records.c.id).where(of_form))
    conn.execute(delete(record_pinyin).where(record_pinyin.c.record_id.in_(select(records.c.id).where(of_form))))
    done, after = 0, 0
    while form.searched_fields:
        batch = conn.execute(select(records.c.id, records.c.data).where(of_form, records.c.id > after)
                             .order_by(records.c.id).limit(_BATCH)).all()
        if not batch:
            break
        index_records(conn, form, [r.id for r in batch], [r.data for r in batch])
        done, after = done + len(batch), batch[-1].id
    return done


def forget(conn: Connection, ids: Select[Any]) -> None:
    """Drop the documents of the records a query gives (records about to be removed)."""
    _delete(conn, ids)


def _delete(conn: Connection, ids: Sequence[int] | Select[Any]) -> None:
    """Drop the documents of these records (a list of ids or a query giving them)."""
    key = "id" if conn.dialect.name == "postgresql" else "rowid"
    documents = table("record_search", column(key))
    conn.execute(delete(documents).where(documents.c[key].in_(ids)))


def follow_definition(conn: Connection, app: str, old: FormDefinition | None, new: FormDefinition,
                      converted: bool) -> None:
    """After an upgrade: rebuild a form whose searched fields changed or whose values were converted."""
    before = old.searched_fields if old is not None else []
    if before != new.searched_fields or (converted and new.searched_fields):
        rebuild(conn, app, new)


def candidates(conn: Connection, asked: str, *, spelled: bool = False) -> list[int] | None:
    """The ids whose documents hold the search's words (any form), or None when more than CANDIDATES
    do or the search has no words: then the list must scan. `spelled`: `asked` is a pinyin spelling,
    looked for among the spellings' words."""
    terms = search.spelling_terms(asked) if spelled else search.terms(asked)
    if terms is None:
        return None
    if conn.dialect.name == "postgresql":
        query = " & ".join(terms.words) if terms.words else f"{terms.prefix}:*"
        sql = "SELECT id FROM record_search WHERE words @@ CAST(:q AS tsquery) LIMIT :n"
    else:
        query = " AND ".join(terms.words) if terms.words else f"{terms.prefix}*"
        sql = "SELECT rowid FROM record_search WHERE record_search MATCH :q LIMIT :n"
    ids = list(conn.execute(text(sql), {"q": query, "n": CANDIDATES + 1}).scalars())
    return ids if len(ids) <= CANDIDATES else None


def narrowed(conn: Connection, spellings: list[str], pinyin_spellings: Sequence[str] = ()) -> list[int] | None:
    """The index's candidates for a search (the ids of any spelling's or pinyin spelling's documents),
    ascending; None when one of them is too common to narrow or they are more than CANDIDATES: the list scans."""
    found: set[int] = set()
    for asked, spelled in [(s, False) for s in spellings] + [(s, True) for s in pinyin_spellings]:
        ids = candidates(conn, asked, spelled=spelled)
        if ids is None:
            return None
        found.update(ids)
    return None if len(found) > CANDIDATES else sorted(found)


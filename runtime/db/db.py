"""Opening the database: SQLite (pysqlite3 with JSONB where it can) or PostgreSQL via psycopg 3."""

from __future__ import annotations

import asyncio
import contextlib
import select
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from engine.errors import Busy
from engine.expr.sqlite_functions import REGISTER as SQLITE_FUNCTIONS
from engine.reports.aggregates import SQLITE_AGGREGATES
from runtime.db import deferred
from runtime.db.types import dumps
from runtime.records.numbering import Allocator

T = TypeVar("T")
JSONB_MIN_SQLITE = (3, 45, 0)
BUSY_SECONDS = 10.0
"""How long a writer waits for the write lock by default (TANGRAM_LOCK_WAIT_SECONDS): on SQLite for
the writer before it, on PostgreSQL for any lock (`lock_timeout`). Then the write gives up, having
written nothing, with engine.errors.Busy (503 with Retry-After)."""
RETRY_AFTER_SECONDS = 2
"""What a writer that gave up is told to wait before it tries again."""
AUTOCHECKPOINT_PAGES = 10_000
"""A writer whose commit takes the WAL past this many pages (40 MB) checkpoints it. SQLite's 1,000
made every thirty- to fortieth one-record create stall; the server checkpoints in a thread instead
(storage.checkpoints), and this is the backstop for processes without one."""


def sqlite_module() -> Any:
    """pysqlite3 (a current SQLite with JSONB) when installed, else the standard library's sqlite3."""
    try:
        from pysqlite3 import dbapi2  # type: ignore[import-not-found]
    except ImportError:
        return sqlite3
    return dbapi2


@dataclass(frozen=True)
class Database:
    """An engine plus what the rest of the runtime must know about it."""

    engine: Engine
    dialect: str  # "sqlite" | "postgresql"
    jsonb: bool  # record data stored as binary JSON (always on PostgreSQL)
    sqlite_version: str | None = None
    lock_wait: float = BUSY_SECONDS  # seconds a writer waits for the write lock, then Busy
    # SQLite has one writer at a time. Threads of this process queue here and are woken the moment
    # the writer commits; left to SQLite's busy handler they would poll, sleeping 1–100 ms between
    # tries, which cost single creates over HTTP a third of their rate under four concurrent clients.
    # Other processes (the CLI beside a server) still wait through busy_timeout.
    _writer: threading.RLock = field(default_factory=threading.RLock, compare=False, repr=False)
    # Event loops waiting in writer_released(), each woken once when a writer of this process lets go.
    _waiting: list[Callable[[], None]] = field(default_factory=list, compare=False, repr=False)
    # One item per thread of this process waiting in write() for the write lock (let_others_write).
    _queue: list[None] = field(default_factory=list, compare=False, repr=False)

    @contextmanager
    def write(self, *, large: bool = False) -> Iterator[Connection]:
        """A connection in a transaction that will write; commits when the block ends without error.
        `large`, for one large transaction (an import's publish): on SQLite its commit does not
        checkpoint the WAL it grew while the write lock is held (AUTOCHECKPOINT_PAGES: 2.2 of the 4.1 s
        an import's publish of 50,000 rows held the lock); the caller runs `checkpoint` after."""
        large = large and self.dialect == "sqlite"
        with self._queued(), self.engine.connect() as conn:
            inline = _INLINE.get()
            if inline is not None and not inline.began:  # the first write of write_now's work: never waits
                conn.execution_options(**WRITE, tangram_nowait=True)
                inline.began = True
            else:
                conn.execution_options(**WRITE)
            raw = conn.connection.dbapi_connection if large else None
            if raw is not None:
                raw.execute("PRAGMA wal_autocheckpoint=0")
            try:
                with conn.begin():
                    yield conn
            finally:
                if raw is not None:
                    raw.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")

    def checkpoint(self) -> None:
        """SQLite: one PASSIVE checkpoint of the WAL, which lets writers on (after a large write)."""
        if self.dialect == "sqlite":
            with self.engine.connect() as conn:
                conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")  # type: ignore[union-attr]

    def write_now(self, work: Callable[[], T]) -> T:
        """SQLite: run `work` (whose writes go through write()) in this thread if the write lock is free
        at once, else raise WriterBusy having written nothing: another thread of this process holds the
        lock, or another process does when work's first write() begins. Only that first write refuses
        to wait; should work write again, that write waits as usual.

        For the API's one-record writes: run here, on the event loop, they skip the hand-over to a
        worker thread and back, which cost a single create over HTTP a fifth of its rate (bench/). A
        write that would wait goes to a thread instead, so the loop never waits on a lock."""
        if not self._writer.acquire(blocking=False):
            raise WriterBusy("another writer holds the SQLite write lock", this_process=True)
        token = _INLINE.set(_Inline())
        try:
            return work()
        finally:
            _INLINE.reset(token)
            self._let_go()

    async def writer_released(self, timeout: float) -> bool:
        """Wait, without blocking the event loop, until a writer of this process lets go of the write
        lock (False after `timeout` seconds). For write_now's callers: a one-record write that met
        another thread's write then still runs on the loop. Sent to a thread instead, it kept the lock
        busy for the next request, which went to a thread too: a quarter of the single creates at 1M
        records ran in threads, all after the checkpoint thread's turn."""
        loop = asyncio.get_running_loop()
        released = loop.create_future()

        def settle() -> None:
            if not released.done():  # not given up on (timed out) or woken already
                released.set_result(None)

        def wake() -> None:
            loop.call_soon_threadsafe(settle)

        self._waiting.append(wake)
        if self._writer.acquire(blocking=False):  # it let go before we were listed: wake now
            self._let_go()
        try:
            await asyncio.wait_for(released, timeout)
            return True
        except TimeoutError:
            with contextlib.suppress(ValueError):
                self._waiting.remove(wake)
            return False

    def let_others_write(self, most: float = 1.0) -> None:
        """SQLite: between two writes of a long job (an import's chunks), let the writers of this process
        that queued meanwhile go first, for at most `most` seconds. Python's lock is not fair: a thread
        that lets go and takes it again at once would keep the others waiting until they give up (503);
        a short pause also lets a request woken on the event loop, or another process, get in."""
        if self.dialect != "sqlite":
            return
        deadline = time.monotonic() + most
        time.sleep(0.002)
        while (self._queue or self._writer_taken()) and time.monotonic() < deadline:
            time.sleep(0.001)

    def _writer_taken(self) -> bool:
        if self._writer.acquire(blocking=False):
            self._let_go()
            return False
        return True

    def _let_go(self) -> None:
        self._writer.release()
        while self._waiting:
            try:
                wake = self._waiting.pop()
            except IndexError:  # another thread woke it first
                break
            wake()

    @contextmanager
    def _queued(self) -> Iterator[None]:
        # The same bound as busy_timeout: a writer that waited it out on another thread's writer
        # gives up here, having written nothing, as it would have in SQLite.
        if self.dialect == "sqlite":
            self._queue.append(None)
            try:
                held = self._writer.acquire(timeout=self.lock_wait)
            finally:
                self._queue.pop()
        else:
            held = False
        if self.dialect == "sqlite" and not held:
            raise busy()
        try:
            yield
        finally:
            if held:
                self._let_go()

    @contextmanager
    def small_cache(self) -> Iterator[None]:
        """SQLite: the connections this thread takes inside the block keep SQLite's default page cache
        (2 MB) instead of 64 MB. For an import, which reads and writes every index of `records` once
        through a connection per chunk: 64 MB of cache per pooled connection was 122 MiB of its peak
        memory at 100,000 rows, for no measured speed."""
        token = _CACHE_KIB.set(SMALL_CACHE_KIB)
        try:
            yield
        finally:
            _CACHE_KIB.reset(token)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a read-only transaction (never blocks writers on SQLite's WAL)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def describe(self) -> str:
        if self.dialect == "sqlite":
            mode = "JSONB" if self.jsonb else "TEXT JSON"
            return f"SQLite {self.sqlite_version} ({mode})"
        return "PostgreSQL (JSONB)"


def busy() -> Busy:
    """The error of a write that waited for the lock as long as it may (nothing written)."""
    return Busy("数据库正忙（另一写入尚未结束，例如大批导入），本次未写入任何内容，请稍后重试",
                "the database is busy with another write (such as a large import); nothing was written, "
                "try again shortly", retry_after=RETRY_AFTER_SECONDS)


def lock_wait_ended(error: BaseException) -> bool:
    """A driver error (or SQLAlchemy's wrapper of one) saying the wait for a lock ran out: SQLite's
    SQLITE_BUSY ("database is locked") after busy_timeout, PostgreSQL's lock_not_available (55P03)
    after lock_timeout. The statement did nothing; the transaction is rolled back."""
    orig = getattr(error, "orig", None) or error
    if getattr(orig, "sqlstate", None) == "55P03":
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED (and their extended codes)
    return type(orig).__module__.startswith(("sqlite3", "pysqlite3")) and "database is locked" in str(orig)


class WriterBusy(Exception):
    """Database.write_now: the SQLite write lock is taken, by a thread of this process or by another
    process; nothing was written."""

    def __init__(self, message: str, *, this_process: bool) -> None:
        super().__init__(message)
        self.this_process = this_process


@dataclass
class _Inline:
    began: bool = False


_INLINE: ContextVar[_Inline | None] = ContextVar("tangram_write_now", default=None)


def _busy_timeout(seconds: float) -> str:
    return f"PRAGMA busy_timeout={round(seconds * 1000)}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, lock_wait: float = BUSY_SECONDS) -> None:
    for name, arity, function in SQLITE_FUNCTIONS:  # expressions run inside SQLite with Python's meaning
        dbapi_conn.create_function(name, arity, function, deterministic=True)
    for name, arity, aggregate in SQLITE_AGGREGATES:  # exact decimal sums for reports
        dbapi_conn.create_aggregate(name, arity, aggregate)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(_busy_timeout(lock_wait))
    cur.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES}")
    # 64 MiB of page cache per connection instead of SQLite's 2 MiB: the expression indexes of a form
    # with a million records stop falling out of cache on every insert (bulk create +20–30 % at 300k).
    cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cur.close()


CACHE_KIB = 65536
SMALL_CACHE_KIB = 2000  # SQLite's own default
_CACHE_KIB: ContextVar[int] = ContextVar("tangram_sqlite_cache_kib", default=CACHE_KIB)


def _sqlite_cache(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    """A connection handed out gets the page cache its caller asked for (Database.small_cache): a smaller
    cache frees its pages at once, the usual one fills again as it is read."""
    want = _CACHE_KIB.get()
    if record.info.get("cache_kib", CACHE_KIB) != want:
        dbapi_conn.execute(f"PRAGMA cache_size=-{want}")
        record.info["cache_kib"] = want


WRITE = {"tangram_write": True}
"""Execution options of a connection that will write: on SQLite it takes the write lock at BEGIN."""


def _sqlite_begin(conn: Any, lock_wait: float = BUSY_SECONDS) -> None:
    # A writer takes the lock at BEGIN so concurrent writers queue (busy_timeout) instead of failing
    # with SQLITE_BUSY half-way through; readers begin DEFERRED and never block (WAL).
    # pysqlite's own implicit BEGIN is switched off below, so this is the only one.
    # Straight on the DBAPI connection: every transaction pays for this statement.
    options = conn.get_execution_options()
    raw = conn.connection.dbapi_connection
    if options.get("tangram_nowait"):  # Database.write_now: take the lock now or not at all
        raw.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
        try:
            raw.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
        except conn.dialect.loaded_dbapi.OperationalError as e:  # "database is locked"
            raise WriterBusy("another process holds the SQLite write lock", this_process=False) from e
        finally:
            raw.execute(_busy_timeout(lock_wait))  # type: ignore[union-attr]
        return
    if not options.get("tangram_write"):
        raw.execute("BEGIN")  # type: ignore[union-attr]
        return
    try:
        raw.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
    except conn.dialect.loaded_dbapi.OperationalError as e:  # busy_timeout ran out: nothing begun
        if lock_wait_ended(e):
            raise busy() from e
        raise


IDLE_PING_SECONDS = 30.0
"""A pooled PostgreSQL connection unused for longer than this is pinged before it is handed out."""
_RETURNED = "tangram_returned"


def _returned(_dbapi_conn: Any, record: Any) -> None:
    record.info[_RETURNED] = time.monotonic()


def _alive_or_replaced(dialect: Any) -> Callable[[Any, Any, Any], None]:
    """The pool's checkout listener: a pooled PostgreSQL connection goes out without a round trip when
    it is surely alive, used within IDLE_PING_SECONDS and nothing waiting on its socket. A server that
    ends a connection (a restart, pg_terminate_backend) sends a last message and closes it, which
    makes the socket readable; an idle connection receives nothing otherwise. Such a connection, or an
    old one, is pinged, and if dead replaced (the pool tries again on DisconnectionError). SQLAlchemy's
    pool_pre_ping pinged every checkout: 75 µs of CPU a request."""

    def check(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle = time.monotonic() - record.info.get(_RETURNED, 0.0)
        if idle < IDLE_PING_SECONDS and not _has_input(dbapi_conn.fileno()):
            return
        try:
            dialect.do_ping(dbapi_conn)
        except dialect.loaded_dbapi.Error as e:
            raise DisconnectionError(f"the database closed this connection: {e}") from e

    return check


def _has_input(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def _lock_timeout(seconds: float) -> Callable[[Any, Any], None]:
    """Each new PostgreSQL connection waits at most `seconds` for a lock (a row another transaction
    writes, a table a migration alters), then the statement fails with 55P03: the API's 503 Busy,
    not a request hanging for as long as the other transaction lasts."""
    statement = f"SET lock_timeout = {round(seconds * 1000)}"

    def set_timeout(dbapi_conn: Any, _record: Any) -> None:
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True  # a session setting, outside any transaction
        try:
            dbapi_conn.execute(statement)
        finally:
            dbapi_conn.autocommit = autocommit

    return set_timeout


def _most_recent_first(parsed: Any, engine_args: dict[str, Any]) -> dict[str, Any]:
    """The pool hands out the connection returned last (LIFO), where SQLAlchemy's queue hands out the
    one idle longest. A burst leaves several connections in the pool; in queue order every following
    request then takes a different one. SQLite drops a connection's page cache whenever another
    connection has written, so each write began by reading its indexes' pages again: 86 reads a
    single create at 1M records, 11 with the last one reused (strace). PostgreSQL's connections keep
    their prepared statements; LIFO also lets the ones a burst added sit idle.
    Only SQLAlchemy's QueuePool takes the option: not an in-memory SQLite or a chosen pool class."""
    if "poolclass" in engine_args or parsed.database in (None, "", ":memory:"):
        return engine_args
    return {"pool_use_lifo": True, **engine_args}


def _with_table_hints(compiler: Any) -> Any:
    """SQLite's statement compiler writing a table's hint after it (`records INDEXED BY tg_…`, what
    runtime/records/listing.py names for a list); SQLAlchemy's own leaves SQLite's hints out."""

    class Hinted(compiler):  # type: ignore[misc, valid-type]
        def get_from_hint_text(self, table: Any, text: str | None) -> str | None:
            return text

    return Hinted


def open_database(url: str, *, sqlite_json: str = "auto", lock_wait: float = BUSY_SECONDS,
                  **engine_args: Any) -> Database:
    """Create the engine for `url`. sqlite_json: auto (JSONB if SQLite >= 3.45) | jsonb | text;
    lock_wait: seconds a writer waits for a lock before it gives up with Busy."""
    parsed = make_url(url)
    engine_args = _most_recent_first(parsed, engine_args)
    if parsed.get_backend_name() == "sqlite":
        module = sqlite_module()
        version = tuple(int(p) for p in module.sqlite_version.split("."))
        jsonb = {"auto": version >= JSONB_MIN_SQLITE, "jsonb": True, "text": False}[sqlite_json]
        if jsonb and version < JSONB_MIN_SQLITE:
            raise RuntimeError(f"SQLite {module.sqlite_version} has no JSONB (3.45+ needed)")
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed.set(drivername="sqlite+pysqlite"), module=module,
                               json_serializer=dumps, **engine_args)
        engine.dialect.tangram_jsonb = jsonb  # type: ignore[attr-defined]
        engine.dialect.statement_compiler = _with_table_hints(engine.dialect.statement_compiler)
        event.listen(engine, "connect", lambda dbapi_conn, record: _sqlite_pragmas(dbapi_conn, record, lock_wait))

        @event.listens_for(engine, "connect")
        def _no_implicit_begin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        event.listen(engine, "begin", lambda conn: _sqlite_begin(conn, lock_wait))
        event.listen(engine, "checkout", _sqlite_cache)
        return Database(engine, "sqlite", jsonb, module.sqlite_version, lock_wait)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed.set(drivername="postgresql+psycopg"), json_serializer=dumps, **engine_args)
        event.listen(engine, "checkin", _returned)
        event.listen(engine, "checkout", _alive_or_replaced(engine.dialect))
        event.listen(engine, "connect", _lock_timeout(lock_wait))
        deferred.install(engine)
        engine.dialect.tangram_numbers = Allocator(engine)  # type: ignore[attr-defined]
        return Database(engine, "postgresql", True, lock_wait=lock_wait)
    raise RuntimeError(f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql")

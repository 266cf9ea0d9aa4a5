"""The floor of a single create over HTTP: FastAPI + uvicorn (one worker) + one INSERT and COMMIT.

`python -m bench.bare sqlite:///PATH|postgresql://… PORT` serves `POST /records` with a JSON body
{"data": {...}}: it checks a bearer header, writes the data as JSON into a table of its own and answers
201 with the id, as Tangram's create does, but with no definitions, validation, history, search
index, audit or permissions. The records bench drives it with the same load as Tangram's create, so
the table can show what Tangram adds to the stack it runs on.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Any

import uvicorn
from fastapi import FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse

TOKEN = "bare-bench-token"


def _sqlite(path: str) -> Any:
    try:
        import pysqlite3 as sqlite3  # type: ignore[import-not-found]
    except ImportError:
        import sqlite3
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS bare_records (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")
    lock = threading.Lock()  # one writer at a time, as Tangram's writer queue

    def insert(text: str) -> int:
        with lock:
            conn.execute("BEGIN IMMEDIATE")
            new = conn.execute("INSERT INTO bare_records (data) VALUES (jsonb(?)) RETURNING id", (text,)).fetchone()[0]
            conn.execute("COMMIT")
        return int(new)

    return insert


def _postgres(url: str) -> Any:
    import psycopg

    with psycopg.connect(url, autocommit=True) as setup:
        setup.execute("CREATE TABLE IF NOT EXISTS bare_records (id BIGSERIAL PRIMARY KEY, data JSONB NOT NULL)")
    local = threading.local()

    def insert(text: str) -> int:
        if not hasattr(local, "conn"):
            local.conn = psycopg.connect(url)
        with local.conn.transaction():
            return int(local.conn.execute("INSERT INTO bare_records (data) VALUES (%s::jsonb) RETURNING id",
                                          (text,)).fetchone()[0])

    return insert


def app(url: str) -> FastAPI:
    insert = _postgres(url) if url.startswith("postgresql") else _sqlite(url.removeprefix("sqlite:///"))
    service = FastAPI()

    @service.post("/records", status_code=201)
    def create(body: dict[str, Any], authorization: str | None = Header(None)) -> Any:
        if authorization != f"Bearer {TOKEN}":
            raise HTTPException(401)
        data = body["data"]
        new = insert(json.dumps(data, ensure_ascii=False))
        return JSONResponse({"id": new, "version": 1, "data": data}, status_code=201)

    return service


if __name__ == "__main__":
    uvicorn.run(app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)

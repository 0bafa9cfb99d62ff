"""Notes kept in PostgreSQL: GET / lists them, POST /notes adds one (the request body is the text).

DATABASE_URL comes from the platform: the db service's template generates the password and
gives the URL to every service that lists db in dependsOn. Nothing here knows the password.
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

DATABASE_URL = os.environ["DATABASE_URL"]


def connect():
    return psycopg2.connect(DATABASE_URL, connect_timeout=3)


def migrate():
    with connect() as db, db.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, text text NOT NULL, created timestamptz NOT NULL DEFAULT now())")


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body, kind="text/plain; charset=utf-8"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        try:
            with connect() as db, db.cursor() as cursor:
                if self.path == "/healthz":
                    cursor.execute("SELECT 1")
                    return self.answer(200, "ok\n")
                if self.path == "/notes":
                    cursor.execute("SELECT id, text FROM notes ORDER BY id")
                    return self.answer(200, json.dumps([{"id": i, "text": t} for i, t in cursor.fetchall()]), "application/json")
                if self.path == "/":
                    cursor.execute("SELECT count(*) FROM notes")
                    return self.answer(200, f"{cursor.fetchone()[0]} notes in PostgreSQL\n")
            self.answer(404, "not found\n")
        except psycopg2.Error as error:
            self.answer(503, f"database unavailable: {error.__class__.__name__}\n")

    def do_POST(self):
        if self.path != "/notes":
            return self.answer(404, "not found\n")
        text = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        try:
            with connect() as db, db.cursor() as cursor:
                cursor.execute("INSERT INTO notes (text) VALUES (%s) RETURNING id", (text,))
                self.answer(201, json.dumps({"id": cursor.fetchone()[0], "text": text}), "application/json")
        except psycopg2.Error as error:
            self.answer(503, f"database unavailable: {error.__class__.__name__}\n")

    def log_message(self, format, *args):
        print(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}", flush=True)


if __name__ == "__main__":
    migrate()
    print("listening on :8080", flush=True)
    ThreadingHTTPServer(("", 8080), Handler).serve_forever()

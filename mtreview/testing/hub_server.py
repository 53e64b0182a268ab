"""A model hub on a loopback port, for tests and demos without the internet.

It speaks the part of the Hugging Face Hub HTTP API that huggingface_hub and transformers
use to look a model up and download it (model info with file sizes and checksums, the file
tree, `resolve` with HEAD, ETag, X-Repo-Commit and byte ranges), serving local model
directories under hub names. Point a client at it with HF_ENDPOINT=http://127.0.0.1:PORT.
It can slow downloads down (to watch a progress bar) and cut a download short (to test
resuming).

    python -m mtreview.testing.hub_server --tiny --port 8765   # tiny opus-mt-fr-en, en-fr
    HF_ENDPOINT=http://127.0.0.1:8765 bash scripts/app.sh
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import sys
import threading
import time
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

LFS_SUFFIXES = (".safetensors", ".bin", ".h5", ".ot", ".msgpack")
DEFAULT_PAIR = ("Helsinki-NLP/opus-mt-fr-en", "Helsinki-NLP/opus-mt-en-fr")
CHUNK = 16 * 1024


@dataclasses.dataclass(frozen=True)
class HubFile:
    path: str
    data: bytes

    @property
    def is_lfs(self) -> bool:
        return self.path.endswith(LFS_SUFFIXES)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def blob_id(self) -> str:
        """git's blob id: of the LFS pointer for LFS files, as on the real hub."""
        content = self.pointer if self.is_lfs else self.data
        digest = hashlib.sha1(b"blob %d\0" % len(content), usedforsecurity=False)
        digest.update(content)
        return digest.hexdigest()

    @property
    def pointer(self) -> bytes:
        return (
            f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.sha256}\n"
            f"size {len(self.data)}\n"
        ).encode()

    @property
    def etag(self) -> str:
        """What the client names the cached blob after: sha256 (LFS) or git blob id."""
        return self.sha256 if self.is_lfs else self.blob_id


@dataclasses.dataclass(frozen=True)
class HubRepo:
    name: str
    files: tuple[HubFile, ...]

    @classmethod
    def from_dir(cls, name: str, folder: Path) -> HubRepo:
        paths = sorted(p for p in folder.rglob("*") if p.is_file())
        files = (HubFile(p.relative_to(folder).as_posix(), p.read_bytes()) for p in paths)
        return cls(name, tuple(files))

    @property
    def commit(self) -> str:
        digest = hashlib.sha1(self.name.encode(), usedforsecurity=False)
        for file in self.files:
            digest.update(f"{file.path}\0{file.sha256}\0".encode())
        return digest.hexdigest()

    def file(self, path: str) -> HubFile | None:
        return next((f for f in self.files if f.path == path), None)


@dataclasses.dataclass
class Cut:
    """Drop the connection after `after` bytes of `path`, the next `times` downloads."""

    path: str
    after: int
    times: int


class HubServer:
    """`with HubServer({"Helsinki-NLP/opus-mt-fr-en": folder}) as hub: hub.url`."""

    def __init__(
        self,
        models: Mapping[str, Path],
        *,
        port: int = 0,
        bytes_per_second: int = 0,
    ) -> None:
        self.repos = {name: HubRepo.from_dir(name, Path(folder)) for name, folder in models.items()}
        self.bytes_per_second = bytes_per_second
        self.requests: list[tuple[str, str, str]] = []  # (method, path, Range header)
        self.cuts: list[Cut] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> HubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HubServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def cut(self, path: str, *, after: int, times: int = 1) -> None:
        with self._lock:
            self.cuts.append(Cut(path, after, times))

    def downloads(self, path: str) -> list[str]:
        """The Range headers of each GET of a file (empty string: the whole file)."""
        with self._lock:
            return [
                byte_range
                for method, url, byte_range in self.requests
                if method == "GET" and "/resolve/" in url and url.endswith(f"/{path}")
            ]

    def _log(self, method: str, path: str, byte_range: str) -> None:
        with self._lock:
            self.requests.append((method, path, byte_range))

    def _take_cut(self, path: str) -> int | None:
        with self._lock:
            for cut in self.cuts:
                if cut.path == path and cut.times > 0:
                    cut.times -= 1
                    return cut.after
        return None


def _handler(hub: HubServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "mtreview-test-hub/1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

        def do_HEAD(self) -> None:
            self._route(send_body=False)

        def do_GET(self) -> None:
            self._route(send_body=True)

        # --- routing ----------------------------------------------------------------
        def _route(self, *, send_body: bool) -> None:
            url = urlsplit(self.path)
            path = unquote(url.path)
            hub._log(self.command, path, self.headers.get("Range", ""))
            parts = [p for p in path.split("/") if p]
            if parts[:2] == ["api", "models"] and len(parts) >= 4:
                self._api(parts[2:], parse_qs(url.query))
            elif len(parts) >= 5 and parts[2] == "resolve":
                self._resolve("/".join(parts[:2]), parts[3], "/".join(parts[4:]), send_body)
            else:
                self._error(HTTPStatus.NOT_FOUND, "", "not found")

        def _repo(self, name: str, revision: str) -> HubRepo | None:
            repo = hub.repos.get(name)
            if repo is None:
                self._error(HTTPStatus.NOT_FOUND, "RepoNotFound", "Repository not found")
            elif revision not in ("main", repo.commit):
                self._error(HTTPStatus.NOT_FOUND, "RevisionNotFound", "Invalid rev id", repo)
            else:
                return repo
            return None

        def _api(self, parts: list[str], query: dict[str, list[str]]) -> None:
            name, rest = "/".join(parts[:2]), parts[2:]
            if not rest or rest[0] == "revision":
                repo = self._repo(name, rest[1] if len(rest) > 1 else "main")
                if repo is not None:
                    blobs = query.get("blobs", ["false"])[0].lower() == "true"
                    self._json(_model_info(repo, blobs=blobs), repo)
            elif rest[0] == "tree" and len(rest) >= 2:
                repo = self._repo(name, rest[1])
                folder = "/".join(rest[2:])
                if repo is None:
                    return
                entries = [_tree_entry(f) for f in repo.files if _under(f.path, folder)]
                if folder and not entries:
                    self._error(HTTPStatus.NOT_FOUND, "EntryNotFound", "no such folder", repo)
                else:
                    self._json(entries, repo)
            else:
                self._error(HTTPStatus.NOT_FOUND, "", "not found")

        def _resolve(self, name: str, revision: str, filename: str, send_body: bool) -> None:
            repo = self._repo(name, revision)
            if repo is None:
                return
            file = repo.file(filename)
            if file is None:
                self._error(HTTPStatus.NOT_FOUND, "EntryNotFound", "Entry not found", repo)
                return
            start = _range_start(self.headers.get("Range", ""), len(file.data))
            body = file.data[start:]
            self.send_response(HTTPStatus.PARTIAL_CONTENT if start else HTTPStatus.OK)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Accept-Ranges", "bytes")
            if start:
                last = len(file.data) - 1
                self.send_header("Content-Range", f"bytes {start}-{last}/{len(file.data)}")
            self.send_header("X-Repo-Commit", repo.commit)
            self.send_header("ETag", f'"{file.blob_id}"')
            if file.is_lfs:
                self.send_header("X-Linked-Etag", f'"{file.sha256}"')
                self.send_header("X-Linked-Size", str(len(file.data)))
            self.end_headers()
            if send_body:
                self._send_body(body, hub._take_cut(filename))

        def _send_body(self, body: bytes, cut: int | None) -> None:
            sent = 0
            for offset in range(0, len(body), CHUNK):
                chunk = body[offset : offset + CHUNK]
                if cut is not None and sent + len(chunk) > cut:
                    self.wfile.write(chunk[: max(0, cut - sent)])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.close()  # the client sees a short body
                    return
                self.wfile.write(chunk)
                sent += len(chunk)
                if hub.bytes_per_second:
                    time.sleep(len(chunk) / hub.bytes_per_second)

        # --- answers ----------------------------------------------------------------
        def _json(self, payload: object, repo: HubRepo) -> None:
            data = json.dumps(payload).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Repo-Commit", repo.commit)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _error(
            self, status: HTTPStatus, code: str, message: str, repo: HubRepo | None = None
        ) -> None:
            data = json.dumps({"error": message}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if code:
                self.send_header("X-Error-Code", code)
            self.send_header("X-Error-Message", message)
            if repo is not None:
                self.send_header("X-Repo-Commit", repo.commit)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Handler


def _under(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder.rstrip("/") + "/")


def _range_start(header: str, size: int) -> int:
    """`bytes=N-` (what resuming clients send); anything else serves the whole file."""
    if header.startswith("bytes=") and header.endswith("-"):
        try:
            start = int(header[len("bytes=") : -1])
        except ValueError:
            return 0
        return start if 0 <= start < size else 0
    return 0


def _model_info(repo: HubRepo, *, blobs: bool) -> dict[str, object]:
    siblings: list[dict[str, object]] = []
    for file in repo.files:
        sibling: dict[str, object] = {"rfilename": file.path}
        if blobs:
            sibling.update(size=len(file.data), blobId=file.blob_id)
            if file.is_lfs:
                sibling["lfs"] = {
                    "sha256": file.sha256,
                    "size": len(file.data),
                    "pointerSize": len(file.pointer),
                }
        siblings.append(sibling)
    return {
        "_id": repo.commit[:24],
        "id": repo.name,
        "modelId": repo.name,
        "sha": repo.commit,
        "private": False,
        "disabled": False,
        "gated": False,
        "library_name": "transformers",
        "pipeline_tag": "translation",
        "tags": ["transformers", "marian", "translation"],
        "lastModified": "2020-08-19T00:00:00.000Z",
        "createdAt": "2020-08-19T00:00:00.000Z",
        "siblings": siblings,
    }


def _tree_entry(file: HubFile) -> dict[str, object]:
    entry: dict[str, object] = {
        "type": "file",
        "oid": file.blob_id,
        "size": len(file.pointer) if file.is_lfs else len(file.data),
        "path": file.path,
    }
    if file.is_lfs:
        entry["lfs"] = {
            "oid": file.sha256,
            "size": len(file.data),
            "pointerSize": len(file.pointer),
        }
    return entry


def tiny_pair(folder: Path) -> dict[str, Path]:
    """Tiny real Marian models under the default opus-mt names (built once in `folder`)."""
    from mtreview.testing.tiny_marian import build_tiny_marian

    models = {}
    for name in DEFAULT_PAIR:
        src, tgt = name.rsplit("-", 2)[-2:]
        out = folder / f"{src}-{tgt}"
        if not (out / "model.safetensors").is_file():
            build_tiny_marian(out, src=src, tgt=tgt)
        models[name] = out
    return models


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None, allow_abbrev=False
    )
    parser.add_argument("--model", action="append", default=[], metavar="NAME=DIR")
    parser.add_argument("--tiny", metavar="DIR", nargs="?", const=".tiny-hub",
                        help="serve tiny models as the default pair (built in DIR)")  # fmt: skip
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--bytes-per-second", type=int, default=0, help="slow downloads down")
    args = parser.parse_args(argv)
    models = tiny_pair(Path(args.tiny)) if args.tiny else {}
    for item in args.model:
        name, _, folder = item.partition("=")
        models[name] = Path(folder)
    if not models:
        parser.error("give --tiny or --model NAME=DIR")
    hub = HubServer(models, port=args.port, bytes_per_second=args.bytes_per_second).start()
    sys.stdout.write(f"HF_ENDPOINT={hub.url}  ({', '.join(models)})\n")
    sys.stdout.flush()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        hub.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

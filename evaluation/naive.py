"""The naive baseline: what a default LangChain + Chroma tutorial would build, computed here.

Exactly, for the same files as the index (or the pool's table only, for sets restricted to it):

1. *Load* each file as plain text the way LangChain's default loaders do: a CSV/TSV gives one
   document per row whose text is ``column: value`` lines (``CSVLoader``); a PDF one document per
   page, pypdf ``extract_text()`` (``PyPDFLoader``); a DOCX its paragraph and table text
   (``Docx2txtLoader``); HTML its visible text (``BSHTMLLoader``); JSON Lines one document per
   line, the record as JSON (``JSONLoader(jq_schema=".", json_lines=True, text_content=False)``);
   anything else the file's text (``TextLoader``).
2. *Split* with ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200,
   add_start_index=True)`` from langchain-text-splitters.
3. *Embed* every chunk with the project's embedder (all-MiniLM-L6-v2).
4. *Store* the vectors in a fresh in-memory (embedded) Chroma collection, embeddings passed
   explicitly, Chroma's default index settings (L2 distance: the same order as cosine for
   these unit-length vectors).
5. *Retrieve* the top-k chunks nearest to the query vector: dense only, no fusion, no filter.

Chunk embeddings are cached on disk per file, keyed by the SHA-256 of the file's bytes, the
model and the splitter parameters, so a rerun only embeds what changed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from evaluation.context import EvalContext, Scope
from evaluation.refs import Unit

log = logging.getLogger(__name__)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
EMBED_BATCH = 256  # chunks per embedding call (progress granularity; the model batches itself)
LOADER_VERSION = "1"  # bump when the loading rules above change, to invalidate cached vectors
_REC_ID_COLUMNS = ("rec_id", "paragraph", "_id", "recommendation_id", "pledge_id", "id")


@dataclass
class Chunk:
    id: str
    text: str
    rec_id: str | None


@dataclass
class FileChunks:
    path: str
    chunks: list[Chunk]
    vectors: np.ndarray


def load_documents(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """The (text, metadata) documents LangChain's default loader for ``path`` would produce."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv"):
        return _csv_rows(path, "\t" if suffix == ".tsv" else ",")
    if suffix == ".pdf":
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        return [(page.extract_text() or "", {"page": i}) for i, page in enumerate(reader.pages)]
    if suffix == ".docx":
        import docx

        d = docx.Document(str(path))
        parts = [p.text for p in d.paragraphs]
        parts += [cell.text for table in d.tables for row in table.rows for cell in row.cells]
        return [("\n".join(parts), {})]
    if suffix == ".jsonl":
        return _json_lines(path)
    if suffix in (".html", ".htm"):
        from bs4 import BeautifulSoup

        return [(BeautifulSoup(path.read_bytes(), "lxml").get_text(), {})]
    return [(path.read_text(encoding="utf-8", errors="replace"), {})]


def _csv_rows(path: Path, delimiter: str) -> list[tuple[str, dict[str, Any]]]:
    """CSVLoader: one document per row, ``key: value`` lines, ``row`` = 0-based row index."""
    reader = csv.DictReader(
        io.StringIO(path.read_text(encoding="utf-8-sig", errors="replace")), delimiter=delimiter
    )
    fields = {(f or "").strip().lower().replace(" ", "_"): f for f in reader.fieldnames or []}
    id_col = next((fields[c] for c in _REC_ID_COLUMNS if c in fields), None)
    docs = []
    for i, row in enumerate(reader):
        text = "\n".join(
            f"{k.strip() if k is not None else k}: "
            f"{v.strip() if isinstance(v, str) else ','.join(map(str.strip, v)) if isinstance(v, list) else v}"
            for k, v in row.items()
        )
        rec_id = (row.get(id_col) or "").strip() if id_col else ""
        docs.append((text, {"row": i, "rec_id": rec_id or None}))
    return docs


def _json_lines(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """JSONLoader(jq_schema=".", json_lines=True, text_content=False): ``json.dumps`` of each record."""
    docs: list[tuple[str, dict[str, Any]]] = []
    for i, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines()):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            docs.append((line, {"seq_num": i + 1, "rec_id": None}))
            continue
        keys = {str(k).strip().lower(): k for k in obj} if isinstance(obj, dict) else {}
        id_key = next((keys[c] for c in _REC_ID_COLUMNS if c in keys), None)
        rec_id = str(obj[id_key]).strip() if id_key is not None and obj[id_key] not in (None, "") else None
        docs.append((json.dumps(obj), {"seq_num": i + 1, "rec_id": rec_id}))
    return docs


_REPORT_NUMBER = re.compile(r"(?m)^[ \t]*(\d{1,3}\.\d{1,3})\.?[ \t]")


def report_numbers(chunk: Chunk) -> tuple[str, ...]:
    """The recommendation numbers a chunk of a report's text shows at the start of a line
    ("86.21. Strengthen ..."): a table row's chunk has its ``rec_id`` instead."""
    if chunk.rec_id is not None:
        return ()
    return tuple(dict.fromkeys(_REPORT_NUMBER.findall(chunk.text)))


def split_documents(path: Path, file_hash: str) -> list[Chunk]:
    """Load ``path`` and split it into 1,000-character chunks with 200 characters of overlap."""
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
    )
    docs = [Document(page_content=t, metadata=m) for t, m in load_documents(path)]
    out = []
    for i, piece in enumerate(splitter.split_documents(docs)):
        out.append(
            Chunk(
                id=f"naive:{file_hash[:16]}:{i}", text=piece.page_content, rec_id=piece.metadata.get("rec_id")
            )
        )
    return out


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class NaiveSystem:
    """The naive baseline as an evaluation system; one Chroma collection per scope."""

    name = "naive"

    def __init__(self, ctx: EvalContext) -> None:
        self.ctx = ctx
        self._files: dict[str, FileChunks] = {}
        self._collections: dict[tuple[str, ...], tuple[Any, dict[str, Unit]]] = {}
        self._client: Any = None

    # --- chunks and vectors -------------------------------------------------------------------
    def _cache_key(self, file_hash: str) -> str:
        params = json.dumps(
            [self.ctx.embedder.name, CHUNK_SIZE, CHUNK_OVERLAP, LOADER_VERSION], separators=(",", ":")
        )
        return f"{file_hash}-{hashlib.sha256(params.encode()).hexdigest()[:10]}"

    def file_chunks(self, paths: Sequence[str]) -> list[FileChunks]:
        """Chunks and vectors of ``paths``, embedding only what the cache does not hold."""
        todo: list[tuple[str, str, list[Chunk]]] = []
        for p in paths:
            if p in self._files:
                continue
            fh = file_sha256(Path(p))
            chunks = split_documents(Path(p), fh)
            cached = self._read_cache(fh, chunks)
            if cached is not None:
                self._files[p] = FileChunks(p, chunks, cached)
            else:
                todo.append((p, fh, chunks))
        if todo:
            self._embed(todo)
        return [self._files[p] for p in paths]

    def _embed(self, todo: list[tuple[str, str, list[Chunk]]]) -> None:
        total = sum(len(c) for _, _, c in todo)
        log.info("naive baseline: embedding %d chunks of %d file(s)", total, len(todo))
        bar = None
        if self.ctx.progress:
            from tqdm import tqdm

            bar = tqdm(total=total, desc="naive baseline: embedding", unit="chunk", dynamic_ncols=True)
        dim = int(self.ctx.embedder.dimension)
        for p, fh, chunks in todo:
            parts = []
            for i in range(0, len(chunks), EMBED_BATCH):
                batch = [c.text for c in chunks[i : i + EMBED_BATCH]]
                parts.append(np.asarray(self.ctx.embedder.embed_passages(batch), dtype=np.float32))
                if bar is not None:
                    bar.update(len(batch))
            vectors = np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)
            self._write_cache(fh, chunks, vectors)
            self._files[p] = FileChunks(p, chunks, vectors)
        if bar is not None:
            bar.close()

    def _cache_path(self, file_hash: str) -> Path:
        return Path(self.ctx.cache_dir) / f"{self._cache_key(file_hash)}.npz"

    @staticmethod
    def _texts_digest(chunks: list[Chunk]) -> str:
        h = hashlib.sha256()
        for c in chunks:
            h.update(c.text.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()

    def _read_cache(self, file_hash: str, chunks: list[Chunk]) -> np.ndarray | None:
        path = self._cache_path(file_hash)
        if not path.exists():
            return None
        try:
            with np.load(path) as data:
                if str(data["digest"]) != self._texts_digest(chunks):
                    return None
                return np.asarray(data["vectors"], dtype=np.float32)
        except (OSError, KeyError, ValueError):
            return None  # a damaged cache entry is recomputed

    def _write_cache(self, file_hash: str, chunks: list[Chunk], vectors: np.ndarray) -> None:
        path = self._cache_path(file_hash)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.npz")
        np.savez(tmp, vectors=vectors, digest=np.array(self._texts_digest(chunks)))
        tmp.replace(path)  # atomic: a crash never leaves a half-written entry

    def units_of(self, paths: Sequence[str]) -> list[Unit]:
        """Every chunk of ``paths`` as a unit (to check which judged answers a chunk can hold)."""
        return [
            Unit(id=c.id, file=fc.path, text=c.text, rec_id=c.rec_id, labels=report_numbers(c))
            for fc in self.file_chunks(paths)
            for c in fc.chunks
        ]

    # --- the Chroma collection ------------------------------------------------------------------
    def _collection(self, scope_files: Sequence[str]) -> tuple[Any, dict[str, Unit]]:
        key = tuple(sorted(scope_files))
        if key in self._collections:
            return self._collections[key]
        files = self.file_chunks(list(key))
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            self._client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        coll = self._client.create_collection(f"naive_{uuid.uuid4().hex[:12]}", embedding_function=None)
        units: dict[str, Unit] = {}
        ids: list[str] = []
        vecs: list[np.ndarray] = []
        for fc in files:
            for c, v in zip(fc.chunks, fc.vectors, strict=True):
                if c.id in units:
                    continue
                units[c.id] = Unit(
                    id=c.id, file=fc.path, text=c.text, rec_id=c.rec_id, labels=report_numbers(c)
                )
                ids.append(c.id)
                vecs.append(v)
        step = int(self._client.get_max_batch_size())
        for i in range(0, len(ids), step):
            coll.add(ids=ids[i : i + step], embeddings=np.stack(vecs[i : i + step]))
        self._collections[key] = (coll, units)
        return coll, units

    def retrieve(self, queries: Mapping[str, str], scope: Scope, depth: int) -> dict[str, list[Unit]]:
        """The chunks nearest to each query among the chunks of its scope's files (a linking set
        scopes each query to its review's documents; the baseline has no other filter)."""
        by_files: dict[tuple[str, ...], list[str]] = {}
        for q in queries:
            by_files.setdefault(tuple(sorted(scope.files_of(q))), []).append(q)
        out: dict[str, list[Unit]] = {}
        for files, qids in by_files.items():
            coll, units = self._collection(files)
            if not units:
                out.update({q: [] for q in qids})
                continue
            qvecs = np.asarray(self.ctx.embedder.embed_queries([queries[q] for q in qids]), dtype=np.float32)
            res = coll.query(query_embeddings=qvecs, n_results=min(depth, len(units)), include=[])
            out.update({q: [units[i] for i in ids] for q, ids in zip(qids, res["ids"], strict=True)})
        return out

    def close(self) -> None:
        if self._client is not None:
            for coll, _ in self._collections.values():
                self._client.delete_collection(coll.name)
        self._collections.clear()

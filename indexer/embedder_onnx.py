"""The accelerated CPU backend: the same sentence-transformers model run by ONNX Runtime.

The model's transformer is exported once to ONNX (``torch.onnx.export``, no network) and cached
in ``HRSEARCH_CACHE_DIR``; tokenisation, pooling and normalisation follow the model's own
sentence-transformers configuration. Vectors equal the torch backend's to about 1e-7, so
rankings do not change (checked by a test and in BENCHMARKS.md), while encoding is about twice as
fast on 2 CPU cores. Models whose pooling is not mean or CLS fall back to the torch backend.

With ``int8`` the export is quantized once more (``quantize_int8``: dynamic int8, weights per
channel, MatMul nodes only; cached beside the export): about 1.5x faster again on a CPU with
VNNI, at a cosine of about 0.993 to the fp32 vectors, so an index records it (``indexer.config``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from indexer.embedding_base import ModelUnavailable, Vectors, resolve_model_path

EXPORT_VERSION = "1"
INT8_VERSION = "1"  # bump when the quantization recipe changes: the cached file is then remade


def _pooling_mode(model_dir: Path) -> str | None:
    """``mean`` or ``cls`` when the model is Transformer + Pooling (+ Normalize), else None."""
    modules_file = model_dir / "modules.json"
    if not modules_file.exists():
        return None
    modules = json.loads(modules_file.read_text())
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or any(
        k not in ("Transformer", "Pooling", "Normalize") for k in kinds
    ):
        return None
    pool_dir = model_dir / modules[1].get("path", "1_Pooling")
    cfg = json.loads((pool_dir / "config.json").read_text())
    if cfg.get("pooling_mode_mean_tokens"):
        return "mean"
    if cfg.get("pooling_mode_cls_token"):
        return "cls"
    return None


def onnx_supported(model: str) -> bool:
    path = Path(resolve_model_path(model))
    return path.is_dir() and _pooling_mode(path) is not None


def _fingerprint(model_dir: Path) -> str:
    h = hashlib.sha256(EXPORT_VERSION.encode())
    for name in sorted(os.listdir(model_dir)):
        p = model_dir / name
        if p.is_file():
            st = p.stat()
            h.update(f"{name}:{st.st_size}".encode())
    import torch

    h.update(str(torch.__version__).encode())
    return h.hexdigest()[:16]


def export_onnx(model_dir: Path, cache_dir: Path) -> Path:
    """The cached ONNX export of the model's transformer (made on first use)."""
    target = cache_dir / f"{model_dir.name}-{_fingerprint(model_dir)}.onnx"
    if target.exists():
        return target
    import torch
    from transformers import AutoModel, AutoTokenizer

    cache_dir.mkdir(parents=True, exist_ok=True)
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tok.model_input_names]

    class _Wrapped(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *args: Any) -> Any:
            return self.inner(**dict(zip(names, args, strict=True))).last_hidden_state

    sample = tok(["an example", "a second, longer example sentence"], padding=True, return_tensors="pt")
    axes = {n: {0: "batch", 1: "seq"} for n in [*names, "last_hidden_state"]}
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with torch.no_grad():
        torch.onnx.export(
            _Wrapped(model),
            tuple(sample[n] for n in names),
            str(tmp),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(target)
    return target


def quantize_int8(fp32: Path) -> Path:
    """The cached dynamic-int8 version of an ONNX export (made on first use, a few seconds).

    Per-channel weights on MatMul nodes only: per-tensor weights, or quantizing the other nodes,
    moved the vectors much further from fp32 (cosine 0.958 instead of 0.993, BENCHMARKS.md)."""
    target = fp32.with_name(f"{fp32.stem}-int8v{INT8_VERSION}.onnx")
    if target.exists():
        return target
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = target.with_suffix(f".tmp{os.getpid()}")
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # quantize_dynamic logs a pre-processing hint at WARNING on root
    try:
        quantize_dynamic(
            str(fp32),
            str(tmp),
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            weight_type=QuantType.QInt8,
        )
    finally:
        root.setLevel(level)
    tmp.replace(target)
    return target


class OnnxEmbedder:
    """Implements ``Embedder`` with ONNX Runtime on the CPU."""

    def __init__(
        self,
        model: str,
        *,
        cache_dir: Path,
        batch_size: int = 64,
        threads: int = 0,
        int8: bool = False,
        query_prefix: str = "",
        passage_prefix: str = "",
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import onnxruntime as ort
        from transformers import AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        model_dir = Path(resolve_model_path(model))
        mode = _pooling_mode(model_dir) if model_dir.is_dir() else None
        if mode is None:
            raise ModelUnavailable(
                f"model {model!r} cannot run on the ONNX backend (not a local mean/CLS-pooling model)"
            )
        self._pooling = mode
        st_cfg_file = model_dir / "sentence_bert_config.json"
        st_cfg = json.loads(st_cfg_file.read_text()) if st_cfg_file.exists() else {}
        self.max_seq_length = int(st_cfg.get("max_seq_length", 256))
        self._tok = AutoTokenizer.from_pretrained(str(model_dir))
        self._names = [
            n for n in ("input_ids", "attention_mask", "token_type_ids") if n in self._tok.model_input_names
        ]
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or (os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        path = export_onnx(model_dir, cache_dir)
        if int8:
            path = quantize_int8(path)
        self._sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.int8 = int8
        self.name = model
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.dimension = int(self._encode(["dimension probe"]).shape[1])

    def _encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, getattr(self, "dimension", 0)), dtype=np.float32)
        # Sort by length so each batch pads little, then restore the order.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        parts: list[np.ndarray] = []
        for i in range(0, len(texts), self.batch_size):
            batch = [texts[j] for j in order[i : i + self.batch_size]]
            enc = self._tok(
                batch, padding=True, truncation=True, max_length=self.max_seq_length, return_tensors="np"
            )
            feeds = {n: enc[n].astype(np.int64) for n in self._names}
            hidden = self._sess.run(None, feeds)[0]
            if self._pooling == "mean":
                mask = enc["attention_mask"][..., None].astype(np.float32)
                vec = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            else:
                vec = hidden[:, 0]
            parts.append(vec.astype(np.float32))
        vecs = np.concatenate(parts)
        vecs /= np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)
        out = np.empty_like(vecs)
        out[order] = vecs
        return out

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode([self.query_prefix + t for t in texts])

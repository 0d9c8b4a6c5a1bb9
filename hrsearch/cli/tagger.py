"""``hrsearch tagger train``, ``hrsearch tagger train-strength`` and ``hrsearch tag``: thin shells
over ``training.tagger``, ``training.strength``, ``indexer.tagger`` and ``indexer.strength``.

Exit codes: 0 done; 2 usage error (missing corpus folder, no text given); 3 the tagger model is
missing or does not fit the configured embedder.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hrsearch.cli.common import (
    EXIT_INDEX,
    EXIT_OK,
    EXIT_USAGE,
    Subcommands,
    embedder_factory,
    err,
    print_json,
    settings_from,
)

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "recommendations"
MODEL_DIR = REPO / "indexer" / "tagger_model"  # = indexer.tagger.MODEL_DIR, without importing numpy here
STRENGTH_DIR = REPO / "indexer" / "strength_model"  # = indexer.strength.MODEL_DIR


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hrsearch" / "tagger"


def _train(
    args: argparse.Namespace, train: Callable[..., dict[str, Any]], needed: tuple[str, ...]
) -> dict[str, Any] | None:
    """Run a trainer on ``--corpus`` with the CLI's model, cache and index; None (after saying
    which) when a file it needs is missing."""
    corpus = Path(args.corpus)
    missing = [n for n in needed if not (corpus / n).is_file()]
    if missing:
        err(f"no {', '.join(missing)} in {corpus}; give the recommendations folder with --corpus")
        return None
    settings = settings_from(args)
    if not args.json:
        logging.getLogger("training").setLevel(logging.INFO)
    return train(
        corpus,
        Path(args.out),
        embedder_factory(settings),
        model=settings.model,
        cache_dir=Path(args.cache_dir) if args.cache_dir else _default_cache_dir(),
        reuse_index=Path(args.reuse_index) if args.reuse_index else None,
    )


def cmd_tagger_train(args: argparse.Namespace) -> int:
    from training.tagger import train
    from training.tagger_data import SLOVENIA_CSV, UPR_INFO_CSV, US_CSV

    figures = _train(args, train, (UPR_INFO_CSV, US_CSV, SLOVENIA_CSV))
    if figures is None:
        return EXIT_USAGE
    if args.json:
        print_json({k: v for k, v in figures.items() if k != "per_label"})
    else:
        sp = figures["split"]
        sys.stdout.write(
            f"tagger written to {args.out}\n"
            f"session split: train {sp['train']}, valid {sp['valid']}, test {sp['test']} "
            f"({sp['test_dropped_seen']} test items seen in training dropped)\n"
            f"micro-F1 (session split): {figures['micro_f1']:.2f}\n"
            f"macro-F1 (session split): {figures['macro_f1']:.2f}\n"
        )
    return EXIT_OK


def cmd_tagger_train_strength(args: argparse.Namespace) -> int:
    from training.strength import train
    from training.tagger_data import UPR_INFO_CSV

    result = _train(args, train, (UPR_INFO_CSV,))
    if result is None:
        return EXIT_USAGE
    if args.json:
        print_json(result)
        return EXIT_OK
    sp, test = result["split"], result["model"]["test"]
    base = result["baselines"]
    sys.stdout.write(
        f"strength model written to {args.out}\n"
        f"session split: train {sp['train']}, valid {sp['valid']}, test {sp['test']} "
        f"({sp['test_dropped_seen']} test items seen in training dropped)\n"
        f"accuracy (session split): {test['accuracy']:.2f} (majority {base['majority']['test']['accuracy']:.2f}, "
        f"verb rule {base['verb_rule']['test']['accuracy']:.2f})\n"
        f"macro-F1 (session split): {test['macro_f1']:.2f} (majority {base['majority']['test']['macro_f1']:.2f}, "
        f"verb rule {base['verb_rule']['test']['macro_f1']:.2f})\n"
    )
    return EXIT_OK


def _read_text(args: argparse.Namespace) -> str | None:
    if args.file:
        return Path(args.file).read_text(encoding="utf-8", errors="replace")
    if args.text == "-":
        return sys.stdin.read()
    return args.text


STRENGTH_WORDS = {
    1: "minimal action",
    2: "continuing action",
    3: "considering action",
    4: "general action",
    5: "specific action",
}
_STRENGTH_MAX_WORDS = 200


def cmd_tag(args: argparse.Namespace) -> int:
    from indexer.strength import StrengthUnavailableError, load_strength_model
    from indexer.tagger import TaggerUnavailableError, load_tagger

    if args.file and not Path(args.file).is_file():
        err(f"no such file: {args.file}")
        return EXIT_USAGE
    text = _read_text(args)
    if not text or not text.strip():
        err("no text to tag: give TEXT, '-' for standard input, or --file PATH")
        return EXIT_USAGE
    settings = settings_from(args)
    strength: dict[str, Any] | None = None
    try:
        tagger = load_tagger()
        embedder = embedder_factory(settings)()
        if embedder.dimension != tagger.dimension:
            raise TaggerUnavailableError(
                f"the tagger was trained on {tagger.dimension}-d all-MiniLM-L6-v2 vectors; "
                f"the configured model {settings.model!r} gives {embedder.dimension}-d ones"
            )
        tags = tagger.tag_text(text, embedder)
        whole = " ".join(text.split())
        if len(whole.split()) <= _STRENGTH_MAX_WORDS:
            # The strength of wording of one recommendation or ask (not of a whole letter).
            [(category, probability)] = load_strength_model().predict(
                embedder.embed_passages([whole]), [whole]
            )
            strength = {"category": category, "label": STRENGTH_WORDS[category], "probability": probability}
    except (TaggerUnavailableError, StrengthUnavailableError) as e:
        err(str(e))
        return EXIT_INDEX
    if args.json:
        out: dict[str, Any] = {
            "tags": [t.to_dict() for t in tags],
            "labels": len(tagger.labels),
            "strength": strength,
        }
        print_json(out)
        return EXIT_OK
    if not tags:
        sys.stdout.write("no theme over its threshold\n")
    for t in tags:
        sentence = t.sentence or ""
        sentence = sentence if len(sentence) <= 160 else sentence[:160] + "…"
        sys.stdout.write(f"{t.confidence:.2f}  {t.theme}\n      “{sentence}”\n")
    if strength:
        sys.stdout.write(
            f"strength of wording: {strength['category']} ({strength['label']}, {strength['probability']:.2f})\n"
        )
    return EXIT_OK


def register(sub: Subcommands) -> None:
    """Add ``tagger train`` and ``tag`` to the ``hrsearch`` subparsers."""
    p = sub.add_parser("tagger", help="build the theme tagger")
    tsub = p.add_subparsers(dest="tagger_command", required=True)
    t = tsub.add_parser("train", help="train the theme tagger on the labelled recommendations and write it")
    t.add_argument(
        "--corpus", default=str(DEFAULT_CORPUS), help=f"recommendations folder (default {DEFAULT_CORPUS})"
    )
    t.add_argument("--out", default=str(MODEL_DIR), help=f"artifact folder (default {MODEL_DIR})")
    t.add_argument("--cache-dir", help=f"embedding cache, kept between runs (default {_default_cache_dir()})")
    t.add_argument(
        "--reuse-index", metavar="DIR", help="a finished index whose stored vectors are reused by text"
    )
    t.add_argument("--json", action="store_true", help="print the figures as JSON")
    t.set_defaults(func=cmd_tagger_train)
    t = tsub.add_parser(
        "train-strength",
        help="train the strength-of-wording model (UPR Info's action category 1-5) and write it",
    )
    t.add_argument(
        "--corpus", default=str(DEFAULT_CORPUS), help=f"recommendations folder (default {DEFAULT_CORPUS})"
    )
    t.add_argument("--out", default=str(STRENGTH_DIR), help=f"artifact folder (default {STRENGTH_DIR})")
    t.add_argument("--cache-dir", help=f"embedding cache, kept between runs (default {_default_cache_dir()})")
    t.add_argument(
        "--reuse-index", metavar="DIR", help="a finished index whose stored vectors are reused by text"
    )
    t.add_argument("--json", action="store_true", help="print the figures as JSON")
    t.set_defaults(func=cmd_tagger_train_strength)

    p = sub.add_parser("tag", help="tag a text with themes, showing the sentence behind each")
    p.add_argument("text", nargs="?", default=None, help="the text ('-': read standard input)")
    p.add_argument("--file", help="read the text from this file")
    p.add_argument("--json", action="store_true", help="print the tags as JSON")
    p.set_defaults(func=cmd_tag)

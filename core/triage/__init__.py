"""Triage: each complaint's category, sentiment and urgency when it arrives.

Owns the fixed label lists (`labels`), the labelled messages it learns from — Huayu's own set in
`starter/triage.*.jsonl`, the starter pack's complaint kinds and the corrections staff make
(`examples`) — and the two ways of labelling a message: a classifier over character n-grams and
sentence embeddings (`classifier`, the default: it won the measurement in QUALITY.md) and the chat
model's structured output under a JSON-schema grammar (`structured`). Knows nothing of pages.
"""

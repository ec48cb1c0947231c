"""Few-shot examples: Huayu's starter pack and the shop's best past replies, found for each new
request by meaning (`core.retrieval`) and placed in its prompt. Reads and writes through `db`.
"""

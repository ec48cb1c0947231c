"""Retrieval: the local multilingual embedding model behind LangChain's `Embeddings`, vectors kept
in the database and in memory, and diverse top-k selection (MMR). Knows nothing of prompts or pages.
"""

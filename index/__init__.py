"""FAISS indices: part descriptors per category and rendered-avatar identity embeddings (a vector store that knows
no faces)."""

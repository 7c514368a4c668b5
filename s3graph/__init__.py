"""s3graph: a linked-data knowledge graph of EU Smart Specialisation cooperation."""

__version__ = "0.1.0"

"""ARA format v1 and the operations that read and extend ARAs on disk."""

"""Git memory: semantic commits, their history, locks and crash recovery."""

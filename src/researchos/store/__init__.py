"""The operational store (SQL): state of work in progress plus a rebuildable content index."""

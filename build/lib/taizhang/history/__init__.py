"""The ledger's history from git: running git with a constant number of processes (`git`),
reading the commits that touched `records/` (`commits`, `revisions`), turning two versions of a
record into typed events (`events`), and arranging them as timelines and a change log
(`timeline`)."""

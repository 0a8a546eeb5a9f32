"""Reports drawn from the ledger, as data ready to render: the weekly report (`weekly`)."""

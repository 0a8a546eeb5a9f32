"""The ledger as data: record files are read (`frontmatter`), typed into records (`schema` →
`records`), checked against the rules (`rules`), loaded as one ledger (`repository`), and summed
into the figures every page and export shows (`figures`). `public` derives the public
profile, `export` writes the JSON and CSV exports. A new record field starts in `records`
and `schema`; a new rule in `rules`; a new figure in `figures`."""

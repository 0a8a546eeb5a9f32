"""Changing the ledger: byte-exact edits of a record's front matter (`edits`), the `new` and
`update` commands built on them (`commands`), what a change does for a pull request (`diff`),
and the git pre-commit hook (`githook`)."""

"""taizhang: an inspection-rectification ledger (整改台账) kept as Markdown records in git.

Data flows one way, and each subpackage imports only from those above it in this list:

- `labels`, `errors`, `text`: every word a user reads, the one error type, escaping and numerals.
- `speed`: the machinery that makes builds fast (what is kept between builds, timing, parallelism).
- `ledger`: record files → typed records → checked ledger → figures, the JSON/CSV export, the public profile.
- `history`: git → commits → ledger events → timelines.
- `reports`: the weekly report (and the other upward reports) as data.
- `office`: Excel and Word files, out and in.
- `site`: the generated pages of the MkDocs site, their HTML rows and charts, the downloads.
- `rollup`: one round over many units: units.yml, each unit's JSON export fetched and checked, the roll-up's pages and workbook.
- `authoring`: changing records: byte-exact edits, `new`/`update`, reviewing a change (`diff`).
- `cli`: the `taizhang` command.
- `plugin`: the MkDocs plugin, the only module that imports MkDocs.
"""

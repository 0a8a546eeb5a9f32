"""The roll-up of one inspection round: many units' JSON exports read from paths or intranet URLs, checked and summed, as pages and a workbook.

`units` reads units.yml and fetches each unit's export (never silently dropping one);
`pages` makes the roll-up site's pages and its Excel download. Nothing here imports MkDocs:
the plugin delegates a repository holding units.yml (and no records/) to `pages.site`.
"""

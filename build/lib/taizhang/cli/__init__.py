"""The `taizhang` command: every parser in `main`, one module per command group (`history_diff`,
`report`, `demo`). A new flag goes into `main`'s parser and the command's module."""

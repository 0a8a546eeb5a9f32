"""Excel and Word files. Out: the ledger workbook (`excel`), the weekly report as a Word
document (`word`), both byte-stable through `ooxml`. In: a unit's Excel ledger found in a
workbook (`sheet`), its cells read (`cells`) and turned into records (`excel_import`). A new
export column goes in `excel` (and `ledger.export` for CSV)."""

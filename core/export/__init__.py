"""Training-data export: formats, tokenizer, BIO tags, clean text, splits, near-duplicates.

Pure Python and Qt-free. Records come in as :class:`core.export.records.ExportRecord` from
whoever reads the project (``storage.Project.export_records``); everything here only turns
them into JSON lines, files and a dataset card.
"""

"""The reading layer: files in, ``Document`` out.

- ``corpus.loader``: ``discover(paths)`` (``find_documents``: with what it refuses) and ``load_document(path, settings)``, the public entry points.
- ``corpus.readers``: one module per format (PDF, text, HTML, DOCX, tables).
- ``corpus.metadata``: metadata inference from the text and the file name.
- ``corpus.sidecars``: what the user states, in sidecars (``*.meta.toml``) and folder manifests (``hrsearch.toml``).
- ``corpus.symbols``, ``corpus.countries``, ``corpus.language``: UN symbols, country names, language.
- ``corpus.country_names``: the country name tables, as data.
- ``corpus.models``: the output types.

Nothing is imported here, so that ``import corpus.models`` stays cheap.
"""

"""Tools that build the product's artifacts, outside its write path.

``training.tagger`` (with ``tagger_data`` and ``tagger_fit``) trains the theme tagger that
``indexer.tagger`` loads; the product never imports this package (an import contract checks it).
"""

"""The segmenters behind ``indexer.segmentation``, one module per document family.

``upr`` (Working Group reports, with ``dialogue`` for the recommendations quoted in the
interactive dialogue of 2008-2009), ``numbered`` (UN documents made of numbered paragraphs),
``prose`` and ``asks`` (letters and submissions), ``table`` (recommendation tables); ``text``
(cleaned text with offsets, page furniture), ``states`` (recommending States), ``wording`` (a
recommendation without its States) and ``common`` (output and splitting of long passages) serve
them all.
"""

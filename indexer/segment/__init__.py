"""The segmenters behind ``indexer.segmentation``, one module per document family.

``upr`` (Working Group reports), ``numbered`` (UN documents made of numbered paragraphs),
``prose`` and ``asks`` (letters and submissions), ``table`` (recommendation tables); ``text``
(cleaned text with offsets, page furniture), ``states`` (recommending States) and ``common``
(output and splitting of long passages) serve them all.
"""

"""The domain core: plain Python, no Django imports.

Working days (``calendar``), coverage (``coverage``) and the RMA state machine (``rma``)
live here so that they can be tested exhaustively and used as a library without settings.
"""

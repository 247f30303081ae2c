"""Ready-made slider explorers, one module per section of the book.

Each factory returns a :class:`statbook.widgets.Explorer`; its drawing
function only calls the model modules and the plotting helpers.
"""

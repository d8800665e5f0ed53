"""The invitation letters: their text (``template``) and their PDF (``render``)."""

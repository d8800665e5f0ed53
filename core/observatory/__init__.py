"""The practitioners' observatory: assemblies compared on what their records show.

``sources`` reads each assembly (a city installed here, or another instance's open
data); ``summary`` turns its indicators into the figures compared; ``site`` writes the
static site ``kleroterion observatory build`` publishes.
"""

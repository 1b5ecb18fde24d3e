"""rulealign: check which pilot measures dock with CPTPP and DEPA clauses."""

__version__ = "0.1.0"

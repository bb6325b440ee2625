"""ChainMart's Python side: pure helpers shared by scripts, tests and the dApp.

``chainmart.provenance`` recomputes a provenance token's trail hash chain from its logs and says
whether the trail is complete and unaltered.
"""

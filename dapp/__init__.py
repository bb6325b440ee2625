"""ChainMart's dApp package: the Flask app and the services it stands on (chain, IPFS, uploads)."""

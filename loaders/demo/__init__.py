"""The demo warehouse generator (`leadline demo`): a network, its leads and what became of them.

May import loaders.facts, loaders.contract and below; serves no page and never imports loaders.imports."""

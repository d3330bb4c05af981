"""The aggregate queries behind each page table: group counts, detail breakdowns, spend, choices.

May import loaders.facts and below, and metrics."""

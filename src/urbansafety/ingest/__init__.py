"""Readers that turn input files into the store's canonical tables, keeping every reject."""

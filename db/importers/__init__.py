"""Catalogue importers: file formats parsed into product drafts."""

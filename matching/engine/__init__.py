"""The numeric matching engine: plain functions over numpy arrays, no Django."""

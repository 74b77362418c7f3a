"""The model: what a record is (its fields, their enums and plain words), the rules that
follow from a record alone (is it published? what date does it show?), and its JSON Schema.
Imports nothing else of medguide."""

"""The results file: its model, its store, and loading it back."""

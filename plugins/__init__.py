"""Built-in textmill plugins: each module is an ordinary plugin."""

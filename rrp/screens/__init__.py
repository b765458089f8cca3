"""One module per screen. Screens compose widgets and run every store call in a worker thread."""

"""The canvases' pages, one module per part: `ethics` (the Data Ethics Canvas, its actions and
reviews), `business` (the Business Case Canvas and its figures), `reports` (print pages, PDF and
Word downloads) and `paper` (blank canvases to print, and bringing a room's notes back in).

Each module keeps its URL patterns beside its views; `canvases/urls.py` joins them."""

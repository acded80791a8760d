"""Generated bad inputs for the analyser (see :mod:`badinput.cases`); no binary blobs committed."""

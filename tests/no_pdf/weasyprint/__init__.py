"""Stands in for WeasyPrint in `make test-fast` (which puts tests/no_pdf first on the path):
a fast test that starts rendering a PDF fails here, instead of quietly making the fast tier
slow. Mark such a test `pdf`."""

raise ImportError("this test renders PDFs: mark it with pytest.mark.pdf (make test-fast "
                  "runs without WeasyPrint)")

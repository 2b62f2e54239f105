"""``python -m qa_audit``: the same as the ``qa-audit`` console script."""
from qa_audit.cli import main

if __name__ == "__main__":
    main()
